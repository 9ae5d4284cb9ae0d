"""The assessment's task lists for the workspace (see ``jiuzhu.core.worklist``): households due
for (re-)assessment, the assessor's own drafts, plans waiting for the caseworker's approval.
Each list is the app's own scoped selector, so its count and its rows cannot disagree."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiuzhu.assessment.models import Assessment, AssessmentDue, Plan
from jiuzhu.assessment.policy import APPROVERS, ASSESSING_ROLES
from jiuzhu.assessment.selectors.queue import (
    draft_assessments_for,
    due_queue,
    plans_awaiting_approval,
)
from jiuzhu.core.models import Role
from jiuzhu.core.worklist import TaskRow, register_task_source

#: Who is told which households are due: the assessor (their assigned households), the street
#: caseworker (their street) and the community worker (their community: visits and checks).
DUE_ROLES = frozenset({Role.ASSESSOR, Role.STREET_CASEWORKER, Role.COMMUNITY_WORKER})


def _household(household) -> str:
    return f"#{household.pk} {household.head_name}".strip()


def _due_row(due: AssessmentDue) -> TaskRow:
    household = due.household
    return TaskRow(
        title=_household(household),
        detail=" · ".join(
            part for part in (household.community.name, due.get_reason_display()) if part
        ),
        url=reverse("registry:household_detail", args=[household.pk]),
    )


def _draft_row(assessment: Assessment) -> TaskRow:
    return TaskRow(
        title=_household(assessment.household),
        detail=_("Draft assessment, %(reason)s") % {"reason": assessment.get_reason_display()},
        url=reverse("assessment:form", args=[assessment.pk]),
    )


def _plan_row(plan: Plan) -> TaskRow:
    return TaskRow(
        title=_household(plan.household),
        detail=" · ".join(
            str(part) for part in (plan.household.community.name, plan.get_urgency_tag_display())
        ),
        url=reverse("assessment:plan", args=[plan.pk]),
    )


register_task_source(
    "assessments_due",
    gettext_lazy("Assessments and visits due"),
    None,
    lambda user: due_queue(user=user),
    DUE_ROLES,
    describe=_due_row,
    due_field="due_on",
    due_is_date=True,
    help=gettext_lazy("Households to (re-)assess: periodic, after a change, new or discovered."),
    full_list="assessment:queue",
    order=10,
)
register_task_source(
    "assessment_drafts",
    gettext_lazy("Assessments to finish"),
    None,
    lambda user: draft_assessments_for(user=user),
    ASSESSING_ROLES,
    describe=_draft_row,
    due_field="started_at",
    flags_overdue=False,
    help=gettext_lazy("Assessments you started and have not submitted, oldest first."),
    order=11,
)
register_task_source(
    "plans_to_approve",
    gettext_lazy("Plans waiting for approval"),
    None,
    lambda user: plans_awaiting_approval(user=user),
    APPROVERS,
    describe=_plan_row,
    due_field="created_at",
    flags_overdue=False,
    help=gettext_lazy("Proposed plans (一户一策) to review and approve, oldest first."),
    order=12,
)
