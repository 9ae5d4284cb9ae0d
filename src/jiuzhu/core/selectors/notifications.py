"""The signed-in user's notifications, grouped by subject (one entry per order or ticket):
the newest of each subject, how many it holds and how many are unread."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case as CaseWhen
from django.db.models import CharField, Count, Max, Q, QuerySet, Value, When
from django.db.models.functions import Cast, Concat

from jiuzhu.core.models import Notification, User


@dataclass
class NotificationGroup:
    latest: Notification
    count: int
    unread: int


def notification_group_keys(*, user: User) -> QuerySet:
    """One row per subject (a notification without one is its own group), newest first:
    ``key``, ``latest`` (the newest id), ``count`` and ``unread``. Paginate it, then
    :func:`notification_groups` reads the page's newest notifications in one query."""
    return (
        Notification.objects.filter(user=user)
        .annotate(
            key=CaseWhen(
                When(subject="", then=Concat(Value("#"), Cast("id", CharField()))),
                default="subject",
                output_field=CharField(),
            )
        )
        .values("key")
        .annotate(
            latest=Max("id"),
            count=Count("id"),
            unread=Count("id", filter=Q(read_at__isnull=True)),
        )
        .order_by("-latest")
    )


def notification_groups(*, user: User, keys) -> list[NotificationGroup]:
    rows = list(keys)
    latest = Notification.objects.filter(user=user).in_bulk([row["latest"] for row in rows])
    return [
        NotificationGroup(latest=latest[row["latest"]], count=row["count"], unread=row["unread"])
        for row in rows
        if row["latest"] in latest
    ]


def notifications_of_subject(*, user: User, subject: str) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user, subject=subject).order_by("-created_at", "-id")


def notifications_of(*, user: User, subject: str = "") -> QuerySet[Notification]:
    """The user's notifications one by one, newest first: every one, or one subject's."""
    if subject:
        return notifications_of_subject(user=user, subject=subject)
    return Notification.objects.filter(user=user).order_by("-created_at", "-id")
