"""Reads of the time bank: accounts, entries and deposits a user may see, and the ledger's
verification."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet, Sum

from jiuzhu.core.errors import NotFound
from jiuzhu.core.models import User
from jiuzhu.core.scoping import visible
from jiuzhu.timebank import config
from jiuzhu.timebank.engine import ledger
from jiuzhu.timebank.models import (
    Account,
    AccountKind,
    Deposit,
    DepositStatus,
    Entry,
    Movement,
    MovementKind,
    MovementStatus,
)


def account_list(
    *, user: User, kind: str = "", q: str = "", district_id: int | None = None, sort: str = ""
) -> QuerySet:
    queryset = visible(user, Account.objects.select_related("holder", "organisation", "district"))
    if kind:
        queryset = queryset.filter(kind=kind)
    if q:
        queryset = queryset.filter(Q(name__icontains=q) | Q(organisation__name__icontains=q))
    if district_id:
        queryset = queryset.filter(district_id=district_id)
    orders = {
        "balance": ["-balance_minutes", "id"],
        "earned": ["-earned_minutes", "id"],
        "name": ["name", "id"],
    }
    return queryset.order_by(*orders.get(sort, ["id"]))


def account_get_for(*, user: User, account_id: int) -> Account:
    account = (
        visible(user, Account.objects.select_related("holder", "organisation", "district"))
        .filter(pk=account_id)
        .first()
    )
    if account is None:
        raise NotFound("account")
    return account


def own_account(*, user: User) -> Account | None:
    return Account.objects.filter(kind=AccountKind.INDIVIDUAL, holder=user).first()


def entry_list(*, user: User, account: Account) -> QuerySet:
    return (
        visible(user, Entry.objects.filter(account=account))
        .select_related("movement")
        .order_by("-id")
    )


def deposit_list(*, user: User, status: str = "") -> QuerySet:
    queryset = visible(user, Deposit.objects.select_related("account", "order", "street"))
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-id")


def deposit_get_for(*, user: User, deposit_id: int) -> Deposit:
    deposit = deposit_list(user=user).filter(pk=deposit_id).first()
    if deposit is None:
        raise NotFound("deposit")
    return deposit


def stars_of(account: Account) -> int:
    return ledger.star_level(account.earned_minutes, config.star_hours())


def earning_tasks(*, account: Account) -> QuerySet:
    return Deposit.objects.filter(account=account).select_related("order").order_by("-id")


def pending_count(*, account: Account) -> int:
    return Deposit.objects.filter(account=account).exclude(status=DepositStatus.CONFIRMED).count()


def ledger_verify() -> ledger.Verification:
    """Replay every entry in the order written and compare with the stored balances."""
    issuers = [
        str(pk)
        for pk in Account.objects.filter(kind=AccountKind.ISSUER).values_list("pk", flat=True)
    ]
    stored = {
        str(pk): balance for pk, balance in Account.objects.values_list("pk", "balance_minutes")
    }
    entries = (
        ledger.Entry(str(movement), str(account), minutes, after)
        for movement, account, minutes, after in Entry.objects.order_by("id")
        .values_list("movement_id", "account_id", "minutes", "balance_after")
        .iterator(chunk_size=5000)
    )
    return ledger.verify(entries, may_go_negative=issuers, stored=stored)


def hours_by_category(*, user: User) -> list[dict]:
    """Confirmed deposits' minutes by service category, for the accounts the user sees."""
    return list(
        deposit_list(user=user, status=DepositStatus.CONFIRMED)
        .order_by()
        .values("category")
        .annotate(minutes=Sum("minutes"), count=Count("id"))
        .order_by("-minutes")
    )


def hours_by_street(*, user: User) -> list[dict]:
    return list(
        deposit_list(user=user, status=DepositStatus.CONFIRMED)
        .order_by()
        .values("street__name")
        .annotate(minutes=Sum("minutes"), count=Count("id"))
        .order_by("-minutes")
    )


def flows(*, user: User) -> list[dict]:
    """Hours moved between accounts (transfers, donations, redemptions) by the source's and
    the target's organisation and district (通存通兑)."""
    accounts = visible(user, Account.objects.all())
    return list(
        Movement.objects.filter(status=MovementStatus.POSTED)
        .exclude(kind=MovementKind.DEPOSIT)
        .filter(Q(source__in=accounts) | Q(target__in=accounts))
        .order_by()
        .values(
            "kind",
            "source__organisation__name",
            "source__district__name",
            "target__organisation__name",
            "target__district__name",
        )
        .annotate(minutes=Sum("minutes"), count=Count("id"))
        .order_by("-minutes")[:100]
    )
