"""The re-assessment queue: who is due, why and by when; the user's own drafts; plans waiting
for the street caseworker's approval."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from jiuzhu.assessment.forms import QueueFilterForm
from jiuzhu.assessment.policy import can_approve, can_start, can_use_queue
from jiuzhu.assessment.selectors.queue import (
    draft_assessments_for,
    due_queue,
    plans_awaiting_approval,
    with_all_reasons,
)
from jiuzhu.core.models import AreaLevel
from jiuzhu.core.selectors.areas import areas_within
from jiuzhu.core.views.common import is_htmx, paginate, vary_on_htmx
from jiuzhu.core.views.list_export import ListExport, col, export_list, wants_export

SIDE_LIMIT = 50


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not can_use_queue(user):
        raise DjangoPermissionDenied(_("The assessment queue is for staff who work on cases."))
    form = QueueFilterForm(request.GET, streets=list(areas_within(user, AreaLevel.STREET)))
    overdue_only = bool(form.value("overdue"))
    rows = due_queue(user=user, street=form.value("street"), overdue_only=overdue_only)
    if wants_export(request):
        return export_list(request, rows, QUEUE_EXPORT)
    page = paginate(request, rows)
    today = timezone.localdate()
    page.object_list = with_all_reasons(list(page.object_list))
    for due in page.object_list:
        due.overdue_days = (today - due.due_on).days
    context = {
        "form": form,
        "page_obj": page,
        "can_start": can_start(user),
        "filtered": bool(form.value("street") or overdue_only),
    }
    if is_htmx(request):
        return vary_on_htmx(render(request, "assessment/_queue_results.html", context))
    if can_start(user):
        context["drafts"] = list(draft_assessments_for(user=user)[:SIDE_LIMIT])
    if can_approve(user):
        context["awaiting"] = list(plans_awaiting_approval(user=user)[:SIDE_LIMIT])
    return vary_on_htmx(render(request, "assessment/queue.html", context))


QUEUE_EXPORT = ListExport(
    key="assessment.queue",
    title=gettext_lazy("Assessment queue"),
    object_type="assessment.assessmentdue",
    columns=(
        col(gettext_lazy("Household"), "household_id", 10),
        col(gettext_lazy("Head of household"), "household.head_name"),
        col(gettext_lazy("Street"), "household.street.name"),
        col(gettext_lazy("Community"), "household.community.name"),
        col(gettext_lazy("Why"), "get_reason_display", 20),
        col(gettext_lazy("Due on"), "due_on", 12),
        col(gettext_lazy("Urgency"), "household.get_urgency_tag_display", 12),
    ),
)
