"""Time-bank endpoints: accounts (list, open, entries, Excel statement), transfers and
redemptions at a provider's counter (both honour an Idempotency-Key header: a retried request
gets the first answer — a refusal included — and moves nothing twice), group activities and
grants from the donation pool.

An account the caller cannot see is 404; a role never granted accounts gets 403 for the list; a
movement the rules refuse is 422 with the rule as ``code``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import FileResponse
from ninja import Query, Router, Schema, Status

from jiuzhu.core.api import ErrorOut, choice, paginate
from jiuzhu.core.errors import NotFound
from jiuzhu.core.forms import validated
from jiuzhu.core.scoping import require_granted
from jiuzhu.core.services.exports import XLSX_CONTENT_TYPE, export_filename
from jiuzhu.timebank import policy
from jiuzhu.timebank.forms import AccountOpenForm
from jiuzhu.timebank.models import Account, AccountKind, Movement, MovementKind, MovementStatus
from jiuzhu.timebank.selectors.accounts import (
    account_get_for,
    account_list,
    entry_list,
    own_account,
    stars_of,
)
from jiuzhu.timebank.services.counter import counter_redeem
from jiuzhu.timebank.services.deposits import group_activity_deposit
from jiuzhu.timebank.services.exports import account_statement_export
from jiuzhu.timebank.services.idempotent import run_refusals_stored
from jiuzhu.timebank.services.ledger import account_open, transfer_make
from jiuzhu.timebank.services.pool import pool_grant

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

    status, body = run_refusals_stored(
        user=request.user,
        key=request.headers.get("Idempotency-Key"),
        body=payload.model_dump(mode="json"),
        work=work,
    )
    return Status(status, body)


class TimebankAccountIn(Schema):
    """An individual or group account for the volunteer named by ``holder`` (user name), or a
    household's account (``household_id``), which receives hours from the donation pool."""

    kind: str = choice(AccountKind)
    holder: str = ""
    name: str = ""
    birth_date: dt.date | None = None
    household_id: int | None = None


@router.post("/timebank/accounts", response={201: AccountOut, **ERRORS})
def open_account(request, payload: TimebankAccountIn):
    policy.require_opener(request.user)
    data = validated(AccountOpenForm(data=payload.model_dump(mode="json", exclude_none=True)))
    account = account_open(
        actor=request.user,
        kind=data["kind"],
        holder_username=data["holder"],
        household_id=data["household_id"],
        name=data["name"],
        birth_date=data["birth_date"],
    )
    return Status(201, account_out(account))


@router.get(
    "/timebank/accounts/{account_id}/statement",
    response={401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    openapi_extra={
        "responses": {
            200: {
                "description": "The account's statement as an Excel workbook.",
                "content": {XLSX_CONTENT_TYPE: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def account_statement(request, account_id: int):
    account = account_get_for(user=request.user, account_id=account_id)
    output = account_statement_export(actor=request.user, account=account)
    return FileResponse(
        output,
        as_attachment=True,
        filename=export_filename(f"timebank-statement-{account.pk}"),
        content_type=XLSX_CONTENT_TYPE,
    )


class ParticipantIn(Schema):
    account_id: int
    minutes: int


class TimebankActivityIn(Schema):
    """One group activity: each volunteer's individual account and their own minutes."""

    title: str
    category: str = ""
    held_on: dt.date | None = None
    participants: list[ParticipantIn] = []


class TimebankActivityOut(Schema):
    id: int
    title: str
    held_on: dt.date
    participants: int
    minutes: int


@router.post("/timebank/activities", response={201: TimebankActivityOut, **ERRORS})
def record_activity(request, payload: TimebankActivityIn):
    policy.require_activity_recorder(request.user)
    pairs = [(p.account_id, p.minutes) for p in payload.participants]
    activity = group_activity_deposit(
        actor=request.user,
        title=payload.title,
        category=payload.category,
        held_on=payload.held_on,
        participants=pairs,
    )
    return Status(
        201,
        {
            "id": activity.pk,
            "title": activity.title,
            "held_on": activity.held_on,
            "participants": len(pairs),
            "minutes": sum(m for _a, m in pairs),
        },
    )


class TimebankRedemptionIn(Schema):
    """A redemption at the caller's provider counter. For a volunteer's account,
    ``relation_to_holder`` is the person served's (self, spouse, parent, child, grandparent,
    grandchild; a relative needs ``beneficiary_birth_date``); for a household's account,
    ``member_id`` is the member served (60 or older)."""

    account_id: int
    minutes: int
    service: str
    relation_to_holder: str = "self"
    beneficiary_birth_date: dt.date | None = None
    member_id: int | None = None


class TimebankRedemptionOut(Schema):
    id: int
    account_id: int
    provider_id: int
    minutes: int
    service: str
    posted_at: dt.datetime | None


@router.post("/timebank/redemptions", response={201: TimebankRedemptionOut, **ERRORS})
def redeem_at_counter(request, payload: TimebankRedemptionIn):
    policy.require_counter(request.user)

    def work() -> tuple[int, Any]:
        movement = counter_redeem(
            actor=request.user,
            account_id=payload.account_id,
            minutes=payload.minutes,
            service=payload.service,
            relation=payload.relation_to_holder,
            beneficiary_birth_date=payload.beneficiary_birth_date,
            member_id=payload.member_id,
        )
        out = {
            "id": movement.pk,
            "account_id": movement.source_id,
            "provider_id": movement.provider_id,
            "minutes": movement.minutes,
            "service": movement.note,
            "posted_at": movement.posted_at,
        }
        return 201, TimebankRedemptionOut.model_validate(out).model_dump(mode="json")

    status, body = run_refusals_stored(
        user=request.user,
        key=request.headers.get("Idempotency-Key"),
        body=payload.model_dump(mode="json"),
        work=work,
    )
    return Status(status, body)


class PoolRequestIn(Schema):
    account_id: int
    minutes: int


class TimebankPoolGrantIn(Schema):
    """Households' accounts and the minutes asked for each, in the order asked."""

    requests: list[PoolRequestIn] = []
    note: str = ""


class PoolGrantOut(Schema):
    account_id: int
    rank: int
    requested_minutes: int
    granted_minutes: int


class TimebankPoolGrantOut(Schema):
    """Every request in the order the pool served it (rank 0: an elderly person living alone,
    1: a household with an elderly member, 2: others)."""

    items: list[PoolGrantOut]


@router.post("/timebank/pool/grants", response={201: TimebankPoolGrantOut, **ERRORS})
def grant_from_pool(request, payload: TimebankPoolGrantIn):
    policy.require_pool_granter(request.user)
    granted = pool_grant(
        actor=request.user,
        requests=[(r.account_id, r.minutes) for r in payload.requests],
        note=payload.note,
    )
    return Status(
        201,
        {
            "items": [
                {
                    "account_id": g.account.pk,
                    "rank": g.rank,
                    "requested_minutes": g.requested,
                    "granted_minutes": g.granted,
                }
                for g in granted
            ]
        },
    )
