"""Notifications in the app, and by SMS for people who must act and have a mobile number.

Sending happens after the surrounding transaction commits, so nobody is told about a change
that was rolled back, and a slow SMS gateway never holds a database lock.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from jiuzhu.core.models import Notification, User
from jiuzhu.core.sms import send_sms


def notify(
    *,
    users: Iterable[User],
    title: str,
    body: str = "",
    url: str = "",
    sms: bool = False,
) -> int:
    """Queue a notification for each distinct active user; returns how many."""
    recipients = {user.pk: user for user in users if user is not None and user.is_active}
    if not recipients:
        return 0
    Notification.objects.bulk_create(
        [
            Notification(user=user, title=title[:120], body=body[:500], url=url)
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


def notifications_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    from django.utils import timezone

    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())


def unread_count(user: User) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
