"""Every list page exports through one mechanism (``core/views/list_export.py``): the workbook
holds exactly the rows the list shows the user (their scope, their filters), each export leaves
an audit entry, and past ``EXPORT_MAX_ROWS`` the user is sent back with a message."""

from __future__ import annotations

import io

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from openpyxl import load_workbook

from jiuzhu.core.models import AuditAction, AuditEntry
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
]


@pytest.mark.parametrize(("url", "actor", "key", "query"), LISTS, ids=[row[2] for row in LISTS])
def test_export_holds_the_scoped_list_and_is_audited(market, actors, url, actor, key, query):  # noqa: F811
    client = Client()
    client.force_login(actors[actor])
    address = reverse(url) + "?" + query
    listed = client.get(address).context["page_obj"].paginator.count
    response = client.get(address + "&export=xlsx")
    assert response.status_code == 200, response.content[:300]
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.max_row - 1 == listed
    entry = AuditEntry.objects.filter(action=AuditAction.EXPORT).latest("pk")
    assert entry.detail["list"] == key and entry.detail["rows"] == listed
    assert entry.actor_id == actors[actor].pk


def test_past_the_row_limit_the_list_says_so(market, actors):  # noqa: F811
    client = Client()
    client.force_login(actors["city_admin"])
    with override_settings(EXPORT_MAX_ROWS=1):
        response = client.get(reverse("catalog:item_list") + "?export=xlsx", follow=True)
    assert response.redirect_chain[-1][0] == reverse("catalog:item_list")
    message = str(next(iter(response.context["messages"])))
    assert "1" in message and ("at most" in message or "最多" in message)
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()
