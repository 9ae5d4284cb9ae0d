"""The audit log page: audit administrator only, filterable, read-only, export audited."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from jiuzhu.core import audit
from jiuzhu.core.models import AuditAction, AuditEntry, AuditResult

pytestmark = pytest.mark.django_db


@pytest.fixture
def trail(actors):
    audit.record(actor=actors["qixia_manager"], action=AuditAction.VIEW, object_type="x.y")
    audit.record(
        actor=actors["qixia_manager"],
        action=AuditAction.EXPORT,
        object_type="registry.household",
        detail={"rows": 3},
    )
    audit.record(
        actor=None, actor_label="mallory", action=AuditAction.LOGIN, result=AuditResult.FAILURE
    )
    return AuditEntry.objects.count()


@pytest.mark.parametrize(
    "name", ["security_admin", "city_admin", "qixia_manager", "qixia_hotline", "assessor"]
)
def test_only_the_audit_admin_reads_the_log(client, actors, trail, name):
    client.force_login(actors[name])
    assert client.get("/audit/").status_code == 403
    assert client.get("/audit/export.xlsx").status_code == 403


def test_the_log_lists_newest_first_and_filters(client, actors, trail):
    client.force_login(actors["audit_admin"])
    response = client.get("/audit/")
    assert response.status_code == 200
    entries = list(response.context["page_obj"])
    assert len(entries) == trail
    assert entries[0].actor_label == "mallory"
    assert [e.action for e in client.get("/audit/", {"action": "export"}).context["page_obj"]] == [
        "export"
    ]
    by_actor = client.get("/audit/", {"actor": "QIXIA_MANAGER"}).context["page_obj"]
    assert len(list(by_actor)) == 2
    failures = client.get("/audit/", {"result": "failure"}).context["page_obj"]
    assert [e.actor_label for e in failures] == ["mallory"]
    today = dt.date.today()
    future = client.get("/audit/", {"date_from": (today + dt.timedelta(days=2)).isoformat()})
    assert len(list(future.context["page_obj"])) == 0


def test_viewing_the_log_is_not_audited(client, actors, trail):
    client.force_login(actors["audit_admin"])
    client.get("/audit/")
    assert AuditEntry.objects.count() == trail


@pytest.mark.parametrize(
    "query",
    [
        {"page": "x"},
        {"date_from": "not-a-date"},
        {"date_to": "2026-13-45"},
        {"action": "destroy"},
        {"result": "maybe"},
        {"object_type": "no.such"},
        {"actor": "a" * 400},
    ],
)
def test_bad_filters_do_not_break_the_log(client, actors, trail, query):
    client.force_login(actors["audit_admin"])
    assert client.get("/audit/", query).status_code == 200


def test_the_log_has_no_way_to_change_entries(client, actors, trail):
    client.force_login(actors["audit_admin"])
    page = client.get("/audit/").content.decode()
    assert 'method="post"' not in page.split("<main", 1)[1].split("</main>", 1)[0]
    assert client.post("/audit/").status_code in (403, 405, 200)
    assert AuditEntry.objects.count() == trail


def test_the_export_is_a_workbook_and_is_audited(client, actors, trail):
    client.force_login(actors["audit_admin"])
    response = client.get("/audit/export.xlsx", {"actor": "qixia_manager"})
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 1 + 2
    entry = AuditEntry.objects.order_by("-id").first()
    assert entry.action == AuditAction.EXPORT
    assert entry.actor == actors["audit_admin"]
    assert entry.object_type == "core.auditentry"
    assert entry.detail["rows"] == 2
    assert entry.detail["filters"] == {"actor": "qixia_manager"}


def test_htmx_filtering_returns_the_results_fragment(client, actors, trail):
    client.force_login(actors["audit_admin"])
    response = client.get("/audit/", {"action": "login"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.startswith('<div id="audit-results">')
    assert "mallory" in body
