"""Casework endpoints under /api/v1: case notes and visits, follow-ups, consent, transfers and
the frontline team. Thin: look up (404), check the role (403), validate through the shared
forms (422), call the service."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone
from ninja import Query, Router, Schema, Status

from jiuzhu.core.api import ErrorOut, choice, paginate
from jiuzhu.core.forms import validated
from jiuzhu.core.scoping import require_granted
from jiuzhu.registry import policy
from jiuzhu.registry.forms import (
    CaseNoteForm,
    CommendationForm,
    ConsentForm,
    ConsentWithdrawForm,
    TrainingForm,
    TransferDecisionForm,
    TransferForm,
)
from jiuzhu.registry.models import (
    VISIT_KINDS,
    CaseNote,
    Consent,
    ConsentScope,
    NoteKind,
    Transfer,
    TransferStatus,
)
from jiuzhu.registry.selectors.casework import (
    TRANSFER_DIRECTIONS,
    consent_get_for,
    followups_due_for,
    household_consents,
    household_notes,
    note_get_for,
    transfer_get_for,
    transfer_list,
)
from jiuzhu.registry.selectors.team import TeamFilters, team_member_get_for, team_workload
from jiuzhu.registry.services import consents as consent_services
from jiuzhu.registry.services import notes as note_services
from jiuzhu.registry.services import team as team_services
from jiuzhu.registry.services import transfers as transfer_services
from jiuzhu.registry.services.households import household_get_for

router = Router(tags=["casework"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class CaseNoteOut(Schema):
    id: int
    household_id: int
    kind: str = choice(NoteKind)
    occurred_on: dt.date
    author: str
    findings: str
    next_step: str
    follow_up_on: dt.date | None
    follow_up_done_at: dt.datetime | None
    overdue: bool
    sensitive: bool
    created_at: dt.datetime


class CaseNoteList(Schema):
    count: int
    items: list[CaseNoteOut]


class CaseNoteIn(Schema):
    kind: str = choice(NoteKind)
    occurred_on: dt.date | None = None  # default today
    findings: str
    next_step: str = ""
    follow_up_on: dt.date | None = None
    sensitive: bool = False


class VisitIn(CaseNoteIn):
    kind: str = choice(VISIT_KINDS)


class FollowUpOut(Schema):
    id: int
    household_id: int
    household: str
    kind: str = choice(NoteKind)
    follow_up_on: dt.date
    overdue: bool
    next_step: str


class FollowUpList(Schema):
    count: int
    items: list[FollowUpOut]


class ConsentOut(Schema):
    id: int
    household_id: int
    scope: str = choice(ConsentScope)
    given_on: dt.date | None = None  # default today
    signed_by: str
    taken_by: str
    has_form_photo: bool
    note: str
    active: bool
    withdrawn_on: dt.date | None
    withdrawal_reason: str


class ConsentIn(Schema):
    scope: str = choice(ConsentScope)
    given_on: dt.date | None = None  # default today
    signed_by: str
    note: str = ""


class WithdrawIn(Schema):
    reason: str
    on: dt.date | None = None


class TransferOut(Schema):
    id: int
    household_id: int
    status: str = choice(TransferStatus)
    from_street: str
    from_community: str
    to_street: str
    to_community_id: int
    to_community: str
    to_address: str
    reason: str
    requested_by: str
    requested_at: dt.datetime
    decided_by: str
    decided_at: dt.datetime | None
    decision_note: str
    actions: list[str]


class TransferList(Schema):
    count: int
    items: list[TransferOut]


class TransferIn(Schema):
    to_community_id: int
    to_address: str = ""
    reason: str


class DecisionIn(Schema):
    note: str = ""


class TeamMemberOut(Schema):
    id: int
    name: str
    role: str = choice(sorted(policy.FRONTLINE_ROLES))
    area: str
    households: int
    visits_this_month: int
    overdue: int
    training_hours: Decimal
    commendations: int


class TeamList(Schema):
    count: int
    items: list[TeamMemberOut]


class TrainingIn(Schema):
    course: str
    completed_on: dt.date | None = None  # default today
    hours: Decimal
    organiser: str = ""


class TrainingOut(Schema):
    id: int
    worker_id: int
    course: str
    completed_on: dt.date | None = None  # default today
    hours: Decimal
    organiser: str


class CommendationIn(Schema):
    title: str
    awarded_on: dt.date | None = None  # default today
    awarded_by: str = ""
    reason: str = ""


class CommendationOut(Schema):
    id: int
    worker_id: int
    title: str
    awarded_on: dt.date
    awarded_by: str
    reason: str


def note_out(note: CaseNote) -> dict[str, Any]:
    data = {field: getattr(note, field, None) for field in CaseNoteOut.model_fields}
    data["author"] = str(note.author)
    data["overdue"] = bool(getattr(note, "overdue", False))
    return data


def consent_out(consent: Consent) -> dict[str, Any]:
    data = {field: getattr(consent, field, None) for field in ConsentOut.model_fields}
    data["taken_by"] = str(consent.taken_by)
    data["has_form_photo"] = bool(consent.form_photo)
    return data


def transfer_out(transfer: Transfer, user) -> dict[str, Any]:
    return {
        "id": transfer.pk,
        "household_id": transfer.household_id,
        "status": transfer.status,
        "from_street": transfer.from_street.name,
        "from_community": transfer.from_community.name,
        "to_street": transfer.to_street.name,
        "to_community_id": transfer.to_community_id,
        "to_community": transfer.to_community.name,
        "to_address": transfer.to_address,
        "reason": transfer.reason,
        "requested_by": str(transfer.requested_by),
        "requested_at": transfer.requested_at,
        "decided_by": str(transfer.decided_by or ""),
        "decided_at": transfer.decided_at,
        "decision_note": transfer.decision_note,
        "actions": transfer_services.transfer_actions(transfer, user),
    }


def _form_data(payload: Schema, *, today: str = "") -> dict:
    """The JSON body as form data; ``today`` names a date field that defaults to today."""
    data = {key: ("" if value is None else value) for key, value in payload.dict().items()}
    if today and not data.get(today):
        data[today] = timezone.localdate()
    return data


def _notes(request, household_id: int, *, visits_only: bool, limit: int, offset: int):
    household = household_get_for(actor=request.user, household_id=household_id, audit_view=False)
    require_granted(request.user, CaseNote)
    notes, count = paginate(
        household_notes(user=request.user, household=household, visits_only=visits_only),
        limit=limit,
        offset=offset,
    )
    note_services.notes_read(actor=request.user, household=household, notes=notes)
    return {"count": count, "items": [note_out(note) for note in notes]}


def _create_note(request, household_id: int, payload: CaseNoteIn, *, visits_only: bool):
    household = household_get_for(actor=request.user, household_id=household_id, audit_view=False)
    policy.require_note_writer(request.user)
    data = validated(CaseNoteForm(data=_form_data(payload, today="occurred_on")))
    note = note_services.note_create(
        actor=request.user, household=household, visits_only=visits_only, **data
    )
    return Status(201, note_out(note))


@router.get("/households/{household_id}/notes", response={200: CaseNoteList, **ERRORS})
def list_notes(
    request, household_id: int, limit: int = Query(50, ge=1, le=200), offset: int = Query(0, ge=0)
):
    """Case notes and visit records of the household the caller may read (sensitive ones only
    for the street caseworker and above, and their author); reading is audited."""
    return _notes(request, household_id, visits_only=False, limit=limit, offset=offset)


@router.post("/households/{household_id}/notes", response={201: CaseNoteOut, **ERRORS})
def create_note(request, household_id: int, payload: CaseNoteIn):
    return _create_note(request, household_id, payload, visits_only=False)


@router.get("/households/{household_id}/visits", response={200: CaseNoteList, **ERRORS})
def list_visits(
    request, household_id: int, limit: int = Query(50, ge=1, le=200), offset: int = Query(0, ge=0)
):
    return _notes(request, household_id, visits_only=True, limit=limit, offset=offset)


@router.post("/households/{household_id}/visits", response={201: CaseNoteOut, **ERRORS})
def create_visit(request, household_id: int, payload: VisitIn):
    return _create_note(request, household_id, payload, visits_only=True)


@router.post("/notes/{note_id}/follow-up-done", response={200: CaseNoteOut, **ERRORS})
def complete_follow_up(request, note_id: int):
    note = note_get_for(user=request.user, note_id=note_id)
    return note_out(note_services.note_follow_up_done(actor=request.user, note=note))


@router.get("/followups", response={200: FollowUpList, **ERRORS})
def list_followups(request, limit: int = Query(50, ge=1, le=200), offset: int = Query(0, ge=0)):
    """The caller's follow-ups that are due (earliest first), overdue ones flagged."""
    policy.require_note_writer(request.user)
    notes, count = paginate(followups_due_for(request.user), limit=limit, offset=offset)
    return {
        "count": count,
        "items": [
            {
                "id": note.pk,
                "household_id": note.household_id,
                "household": str(note.household),
                "kind": note.kind,
                "follow_up_on": note.follow_up_on,
                "overdue": note.overdue,
                "next_step": note.next_step,
            }
            for note in notes
        ],
    }


