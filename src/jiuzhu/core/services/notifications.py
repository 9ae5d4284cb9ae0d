"""Notifications in the app, and by SMS for people who must act and have a mobile number.

Sending happens after the surrounding transaction commits, so nobody is told about a change
that was rolled back, and a slow SMS gateway never holds a database lock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from jiuzhu.core.models import Notification, User
from jiuzhu.core.sms import send_sms


def notify(
    *,
    users: Iterable[User],
    title: str,
    body: str = "",
    url: str = "",
    sms: bool = False,
    subject: str = "",
) -> int:
    """Queue a notification for each distinct active user; returns how many. ``subject`` (by
    default the page it links to, i.e. the order or ticket it is about) groups a subject's
    notifications into one entry of the list."""
    subject = (subject or url)[:200]
    recipients = {user.pk: user for user in users if user is not None and user.is_active}
    if not recipients:
        return 0
    Notification.objects.bulk_create(
        [
            Notification(user=user, title=title[:120], body=body[:500], url=url, subject=subject)
            for user in recipients.values()
        ]
    )
    if sms:
        mobiles = [user.mobile for user in recipients.values() if user.mobile]
        text = f"{title} {body}".strip()

        def send() -> None:
            for mobile in mobiles:
                send_sms(mobile, text)

        transaction.on_commit(send)
    return len(recipients)


def notifications_mark_read(
    *, user: User, ids: Iterable[int] | None = None, subject: str | None = None
) -> int:
    """Mark ``user``'s unread notifications read: all, those of ``ids``, or of one subject."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    if subject:
        unread = unread.filter(subject=subject)
    return unread.update(read_at=timezone.now())


def unread_count(user: User) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


#: Roles that receive many notifications and are sent one digest a day instead of reading
#: them one by one (the managers, the hotline and the street caseworkers).
DIGEST_ROLES = frozenset({"district_manager", "hotline_operator", "street_caseworker"})
#: The digest is sent once a day, from this local hour on.
DIGEST_HOUR = 7


def digest_subject(day: dt.date) -> str:
    return f"digest:{day.isoformat()}"


def notification_digest_send(*, now: dt.datetime | None = None) -> int:
    """Send each active user of ``DIGEST_ROLES`` who has unread notifications or work waiting
    one summary a day (in the app, and by SMS to a mobile number): how many unread, on how many
    subjects, and their task lists' counts. Idempotent: a user who already has today's digest
    is skipped, so the hourly job sends it once, after ``DIGEST_HOUR``. Returns how many were
    sent."""
    from django.db.models import Count, Q

    from jiuzhu.core.worklist import workspace_for

    now = now or timezone.now()
    local = timezone.localtime(now)
    if local.hour < DIGEST_HOUR:
        return 0
    subject = digest_subject(local.date())
    waiting = Q(notifications__read_at__isnull=True) & ~Q(
        notifications__subject__startswith="digest:"
    )
    users = (
        User.objects.filter(is_active=True, role__in=DIGEST_ROLES)
        .exclude(notifications__subject=subject)
        .annotate(
            unread=Count("notifications", filter=waiting),
            subjects=Count("notifications__subject", filter=waiting, distinct=True),
        )
        .order_by("pk")
    )
    sent = 0
    for user in users:
        with override(settings.LANGUAGE_CODE):
            lines = [
                f"{entry.source.label} {entry.count}"
                for entry in workspace_for(user=user, now=now)
                if entry.count
            ]
            if not user.unread and not lines:
                continue
            title = _("Your day: %(n)d unread on %(s)d subjects") % {
                "n": user.unread,
                "s": user.subjects,
            }
            body = "；".join(lines) if lines else _("Nothing waits in your lists.")
        with transaction.atomic():
            notify(users=[user], title=title, body=body, url="/", subject=subject, sms=True)
        sent += 1
    return sent
