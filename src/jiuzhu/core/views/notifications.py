"""The signed-in user's notifications, grouped by subject (an order, a ticket), newest first;
each group opens its page and marks the subject read; "mark all read"."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from jiuzhu.core.models import Notification
from jiuzhu.core.selectors.notifications import (
    notification_group_keys,
    notification_groups,
    notifications_of,
    notifications_of_subject,
)
from jiuzhu.core.services.notifications import notifications_mark_read
from jiuzhu.core.views.common import paginate
from jiuzhu.core.views.list_export import ListExport, col, export_list, wants_export

PER_PAGE = 30

#: One row per notification (the page groups them by subject; the workbook lists each update).
EXPORT = ListExport(
    key="core.notifications",
    title=_("Notifications"),
    object_type="core.notification",
    columns=[
        col(_("Time"), "created_at", 18),
        col(_("Title"), "title", 30),
        col(_("Message"), "body", 60),
        col(_("Read at"), "read_at", 18),
    ],
)


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    subject = request.GET.get("subject", "")[:200]
    if wants_export(request):
        return export_list(request, notifications_of(user=request.user, subject=subject), EXPORT)
    if subject:
        # One subject's notifications, each on its own line.
        page = paginate(
            request, notifications_of_subject(user=request.user, subject=subject), per_page=PER_PAGE
        )
        return render(request, "core/notifications.html", {"page_obj": page, "subject": subject})
    page = paginate(request, notification_group_keys(user=request.user), per_page=PER_PAGE)
    groups = notification_groups(user=request.user, keys=page.object_list)
    return render(request, "core/notifications.html", {"page_obj": page, "groups": groups})


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    notifications_mark_read(user=request.user)
    return redirect("core:notifications")


@login_required
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark one of the user's own notifications read, with every other of its subject, and
    follow its link (a local one only)."""
    notification = Notification.objects.filter(pk=notification_id, user=request.user).first()
    if notification is None:
        raise Http404
    notifications_mark_read(user=request.user, ids=[notification.pk])
    if notification.subject:
        notifications_mark_read(user=request.user, subject=notification.subject)
    target = notification.url
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("core:notifications")