@router.get("/households/{household_id}/consents", response={200: list[ConsentOut], **ERRORS})
def list_consents(request, household_id: int):
    household = household_get_for(actor=request.user, household_id=household_id, audit_view=False)
    return [consent_out(c) for c in household_consents(user=request.user, household=household)]


@router.post("/households/{household_id}/consents", response={201: ConsentOut, **ERRORS})
def record_consent(request, household_id: int, payload: ConsentIn):
    """Record consent (the signed form's photo is uploaded on the household page)."""
    household = household_get_for(actor=request.user, household_id=household_id, audit_view=False)
    policy.require_consent_recorder(request.user)
    data = validated(ConsentForm(data=_form_data(payload, today="given_on")))
    data.pop("form_photo", None)
    consent = consent_services.consent_record(actor=request.user, household=household, **data)
    return Status(201, consent_out(consent))


@router.post("/consents/{consent_id}/withdraw", response={200: ConsentOut, **ERRORS})
def withdraw_consent(request, consent_id: int, payload: WithdrawIn):
    consent = consent_get_for(user=request.user, consent_id=consent_id)
    policy.require_consent_recorder(request.user)
    data = validated(ConsentWithdrawForm(data=_form_data(payload)))
    consent = consent_services.consent_withdraw(
        actor=request.user, consent=consent, reason=data["reason"], on=data.get("on")
    )
    return consent_out(consent)


