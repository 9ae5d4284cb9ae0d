"""Department referrals on the web and in the API: a department lands on its queue, answers a
referral; the plan page shows the referral's live status instead of the status dropdown."""

from __future__ import annotations

import datetime as dt
import json

import pytest
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
from jiuzhu.discovery.models import DepartmentReferral
from jiuzhu.discovery.services.referrals import referral_send

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(areas, caseworker):
    organisation = OrganisationFactory(name="栖霞区医保局", kind=OrganisationKind.DEPARTMENT)
    DepartmentDeskFactory(district=areas["qixia"], kind="medical", department=organisation)
    staff = UserFactory(username="yibao", role=Role.DEPARTMENT, organisation=organisation)
    household = HouseholdFactory(community=areas["yaohua_a"], head_name="张三")
    ConsentFactory(household=household)  # sharing with a department needs it
    material = MaterialRecommendationFactory(
        plan__household=household,
        plan__assessment__household=household,
        plan__status="approved",
        kind="medical",
    )
    housing = MaterialRecommendationFactory(plan=material.plan, kind="housing")
    return {"staff": staff, "material": material, "housing": housing, "plan": material.plan}


def test_a_department_lands_on_its_referrals(client, world):
    client.force_login(world["staff"])
    response = client.get(reverse("core:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("discovery:referral_list")


def test_the_plan_page_sends_and_then_shows_the_live_status(client, world, caseworker):
    client.force_login(caseworker)
    plan_url = reverse("assessment:plan", args=[world["plan"].pk])
    page = client.get(plan_url).content.decode()
    send = reverse("discovery:referral_send", args=[world["plan"].pk, world["material"].pk])
    assert send in page
    # Housing has no department on the platform: the hand-set dropdown stays.
    assert (
        reverse("assessment:plan_material_status", args=[world["plan"].pk, world["housing"].pk])
        in page
    )
    assert (
        reverse("assessment:plan_material_status", args=[world["plan"].pk, world["material"].pk])
        not in page
    )
    response = client.post(send, {"note": "请核定"})
    assert response.status_code == 302
    referral = DepartmentReferral.objects.get()
    page = client.get(plan_url).content.decode()
    assert "Waiting for the department" in page and "栖霞区医保局" in page
    assert reverse("discovery:referral_detail", args=[referral.pk]) in page
    assert send not in page


def test_a_department_accepts_and_completes_on_the_web(client, world, caseworker):
    referral = referral_send(actor=caseworker, recommendation=world["material"])
    client.force_login(world["staff"])
    listing = client.get(reverse("discovery:referral_list")).content.decode()
    assert referral.number in listing
    detail = client.get(reverse("discovery:referral_detail", args=[referral.pk]))
    assert "张三" in detail.content.decode()
    assert client.post(reverse("discovery:referral_accept", args=[referral.pk])).status_code == 302
    bad = client.post(reverse("discovery:referral_complete", args=[referral.pk]), {})
    assert bad.status_code == 422
    done = client.post(
        reverse("discovery:referral_complete", args=[referral.pk]),
        {"outcome": "granted", "note": "核定 3,200 元"},
    )
    assert done.status_code == 302
    referral.refresh_from_db()
    assert referral.status == "completed" and referral.outcome == "granted"
    client.force_login(caseworker)
    page = client.get(reverse("assessment:plan", args=[world["plan"].pk])).content.decode()
    assert "Completed" in page and "Assistance granted" in page


def test_the_list_filters_and_exports(client, world, caseworker, actors):
    referral = referral_send(actor=caseworker, recommendation=world["material"])
    DepartmentReferral.objects.filter(pk=referral.pk).update(
        respond_by=referral.respond_by - dt.timedelta(days=10)
    )
    client.force_login(actors["qixia_manager"])
    overdue = client.get(reverse("discovery:referral_list"), {"overdue": "on", "sort": "new"})
    assert referral.number in overdue.content.decode()
    none = client.get(reverse("discovery:referral_list"), {"status": "completed"})
    assert referral.number not in none.content.decode()
    export = client.get(reverse("discovery:referral_export"))
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_api_queue_and_answer(client, world, caseworker):
    referral = referral_send(actor=caseworker, recommendation=world["material"])
    client.force_login(world["staff"])
    listing = client.get("/api/v1/discovery/referrals?open_only=true").json()
    assert listing["count"] == 1 and listing["items"][0]["actions"] == ["accept", "decline"]
    bad = client.post(
        f"/api/v1/discovery/referrals/{referral.pk}/complete",
        json.dumps({"outcome": "granted"}),
        content_type="application/json",
    )
    assert bad.status_code == 409 and bad.json()["code"] == "wrong_state"
    declined = client.post(
        f"/api/v1/discovery/referrals/{referral.pk}/decline",
        json.dumps({"reason": "已享受同类救助"}),
        content_type="application/json",
    )
    assert declined.status_code == 200 and declined.json()["status"] == "declined"
    empty = client.get("/api/v1/discovery/referrals?status=sent").json()
    assert empty["count"] == 0


def test_the_api_sends_from_a_plan(client, world, caseworker):
    client.force_login(caseworker)
    url = f"/api/v1/discovery/plans/{world['plan'].pk}/materials/{world['material'].pk}/referral"
    sent = client.post(url, "{}", content_type="application/json")
    assert sent.status_code == 201 and sent.json()["department"] == "栖霞区医保局"
    again = client.post(url, "{}", content_type="application/json")
    assert again.status_code == 409
    housing = f"/api/v1/discovery/plans/{world['plan'].pk}/materials/{world['housing'].pk}/referral"
    assert client.post(housing, "{}", content_type="application/json").json()["code"] == (
        "no_department"
    )


def test_the_hidden_poverty_page_and_api(client, actors):
    client.force_login(actors["qixia_manager"])
    assert client.get(reverse("discovery:hidden_list")).status_code == 200
    assert client.get(reverse("discovery:hidden_export")).status_code == 200
    assert client.get("/api/v1/discovery/hidden-poverty").json()["count"] == 0
    assert client.get("/api/v1/discovery/hidden-poverty?evidence_source=nope").status_code == 422
