"""Creating and editing projects, a district's tiers (service, page and API), and the
applicant's status page and decision SMS."""

from __future__ import annotations

import json
from decimal import Decimal as D

import pytest
from django.test import Client
from django.urls import reverse

from jiuzhu.core.errors import PermissionDenied, ValidationFailed
from jiuzhu.core.models import AuditEntry
from jiuzhu.evaluation.models import Project
from jiuzhu.evaluation.services import applications as applications_services
from jiuzhu.evaluation.services.projects import project_update, settlement_tiers_set
from jiuzhu.evaluation.services.statements import statement_draft
from settlement_cast import deliver, march


def _client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


def test_the_district_tiers_decide_the_pay(project, market, actors):
    manager = actors["qixia_manager"]
    household, provider = market["household"], market["provider_a"]
    for day, confirmation in (
        (2, "confirmed"),
        (3, "confirmed"),
        (4, "confirmed"),
        (5, "disputed"),
    ):
        deliver(
            household=household,
            provider=provider,
            item=market["meal"],
            at=march(day),
            confirmation=confirmation,
        )
    with pytest.raises(ValidationFailed) as refused:
        settlement_tiers_set(
            actor=manager, district=project.district, tiers=[(D(90), D(80)), (D(60), D(90))]
        )
    assert "tiers" in refused.value.fields
    with pytest.raises(PermissionDenied):
        settlement_tiers_set(
            actor=actors["jianye_manager"], district=project.district, tiers=[(D(60), D(100))]
        )
    settlement_tiers_set(
        actor=manager, district=project.district, tiers=[(D(85), D(100)), (D(60), D(80))]
    )
    # confirmed 3 of 4 → 75.00 → the 60–85 tier pays 80 %: 3 × 15 × 0.8 = 36.00.
    statement, _ = statement_draft(actor=manager, project=project, period="2026-03")
    assert statement.percent == D(80) and statement.total == D("36.00")
    assert statement.tiers == [["85", "100"], ["60", "80"]]


def test_editing_a_project_changes_its_terms_and_is_audited(project, market, actors):
    manager = actors["qixia_manager"]
    project_update(
        actor=manager,
        project=project,
        name="助餐服务（第二期）",
        cycle_years=2,
        budget=D("150000.00"),
        kpi_weights={"confirmed": 2, "rating": 1},
        items=[(market["meal"], D("16.50"), 100)],
    )
    project.refresh_from_db()
    assert project.cycle_years == 2 and project.ends_on.year == project.starts_on.year + 2
    assert [(pi.item_id, pi.unit_price) for pi in project.items.all()] == [
        (market["meal"].pk, D("16.50"))
    ]
    entry = AuditEntry.objects.filter(object_type="evaluation.project").latest("pk")
    assert entry.detail["before"]["budget"] != entry.detail["after"]["budget"]
    with pytest.raises(PermissionDenied):
        project_update(
            actor=actors["jianye_manager"],
            project=project,
            name="x",
            cycle_years=1,
            budget=D(1),
            kpi_weights={"confirmed": 1},
            items=[(market["meal"], D(1), 0)],
        )


def test_the_project_form_and_api(market, areas, actors):
    client = _client(actors["qixia_manager"])
    url = reverse("evaluation:project_create")
    assert client.get(url).status_code == 200
    bad = client.post(url, {"code": "GP-NEW-1", "name": "新项目", "cycle_years": "1"})
    assert bad.status_code == 422
    assert "至少" in bad.content.decode()  # Chinese messages
    good = {
        "code": "GP-NEW-1",
        "name": "新项目",
        "provider": market["provider_a"].pk,
        "starts_on": "2026-01-01",
        "cycle_years": "2",
        "period_kind": "quarter",
        "budget": "80000",
        "w_confirmed": "1",
        "item_0": market["meal"].pk,
        "price_0": "15.00",
        "target_0": "50",
    }
    created = client.post(url, good)
    assert created.status_code == 302
    project = Project.objects.get(code="GP-NEW-1")
    assert project.cycle_years == 2 and project.district == areas["qixia"]

    api = f"/api/v1/districts/{areas['qixia'].pk}/settlement-tiers"
    answer = client.put(
        api,
        json.dumps({"tiers": [{"minimum": 90, "percent": 100}, {"minimum": 95, "percent": 50}]}),
        content_type="application/json",
    )
    assert answer.status_code == 422 and answer.json()["code"]
    answer = client.put(
        f"/api/v1/projects/{project.pk}",
        json.dumps(
            {
                "name": "新项目",
                "cycle_years": 1,
                "budget": "90000",
                "kpi_weights": {"confirmed": 1, "nonsense": 1},
                "items": [{"item_id": market["meal"].pk, "unit_price": "15.00"}],
            }
        ),
        content_type="application/json",
    )
    assert answer.status_code == 422 and "kpi_weights" in json.dumps(answer.json())
    city = _client(actors["city_admin"])
    assert city.get(api).json()["configured"] is False
    assert (
        city.put(api, json.dumps({"tiers": []}), content_type="application/json").status_code == 403
    )


def test_the_applicant_is_told_and_can_look_the_application_up(
    submission, actors, monkeypatch, django_capture_on_commit_callbacks
):
    sent: list[tuple[str, str]] = []
    monkeypatch.setattr(applications_services, "send_sms", lambda m, t: sent.append((m, t)))
    application = applications_services.application_submit(
        **{**submission, "contact_phone": "139 1234 5678"}
    )
    with django_capture_on_commit_callbacks(execute=True):
        applications_services.application_reject(
            actor=actors["qixia_manager"], application=application, reason="专业社工人数不足"
        )
    assert [mobile for mobile, _text in sent] == ["13912345678"]
    assert application.number in sent[0][1]

    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    url = reverse("evaluation:apply_status")
    wrong = client.post(url, {"number": application.number, "contact_phone": "13900000000"})
    assert wrong.status_code == 404 and "专业社工人数不足" not in wrong.content.decode()
    right = client.post(url, {"number": application.number.lower(), "contact_phone": "13912345678"})
    assert right.status_code == 200
    assert "专业社工人数不足" in right.content.decode()
