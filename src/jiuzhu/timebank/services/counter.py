"""Redemption at a provider's counter (通兑): the provider's staff redeem a volunteer's or a
household's hours for a service the provider gives, whatever organisation or district the
account belongs to (one ledger for the city). The redemption is a movement from the account to
the bank's ``redeemed`` account with the provider as its counterparty; the same rules as the
holder's own redemption apply (the person served is 60 or older and is the holder, a spouse or a
direct relative; for a household's account, a current member of the household). Refusals name
the rule and are audited as denied. Idempotency (a retried counter request) is the caller's:
the page and the API run it under an Idempotency-Key.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiuzhu.core import audit
from jiuzhu.core.errors import DomainError, PermissionDenied, ValidationFailed
from jiuzhu.core.models import AuditAction, AuditResult, User
from jiuzhu.orders.models import Provider
from jiuzhu.orders.scopes import provider_of
from jiuzhu.registry.models import Member
from jiuzhu.timebank import config, policy
from jiuzhu.timebank.engine import ledger
from jiuzhu.timebank.models import (
    HELD_KINDS,
    Account,
    AccountKind,
    Movement,
    MovementKind,
)
from jiuzhu.timebank.services.ledger import (
    TRANSFER_FLOW,
    _post,
    age_on,
    refusal,
    system_account,
)


def counter_provider(actor: User) -> Provider:
    """The provider whose counter ``actor`` works at; refuses other roles."""
    policy.require_counter(actor)
    provider = provider_of(actor)
    if provider is None:
        raise PermissionDenied(_("Your organisation is not an active provider."))
    return provider


def counter_redeem(
    *,
    actor: User,
    account_id: int | None,
    minutes: int,
    service: str,
    relation: str = "self",
    beneficiary_birth_date: dt.date | None = None,
    member_id: int | None = None,
) -> Movement:
    """Redeem ``minutes`` of account ``account_id`` for ``service`` at the actor's provider."""
    try:
        return _counter_redeem(
            actor=actor,
            account_id=account_id,
            minutes=minutes,
            service=service,
            relation=relation,
            beneficiary_birth_date=beneficiary_birth_date,
            member_id=member_id,
        )
    except DomainError as error:
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="timebank.movement",
            result=AuditResult.DENIED,
            detail={
                "kind": "redemption",
                "counter": True,
                "source": account_id,
                "minutes": minutes,
                "refused": error.code,
            },
        )
        raise


@transaction.atomic
def _counter_redeem(
    *,
    actor: User,
    account_id: int | None,
    minutes: int,
    service: str,
    relation: str,
    beneficiary_birth_date: dt.date | None,
    member_id: int | None,
) -> Movement:
    provider = counter_provider(actor)
    errors: dict[str, list[str]] = {}
    account = (
        Account.objects.filter(pk=account_id, kind__in=HELD_KINDS).first() if account_id else None
    )
    if account is None:
        errors["account_id"] = [_("No such account: check the account number.")]
    if not service.strip():
        errors["service"] = [_("Name the service the hours buy.")]
    if not isinstance(minutes, int) or not 1 <= minutes <= config.cap_minutes():
        errors["minutes"] = [_("Give the minutes, from 1 to the storage cap.")]
    if errors:
        raise ValidationFailed(errors)
    assert account is not None
    today = timezone.localdate()
    if account.kind == AccountKind.GROUP:
        raise refusal("group_donates_only")
    if account.kind == AccountKind.HOUSEHOLD:
        member = (
            Member.objects.filter(
                pk=member_id, household_id=account.household_id or 0, is_active=True
            )
            .only("birth_date")
            .first()
            if member_id
            else None
        )
        if member is None:
            raise refusal("not_member")
        relation = "member"
        if age_on(member.birth_date, today) < ledger.REDEEM_AGE:
            raise refusal("under_60")
    else:
        relation = relation or "self"
        birth = account.birth_date if relation == "self" else beneficiary_birth_date
        if birth is None:
            if relation == "self":
                raise refusal("birth_date_unknown")
            raise ValidationFailed(
                {"beneficiary_birth_date": [_("Give the birth date of the person served.")]}
            )
        rule = ledger.redemption_refusal(relation=relation, beneficiary_age=age_on(birth, today))
        if rule:
            raise refusal(rule)
    redeemed = system_account(AccountKind.REDEEMED)
    movement = Movement.objects.create(
        kind=MovementKind.REDEMPTION,
        source=account,
        target=redeemed,
        provider=provider,
        minutes=minutes,
        relation=relation[:12],
        note=service.strip()[:200],
        created_by=actor,
    )

    def postings(locked: dict[int, Account]) -> list[ledger.Posting]:
        balance = locked[account.pk].balance_minutes
        if minutes > balance:
            raise ledger.LedgerRefusal("insufficient_balance", balance=balance)
        return [
            ledger.Posting(str(account.pk), -minutes),
            ledger.Posting(str(redeemed.pk), minutes),
        ]

    _post(movement=movement, account_ids=[account.pk, redeemed.pk], postings_for=postings)
    return TRANSFER_FLOW.apply(
        obj=movement,
        action="post_counter",
        actor=actor,
        changes={"posted_at": timezone.now()},
        payload={
            "movement_id": movement.pk,
            "kind": MovementKind.REDEMPTION,
            "minutes": minutes,
            "provider_id": provider.pk,
        },
    )
