"""Notifications worth reading: grouped by subject (the order or ticket), opening one reads its
subject, a badge that says 9+ past nine, and a daily digest for the roles that receive many."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse

from factories import AssessmentDueFactory, HouseholdFactory, UserFactory
from jiuzhu.core.jobs import periodic_jobs
from jiuzhu.core.models import Notification, Role
from jiuzhu.core.services.notifications import notification_digest_send, notify

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def _at(year: int, month: int, day: int, hour: int) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=SHANGHAI)


def test_a_subjects_notifications_are_one_entry_with_its_count(client, actors):
    user = actors["volunteer"]
    for title in ("已派单", "已开始", "已完成"):
        notify(users=[user], title=title, url="/orders/7/")
    notify(users=[user], title="另一单", url="/orders/8/")
    client.force_login(user)
    page = client.get(reverse("core:notifications"))
    groups = page.context["groups"]
    assert [(g.latest.title, g.count, g.unread) for g in groups] == [
        ("另一单", 1, 1),
        ("已完成", 3, 3),
    ]
    text = page.content.decode()
    assert "已开始" not in text and "?subject=/orders/7/" in text
    one_subject = client.get(reverse("core:notifications") + "?subject=/orders/7/")
    assert "已开始" in one_subject.content.decode()
    # Opening the subject's newest reads the whole subject, not the other order's.
    client.get(reverse("core:notification_open", args=[groups[1].latest.pk]))
    assert Notification.objects.filter(user=user, read_at__isnull=True).count() == 1


def test_the_badge_says_9_plus_past_nine(client, actors):
    user = actors["volunteer"]
    client.force_login(user)
    for n in range(9):
        notify(users=[user], title=f"第{n}条", url=f"/orders/{n}/")
    assert (
        '<span class="bell-count" aria-hidden="true">9</span>'
        in client.get(reverse("core:notifications")).content.decode()
    )
    notify(users=[user], title="第十条", url="/orders/99/")
    page = client.get(reverse("core:notifications")).content.decode()
    assert '<span class="bell-count" aria-hidden="true">9+</span>' in page
    assert 'data-unread="10"' in page


def test_the_daily_digest_is_sent_once_a_day_to_busy_roles(clock, actors, areas):
    assert "core.notification_digest" in {job.name for job in periodic_jobs()}
    clock.set(_at(2026, 3, 2, 6))
    manager = actors["qixia_manager"]
    notify(users=[manager], title="升级", url="/orders/1/")
    notify(users=[manager], title="投诉", url="/orders/2/")
    volunteer = actors["volunteer"]
    notify(users=[volunteer], title="任务", url="/orders/3/")
    # The caseworker has no notification but a household due: the digest names the list.
    AssessmentDueFactory(
        household=HouseholdFactory(community=areas["yaohua_a"]), due_on=dt.date(2026, 3, 1)
    )
    assert notification_digest_send() == 0  # before seven in the morning
    clock.set(_at(2026, 3, 2, 8))
    sent = notification_digest_send()
    assert sent >= 1
    digest = Notification.objects.get(user=manager, subject="digest:2026-03-02")
    assert "2" in digest.title
    assert not Notification.objects.filter(user=volunteer, subject__startswith="digest:").exists()
    caseworker = Notification.objects.get(user=actors["yaohua_caseworker"], subject__startswith="d")
    assert "1" in caseworker.body
    assert notification_digest_send() == 0  # once a day
    clock.set(_at(2026, 3, 3, 9))
    assert Notification.objects.filter(user=manager, subject__startswith="digest:").count() == 1
    notification_digest_send()
    assert Notification.objects.filter(user=manager, subject__startswith="digest:").count() == 2


def test_quiet_people_get_no_digest(clock, areas):
    clock.set(_at(2026, 3, 2, 9))
    UserFactory(role=Role.HOTLINE_OPERATOR, area=areas["qixia"])
    assert notification_digest_send() == 0
