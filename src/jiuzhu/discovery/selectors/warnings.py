"""Reading the verification queue, rules and referrals, scoped (``scopes.py``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Case, Count, Q, QuerySet, When
from django.utils import timezone

from jiuzhu.core.errors import NotFound
from jiuzhu.core.models import Role, User
from jiuzhu.core.scoping import require_granted, visible
from jiuzhu.discovery.models import (
    CommunityReferral,
    EarlyWarning,
    WarningRule,
    WarningStatus,
)

WARNING_SORTS = {"due": ("due_at", "id"), "new": ("-id",), "grade": ("grade", "due_at")}
GRADE_ORDER = {"red": 0, "orange": 1, "yellow": 2, "blue": 3}


def warning_list(
    *,
    user: User,
    status: str = WarningStatus.OPEN,
    grade: str = "",
    origin: str = "",
    overdue: bool = False,
    sort: str = "due",
) -> QuerySet[EarlyWarning]:
    require_granted(user, EarlyWarning)
    warnings = visible(user, EarlyWarning.objects.all()).select_related(
        "household", "potential_case", "community", "street", "rule", "assignee", "referral"
    )
    if status:
        warnings = warnings.filter(status=status)
    if grade:
        warnings = warnings.filter(grade=grade)
    if origin:
        warnings = warnings.filter(origin=origin)
    if overdue:
        warnings = warnings.filter(escalation_level__gt=0)
    return warnings.order_by(*WARNING_SORTS.get(sort, WARNING_SORTS["due"]))


#: How far back the household page shows verified (closed) warnings.
HOUSEHOLD_RECENT_DAYS = 180
#: At most this many warnings in the household page's box.
HOUSEHOLD_BOX_LIMIT = 10


def household_warnings(
    *, user: User, household_id: int, now: dt.datetime | None = None
) -> QuerySet[EarlyWarning]:
    """The household page's warnings, scoped like the verification queue (``scopes.py``): every
    open one, and those verified in the last :data:`HOUSEHOLD_RECENT_DAYS` days; open first
    (earliest deadline first), then the most recently verified."""
    require_granted(user, EarlyWarning)
    since = (now or timezone.now()) - dt.timedelta(days=HOUSEHOLD_RECENT_DAYS)
    return (
        visible(user, EarlyWarning.objects.filter(household_id=household_id))
        .filter(Q(status=WarningStatus.OPEN) | Q(verified_at__gte=since) | Q(created_at__gte=since))
        .select_related("rule", "verified_by")
        .order_by(Case(When(status=WarningStatus.OPEN, then=0), default=1), "-created_at", "-id")
    )


def warning_get_for(*, user: User, warning_id: int) -> EarlyWarning:
    warning = (
        visible(user, EarlyWarning.objects.filter(pk=warning_id))
        .select_related("household", "potential_case", "rule", "record", "referral", "assignee")
        .first()
    )
    if warning is None:
        raise NotFound("warning")
    return warning


def rule_list() -> QuerySet[WarningRule]:
    return WarningRule.objects.order_by("code", "-version")


def referrals_of(*, user: User) -> QuerySet[CommunityReferral]:
    """The user's own referrals (the page shows only the outcome)."""
    return CommunityReferral.objects.filter(referrer=user).select_related("warning")


def referral_network(*, user: User) -> list[dict[str, Any]]:
    """Referrals by the referrer's role in the user's district: how many, how many proved real
    hardship (registered or re-assessed), the conversion. No referrer is named."""
    require_granted(user, CommunityReferral)
    real = Q(warning__status__in=[WarningStatus.REGISTERED, WarningStatus.REASSESSMENT])
    rows = (
        visible(user, CommunityReferral.objects.all())
        .values("referrer_role")
        .annotate(
            total=Count("id"),
            real=Count("id", filter=real),
            open=Count("id", filter=Q(warning__status=WarningStatus.OPEN)),
            referrers=Count("referrer", distinct=True),
        )
        .order_by("-total")
    )
    result = []
    for row in rows:
        row = dict(row)
        row["role_label"] = str(Role(row["referrer_role"]).label)
        row["conversion"] = round(100 * row["real"] / row["total"]) if row["total"] else 0
        result.append(row)
    return result
