"""Every write to the time bank's ledger: accounts, transfers, donations, redemptions and the
posting of confirmed deposits.

One function posts: :func:`_post` locks the accounts a movement touches (``SELECT … FOR UPDATE``
in id order, so two movements never deadlock; on SQLite the immediate transaction holds the
write lock), asks the pure ledger (``engine/ledger.py``) for the postings from the *locked*
balances, writes the entries with each account's balance after them and the new balances, all in
the caller's transaction. Of two transfers racing from one account that covers only one, the
second waits for the first's lock, reads the lowered balance and is refused: none lost, none
doubled. Every refusal names its rule (``code`` = the rule) and is audited as denied.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from jiuzhu.core import audit
from jiuzhu.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from jiuzhu.core.models import Area, AreaLevel, AuditAction, AuditResult, User
from jiuzhu.core.scoping import visible
from jiuzhu.core.transitions import Action, StateMachine
from jiuzhu.registry.models import Household, HouseholdStatus
from jiuzhu.timebank import config, policy
from jiuzhu.timebank.engine import ledger
from jiuzhu.timebank.events import TRANSFER_POSTED
from jiuzhu.timebank.models import (
    Account,
    AccountKind,
    Entry,
    Movement,
    MovementKind,
    MovementStatus,
)

#: Who the audit trail names for changes made by handlers and jobs.
SYSTEM = "system"

TRANSFER_FLOW: StateMachine[Movement] = StateMachine(
    name="transfer",
    model=Movement,
    actions={
        "post": Action(
            frozenset({MovementStatus.PENDING}),
            MovementStatus.POSTED,
            policy.HOLDER_ROLES,
            TRANSFER_POSTED,
        ),
        # A provider's staff redeem a holder's hours for a service at the provider's counter.
        "post_counter": Action(
            frozenset({MovementStatus.PENDING}),
            MovementStatus.POSTED,
            policy.COUNTER_ROLES,
            TRANSFER_POSTED,
        ),
        # A manager grants hours from the donation pool to a household's account.
        "post_grant": Action(
            frozenset({MovementStatus.PENDING}),
            MovementStatus.POSTED,
            policy.POOL_ROLES,
            TRANSFER_POSTED,
        ),
    },
    audit_type="timebank.movement",
)


def rule_message(rule: str) -> str:
    """The message that names the rule a refusal applies."""
    cap = config.cap_minutes() // ledger.MINUTES_PER_HOUR
    messages = {
        "insufficient_balance": _("Not enough hours in the account: no balance may go below zero."),
        "not_positive": _("Give a positive number of minutes."),
        "same_account": _("An account cannot transfer to itself."),
        "group_donates_only": _("A group account's hours can only be donated to the pool."),
        "not_family": _(
            "Hours go only to the holder, a spouse or a direct relative (parent, child, "
            "grandparent, grandchild)."
        ),
        "under_60": _("Hours buy services only for a person aged 60 or older."),
        "birth_date_unknown": _("The account has no birth date: the age rule cannot be checked."),
        "bad_target": _("Hours can be transferred only to a volunteer's individual account."),
        "not_member": _(
            "Hours of a household's account buy services only for a current member of the "
            "household."
        ),
        "over_cap": _("At most %(cap)d hours are stored; the rest goes to the donation pool.")
        % {"cap": cap},
    }
    return messages.get(rule, rule)


def refusal(rule: str, **extra: Any) -> DomainError:
    return DomainError(rule, rule_message(rule), status=422, rule=rule, **extra)


def age_on(birth_date: dt.date, today: dt.date) -> int:
    return (
        today.year
        - birth_date.year
        - ((today.month, today.day) < (birth_date.month, birth_date.day))
    )


# ---------------------------------------------------------------------------- accounts


def system_account(kind: str) -> Account:
    """The bank's own account of ``kind`` (pool, issuer, redeemed), made on first use."""
    names = {
        AccountKind.POOL: _("Donation pool"),
        AccountKind.ISSUER: _("Hours issued"),
        AccountKind.REDEEMED: _("Hours redeemed"),
    }
    existing = Account.objects.filter(kind=kind).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Account.objects.create(kind=kind, name=str(names[AccountKind(kind)]))
    except IntegrityError:
        return Account.objects.get(kind=kind)


