"""Applications to join the alliance under /api/v1: the public submission (no credentials,
rate-limited like the form), the managers' list and application, reviews and decisions.

An application the caller cannot see is 404; a step their role may not take is 403; a step from
the wrong state is 409; bad input is 422; too many submissions from one address 429 — all in the
project's ``{code, message, extra}`` shape. Documents are uploaded on the web form; the API takes
the application's data.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from jiuzhu.catalog.models import ServiceItem
from jiuzhu.core.api import ErrorOut, choice, paginate
from jiuzhu.core.errors import ValidationFailed
from jiuzhu.core.forms import validated
from jiuzhu.core.models import Area, AreaLevel, User
from jiuzhu.evaluation import policy
from jiuzhu.evaluation.engine.screening import application_score
from jiuzhu.evaluation.forms_applications import ApplicationForm, RejectForm
from jiuzhu.evaluation.models import Application, ApplicationStatus, Criterion
from jiuzhu.evaluation.selectors.applications import (
    ApplicationFilters,
    application_get_for,
    application_list,
    application_reviews,
    has_reviewed,
    scores_visible,
)
from jiuzhu.evaluation.services import applications as services
from jiuzhu.orders.models import SupplyType

router = Router(tags=["applications"])
ERRORS = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
    429: ErrorOut,
}


class ApplicationIn(Schema):
    name: str = Field(..., max_length=128)
    uscc: str = Field(..., max_length=24)
    supply_type: str = choice(SupplyType)
    staff_count: int = Field(..., ge=0)
    social_workers: int = Field(..., ge=0)
    signature_projects: str = Field(..., max_length=4000)
    past_projects: str = Field("", max_length=4000)
    street_id: int
    address: str = Field(..., max_length=200)
    item_ids: list[int] = []
    contact_name: str = Field(..., max_length=40)
    contact_phone: str = Field(..., max_length=20)
    contact_email: str = Field("", max_length=254)


class ApplicationSubmittedOut(Schema):
    number: str
    status: str = choice(ApplicationStatus)


class ApplicationScoreOut(Schema):
    criterion: str = choice(Criterion)
    weight: int
    score: int
    reason: str


class ApplicationReviewOut(Schema):
    reviewer_id: int
    reviewer: str
    total: Decimal
    comment: str
    submitted_at: dt.datetime
    scores: list[ApplicationScoreOut]


class ApplicationOut(Schema):
    id: int
    number: str
    status: str = choice(ApplicationStatus)
    name: str
    uscc: str
    supply_type: str = choice(SupplyType)
    district_id: int
    street_id: int
    staff_count: int
    social_workers: int
    signature_projects: str
    past_projects: str
    address: str
    item_ids: list[int]
    documents: int
    review_count: int
    reviewed_by_me: bool
    scores_hidden: bool
    score: Decimal | None
    reviews: list[ApplicationReviewOut]
    decision_reason: str
    decided_at: dt.datetime | None
    provider_id: int | None
    created_at: dt.datetime
    actions: list[str]


class ApplicationSummaryOut(Schema):
    id: int
    number: str
    status: str = choice(ApplicationStatus)
    name: str
    uscc: str
    district_id: int
    review_count: int
    created_at: dt.datetime


class ApplicationList(Schema):
    count: int
    items: list[ApplicationSummaryOut]


class ApplicationScoreIn(Schema):
    criterion: str = choice(Criterion)
    score: int = Field(..., ge=0, le=100)
    reason: str = Field(..., max_length=500)


class ApplicationReviewIn(Schema):
    scores: list[ApplicationScoreIn]
    comment: str = Field("", max_length=2000)


class ApplicationNoteIn(Schema):
    note: str = Field("", max_length=1000)


class ApplicationRejectIn(Schema):
    reason: str = Field(..., max_length=2000)


class ApplicationApproveIn(Schema):
    base_community_id: int
    street_ids: list[int] = []
    item_ids: list[int] = []
    daily_capacity: int = Field(20, ge=1, le=10_000)
    reason: str = Field("", max_length=2000)


def application_out(application: Application, user: User) -> dict[str, Any]:
    reviews = application_reviews(application)
    visible = scores_visible(user, application)
    mine = user.area_id == application.district_id
    return {
        "id": application.pk,
        "number": application.number,
        "status": application.status,
        "name": application.name,
        "uscc": application.uscc,
        "supply_type": application.supply_type,
        "district_id": application.district_id,
        "street_id": application.street_id,
        "staff_count": application.staff_count,
        "social_workers": application.social_workers,
        "signature_projects": application.signature_projects,
        "past_projects": application.past_projects,
        "address": application.address,
        "item_ids": sorted(application.items.values_list("pk", flat=True)),
        "documents": application.documents.count(),
        "review_count": len(reviews),
        "reviewed_by_me": has_reviewed(user, application),
        "scores_hidden": not visible,
        "score": application_score([r.total for r in reviews]) if visible else None,
        "reviews": [
            {
                "reviewer_id": r.reviewer_id,
                "reviewer": str(r.reviewer),
                "total": r.total,
                "comment": r.comment,
                "submitted_at": r.submitted_at,
                "scores": [
                    {
                        "criterion": s.criterion,
                        "weight": s.weight,
                        "score": s.score,
                        "reason": s.reason,
                    }
                    for s in r.scores.all()
                ],
            }
            for r in (reviews if visible else [])
        ],
        "decision_reason": application.decision_reason,
        "decided_at": application.decided_at,
        "provider_id": application.provider_id,
        "created_at": application.created_at,
        "actions": services.application_actions(application, user) if mine else [],
    }


@router.post("/applications", response={201: ApplicationSubmittedOut, **ERRORS}, auth=None)
def submit_application(request, payload: ApplicationIn):
    """The public application (nobody signed in); the same checks as the web form."""
    form = ApplicationForm(
        {
            **payload.dict(exclude={"street_id", "item_ids"}),
            "street": payload.street_id,
            "items": payload.item_ids,
        }
    )
    data = validated(form)
    street = Area.objects.filter(pk=data["street"], level=AreaLevel.STREET).first()
    if street is None:
        raise ValidationFailed(
            {"street_id": [_("Choose the street of the organisation's address.")]}
        )
    application = services.application_submit(
        name=data["name"],
        uscc=data["uscc"],
        supply_type=data["supply_type"],
        staff_count=data["staff_count"],
        social_workers=data["social_workers"],
        signature_projects=data["signature_projects"],
        past_projects=data["past_projects"],
        street=street,
        address=data["address"],
        items=list(data["items"]),
        contact_name=data["contact_name"],
        contact_phone=data["contact_phone"],
        contact_email=data["contact_email"],
    )
    return Status(201, {"number": application.number, "status": application.status})


@router.get("/applications", response={200: ApplicationList, **ERRORS})
def list_applications(
    request,
    status: str = choice(ApplicationStatus, "", blank=True, query=True),
    q: str = Query("", max_length=60),
    sort: str = choice(("newest", "oldest", "name", "status"), "newest", query=True),
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0),
):
    policy.require_application_reader(request.user)
    filters = ApplicationFilters(status=status, q=q.strip(), sort=sort)
    items, count = paginate(
        application_list(user=request.user, filters=filters), limit=limit, offset=offset
    )
    return {
        "count": count,
        "items": [
            {
                "id": a.pk,
                "number": a.number,
                "status": a.status,
                "name": a.name,
                "uscc": a.uscc,
                "district_id": a.district_id,
                "review_count": a.review_count,
                "created_at": a.created_at,
            }
            for a in items
        ],
    }


@router.get("/applications/{application_id}", response={200: ApplicationOut, **ERRORS})
def get_application(request, application_id: int):
    application = application_get_for(user=request.user, application_id=application_id)
    policy.require_application_reader(request.user)
    return application_out(application, request.user)


@router.post("/applications/{application_id}/reviews", response={201: ApplicationOut, **ERRORS})
def review_application(request, application_id: int, payload: ApplicationReviewIn):
    user = request.user
    application = application_get_for(user=user, application_id=application_id)
    policy.require_reviewer(user)
    scores = {s.criterion: (s.score, s.reason) for s in payload.scores}
    services.application_review(
        actor=user, application=application, scores=scores, comment=payload.comment
    )
    return Status(
        201, application_out(application_get_for(user=user, application_id=application_id), user)
    )


@router.post("/applications/{application_id}/shortlist", response={200: ApplicationOut, **ERRORS})
def shortlist_application(request, application_id: int, payload: ApplicationNoteIn):
    user = request.user
    application = application_get_for(user=user, application_id=application_id)
    policy.require_application_decider(user)
    services.application_shortlist(actor=user, application=application, note=payload.note)
    return application_out(application_get_for(user=user, application_id=application_id), user)


@router.post("/applications/{application_id}/reject", response={200: ApplicationOut, **ERRORS})
def reject_application(request, application_id: int, payload: ApplicationRejectIn):
    user = request.user
    application = application_get_for(user=user, application_id=application_id)
    policy.require_application_decider(user)
    services.APPLICATION_FLOW.require("reject", obj=application, actor=user)
    data = validated(RejectForm(payload.dict()))
    services.application_reject(actor=user, application=application, reason=data["reason"])
    return application_out(application_get_for(user=user, application_id=application_id), user)


@router.post("/applications/{application_id}/approve", response={200: ApplicationOut, **ERRORS})
def approve_application(request, application_id: int, payload: ApplicationApproveIn):
    user = request.user
    application = application_get_for(user=user, application_id=application_id)
    policy.require_application_decider(user)
    services.APPLICATION_FLOW.require("approve", obj=application, actor=user)
    district = application.district
    base = Area.objects.filter(
        pk=payload.base_community_id, level=AreaLevel.COMMUNITY, parent__parent=district
    ).first()
    streets = list(
        Area.objects.filter(pk__in=payload.street_ids, level=AreaLevel.STREET, parent=district)
    )
    errors: dict[str, list[str]] = {}
    if base is None:
        errors["base_community_id"] = [_("Choose a community in the application's district.")]
    if len(streets) != len(set(payload.street_ids)):
        errors["street_ids"] = [_("Choose streets of the application's district.")]
    items = list(ServiceItem.objects.filter(pk__in=payload.item_ids, active=True))
    if len(items) != len(set(payload.item_ids)):
        errors["item_ids"] = [_("Choose services from the catalogue.")]
    if errors:
        raise ValidationFailed(errors)
    assert base is not None
    services.application_approve(
        actor=user,
        application=application,
        base=base,
        streets=streets,
        communities=[],
        items=items,
        daily_capacity=payload.daily_capacity,
        reason=payload.reason,
    )
    return application_out(application_get_for(user=user, application_id=application_id), user)
