"""Department referrals under /api/v1: a department's queue and its answers, the area staff's
view, referring a plan's material assistance, and the hidden-poverty list.

A referral the caller cannot see is 404; a step their role may not take is 403; a step from the
wrong state is 409; bad input is 422 — all in the project's ``{code, message, extra}`` shape.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from jiuzhu.assessment.models import MaterialKind
from jiuzhu.assessment.selectors.queue import plan_get_for
from jiuzhu.core.api import ErrorOut, choice, paginate
from jiuzhu.core.errors import NotFound, PermissionDenied, ValidationFailed
from jiuzhu.core.models import User
from jiuzhu.discovery import policy
from jiuzhu.discovery.models import DepartmentReferral
from jiuzhu.discovery.models.referrals import DepartmentReferralStatus, ReferralOutcome
from jiuzhu.discovery.selectors.hidden import (
    entry_row,
    evidence_sources,
    hidden_poverty_snapshot,
    last_refresh,
)
from jiuzhu.discovery.selectors.referrals import (
    ReferralFilters,
    referral_deadline,
    referral_get_for,
    referral_list,
    referral_overdue,
)
from jiuzhu.discovery.services import referrals as services
from jiuzhu.dispatch.views.common import street_choices

router = Router(tags=["discovery: department referrals"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class ReferralToDepartmentOut(Schema):
    id: int
    number: str
    household_id: int
    #: The plan and its recommendation; empty for a referral started from the household page.
    plan_id: int | None
    material_id: int | None
    kind: str = choice(MaterialKind)
    department_id: int
    department: str
    status: str = choice(DepartmentReferralStatus)
    outcome: str = choice(ReferralOutcome, blank=True)
    note: str
    decline_reason: str
    outcome_note: str
    sent_at: dt.datetime
    respond_by: dt.datetime
    complete_by: dt.datetime | None
    deadline: dt.datetime | None
    overdue: bool
    escalated_at: dt.datetime | None
    answered_at: dt.datetime | None
    closed_at: dt.datetime | None
    actions: list[str]


class ReferralToDepartmentList(Schema):
    count: int
    items: list[ReferralToDepartmentOut]


class ReferralSendIn(Schema):
    note: str = Field("", max_length=500)


class ReferralNoteIn(Schema):
    note: str = Field("", max_length=500)


class ReferralReasonIn(Schema):
    reason: str = Field(..., max_length=500)


class ReferralCompleteIn(Schema):
    outcome: str = choice(ReferralOutcome)
    note: str = Field("", max_length=500)


class HiddenEvidenceOut(Schema):
    evidence_source: str
    text: str
    url: str
    at: dt.datetime | None


class HiddenRowOut(Schema):
    key: str
    street_id: int | None
    street: str
    household_id: int | None
    potential_case: str
    evidence: list[HiddenEvidenceOut]


class HiddenList(Schema):
    count: int
    #: When the stored list was last computed (the job ``discovery.hidden_poverty``).
    refreshed_at: dt.datetime | None
    items: list[HiddenRowOut]


def referral_out(
    referral: DepartmentReferral, user: User, now: dt.datetime | None = None
) -> dict[str, Any]:
    now = now or timezone.now()
    return {
        "id": referral.pk,
        "number": referral.number,
        "household_id": referral.household_id,
        "plan_id": referral.recommendation.plan_id if referral.recommendation else None,
        "material_id": referral.recommendation_id,
        "kind": referral.kind,
        "department_id": referral.department_id,
        "department": referral.department.name,
        "status": referral.status,
        "outcome": referral.outcome,
        "note": referral.note,
        "decline_reason": referral.decline_reason,
        "outcome_note": referral.outcome_note,
        "sent_at": referral.sent_at,
        "respond_by": referral.respond_by,
        "complete_by": referral.complete_by,
        "deadline": referral_deadline(referral),
        "overdue": referral_overdue(referral, now),
        "escalated_at": referral.escalated_at,
        "answered_at": referral.answered_at,
        "closed_at": referral.closed_at,
        "actions": services.referral_actions(referral, user),
    }


@router.get("/discovery/referrals", response={200: ReferralToDepartmentList, **ERRORS})
def list_department_referrals(
    request,
    status: str = choice(DepartmentReferralStatus, "", blank=True, query=True),
    open_only: bool = False,
    kind: str = choice(MaterialKind, "", blank=True, query=True),
    overdue: bool = False,
    street: int | None = None,
    household: int | None = None,
    sort: str = Query("deadline", pattern="^(deadline|new|old)$"),
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0),
):
    """Referrals to departments the caller may see: a department's own queue, area staff their
    area's. ``open_only``: waiting or accepted; ``sort``: deadline (default), new, old."""
    user = request.user
    policy.require_referral_reader(user)
    filters = ReferralFilters(
        status=status or ("open" if open_only else ""),
        kind=kind,
        overdue=overdue,
        street=street,
        household=household,
        sort=sort,
    )
    items, count = paginate(
        referral_list(user=user, filters=filters).select_related("recommendation"),
        limit=limit,
        offset=offset,
    )
    now = timezone.now()
    return {"count": count, "items": [referral_out(r, user, now) for r in items]}