def _district_of(user: User) -> Area | None:
    """The district a volunteer serves: their area's, else their organisation's."""
    organisation = user.organisation if user.organisation_id else None
    for area in (user.area, organisation.area if organisation is not None else None):
        while area is not None and area.level not in (AreaLevel.DISTRICT, AreaLevel.CITY):
            area = area.parent
        if area is not None and area.level == AreaLevel.DISTRICT:
            return area
    return None


@transaction.atomic
def account_for_volunteer(*, volunteer: User, birth_date: dt.date | None = None) -> Account:
    """The volunteer's individual account, opened (and audited) at the first need."""
    existing = Account.objects.filter(kind=AccountKind.INDIVIDUAL, holder=volunteer).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            account = Account.objects.create(
                kind=AccountKind.INDIVIDUAL,
                holder=volunteer,
                name=str(volunteer)[:100],
                birth_date=birth_date,
                organisation_id=volunteer.organisation_id,
                district=_district_of(volunteer),
            )
    except IntegrityError:
        return Account.objects.get(kind=AccountKind.INDIVIDUAL, holder=volunteer)
    audit.record(actor=None, actor_label=SYSTEM, action=AuditAction.CREATE, obj=account)
    return account


def account_open(
    *,
    actor: User,
    kind: str,
    holder: User | None = None,
    holder_username: str = "",
    household_id: int | None = None,
    name: str = "",
    birth_date: dt.date | None = None,
) -> Account:
    """A manager opens an account: a volunteer's individual or group (team) account (the
    volunteer given, or named by ``holder_username``), or a household's (which receives hours
    from the donation pool). Refusals are audited."""
    try:
        return _account_open(
            actor=actor,
            kind=kind,
            holder=holder,
            holder_username=holder_username,
            household_id=household_id,
            name=name,
            birth_date=birth_date,
        )
    except DomainError as error:
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="timebank.account",
            result=AuditResult.DENIED,
            detail={"kind": kind, "refused": error.code},
        )
        raise


@transaction.atomic
def _account_open(
    *,
    actor: User,
    kind: str,
    holder: User | None,
    holder_username: str,
    household_id: int | None,
    name: str,
    birth_date: dt.date | None,
) -> Account:
    if kind not in policy.OPENING_ROLES:
        policy.require_opener(actor)
        raise ValidationFailed(
            {"kind": [_("Choose an individual, a group or a household account.")]}
        )
    policy.require_opener(actor, kind)
    today = timezone.localdate()
    if birth_date is not None and not dt.date(1900, 1, 1) <= birth_date <= today:
        raise ValidationFailed({"birth_date": [_("The birth date is not a real date of birth.")]})
    if kind == AccountKind.HOUSEHOLD:
        return _household_account_open(actor=actor, household_id=household_id)
    if holder is None and holder_username.strip():
        holder = User.objects.filter(username=holder_username.strip()).first()
        if holder is None:
            raise ValidationFailed({"holder": [_("No volunteer has this user name.")]})
    if holder is None:
        raise ValidationFailed({"holder": [_("Give the volunteer's user name.")]})
    if holder.role not in policy.HOLDER_ROLES:
        raise ValidationFailed({"holder": [_("Accounts are opened for volunteers.")]})
    if kind == AccountKind.INDIVIDUAL and Account.objects.filter(kind=kind, holder=holder).exists():
        raise ValidationFailed({"holder": [_("This volunteer already has an account.")]})
    if kind == AccountKind.GROUP and not name.strip():
        raise ValidationFailed({"name": [_("Name the team the group account is for.")]})
    district = _district_of(holder)
    if actor.area is not None and actor.area.level == AreaLevel.DISTRICT:
        if district is None:
            district = actor.area
        elif district != actor.area:
            raise ValidationFailed({"holder": [_("This volunteer serves another district.")]})
    account = Account.objects.create(
        kind=kind,
        holder=holder,
        name=(name.strip() or str(holder))[:100],
        birth_date=birth_date,
        organisation_id=holder.organisation_id,
        district=district,
    )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=account)
    return account