@router.get("/transfers", response={200: TransferList, **ERRORS})
def list_transfers(
    request,
    direction: str = choice(TRANSFER_DIRECTIONS, "", blank=True, query=True),
    status: str = choice(TransferStatus, "", blank=True, query=True),
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0),
):
    require_granted(request.user, Transfer)
    items, count = paginate(
        transfer_list(user=request.user, direction=direction, status=status),
        limit=limit,
        offset=offset,
    )
    return {"count": count, "items": [transfer_out(t, request.user) for t in items]}


@router.post("/households/{household_id}/transfers", response={201: TransferOut, **ERRORS})
def request_transfer(request, household_id: int, payload: TransferIn):
    household = household_get_for(actor=request.user, household_id=household_id, audit_view=False)
    policy.require_transfer_sender(request.user)
    raw = _form_data(payload)
    raw["to_community"] = raw.pop("to_community_id")
    data = validated(TransferForm(data=raw))
    transfer = transfer_services.transfer_request(actor=request.user, household=household, **data)
    return Status(201, transfer_out(transfer, request.user))


@router.get("/transfers/{transfer_id}", response={200: TransferOut, **ERRORS})
def get_transfer(request, transfer_id: int):
    transfer = transfer_get_for(user=request.user, transfer_id=transfer_id)
    return transfer_out(transfer, request.user)


def _decide(request, transfer_id: int, payload: DecisionIn, service):
    transfer = transfer_get_for(user=request.user, transfer_id=transfer_id)
    data = validated(TransferDecisionForm(data=_form_data(payload)))
    transfer = service(actor=request.user, transfer=transfer, note=data["note"])
    return transfer_out(transfer, request.user)


@router.post("/transfers/{transfer_id}/accept", response={200: TransferOut, **ERRORS})
def accept_transfer(request, transfer_id: int, payload: DecisionIn):
    return _decide(request, transfer_id, payload, transfer_services.transfer_accept)


@router.post("/transfers/{transfer_id}/refuse", response={200: TransferOut, **ERRORS})
def refuse_transfer(request, transfer_id: int, payload: DecisionIn):
    return _decide(request, transfer_id, payload, transfer_services.transfer_refuse)


@router.post("/transfers/{transfer_id}/cancel", response={200: TransferOut, **ERRORS})
def cancel_transfer(request, transfer_id: int, payload: DecisionIn):
    return _decide(request, transfer_id, payload, transfer_services.transfer_cancel)


def team_member_out(worker) -> dict[str, Any]:
    return {
        "id": worker.pk,
        "name": str(worker),
        "role": worker.role,
        "area": worker.area.name if worker.area else "",
        "households": worker.households,
        "visits_this_month": worker.visits_this_month,
        "overdue": worker.overdue,
        "training_hours": worker.training_hours,
        "commendations": worker.commendation_count,
    }


@router.get("/team", response={200: TeamList, **ERRORS})
def list_team(
    request,
    q: str = "",
    role: str = choice(sorted(policy.FRONTLINE_ROLES), "", blank=True, query=True),
    sort: str = "-overdue",
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0),
):
    """救助小管家: the frontline workers in the caller's area with their workload, training
    hours this year and commendations (district managers and the city administrator)."""
    policy.require_team_manager(request.user)
    items, count = paginate(
        team_workload(user=request.user, filters=TeamFilters(q=q, role=role, sort=sort)),
        limit=limit,
        offset=offset,
    )
    return {"count": count, "items": [team_member_out(w) for w in items]}


@router.post("/team/{user_id}/training", response={201: TrainingOut, **ERRORS})
def add_training(request, user_id: int, payload: TrainingIn):
    worker = team_member_get_for(user=request.user, worker_id=user_id)
    policy.require_team_manager(request.user)
    data = validated(TrainingForm(data=_form_data(payload, today="completed_on")))
    record = team_services.training_add(actor=request.user, worker=worker, **data)
    return Status(201, {**{f: getattr(record, f) for f in TrainingOut.model_fields}})


@router.post("/team/{user_id}/commendations", response={201: CommendationOut, **ERRORS})
def add_commendation(request, user_id: int, payload: CommendationIn):
    worker = team_member_get_for(user=request.user, worker_id=user_id)
    policy.require_team_manager(request.user)
    data = validated(CommendationForm(data=_form_data(payload, today="awarded_on")))
    record = team_services.commendation_add(actor=request.user, worker=worker, **data)
    return Status(201, {**{f: getattr(record, f) for f in CommendationOut.model_fields}})
