"""The staff pages: opening accounts, a group activity, the counter, pool grants, the account
statement and the charts."""

import datetime as dt

import pytest
from django.urls import reverse

from factories import HouseholdFactory, MemberFactory, ProviderFactory, years_ago
from jiuzhu.core.models import AuditEntry
from jiuzhu.timebank.models import Account, Movement

pytestmark = pytest.mark.django_db
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def test_a_manager_opens_a_households_account_and_sees_chinese_errors(client, actors, areas):
    household = HouseholdFactory(community=areas["yaohua_a"])
    client.force_login(actors["qixia_manager"])
    empty = client.post(reverse("timebank:account_open"), {"kind": "household"}, **ZH)
    assert "请填写家庭编号。" in empty.content.decode()
    unknown = client.post(
        reverse("timebank:account_open"), {"kind": "individual", "holder": "nobody"}, **ZH
    )
    assert "没有使用该用户名的志愿者。" in unknown.content.decode()
    made = client.post(
        reverse("timebank:account_open"), {"kind": "household", "household_id": household.pk}
    )
    account = Account.objects.get(household=household)
    assert made["Location"] == reverse("timebank:account_detail", args=[account.pk])
    again = client.post(
        reverse("timebank:account_open"),
        {"kind": "household", "household_id": household.pk},
        **ZH,
    )
    assert "该家庭已有账户。" in again.content.decode()


def test_provider_staff_record_a_group_activity_with_each_volunteers_hours(client, actors, funded):
    staff = actors["provider_staff"]
    a, b = funded(0), funded(0)
    for account in (a, b):
        account.holder.organisation = staff.organisation
        account.holder.save()
    client.force_login(staff)
    page = client.get(reverse("timebank:activity_new")).content.decode()
    assert f'name="hours_{a.pk}"' in page
    bad = client.post(
        reverse("timebank:activity_new"),
        {"title": "敬老日", "held_on": "2026-01-01", f"hours_{a.pk}": "abc"},
        **ZH,
    )
    assert "0.5 至 24" in bad.content.decode()
    client.post(
        reverse("timebank:activity_new"),
        {
            "title": "敬老日",
            "held_on": str(dt.date.today()),
            f"hours_{a.pk}": "2",
            f"hours_{b.pk}": "1.5",
        },
    )
    assert [Account.objects.get(pk=x.pk).balance_minutes for x in (a, b)] == [120, 90]


def test_a_resubmitted_counter_form_redeems_once(client, actors, funded):
    staff = actors["provider_staff"]
    ProviderFactory(organisation=staff.organisation)
    account = funded(300, age=70)
    client.force_login(staff)
    form = {"account_id": account.pk, "hours": "1", "service": "助浴", "idempotency_key": "f1"}
    first = client.post(reverse("timebank:counter"), form)
    second = client.post(reverse("timebank:counter"), form)
    assert first.status_code == second.status_code == 302
    account.refresh_from_db()
    assert account.balance_minutes == 240
    listing = client.get(reverse("timebank:counter")).content.decode()
    assert "助浴" in listing
    refused = client.post(
        reverse("timebank:counter"), {**form, "hours": "10", "idempotency_key": "f2"}, **ZH
    )
    assert "余额" in refused.content.decode() or "不足" in refused.content.decode()
    assert 'value="f2"' not in refused.content.decode()  # a corrected form is a new request
    reused = client.post(
        reverse("timebank:counter"), {**form, "hours": "2", "idempotency_key": "f2"}
    )
    assert reused.status_code == 200  # the key of another request: a message, never a 500
    assert Movement.objects.filter(kind="redemption").count() == 1


def test_the_pool_page_lists_priorities_and_grants(client, actors, areas, funded):
    from jiuzhu.timebank.services.ledger import account_open, transfer_make

    donor = funded(120)
    transfer_make(actor=donor.holder, source=donor, kind="donation", minutes=120)
    household = HouseholdFactory(community=areas["yaohua_a"])
    MemberFactory(household=household, birth_date=years_ago(80))
    account = account_open(
        actor=actors["qixia_manager"], kind="household", household_id=household.pk
    )
    client.force_login(actors["qixia_manager"])
    page = client.get(reverse("timebank:pool"), **ZH).content.decode()
    assert "独居老人" in page
    client.post(reverse("timebank:pool"), {f"hours_{account.pk}": "1"})
    account.refresh_from_db()
    assert account.balance_minutes == 60


def test_the_statement_is_exported_and_audited_and_the_pages_carry_their_charts(
    client, actors, funded
):
    account = funded(90)
    client.force_login(account.holder)
    detail = client.get(reverse("timebank:account_detail", args=[account.pk])).content.decode()
    assert 'data-timebank-chart="flow-chart"' in detail
    assert 'data-testid="flows-table"' in detail
    assert reverse("timebank:account_statement", args=[account.pk]) in detail
    export = client.get(reverse("timebank:account_statement", args=[account.pk]))
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AuditEntry.objects.filter(
        action="export", object_type="timebank.entry", detail__account=account.pk
    ).exists()
    client.force_login(actors["city_admin"])
    report = client.get(reverse("timebank:report")).content.decode()
    assert 'data-timebank-chart="totals-chart"' in report
    assert 'id="flow-chart"' in report
