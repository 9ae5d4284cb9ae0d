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
    ("query", "message"),
    [
        ({"page": "x"}, None),  # not a page number: the first page
        ({"date_from": "not-a-date"}, "Enter a valid date."),
        ({"date_to": "2026-13-45"}, "Enter a valid date."),
        ({"action": "destroy"}, "Select a valid choice. destroy is not one of"),
        ({"result": "maybe"}, "Select a valid choice. maybe is not one of"),
        ({"object_type": "no.such"}, "Select a valid choice. no.such is not one of"),
        ({"actor": "a" * 400}, "Ensure this value has at most 150 characters (it has 400)."),
    ],
)
def test_a_bad_filter_is_explained_and_the_whole_log_shown(client, actors, trail, query, message):
    client.force_login(actors["audit_admin"])
    response = client.get("/audit/", query, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert len(response.context["page_obj"].object_list) == trail
    assert "mallory" in response.content.decode()
    errors = response.context["form"].errors
    if message is None:
        assert not errors
    else:
        assert message in str(errors)
        if message.startswith("Enter a valid date"):  # other fields fall back to "all"
            assert message.split(" (")[0] in response.content.decode()


def test_the_log_has_no_way_to_change_entries(client, actors, trail):
    client.force_login(actors["audit_admin"])
    page = client.get("/audit/").content.decode()
    assert 'method="post"' not in page.split("<main", 1)[1].split("</main>", 1)[0]
    posted = client.post("/audit/", {"id": "1", "action": "delete"})
    # A POST changes nothing: it is answered with the same read-only list.
    assert (posted.status_code, len(posted.context["page_obj"].object_list)) == (200, trail)
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
