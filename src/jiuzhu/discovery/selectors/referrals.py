"""Reading referrals to departments; every queryset through ``core.scoping.visible``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jiuzhu.assessment.material_referrals import MaterialReferral
from jiuzhu.assessment.models import LIVE_PLAN_STATUSES, MaterialKind, MaterialRecommendation
from jiuzhu.core.errors import NotFound
from jiuzhu.core.models import Area, User
from jiuzhu.core.scoping import visible
from jiuzhu.discovery import policy
from jiuzhu.discovery.models import DepartmentDesk, DepartmentReferral
from jiuzhu.discovery.models.referrals import OPEN_STATUSES, DepartmentReferralStatus
from jiuzhu.discovery.services.referrals import (
    no_sharing_consent_message,
    overdue_q,
    referral_url,
)
from jiuzhu.registry.selectors.casework import household_has_sharing_consent

REFERRAL_SORTS = ("deadline", "new", "old")
RESENDABLE = (DepartmentReferralStatus.DECLINED, DepartmentReferralStatus.WITHDRAWN)


@dataclass(frozen=True)
class ReferralFilters:
    status: str = ""  # a status, or "open"
    kind: str = ""
    overdue: bool = False
    street: int | None = None
    household: int | None = None
    q: str = ""
    sort: str = "deadline"


def referral_list(
    *, user: User, filters: ReferralFilters | None = None, now: dt.datetime | None = None
) -> QuerySet[DepartmentReferral]:
    filters = filters or ReferralFilters()
    referrals = visible(user, DepartmentReferral.objects.all()).select_related(
        "household__street", "household__community", "department", "sent_by"
    )
    if filters.status == "open":
        referrals = referrals.filter(status__in=OPEN_STATUSES)
    elif filters.status in DepartmentReferralStatus.values:
        referrals = referrals.filter(status=filters.status)
    if filters.kind in MaterialKind.values:
        referrals = referrals.filter(kind=filters.kind)
    if filters.overdue:
        referrals = referrals.filter(overdue_q(now or timezone.now()))
    if filters.street:
        referrals = referrals.filter(household__street_id=filters.street)
    if filters.household:
        referrals = referrals.filter(household_id=filters.household)
    q = filters.q.strip().upper().lstrip("R")
    if q.isdigit():
        referrals = referrals.filter(pk=int(q))
    elif q:
        referrals = referrals.none()
    if filters.sort == "new":
        return referrals.order_by("-sent_at", "-id")
    if filters.sort == "old":
        return referrals.order_by("sent_at", "id")
    return referrals.order_by("respond_by", "id")


def referral_get_for(*, user: User, referral_id: int) -> DepartmentReferral:
    """The referral, if ``user`` may see it; else ``NotFound`` (the same for "does not exist")."""
    referral = (
        visible(user, DepartmentReferral.objects.filter(pk=referral_id))
        .select_related(
            "household__street",
            "household__community",
            "department",
            "sent_by",
            "recommendation__plan",
        )
        .first()
    )
    if referral is None:
        raise NotFound("referral")
    return referral


def referral_deadline(referral: DepartmentReferral) -> dt.datetime | None:
    """The deadline the department is held to now (answer, then completion)."""
    if referral.status == DepartmentReferralStatus.SENT:
        return referral.respond_by
    if referral.status == DepartmentReferralStatus.ACCEPTED:
        return referral.complete_by
    return None


def referral_overdue(referral: DepartmentReferral, now: dt.datetime | None = None) -> bool:
    deadline = referral_deadline(referral)
    return deadline is not None and deadline < (now or timezone.now())


def referral_streets(user: User) -> QuerySet[Area]:
    """The streets the user's referrals are in (for the street filter)."""
    ids = referral_list(user=user).values("household__street_id")
    return Area.objects.filter(pk__in=ids).order_by("code")


def material_referrals_for(
    user: User, recommendations: Sequence[MaterialRecommendation]
) -> dict[int, MaterialReferral]:
    """What the plan page shows for each recommendation a department on the platform handles:
    its newest referral's live status, or a button to refer it
    (``assessment.material_referrals``)."""
    if not recommendations:
        return {}
    plan = recommendations[0].plan
    desks = {
        desk.kind: desk
        for desk in DepartmentDesk.objects.filter(
            district_id=plan.household.district_id, active=True
        ).select_related("department")
    }
    newest: dict[int, DepartmentReferral] = {}
    for referral in DepartmentReferral.objects.filter(
        recommendation__in=[r.pk for r in recommendations]
    ).order_by("sent_at", "id"):
        if referral.recommendation_id is not None:
            newest[referral.recommendation_id] = referral
    can_send = policy.can_send_referrals(user) and plan.status in LIVE_PLAN_STATUSES
    # The same rule as the services' (``require_sharing_consent``): without the household's
    # consent to share, the page says so in place of the button.
    consent = can_send and household_has_sharing_consent(plan.household_id)
    now = timezone.now()
    result: dict[int, MaterialReferral] = {}
    for recommendation in recommendations:
        desk = desks.get(recommendation.kind)
        found = newest.get(recommendation.pk)
        if desk is None and found is None:
            continue
        # Referred (again) while none is open and none has been completed: a declined or
        # withdrawn referral may be sent again, with new facts.
        may_send = found is None or found.status in RESENDABLE
        send_url = blocked = ""
        if can_send and desk is not None and may_send:
            if consent:
                send_url = reverse("discovery:referral_send", args=[plan.pk, recommendation.pk])
            else:
                blocked = no_sharing_consent_message()
        if found is None:
            result[recommendation.pk] = MaterialReferral(
                department=desk.department.name if desk else "",
                status="",
                status_label=_("Not referred yet"),
                send_url=send_url,
                blocked=blocked,
            )
            continue
        referral = found
        label = referral.get_status_display()
        if referral.outcome:
            label = f"{label} · {referral.get_outcome_display()}"
        result[recommendation.pk] = MaterialReferral(
            department=referral.department.name,
            status=referral.status,
            status_label=str(label),
            deadline=referral_deadline(referral),
            overdue=referral_overdue(referral, now),
            url=referral_url(referral) if policy.can_read_referrals(user) else "",
            send_url=send_url,
            blocked=blocked,
        )
    return result


def material_managed(recommendation: MaterialRecommendation) -> bool:
    """Whether the recommendation's status follows a department referral: a department on the
    platform handles its kind in the household's district, or it has been referred."""
    household = recommendation.plan.household
    return (
        DepartmentDesk.objects.filter(
            district_id=household.district_id, kind=recommendation.kind, active=True
        ).exists()
        or DepartmentReferral.objects.filter(recommendation=recommendation).exists()
    )


def desks_for_district(district_id: int | None) -> list[DepartmentDesk]:
    """The active desks of one district (what a household there may be referred for)."""
    return list(
        DepartmentDesk.objects.filter(district_id=district_id, active=True)
        .select_related("department")
        .order_by("kind")
    )


def desk_list(*, user: User) -> QuerySet[DepartmentDesk]:
    """The desks (department × kind × district) ``user`` may see, active first."""
    return (
        visible(user, DepartmentDesk.objects.all())
        .select_related("district", "department")
        .order_by("-active", "district__code", "kind", "-id")
    )


def desk_get_for(*, user: User, desk_id: int) -> DepartmentDesk:
    desk = desk_list(user=user).filter(pk=desk_id).first()
    if desk is None:
        raise NotFound("desk")
    return desk