def _household_account_open(*, actor: User, household_id: int | None) -> Account:
    household = (
        visible(actor, Household.objects.filter(status=HouseholdStatus.ACTIVE))
        .filter(pk=household_id or 0)
        .first()
    )
    if household is None:
        raise ValidationFailed({"household_id": [_("No such household in your area.")]})
    if Account.objects.filter(kind=AccountKind.HOUSEHOLD, household=household).exists():
        raise ValidationFailed({"household_id": [_("This household already has an account.")]})
    account = Account.objects.create(
        kind=AccountKind.HOUSEHOLD,
        household=household,
        name=(_("Household #%(id)s") % {"id": household.pk})[:100],
        district_id=household.district_id,
    )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=account)
    return account


# ---------------------------------------------------------------------------- posting


def _post(
    *,
    movement: Movement,
    account_ids: Sequence[int],
    postings_for: Callable[[dict[int, Account]], list[ledger.Posting]],
    at: dt.datetime | None = None,
) -> list[Entry]:
    """Lock the accounts, compute the postings from their locked balances, write the entries
    and the new balances. In the caller's transaction."""
    issuer = system_account(AccountKind.ISSUER)
    locked = {
        account.pk: account
        for account in Account.objects.select_for_update()
        .filter(pk__in=sorted(set(account_ids)))
        .order_by("pk")
    }
    try:
        postings = postings_for(locked)
        balances = {str(pk): account.balance_minutes for pk, account in locked.items()}
        after = ledger.apply_postings(balances, postings, may_go_negative=[str(issuer.pk)])
    except ledger.LedgerRefusal as refused:
        raise refusal(
            refused.rule, **{k: v for k, v in refused.extra.items() if k != "account"}
        ) from None
    entries = [
        Entry(
            movement=movement,
            account_id=int(entry.account),
            minutes=entry.minutes,
            balance_after=entry.balance_after,
            at=at or timezone.now(),
        )
        for entry in ledger.entries_for(str(movement.pk), postings, balances)
    ]
    Entry.objects.bulk_create(entries)
    for pk, account in locked.items():
        if after[str(pk)] != account.balance_minutes:
            Account.objects.filter(pk=pk).update(balance_minutes=after[str(pk)])
    return entries


@transaction.atomic
def post_deposit(
    *,
    account: Account,
    minutes: int,
    note: str,
    actor: User | None,
    at: dt.datetime | None = None,
) -> Movement:
    """Hours earned into ``account`` (beyond the cap, into the pool). In the caller's
    transaction; the deposit services call it once a deposit is confirmed."""
    issuer = system_account(AccountKind.ISSUER)
    pool = system_account(AccountKind.POOL)
    movement = Movement.objects.create(
        kind=MovementKind.DEPOSIT,
        status=MovementStatus.POSTED,
        source=issuer,
        target=account,
        minutes=minutes,
        note=note[:200],
        created_by=actor if actor is not None and actor.is_authenticated else None,
        posted_at=at or timezone.now(),
    )

    def postings(locked: dict[int, Account]) -> list[ledger.Posting]:
        return ledger.deposit_postings(
            issuer=str(issuer.pk),
            account=str(account.pk),
            pool=str(pool.pk),
            balance=locked[account.pk].balance_minutes,
            minutes=minutes,
            cap=config.cap_minutes(),
        )

    _post(
        movement=movement,
        account_ids=[issuer.pk, account.pk, pool.pk],
        postings_for=postings,
        at=at,
    )
    Account.objects.filter(pk=account.pk).update(earned_minutes=F("earned_minutes") + minutes)
    return movement


