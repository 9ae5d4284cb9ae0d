"""The signed-in user's notifications: newest first, each opening its page; "mark all read"."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from jiuzhu.core.models import Notification
from jiuzhu.core.services.notifications import notifications_mark_read
from jiuzhu.core.views.common import paginate

PER_PAGE = 30


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    notifications = Notification.objects.filter(user=request.user).order_by("-created_at", "-id")
    return render(
        request,
        "core/notifications.html",
        {"page_obj": paginate(request, notifications, per_page=PER_PAGE)},
    )


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    notifications_mark_read(user=request.user)
    return redirect("core:notifications")


@login_required
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark one of the user's own notifications read and follow its link (a local one only)."""
    notification = Notification.objects.filter(pk=notification_id, user=request.user).first()
    if notification is None:
        raise Http404
    notifications_mark_read(user=request.user, ids=[notification.pk])
    target = notification.url
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("core:notifications")
