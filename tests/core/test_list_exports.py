"""Every list page exports through one mechanism (``core/views/list_export.py``): the workbook
holds exactly the rows the list shows the user (their scope, their filters), each export leaves
an audit entry, and past ``EXPORT_MAX_ROWS`` the user is told so (and offered a background
export, ``test_background_exports.py``)."""

from __future__ import annotations

import io

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from jiuzhu.assessment.services.dues import due_for_registered
from jiuzhu.core.models import AuditAction, AuditEntry, ExportJob
from jiuzhu.registry.services.notes import note_create
from jiuzhu.registry.services.transfers import transfer_request
from market_cast import market  # noqa: F401

#: (list URL, actor, list key in the audit trail, query)
LISTS = [
    ("catalog:item_list", "city_admin", "catalog.items", "q=助"),
    ("orders:provider_list", "yaohua_caseworker", "orders.providers", ""),
    ("orders:inbox", "provider_staff", "orders.inbox", ""),
    ("orders:tasks", "volunteer", "orders.tasks", ""),
    ("dispatch:escalations", "qixia_manager", "dispatch.escalations", ""),
    ("discovery:warning_list", "yaohua_caseworker", "discovery.warnings", ""),
    ("core:account_list", "security_admin", "core.accounts", "role=street_caseworker"),
    ("assessment:queue", "yaohua_caseworker", "assessment.queue", ""),
    ("registry:followup_list", "yaohua_caseworker", "registry.followups", ""),
    ("registry:transfer_list", "yaohua_caseworker", "registry.transfers", ""),
]


#: lists the market world leaves empty: the test gives each a row first
CASEWORK = {"registry.followups", "registry.transfers", "assessment.queue"}


def _casework_rows(market, actors, areas) -> None:  # noqa: F811
    caseworker, household = actors["yaohua_caseworker"], market["household"]
    today = timezone.localdate()
    due_for_registered(household_id=household.pk)
    note_create(
        actor=caseworker,
        household=household,
        kind="phone_call",
        occurred_on=today,
        findings="电话回访",
        next_step="上门核实",
        follow_up_on=today,
    )
    transfer_request(
        actor=caseworker, household=household, to_community=areas["maqun_a"], reason="搬家"
    )


@pytest.mark.parametrize(("url", "actor", "key", "query"), LISTS, ids=[row[2] for row in LISTS])
def test_export_holds_the_scoped_list_and_is_audited(market, actors, areas, url, actor, key, query):  # noqa: F811
    if key in CASEWORK:
        _casework_rows(market, actors, areas)
    client = Client()
    client.force_login(actors[actor])
    address = reverse(url) + "?" + query
    listed = client.get(address).context["page_obj"].paginator.count
    response = client.get(address + "&export=xlsx")
    assert response.status_code == 200, response.content[:300]
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.max_row - 1 == listed
    if key in CASEWORK:
        assert listed >= 1
    entry = AuditEntry.objects.filter(action=AuditAction.EXPORT).latest("pk")
    assert entry.detail["list"] == key and entry.detail["rows"] == listed
    assert entry.actor_id == actors[actor].pk


def test_past_the_row_limit_the_list_says_so(market, actors):  # noqa: F811
    client = Client()
    client.force_login(actors["city_admin"])
    with override_settings(EXPORT_MAX_ROWS=1):
        response = client.get(reverse("catalog:item_list") + "?export=xlsx&q=助")
    assert response.status_code == 200 and not response.has_header("Content-Disposition")
    assert response.context["back"] == reverse("catalog:item_list") + "?q=%E5%8A%A9"
    message = response.context["message"]
    assert "1" in message and ("at most" in message or "最多" in message)
    assert response.context["token"]  # and a background export is offered
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()


#: lists the market world (with the casework rows) leaves empty: nothing to export past a limit
EMPTY = {"orders.inbox", "orders.tasks", "dispatch.escalations", "discovery.warnings"}
FILLED = [row for row in LISTS if row[2] not in EMPTY]


@pytest.mark.parametrize(("url", "actor", "key", "query"), FILLED, ids=[row[2] for row in FILLED])
def test_past_the_limit_the_background_export_holds_the_same_rows(
    market,  # noqa: F811
    actors,
    areas,
    url,
    actor,
    key,
    query,
    django_capture_on_commit_callbacks,  # noqa: F811
):
    """The job replays each list's own view as its owner: the file has every listed row."""
    _casework_rows(market, actors, areas)
    client = Client()
    client.force_login(actors[actor])
    address = reverse(url) + "?" + query
    listed = client.get(address).context["page_obj"].paginator.count
    assert listed >= 1, "the world should give every list a row"
    with override_settings(EXPORT_MAX_ROWS=listed - 1):
        offer = client.get(address + "&export=xlsx")
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("core:export_jobs"), {"token": offer.context["token"]})
    job = ExportJob.objects.get()
    assert (job.status, job.total, job.written) == ("done", listed, listed), job.error
    response = client.get(reverse("core:export_job_file", args=[job.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.max_row - 1 == listed
    entry = AuditEntry.objects.filter(action=AuditAction.EXPORT, detail__background=job.pk).get()
    assert entry.detail["list"] == key and entry.actor_id == actors[actor].pk
