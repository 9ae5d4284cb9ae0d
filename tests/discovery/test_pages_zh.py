"""The referral pages in Chinese show no English, and the lists run a constant number of
queries however many referrals they show."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from factories import (
    ConsentFactory,
    DepartmentDeskFactory,
    HouseholdFactory,
    MaterialRecommendationFactory,
    OrganisationFactory,
    UserFactory,
)
from jiuzhu.core.models import OrganisationKind, Role
from jiuzhu.discovery.services.referrals import (
    referral_accept,
    referral_send,
    referrals_escalate_overdue,
)

pytestmark = pytest.mark.django_db

#: Latin words a Chinese page may show (the product's names, file formats, codes).
ALLOWED = {"Excel", "English", "htmx", "yibao", "yaohua_caseworker"}


@pytest.fixture
def department(areas):
    organisation = OrganisationFactory(name="栖霞区医保局", kind=OrganisationKind.DEPARTMENT)
    DepartmentDeskFactory(district=areas["qixia"], kind="medical", department=organisation)
    return UserFactory(username="yibao", role=Role.DEPARTMENT, organisation=organisation)


def _send(areas, caseworker, n: int):
    referrals = []
    for _ in range(n):
        household = HouseholdFactory(community=areas["yaohua_a"], head_name="李四")
        ConsentFactory(household=household)  # sharing with a department needs it
        material = MaterialRecommendationFactory(
            plan__household=household,
            plan__assessment__household=household,
            plan__status="approved",
            kind="medical",
        )
        referrals.append(referral_send(actor=caseworker, recommendation=material, note="请核定"))
    return referrals


def _english(html: str) -> set[str]:
    body = html.split("<main", 1)[-1].split(">", 1)[-1].split("</main>", 1)[0]
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    words = set(re.findall(r"\b[A-Za-z]{4,}\b", text))
    return words - ALLOWED


def test_department_pages_are_chinese(areas, caseworker, department):
    first, second = _send(areas, caseworker, 2)
    referral_accept(actor=department, referral=second)
    referrals_escalate_overdue(now=first.respond_by.replace(year=first.respond_by.year + 1))
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(department)
    for url in (
        reverse("discovery:referral_list"),
        reverse("discovery:referral_detail", args=[first.pk]),
        reverse("discovery:referral_detail", args=[second.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert not _english(response.content.decode()), url
    client.force_login(caseworker)
    for url in (
        reverse("discovery:hidden_list"),
        reverse("assessment:plan", args=[first.recommendation.plan_id]),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert "待部门受理" in response.content.decode() or url.endswith("hidden-poverty/")
        assert not _english(response.content.decode()), url


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_lists_do_not_query_per_row(areas, caseworker, department, actors):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    _send(areas, caseworker, 2)
    client.force_login(department)
    small = _count(client, reverse("discovery:referral_list"))
    api_small = _count(client, "/api/v1/discovery/referrals")
    _send(areas, caseworker, 8)
    assert _count(client, reverse("discovery:referral_list")) == small
    assert _count(client, "/api/v1/discovery/referrals") == api_small
