"""Pages and API of projects and settlement: a manager records a spot check, drafts, approves and
prints a statement; the provider disputes through the API; lists export to Excel."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from jiuzhu.evaluation.models import SpotCheck, Statement


@pytest.fixture
def manager_client(client, actors):
    client.force_login(actors["qixia_manager"])
    return client


def test_a_manager_records_a_spot_check_drafts_approves_and_prints(
    manager_client, project, march_deliveries
):
    detail = reverse("evaluation:project_detail", args=[project.pk])
    page = manager_client.get(detail)
    assert page.status_code == 200 and project.code in page.content.decode()
    response = manager_client.post(
        reverse("evaluation:spot_check_create", args=[project.pk]),
        {
            "checked_on": "2026-03-12",
            "method": "visit",
            "orders": march_deliveries[0].number,
            "findings": "上门核实，服务属实",
            "score": "95",
        },
    )
    assert response.status_code == 302
    assert SpotCheck.objects.get(project=project).orders.count() == 1
    response = manager_client.post(
        reverse("evaluation:statement_draft", args=[project.pk]), {"period": "2026-03"}
    )
    statement = Statement.objects.get(project=project, period="2026-03")
    assert response["Location"] == reverse("evaluation:statement_detail", args=[statement.pk])
    page = manager_client.get(response["Location"]).content.decode()
    assert "63.33" in page and march_deliveries[0].number in page
    manager_client.post(reverse("evaluation:statement_act", args=[statement.pk, "approve"]))
    statement.refresh_from_db()
    assert statement.status == "approved"
    printed = manager_client.get(reverse("evaluation:statement_print", args=[statement.pk]))
    assert printed.status_code == 200 and "statement-print.css" in printed.content.decode()
    for name in ("project_export", "statement_export", "rankings_export"):
        exported = manager_client.get(reverse(f"evaluation:{name}"))
        assert exported.status_code == 200, name
        assert exported["Content-Type"].startswith("application/vnd.openxml")
    rankings = manager_client.get(reverse("evaluation:rankings"))
    assert rankings.status_code == 200 and "63.33" in rankings.content.decode()


def test_the_provider_disputes_through_the_api_and_the_manager_resolves(
    client, project, march_deliveries, market, actors
):
    client.force_login(actors["qixia_manager"])
    drafted = client.post(
        f"/api/v1/projects/{project.pk}/statements",
        json.dumps({"period": "2026-03"}),
        content_type="application/json",
    ).json()
    assert drafted["total"] == "63.33" and len(drafted["lines"]) == 2
    line = drafted["lines"][0]
    client.force_login(market["staff_a"])
    listed = client.get("/api/v1/settlements").json()
    assert listed["count"] == 1
    disputed = client.post(
        f"/api/v1/settlements/{drafted['id']}/lines/{line['id']}/dispute",
        json.dumps({"reason": "少算一次"}),
        content_type="application/json",
    )
    assert disputed.status_code == 200
    assert client.post(f"/api/v1/settlements/{drafted['id']}/approve").status_code == 403
    client.force_login(actors["qixia_manager"])
    assert client.post(f"/api/v1/settlements/{drafted['id']}/approve").status_code == 409
    resolved = client.post(
        f"/api/v1/settlements/{drafted['id']}/lines/{line['id']}/resolve",
        json.dumps({"uphold": True, "amount": "15.00", "note": "核实属实"}),
        content_type="application/json",
    )
    assert resolved.status_code == 200
    approved = client.post(f"/api/v1/settlements/{drafted['id']}/approve").json()
    assert approved["status"] == "approved"
    bad = client.post(
        f"/api/v1/projects/{project.pk}/statements",
        json.dumps({"period": "March"}),
        content_type="application/json",
    )
    assert bad.status_code == 422
    # another provider sees neither the project nor the statement
    client.force_login(market["staff_b"])
    assert client.get(f"/api/v1/settlements/{drafted['id']}").status_code == 404
    assert client.get(f"/api/v1/projects/{project.pk}").status_code == 404


def test_the_chinese_statement_page_is_chinese(actors, project, march_deliveries):
    from django.test import Client

    from jiuzhu.evaluation.services.statements import statement_draft

    statement, _ = statement_draft(actor=actors["qixia_manager"], project=project, period="2026-03")
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(actors["qixia_manager"])
    for url in (
        reverse("evaluation:statement_detail", args=[statement.pk]),
        reverse("evaluation:statement_print", args=[statement.pk]),
        reverse("evaluation:project_detail", args=[project.pk]),
        reverse("evaluation:rankings"),
    ):
        page = client.get(url).content.decode()
        for english in ("Quality score", "Total (yuan)", "Spot checks", "Person-times"):
            assert english not in page, (url, english)
    page = client.get(reverse("evaluation:statement_detail", args=[statement.pk])).content
    assert "质量分" in page.decode() and "审核并锁定" in page.decode()
    # The statement's history names its steps in Chinese, not by their stored codes.
    from jiuzhu.evaluation.services.statements import statement_approve

    statement_approve(actor=actors["qixia_manager"], statement=statement)
    page = client.get(reverse("evaluation:statement_detail", args=[statement.pk])).content.decode()
    assert "草稿 → 已审核锁定" in page and "draft → approved" not in page


def test_lists_run_a_constant_number_of_queries(client, actors, areas, market):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from factories import ProjectFactory, ProjectItemFactory, StatementFactory

    client.force_login(actors["qixia_manager"])

    def grow(n):
        for _ in range(n):
            project = ProjectFactory(provider=market["provider_a"], district=areas["qixia"])
            ProjectItemFactory(project=project, item=market["meal"])
            StatementFactory(project=project)

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    urls = [
        reverse("evaluation:project_list"),
        reverse("evaluation:statement_list"),
        "/api/v1/projects",
        "/api/v1/settlements",
    ]
    grow(2)
    small = [count(url) for url in urls]
    grow(5)
    assert [count(url) for url in urls] == small
