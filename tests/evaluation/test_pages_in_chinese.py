"""The applications' pages in Chinese show no English words (beyond codes and numbers)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from applications_cast import scores
from factories import valid_uscc
from jiuzhu.evaluation.services import applications as services

pytestmark = pytest.mark.django_db

#: Words of three or more Latin letters that may show on a Chinese page (codes, formats).
ALLOWED = {"PDF", "JPEG", "PNG", "MB", "Excel", "English"}  # formats, the language switch
#: The cast's usernames (shown for users without a display name).
ALLOWED |= {"qixia", "manager", "reviewer"}


def _visible_text(html: str) -> str:
    html = re.sub(r"(?s)<(script|style|title)\b.*?</\1>", " ", html)
    html = re.sub(r"(?s)<!--.*?-->", " ", html)
    html = re.sub(r"(?s)<[^>]+>", " ", html)
    return html


def _english(html: str) -> set[str]:
    return {w for w in re.findall(r"[A-Za-z]{3,}", _visible_text(html)) if w not in ALLOWED}


@pytest.fixture
def screened(areas, actors, reviewer):
    application = services.application_submit(
        name="南京心语社会工作服务社",
        uscc=valid_uscc(3),
        supply_type="social_work",
        staff_count=16,
        social_workers=11,
        signature_projects="护苗计划",
        street=areas["yaohua"],
        address="尧化街道 1 号",
        contact_name="张老师",
        contact_phone="025-1",
    )
    services.application_review(
        actor=actors["qixia_manager"], application=application, scores=scores(80, 85, 90, 80, 70)
    )
    return application


def test_the_pages_speak_chinese(actors, screened, reviewer):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert not _english(client.get(reverse("evaluation:apply")).content.decode())
    client.force_login(actors["qixia_manager"])
    for url in [
        reverse("evaluation:application_list"),
        reverse("evaluation:application_detail", args=[screened.pk]),
        reverse("evaluation:shortlist"),
        reverse("evaluation:scorecard"),
    ]:
        page = client.get(url).content.decode()
        found = _english(page)
        assert not found, (url, found)
    client.force_login(reviewer)  # the review form, scores hidden
    page = client.get(reverse("evaluation:application_detail", args=[screened.pk]))
    assert not _english(page.content.decode())
