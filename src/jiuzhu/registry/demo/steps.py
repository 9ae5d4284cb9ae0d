"""The registry's demo steps: households on the first run, then the demo accounts, then a
little casework (``registry.demo.casework``)."""

from __future__ import annotations

from jiuzhu.core.demo import DemoContext, demo_step
from jiuzhu.core.encrypted_fields import phone_hashes
from jiuzhu.registry.demo.accounts import (
    BENEFICIARY_MOBILE,
    NotADemoAccount,
    demo_accounts_refresh,
    format_accounts_table,
)
from jiuzhu.registry.demo.generate import generate_households
from jiuzhu.registry.models import Household, Member


def generated_households_exist() -> bool:
    """Households other than the demo beneficiary's (which the accounts step may have made)."""
    fixed = Member.objects.filter(mobile_hash__in=phone_hashes(BENEFICIARY_MOBILE)).values(
        "household_id"
    )
    return Household.objects.exclude(pk__in=fixed).exists()


@demo_step(20, "households")
def households(context: DemoContext) -> None:
    if generated_households_exist():
        context.say("Households already present: not generating more.")
        return
    context.say(f"Generating {context.households:,} demo households…")
    created = generate_households(count=context.households, seed=context.seed)
    context.say(f"Created {created:,} households.")


@demo_step(80, "accounts")
def accounts(context: DemoContext) -> None:
    try:
        rows = demo_accounts_refresh()
    except NotADemoAccount as error:
        raise RuntimeError(str(error)) from None
    context.out(format_accounts_table(rows))
