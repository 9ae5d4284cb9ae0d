"""How active discovery reacts to other apps' events (after their change commits): a household
that became covered (dibao or extremely-poor tier, an approved plan) or left the register comes
off the stored hidden-poverty list at once, without waiting for the next periodic refresh."""

from jiuzhu.assessment.services.plans import PLAN_APPROVED
from jiuzhu.core.events import DomainEvent, on
from jiuzhu.discovery.services.hidden import hidden_poverty_recheck
from jiuzhu.registry.events import HOUSEHOLD_CHANGED
from jiuzhu.registry.models import ChangeKind

#: Changes that can make a listed household covered or gone.
COVERING_CHANGES = {ChangeKind.TIER, ChangeKind.EXITED}


@on(HOUSEHOLD_CHANGED)
def hidden_list_follows_household(event: DomainEvent) -> None:
    if event.payload["kind"] in COVERING_CHANGES:
        hidden_poverty_recheck(household_id=event.payload["household_id"])


@on(PLAN_APPROVED)
def hidden_list_follows_plan(event: DomainEvent) -> None:
    hidden_poverty_recheck(household_id=event.payload["household_id"])
