"""SLA policies, escalations and provider monitoring pages: who may use them, what they show,
and that bad input never gives a 500."""

import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from jiuzhu.core.models import AuditEntry
from jiuzhu.dispatch.models import Escalation, SlaPolicy
from jiuzhu.orders.services.orders import order_accept, order_create

pytestmark = pytest.mark.django_db

SLA = "/dispatch/sla/"
ESCALATIONS = "/dispatch/escalations/"
MONITORING = "/dispatch/providers/"


# ---------------------------------------------------------------- SLA policies


def test_the_sla_page_shows_defaults_and_the_preferred_time_rule(client, actors):
    client.force_login(actors["qixia_manager"])
    page = client.get(SLA).content.decode()
    assert "Built-in defaults" in page
    assert "preferred time + 4 hours" in page
    assert "None yet: the built-in defaults apply." in page


def test_a_manager_adds_and_edits_a_policy(client, actors, areas):
    client.force_login(actors["qixia_manager"])
    data = {
        "urgency_tag": "care",
        "sla_class": "standard",
        "accept_hours": "6",
        "complete_hours": "48",
    }
    response = client.post(SLA, data)
    assert response.status_code == 302 and response["Location"] == SLA
    policy = SlaPolicy.objects.get(district=areas["qixia"])
    assert (policy.accept_hours, policy.complete_hours) == (6, 48)
    edit = client.get(f"{SLA}?urgency_tag=care&sla_class=standard").content.decode()
    assert 'value="6.00"' in edit or 'value="6"' in edit
    client.post(SLA, {**data, "accept_hours": "4.5"})
    policy.refresh_from_db()
    assert policy.accept_hours == 4.5 and SlaPolicy.objects.count() == 1
    assert AuditEntry.objects.filter(object_type="dispatch.slapolicy").count() == 2


@pytest.mark.parametrize(
    "data",
    [
        {"accept_hours": "10", "complete_hours": "5"},
        {"accept_hours": "abc", "complete_hours": "5"},
        {"accept_hours": "0", "complete_hours": "5"},
        {"accept_hours": "-3", "complete_hours": "5"},
        {"accept_hours": "1e9", "complete_hours": "1e9"},
        {"urgency_tag": "nonsense", "accept_hours": "1", "complete_hours": "5"},
        {},
    ],
)
def test_bad_policies_are_refused_on_the_form(client, actors, data):
    client.force_login(actors["qixia_manager"])
    response = client.post(SLA, data)
    assert response.status_code == 200
    assert "Please correct the fields marked below." in response.content.decode()
    assert not SlaPolicy.objects.exists()


@pytest.mark.parametrize(
    "name", ["yaohua_caseworker", "city_admin", "qixia_hotline", "provider_staff"]
)
def test_only_district_managers_open_the_sla_page(client, actors, name):
    client.force_login(actors[name])
    assert client.get(SLA).status_code == 403
    assert client.post(SLA, {"accept_hours": "1", "complete_hours": "2"}).status_code == 403


def test_bad_edit_parameters_are_ignored(client, actors):
    client.force_login(actors["qixia_manager"])
    response = client.get(f"{SLA}?urgency_tag=<script>&sla_class=zz")
    page = response.content.decode()
    # The bad values are dropped: the policy form is shown blank, never echoing the input.
    assert response.status_code == 200
    assert 'name="accept_hours"' in page
    main = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page.split("<main", 1)[1])
    # (The CSRF token is random text: it may contain "zz" by chance, so it is not searched.)
    assert "<script>&" not in page and "zz" not in main


# ---------------------------------------------------------------- escalations


@pytest.fixture
def escalated(market):
    order = order_create(
        actor=market["beneficiary"], household=market["household"], item=market["meal"]
    )
    return Escalation.objects.create(order=order, reason="no_provider")


def test_open_escalations_are_listed_with_their_order(client, actors, escalated):
    client.force_login(actors["qixia_manager"])
    page = client.get(ESCALATIONS).content.decode()
    assert escalated.order.number in page
    assert f'href="/orders/{escalated.order_id}/"' in page
    assert "No eligible provider" in page


