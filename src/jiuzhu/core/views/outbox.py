"""Event deliveries for the city administrator: what failed, why, and "retry now"."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from jiuzhu.core import outbox
from jiuzhu.core.errors import Conflict
from jiuzhu.core.selectors.outbox import (
    DEAD,
    FAILING,
    PROBLEMS,
    VIEWS,
    WAITING,
    outbox_counts,
    outbox_deliveries,
)
from jiuzhu.core.services.outbox import outbox_delivery_retry
from jiuzhu.core.views.common import domain_errors, paginate
from jiuzhu.core.views.list_export import ListExport, col, export_list, wants_export


def _last_error_line(delivery) -> str:
    """The error's last line: its type and message (the whole traceback stays on the page)."""
    return (delivery.last_error.strip().splitlines() or [""])[-1]


EXPORT = ListExport(
    key="core.event_deliveries",
    title=gettext_lazy("Event deliveries"),
    object_type="core.outboxdelivery",
    columns=[
        col(gettext_lazy("Event"), "event.name", 24),
        col(gettext_lazy("Event number"), "event_id", 10),
        col(gettext_lazy("Created"), "event.created_at", 18),
        col(gettext_lazy("Handler"), "handler", 40),
        col(gettext_lazy("Status"), "get_status_display", 12),
        col(gettext_lazy("Attempts"), "attempts", 8),
        col(gettext_lazy("Last attempt"), "last_attempt_at", 18),
        col(gettext_lazy("Next attempt"), "next_attempt_at", 18),
        col(gettext_lazy("Last error"), _last_error_line, 60),
    ],
)

VIEW_LABELS = {
    PROBLEMS: gettext_lazy("Failing and failed"),
    FAILING: gettext_lazy("Being retried"),
    DEAD: gettext_lazy("Failed (no more retries)"),
    WAITING: gettext_lazy("All not yet delivered"),
}


@login_required
@domain_errors
def event_deliveries(request):
    view = request.GET.get("view", PROBLEMS)
    if view not in VIEWS:
        view = PROBLEMS
    deliveries = outbox_deliveries(actor=request.user, view=view)
    if wants_export(request):
        return export_list(request, deliveries, EXPORT)
    page = paginate(request, deliveries)
    for delivery in page:  # the error's last line heads the details
        delivery.error_summary = _last_error_line(delivery)
    context = {
        "page_obj": page,
        "view": view,
        "views": [(key, VIEW_LABELS[key]) for key in VIEWS],
        "counts": outbox_counts(actor=request.user),
    }
    return render(request, "core/outbox/list.html", context)


@login_required
@require_POST
@domain_errors
def event_delivery_retry(request, delivery_id: int):
    try:
        outcome = outbox_delivery_retry(actor=request.user, delivery_id=delivery_id)
    except Conflict as error:
        messages.info(request, error.message)
    else:
        if outcome == outbox.DELIVERED:
            messages.success(request, _("Delivered: the handler ran successfully."))
        elif outcome in (outbox.FAILED, outbox.DEAD):
            messages.error(request, _("The handler failed again; its error is shown below."))
        else:
            messages.success(request, _("Queued: the worker will deliver it within seconds."))
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("core:event_deliveries")
