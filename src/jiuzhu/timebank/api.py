"""Time-bank endpoints: accounts, their entries, and transfers (which honour an
Idempotency-Key header: a retried request gets the first answer and moves nothing twice).

An account the caller cannot see is 404; a role never granted accounts gets 403 for the list; a
transfer the rules refuse is 422 with the rule as ``code``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Query, Router, Schema, Status

from jiuzhu.core.api import ErrorOut, choice, paginate
from jiuzhu.core.errors import NotFound
from jiuzhu.core.scoping import require_granted
from jiuzhu.orders.services.idempotency import run_once
from jiuzhu.timebank import policy
from jiuzhu.timebank.models import Account, AccountKind, Movement, MovementKind, MovementStatus
from jiuzhu.timebank.selectors.accounts import (
    account_get_for,
    account_list,
    entry_list,
    own_account,
    stars_of,
)
from jiuzhu.timebank.services.ledger import transfer_make

router = Router(tags=["timebank"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class AccountOut(Schema):
    id: int
    kind: str = choice(AccountKind)
    name: str
    organisation: str
    district: str
    balance_minutes: int
    earned_minutes: int
    stars: int


class AccountList(Schema):
    count: int
    items: list[AccountOut]


class EntryOut(Schema):
    id: int
    movement_id: int
    kind: str = choice(MovementKind)
    minutes: int
    balance_after: int
    at: dt.datetime
    note: str


class EntryList(Schema):
    count: int
    items: list[EntryOut]


class TimebankTransferIn(Schema):
    """``source_id`` defaults to the caller's own individual account; ``relation_to_holder``
    is the recipient's (or, for a redemption, the person served's): self, spouse, parent,
    child, grandparent or grandchild."""

    kind: str = choice(MovementKind)
    minutes: int
    source_id: int | None = None
    target_id: int | None = None
    relation_to_holder: str = ""
    beneficiary_birth_date: dt.date | None = None
    note: str = ""


class MovementOut(Schema):
    id: int
    kind: str = choice(MovementKind)
    status: str = choice(MovementStatus)
    source_id: int
    target_id: int
    minutes: int
    posted_at: dt.datetime | None


def account_out(account: Account) -> dict[str, Any]:
    return {
        "id": account.pk,
        "kind": account.kind,
        "name": account.name,
        "organisation": str(account.organisation or ""),
        "district": str(account.district or ""),
        "balance_minutes": account.balance_minutes,
        "earned_minutes": account.earned_minutes,
        "stars": stars_of(account),
    }


def movement_out(movement: Movement) -> dict[str, Any]:
    return {
        "id": movement.pk,
        "kind": movement.kind,
        "status": movement.status,
        "source_id": movement.source_id,
        "target_id": movement.target_id,
        "minutes": movement.minutes,
        "posted_at": movement.posted_at,
    }


@router.get("/timebank/accounts", response={200: AccountList, **ERRORS})
def list_accounts(
    request,
    kind: str = choice(AccountKind, "", blank=True, query=True),
    q: str = "",
    district: int | None = None,
    sort: str = "",
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0),
):
    require_granted(request.user, Account)
    queryset = account_list(user=request.user, kind=kind, q=q, district_id=district, sort=sort)
    items, count = paginate(queryset, limit=limit, offset=offset)
    return {"count": count, "items": [account_out(a) for a in items]}


@router.get("/timebank/accounts/{account_id}/entries", response={200: EntryList, **ERRORS})
def list_entries(
    request, account_id: int, limit: int = Query(50, ge=1, le=200), offset: int = Query(0, ge=0)
):
    account = account_get_for(user=request.user, account_id=account_id)
    items, count = paginate(
        entry_list(user=request.user, account=account), limit=limit, offset=offset
    )
    return {
        "count": count,
        "items": [
            {
                "id": e.pk,
                "movement_id": e.movement_id,
                "kind": e.movement.kind,
                "minutes": e.minutes,
                "balance_after": e.balance_after,
                "at": e.at,
                "note": e.movement.note,
            }
            for e in items
        ],
    }


@router.post("/timebank/transfers", response={201: MovementOut, **ERRORS})
def create_transfer(request, payload: TimebankTransferIn):
    policy.require_holder(request.user)

    def work() -> tuple[int, Any]:
        if payload.source_id is None:
            own = own_account(user=request.user)
            if own is None:
                raise NotFound("account")
            source = own
        else:
            source = account_get_for(user=request.user, account_id=payload.source_id)
        movement = transfer_make(
            actor=request.user,
            source=source,
            kind=payload.kind,
            minutes=payload.minutes,
            target_id=payload.target_id,
            relation=payload.relation_to_holder,
            beneficiary_birth_date=payload.beneficiary_birth_date,
            note=payload.note,
        )
        return 201, MovementOut.model_validate(movement_out(movement)).model_dump(mode="json")

    key = request.headers.get("Idempotency-Key")
    if key is None:
        status, body = work()
    else:
        status, body = run_once(
            user=request.user, key=key, body=payload.model_dump(mode="json"), work=work
        )
    return Status(status, body)