def test_resolving_with_a_note(client, actors, escalated):
    client.force_login(actors["yaohua_caseworker"])
    url = reverse("dispatch:escalation_resolve", args=[escalated.pk])
    assert client.post(url, {"note": ""}).status_code == 302
    escalated.refresh_from_db()
    assert escalated.resolved_at is None
    response = client.post(url, {"note": "电话联系了服务机构乙，已接单"})
    assert response.status_code == 302
    escalated.refresh_from_db()
    assert escalated.resolved_at and escalated.resolved_by == actors["yaohua_caseworker"]
    link = f'href="/orders/{escalated.order_id}/"'
    page = client.get(ESCALATIONS).content.decode()
    assert "resolved" in page and link not in page
    resolved = client.get(f"{ESCALATIONS}?resolved=1").content.decode()
    assert link in resolved and "电话联系了服务机构乙" in resolved
    again = client.post(url, {"note": "again"}, follow=True)
    assert "already resolved" in again.content.decode()


def test_escalations_outside_the_area_are_not_found(client, actors, escalated):
    url = reverse("dispatch:escalation_resolve", args=[escalated.pk])
    for name in ("maqun_caseworker", "jianye_manager"):
        client.force_login(actors[name])
        assert escalated.order.number not in client.get(ESCALATIONS).content.decode()
        assert client.post(url, {"note": "x"}).status_code == 404


def test_a_city_admin_sees_but_does_not_resolve(client, actors, escalated):
    client.force_login(actors["city_admin"])
    page = client.get(ESCALATIONS).content.decode()
    assert escalated.order.number in page and 'name="note"' not in page
    url = reverse("dispatch:escalation_resolve", args=[escalated.pk])
    assert client.post(url, {"note": "x"}).status_code == 403


def test_the_escalation_list_survives_bad_filters(client, actors, escalated):
    client.force_login(actors["qixia_manager"])
    for query in ("street=abc", "page=999", "page=-1", "resolved=yes", "street=99999"):
        assert client.get(f"{ESCALATIONS}?{query}").status_code == 200, query


# ---------------------------------------------------------------- provider monitoring


def test_monitoring_shows_the_providers_of_the_area(client, actors, market):
    order = order_create(
        actor=market["beneficiary"], household=market["household"], item=market["meal"]
    )
    order_accept(actor=market["staff_a"], order=order)
    client.force_login(actors["qixia_manager"])
    page = client.get(MONITORING).content.decode()
    assert "服务机构甲" in page and "服务机构丙" in page
    assert "100.0%" in page  # provider A accepted the one order it was asked about
    client.force_login(actors["yaohua_caseworker"])
    page = client.get(MONITORING).content.decode()
    assert "服务机构甲" in page and "服务机构丙" not in page  # C serves only Maqun


@pytest.mark.parametrize(
    "query",
    [
        "period=7",
        "period=90",
        "period=custom&start=2026-01-01&end=2026-01-31",
        "period=custom&start=2026-02-01&end=2026-01-01",
        "period=custom&start=bad&end=",
        "period=custom&start=2000-01-01&end=2026-01-01",
        "period=13",
        "start=2026-01-01",
    ],
)
def test_monitoring_periods_never_fail(client, actors, market, query):
    client.force_login(actors["qixia_manager"])
    response = client.get(f"{MONITORING}?{query}")
    assert response.status_code == 200
    page = response.content.decode()
    # Whatever the period, the table lists the providers serving Qixia.
    assert "服务机构乙" in page and "服务机构丙" in page


def test_monitoring_exports_to_excel_with_an_audit_entry(client, actors, market):
    client.force_login(actors["qixia_manager"])
    response = client.get(f"{MONITORING}export.xlsx?period=7")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.active.values)
    assert rows[0][0] == "Provider" and len(rows) == 4  # header + providers A, B, C
    assert AuditEntry.objects.filter(action="export", object_type="dispatch.monitoring").exists()


@pytest.mark.parametrize("name", ["qixia_hotline", "provider_staff", "beneficiary"])
def test_monitoring_is_for_managers_and_caseworkers(client, actors, market, name):
    user = market["beneficiary"] if name == "beneficiary" else actors[name]
    client.force_login(user)
    assert client.get(MONITORING).status_code == 403
    assert client.get(f"{MONITORING}export.xlsx").status_code == 403