def transfer_make(
    *,
    actor: User,
    source: Account,
    kind: str,
    minutes: int,
    target_id: int | None = None,
    relation: str = "",
    beneficiary_birth_date: dt.date | None = None,
    note: str = "",
) -> Movement:
    """The holder moves hours: to a family member's account (``transfer``), to the donation
    pool (``donation``) or for a service (``redemption``). Refusals are audited and name the
    rule."""
    try:
        return _transfer(
            actor=actor,
            source=source,
            kind=kind,
            minutes=minutes,
            target_id=target_id,
            relation=relation,
            beneficiary_birth_date=beneficiary_birth_date,
            note=note,
        )
    except DomainError as error:
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="timebank.movement",
            result=AuditResult.DENIED if error.status in (403, 422) else AuditResult.FAILURE,
            detail={"kind": kind, "source": source.pk, "minutes": minutes, "refused": error.code},
        )
        raise


@transaction.atomic
def _transfer(
    *,
    actor: User,
    source: Account,
    kind: str,
    minutes: int,
    target_id: int | None,
    relation: str,
    beneficiary_birth_date: dt.date | None,
    note: str,
) -> Movement:
    policy.require_holder(actor)
    if source.holder_id != actor.pk or source.kind not in (
        AccountKind.INDIVIDUAL,
        AccountKind.GROUP,
    ):
        raise PermissionDenied(_("You may move hours only from your own account."))
    if kind not in (MovementKind.TRANSFER, MovementKind.DONATION, MovementKind.REDEMPTION):
        raise ValidationFailed({"kind": [_("Choose a transfer, a donation or a redemption.")]})
    if not isinstance(minutes, int) or not 1 <= minutes <= config.cap_minutes():
        raise ValidationFailed({"minutes": [_("Give the minutes, from 1 to the storage cap.")]})
    pool = system_account(AccountKind.POOL)
    if kind == MovementKind.DONATION:
        target = pool
    elif kind == MovementKind.REDEMPTION:
        target = system_account(AccountKind.REDEEMED)
        if source.kind == AccountKind.GROUP:
            raise refusal("group_donates_only")
        relation = relation or "self"
        birth = source.birth_date if relation == "self" else beneficiary_birth_date
        if birth is None:
            if relation == "self":
                raise refusal("birth_date_unknown")
            raise ValidationFailed(
                {"beneficiary_birth_date": [_("Give the birth date of the person served.")]}
            )
        rule = ledger.redemption_refusal(
            relation=relation, beneficiary_age=age_on(birth, timezone.localdate())
        )
        if rule:
            raise refusal(rule)
    else:
        found = Account.objects.filter(pk=target_id).first() if target_id else None
        if found is None:
            raise ValidationFailed({"target_id": [_("No such account.")]})
        target = found
        rule = ledger.transfer_refusal(
            source_kind=source.kind, target_kind=target.kind, relation=relation
        )
        if rule:
            raise refusal(rule)
    if kind != MovementKind.DONATION and source.kind == AccountKind.GROUP:
        raise refusal("group_donates_only")
    movement = Movement.objects.create(
        kind=kind,
        source=source,
        target=target,
        minutes=minutes,
        relation=relation[:12],
        note=note.strip()[:200],
        created_by=actor,
    )

    def postings(locked: dict[int, Account]) -> list[ledger.Posting]:
        if kind == MovementKind.REDEMPTION:
            if minutes > locked[source.pk].balance_minutes:
                raise ledger.LedgerRefusal(
                    "insufficient_balance", balance=locked[source.pk].balance_minutes
                )
            return [
                ledger.Posting(str(source.pk), -minutes),
                ledger.Posting(str(target.pk), minutes),
            ]
        return ledger.transfer_postings(
            source=str(source.pk),
            target=str(target.pk),
            pool=str(pool.pk),
            minutes=minutes,
            source_balance=locked[source.pk].balance_minutes,
            target_balance=locked[target.pk].balance_minutes,
            cap=config.cap_minutes(),
        )

    _post(movement=movement, account_ids=[source.pk, target.pk, pool.pk], postings_for=postings)
    return TRANSFER_FLOW.apply(
        obj=movement,
        action="post",
        actor=actor,
        changes={"posted_at": timezone.now()},
        payload={"movement_id": movement.pk, "kind": kind, "minutes": minutes},
    )


def account_get_any(*, account_id: int) -> Account:
    """An account by id, for naming a transfer's recipient (never shown)."""
    account = Account.objects.filter(pk=account_id).first()
    if account is None:
        raise NotFound("account")
    return account
