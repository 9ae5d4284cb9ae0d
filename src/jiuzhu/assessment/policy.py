"""What each role may do with assessments, plans and indicator frameworks (seeing them is
``scopes.py``'s job).

The one place for the assessment app's role sets and ``can_*`` / ``require_*`` checks: services
enforce them; views, the API and navigation import them to decide what to show.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from jiuzhu.assessment.models import Assessment, AssessmentStatus, Plan, PlanStatus
from jiuzhu.core import audit
from jiuzhu.core.errors import PermissionDenied
from jiuzhu.core.models import AuditAction, AuditResult, Role, User
from jiuzhu.core.scoping import AREA_ROLES

#: Who fills assessments (评·摸·问).
ASSESSING_ROLES = frozenset({Role.ASSESSOR, Role.STREET_CASEWORKER})
#: Who approves plans (开) and refers from them.
APPROVERS = frozenset({Role.STREET_CASEWORKER})
#: Who edits indicator frameworks.
FRAMEWORK_EDITORS = frozenset({Role.CITY_ADMIN})
#: Staff who work from the due queue (everyone the households are granted to, bar beneficiaries).
QUEUE_ROLES = frozenset({*AREA_ROLES, Role.ASSESSOR})
#: The managers of DOMAIN.md's table: analytics for their own area.
ANALYTICS_ROLES = frozenset(
    {Role.COMMUNITY_WORKER, Role.STREET_CASEWORKER, Role.DISTRICT_MANAGER, Role.CITY_ADMIN}
)


def can_start(user: User) -> bool:
    return user.is_authenticated and user.role in ASSESSING_ROLES


def can_fill(user: User, assessment: Assessment) -> bool:
    """The draft's own assessor, or a street caseworker (the services check it again)."""
    if not can_start(user) or assessment.status != AssessmentStatus.DRAFT:
        return False
    return user.role != Role.ASSESSOR or assessment.assessor_id == user.pk


def can_approve(user: User) -> bool:
    return user.is_authenticated and user.role in APPROVERS


def can_change_plan(user: User, plan: Plan) -> bool:
    return can_approve(user) and plan.status == PlanStatus.DRAFT


def can_run_plan(user: User, plan: Plan) -> bool:
    """Change frequencies, pause, resume or end an approved plan."""
    return can_approve(user) and plan.status in (PlanStatus.APPROVED, PlanStatus.PAUSED)


def can_edit_frameworks(user: User) -> bool:
    return user.is_authenticated and user.role in FRAMEWORK_EDITORS


def can_use_queue(user: User) -> bool:
    return user.is_authenticated and user.role in QUEUE_ROLES


def can_view_analytics(user: User | None) -> bool:
    return bool(user is not None and user.is_authenticated and user.role in ANALYTICS_ROLES)


def require_assessor(user: User) -> None:
    if user.role not in ASSESSING_ROLES:
        raise PermissionDenied(_("Only assessors and street caseworkers fill assessments."))


def require_approver(user: User) -> None:
    if user.role not in APPROVERS:
        raise PermissionDenied(_("Plans are approved by the street caseworker."))


def require_framework_editor(user: User | None) -> None:
    """``None`` is the command line, run by an operator on the server."""
    if user is not None and user.role not in FRAMEWORK_EDITORS:
        raise PermissionDenied(_("Only city administrators edit indicator frameworks."))


def require_analytics_access(user: User) -> None:
    """Refuse, and record the refusal in the audit trail, unless ``user`` is a manager."""
    if can_view_analytics(user):
        return
    audit.record(
        actor=user,
        action=AuditAction.VIEW,
        object_type="assessment.analytics",
        result=AuditResult.DENIED,
    )
    raise PermissionDenied(_("Your role may not see the assessment analytics."))