@router.get("/discovery/referrals/{referral_id}", response={200: ReferralToDepartmentOut, **ERRORS})
def get_department_referral(request, referral_id: int):
    referral = referral_get_for(user=request.user, referral_id=referral_id)
    policy.require_referral_reader(request.user)
    return referral_out(referral, request.user)


def _step(request, referral_id: int, action: str):
    referral = referral_get_for(user=request.user, referral_id=referral_id)
    if request.user.role not in services.REFERRAL_FLOW.roles(action):
        raise PermissionDenied(_("Your role may not do this with a referral."))
    return referral


@router.post(
    "/discovery/referrals/{referral_id}/accept", response={200: ReferralToDepartmentOut, **ERRORS}
)
def accept_department_referral(request, referral_id: int, payload: ReferralNoteIn):
    referral = _step(request, referral_id, "accept")
    services.referral_accept(actor=request.user, referral=referral, note=payload.note)
    return referral_out(referral_get_for(user=request.user, referral_id=referral_id), request.user)


@router.post(
    "/discovery/referrals/{referral_id}/decline", response={200: ReferralToDepartmentOut, **ERRORS}
)
def decline_department_referral(request, referral_id: int, payload: ReferralReasonIn):
    referral = _step(request, referral_id, "decline")
    services.referral_decline(actor=request.user, referral=referral, reason=payload.reason)
    return referral_out(referral_get_for(user=request.user, referral_id=referral_id), request.user)


@router.post(
    "/discovery/referrals/{referral_id}/complete", response={200: ReferralToDepartmentOut, **ERRORS}
)
def complete_department_referral(request, referral_id: int, payload: ReferralCompleteIn):
    referral = _step(request, referral_id, "complete")
    services.referral_complete(
        actor=request.user, referral=referral, outcome=payload.outcome, note=payload.note
    )
    return referral_out(referral_get_for(user=request.user, referral_id=referral_id), request.user)


@router.post(
    "/discovery/referrals/{referral_id}/withdraw", response={200: ReferralToDepartmentOut, **ERRORS}
)
def withdraw_department_referral(request, referral_id: int, payload: ReferralReasonIn):
    referral = _step(request, referral_id, "withdraw")
    services.referral_withdraw(actor=request.user, referral=referral, reason=payload.reason)
    return referral_out(referral_get_for(user=request.user, referral_id=referral_id), request.user)


@router.post(
    "/discovery/plans/{plan_id}/materials/{material_id}/referral",
    response={201: ReferralToDepartmentOut, **ERRORS},
)
def send_department_referral(request, plan_id: int, material_id: int, payload: ReferralSendIn):
    """Refer a live plan's material recommendation to the department on the platform that
    handles its kind in the household's district (409 when none does, or one is open)."""
    plan = plan_get_for(user=request.user, plan_id=plan_id)
    recommendation = plan.materials.filter(pk=material_id).first()
    if recommendation is None:
        raise NotFound("material")
    policy.require_referral_sender(request.user)
    referral = services.referral_send(
        actor=request.user, recommendation=recommendation, note=payload.note
    )
    return Status(
        201,
        referral_out(referral_get_for(user=request.user, referral_id=referral.pk), request.user),
    )


@router.get("/discovery/hidden-poverty", response={200: HiddenList, **ERRORS})
def list_hidden_poverty(
    request,
    street: int | None = None,
    evidence_source: str = Query("", max_length=40),
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0),
):
    """Households and potential cases in hardship by the evidence but covered by no assistance
    tier or service, each with its evidence, as last computed (``refreshed_at``); ``street``
    narrows to one street of the caller's district (or city), ``evidence_source`` to one kind
    of evidence."""
    user = request.user
    policy.require_hidden_poverty_reader(user)
    chosen = None
    if street is not None:
        chosen = street_choices(user).filter(pk=street).first()
        if chosen is None:
            raise ValidationFailed({"street": [_("Choose a street of your area.")]})
    if evidence_source and evidence_source not in {s.code for s in evidence_sources()}:
        raise ValidationFailed({"evidence_source": [_("Unknown evidence source.")]})
    entries = hidden_poverty_snapshot(user=user, street=chosen, source=evidence_source)
    page = [entry_row(entry, evidence_source) for entry in entries[offset : offset + limit]]
    refreshed = last_refresh()
    return {
        "count": entries.count(),
        "refreshed_at": refreshed.finished_at if refreshed else None,
        "items": [
            {
                "key": row.key,
                "street_id": row.street.pk if row.street else None,
                "street": row.street.name if row.street else "",
                "household_id": row.household.pk if row.household else None,
                "potential_case": "" if row.household else row.case_label,
                "evidence": [
                    {"evidence_source": e.source, "text": e.text, "url": e.url, "at": e.at}
                    for e in row.evidence
                ],
            }
            for row in page
        ],
    }
