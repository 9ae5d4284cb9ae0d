"""Registry endpoints under /api/v1. Thin: validate through the shared forms, call the
services and selectors, shape the output. Scoping comes from the selectors."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone
from ninja import Query, Router, Schema, Status

from jiuzhu.core import audit
from jiuzhu.core.api import ErrorOut, choice, paginate
from jiuzhu.core.forms import restrict_to, validated
from jiuzhu.core.models import AuditAction
from jiuzhu.core.scoping import require_granted
from jiuzhu.core.selectors.areas import areas_within
from jiuzhu.registry.forms import HouseholdForm, MemberForm, MemberLeaveForm
from jiuzhu.registry.groups import age_on
from jiuzhu.registry.models import (
    ChangeKind,
    DisabilityType,
    Employment,
    Group,
    Household,
    HouseholdStatus,
    Illness,
    Member,
    Relation,
    Schooling,
    Tier,
    UrgencyTag,
)
from jiuzhu.registry.policy import require_registry_editor, sees_office_figures
from jiuzhu.registry.selectors.households import (
    HouseholdFilters,
    household_chain,
    household_changes,
    household_count,
    household_list,
    household_members,
    member_get_for,
)
from jiuzhu.registry.services import households as household_services
from jiuzhu.registry.services import members as member_services

router = Router(tags=["registry"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class HouseholdOut(Schema):
    id: int
    district_id: int
    district: str
    street_id: int
    street: str
    community_id: int
    community: str
    address: str
    phone: str
    head_name: str
    # The office's classification and money figures: null (groups empty) for the household's own
    # account, which is never shown them (registry.policy.sees_office_figures).
    tier: str | None = choice(Tier, null=True)
    monthly_income: Decimal | None
    medical_spending_12m: Decimal | None
    education_spending_12m: Decimal | None
    urgency_tag: str | None = choice(UrgencyTag, blank=True, null=True)
    groups: list[str]
    primary_group: str | None = choice(Group, blank=True, null=True)
    member_count: int
    status: str = choice(HouseholdStatus)
    exit_reason: str
    exited_on: dt.date | None
    created_at: dt.datetime
    updated_at: dt.datetime


class HouseholdList(Schema):
    count: int
    items: list[HouseholdOut]


class HouseholdIn(Schema):
    community_id: int
    address: str
    phone: str = ""
    tier: str = choice(Tier)
    monthly_income: Decimal
    medical_spending_12m: Decimal = Decimal(0)
    education_spending_12m: Decimal = Decimal(0)


class HouseholdPatch(Schema):
    community_id: int | None = None
    address: str | None = None
    phone: str | None = None
    tier: str | None = choice(Tier, None, null=True)
    monthly_income: Decimal | None = None
    medical_spending_12m: Decimal | None = None
    education_spending_12m: Decimal | None = None
    reason: str = ""


class MemberOut(Schema):
    id: int
    household_id: int
    name: str
    id_number_masked: str
    # Birth year and age, never the birth date: with the masked number's last four characters
    # and the issuing area the date rebuilds the number (issue 16 item 1). The date comes only
    # with the audited reveal (RevealOut).
    birth_year: int
    age: int
    sex: str = choice(["M", "F"])
    mobile: str
    relation: str = choice(Relation)
    disability_type: str = choice(DisabilityType, blank=True)
    disability_grade: int | None
    illness: str = choice(Illness, blank=True)
    illness_note: str
    employment: str = choice(Employment)
    schooling: str = choice(Schooling, blank=True)
    guardian_id: int | None
    is_active: bool
    left_on: dt.date | None
    left_reason: str


class MemberList(Schema):
    count: int
    items: list[MemberOut]


class MemberIn(Schema):
    name: str
    id_number: str
    mobile: str = ""
    relation: str = choice(Relation)
    disability_type: str = choice(DisabilityType, "", blank=True)
    disability_grade: int | None = None
    illness: str = choice(Illness, "", blank=True)
    illness_note: str = ""
    employment: str = choice(Employment)
    schooling: str = choice(Schooling, "", blank=True)
    guardian_id: int | None = None
    reason: str = ""


class MemberPatch(Schema):
    name: str | None = None
    id_number: str | None = None
    mobile: str | None = None
    relation: str | None = choice(Relation, None, null=True)
    disability_type: str | None = choice(DisabilityType, None, blank=True, null=True)
    disability_grade: int | None = None
    illness: str | None = choice(Illness, None, blank=True, null=True)
    illness_note: str | None = None
    employment: str | None = choice(Employment, None, null=True)
    schooling: str | None = choice(Schooling, None, blank=True, null=True)
    guardian_id: int | None = None
    reason: str = ""


class LeaveIn(Schema):
    died: bool = False
    occurred_on: dt.date
    reason: str = ""


class RevealOut(Schema):
    id_number: str
    birth_date: dt.date


class ChainOut(Schema):
    id: int
    at: dt.datetime
    source: str
    title: str
    detail: str


class ChangeOut(Schema):
    id: int
    kind: str = choice(ChangeKind)
    occurred_on: dt.date
    reason: str
    member_id: int | None


OFFICE_FIGURES = (
    "tier",
    "monthly_income",
    "medical_spending_12m",
    "education_spending_12m",
    "urgency_tag",
    "primary_group",
)


def household_out(household: Household, *, office_view: bool = True) -> dict[str, Any]:
    data = {field: getattr(household, field) for field in HouseholdOut.model_fields}
    data.update(
        district=household.district.name,
        street=household.street.name,
        community=household.community.name,
        groups=household.group_list,
    )
    if not office_view:
        data.update(dict.fromkeys(OFFICE_FIGURES), groups=[])
    return data


def member_out(member: Member) -> dict[str, Any]:
    data = {
        field: getattr(member, field)
        for field in MemberOut.model_fields
        if field not in ("id_number_masked", "birth_year", "age")
    }
    data["id_number_masked"] = member_services.masked_identity_number(member)
    data["birth_year"] = member.birth_date.year
    data["age"] = age_on(member.birth_date, timezone.localdate())
    return data


def _form_data(payload: Schema, *, exclude_unset: bool, renames: dict[str, str]) -> dict:
    raw = payload.dict(exclude_unset=exclude_unset)
    return {renames.get(key, key): ("" if value is None else value) for key, value in raw.items()}


@router.get("/households", response={200: HouseholdList, **ERRORS})
def list_households(
    request,
    q: str = "",
    district: int | None = None,
    street: int | None = None,
    community: int | None = None,
    tier: str = choice(Tier, "", blank=True, query=True),
    group: str = choice(Group, "", blank=True, query=True),
    status: str = choice(HouseholdStatus, "", blank=True, query=True),
    urgency: str = choice(UrgencyTag, "", blank=True, query=True),
    sort: str = "-id",
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0),
):
    require_granted(request.user, Household)
    filters = HouseholdFilters(
        q=q,
        district=district,
        street=street,
        community=community,
        tier=tier,
        group=group,
        status=status,
        urgency=urgency,
        sort=sort,
    )
    items, count = paginate(
        household_list(user=request.user, filters=filters),
        limit=limit,
        offset=offset,
        count=household_count(user=request.user, filters=filters),
    )
    office_view = sees_office_figures(request.user)
    return {"count": count, "items": [household_out(h, office_view=office_view) for h in items]}


@router.post("/households", response={201: HouseholdOut, **ERRORS})
def create_household(request, payload: HouseholdIn):
    require_registry_editor(request.user)  # the role before the input is read
    form = HouseholdForm(
        data=_form_data(payload, exclude_unset=False, renames={"community_id": "community"}),
        communities=areas_within(request.user, "community"),
    )
    data = validated(form)
    data.pop("reason", None)
    household = household_services.household_create(actor=request.user, **data)
    household.refresh_from_db()
    return Status(201, household_out(household))


@router.get("/households/{household_id}", response={200: HouseholdOut, **ERRORS})
def get_household(request, household_id: int):
    return household_out(
        household_services.household_get_for(actor=request.user, household_id=household_id),
        office_view=sees_office_figures(request.user),
    )


@router.patch("/households/{household_id}", response={200: HouseholdOut, **ERRORS})
def update_household(request, household_id: int, payload: HouseholdPatch):
    household = household_services.household_get_for(
        actor=request.user, household_id=household_id, audit_view=False
    )
    raw = _form_data(payload, exclude_unset=True, renames={"community_id": "community"})
    form = restrict_to(
        HouseholdForm(data=raw, communities=areas_within(request.user, "community")), raw
    )
    data = validated(form)
    reason = data.pop("reason", "")
    household = household_services.household_update(
        actor=request.user, household=household, reason=reason, **data
    )
    household.refresh_from_db()
    return household_out(household)


@router.get("/households/{household_id}/members", response={200: MemberList, **ERRORS})
def list_members(request, household_id: int):
    household = household_services.household_get_for(actor=request.user, household_id=household_id)
    members = list(household_members(user=request.user, household=household))
    return {"count": len(members), "items": [member_out(m) for m in members]}


@router.post("/households/{household_id}/members", response={201: MemberOut, **ERRORS})
def add_member(request, household_id: int, payload: MemberIn):
    household = household_services.household_get_for(
        actor=request.user, household_id=household_id, audit_view=False
    )
    raw = _form_data(payload, exclude_unset=False, renames={"guardian_id": "guardian"})
    data = validated(MemberForm(data=raw, household=household))
    reason = data.pop("reason", "")
    member = member_services.member_add(
        actor=request.user, household=household, reason=reason, **data
    )
    return Status(201, member_out(member))


@router.get("/members/{member_id}", response={200: MemberOut, **ERRORS})
def get_member(request, member_id: int):
    member = member_get_for(user=request.user, member_id=member_id)
    audit.record(actor=request.user, action=AuditAction.VIEW, obj=member)
    return member_out(member)


@router.patch("/members/{member_id}", response={200: MemberOut, **ERRORS})
def update_member(request, member_id: int, payload: MemberPatch):
    member = member_get_for(user=request.user, member_id=member_id)
    raw = _form_data(payload, exclude_unset=True, renames={"guardian_id": "guardian"})
    form = restrict_to(MemberForm(data=raw, household=member.household, editing=True), raw)
    data = validated(form)
    reason = data.pop("reason", "")
    id_number = data.pop("id_number", None) or None
    member = member_services.member_update(
        actor=request.user, member=member, reason=reason, id_number=id_number, **data
    )
    return member_out(member)


@router.post("/members/{member_id}/leave", response={200: MemberOut, **ERRORS})
def leave_member(request, member_id: int, payload: LeaveIn):
    member = member_get_for(user=request.user, member_id=member_id)
    require_registry_editor(request.user)
    raw = {
        "died": "1" if payload.died else "0",
        "occurred_on": payload.occurred_on,
        "reason": payload.reason,
    }
    data = validated(MemberLeaveForm(data=raw))
    member = member_services.member_leave(actor=request.user, member=member, **data)
    return member_out(member)


@router.post("/members/{member_id}/reveal", response={200: RevealOut, **ERRORS})
def reveal_member(request, member_id: int):
    member = member_get_for(user=request.user, member_id=member_id)
    number = member_services.member_reveal_identity(actor=request.user, member=member)
    return {"id_number": number, "birth_date": member.birth_date}


@router.get("/households/{household_id}/chain", response={200: list[ChainOut], **ERRORS})
def get_chain(request, household_id: int):
    household = household_services.household_get_for(
        actor=request.user, household_id=household_id, audit_view=False
    )
    return list(household_chain(user=request.user, household=household)[:500])


@router.get("/households/{household_id}/changes", response={200: list[ChangeOut], **ERRORS})
def get_changes(request, household_id: int):
    household = household_services.household_get_for(
        actor=request.user, household_id=household_id, audit_view=False
    )
    return list(household_changes(user=request.user, household=household)[:500])
