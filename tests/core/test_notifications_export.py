"""The notification list exports through the one list-export path: the workbook holds the
user's own notifications, one row each, and the export is audited."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from jiuzhu.core.models import AuditAction, AuditEntry
from jiuzhu.core.services.notifications import notify

pytestmark = pytest.mark.django_db


def _sheet(response):
    assert response.status_code == 200, response.content[:300]
    return load_workbook(io.BytesIO(b"".join(response.streaming_content))).active


def test_my_notifications_export_one_row_each_and_only_mine(client, actors):
    me, other = actors["volunteer"], actors["provider_staff"]
    for title in ("已派单", "已开始", "已完成"):
        notify(users=[me], title=title, url="/orders/7/")
    notify(users=[me], title="另一单", url="/orders/8/")
    notify(users=[other], title="别人的", url="/orders/9/")
    client.force_login(me)
    sheet = _sheet(client.get(reverse("core:notifications") + "?export=xlsx"))
    titles = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    # every one of mine, newest first (the page groups them; the workbook lists each update)
    assert titles == ["另一单", "已完成", "已开始", "已派单"]
    entry = AuditEntry.objects.filter(action=AuditAction.EXPORT).latest("pk")
    assert (entry.actor_id, entry.detail["list"], entry.detail["rows"]) == (
        me.pk,
        "core.notifications",
        4,
    )
    one = _sheet(client.get(reverse("core:notifications") + "?subject=/orders/8/&export=xlsx"))
    assert [row[1] for row in one.iter_rows(min_row=2, values_only=True)] == ["另一单"]


def test_the_notifications_page_shows_the_export_button(client, actors):
    client.force_login(actors["volunteer"])
    page = client.get(reverse("core:notifications") + "?page=2").content.decode()
    assert 'href="?export=xlsx"' in page
