"""The pages: the volunteer's phone page, deposits to confirm, the managers' list and export."""

import pytest
from django.urls import reverse

from jiuzhu.orders.services.evidence import delivery_confirm
from jiuzhu.timebank.models import Deposit, DepositStatus

pytestmark = pytest.mark.django_db


def test_the_volunteer_sees_balance_stars_history_and_tasks(
    client, completed, market, actors, inline
):
    order = completed(minutes=90)
    inline(delivery_confirm, actor=market["beneficiary"], order=order)
    client.force_login(actors["volunteer"])
    page = client.get(reverse("timebank:mine")).content.decode()
    assert 'data-testid="balance">1.50</strong>' in page, page[page.find("balance") - 200 :][:600]
    assert "助餐" in page


def test_the_history_counts_in_hours_under_its_hour_headings(
    client, completed, market, actors, inline
):
    order = completed(minutes=90)
    inline(delivery_confirm, actor=market["beneficiary"], order=order)
    client.force_login(actors["volunteer"])
    page = client.get(reverse("timebank:mine"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    history = page[page.find("<table") :]
    # 90 minutes deposited into an empty account: +1.5 hours, 1.5 hours after.
    assert 'data-label="小时数">+1.50</td>' in history, history[:1500]
    assert 'data-label="变动后余额">1.50</td>' in history
    assert "学时" not in history  # the training-hours word is not the bank's


def test_the_volunteer_donates_from_the_page(client, funded):
    account = funded(120)
    client.force_login(account.holder)
    response = client.post(reverse("timebank:move"), {"kind": "donation", "hours": "1"})
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.balance_minutes == 60


def test_a_refused_move_shows_the_rule(client, funded):
    account = funded(30)
    client.force_login(account.holder)
    response = client.post(
        reverse("timebank:move"), {"kind": "donation", "hours": "1"}, follow=True
    )
    assert "below zero" in response.content.decode()


def test_the_provider_confirms_from_the_list(client, completed, market):
    order = completed(minutes=45)
    client.force_login(market["staff_a"])
    listing = client.get(reverse("timebank:deposits")).content.decode()
    deposit = Deposit.objects.get(order=order)
    assert reverse("timebank:deposit_confirm", args=[deposit.pk]) in listing
    client.post(reverse("timebank:deposit_confirm", args=[deposit.pk]))
    deposit.refresh_from_db()
    assert deposit.status == DepositStatus.CONFIRMED


def test_managers_filter_and_export(client, funded, actors):
    account = funded(60)
    client.force_login(actors["city_admin"])
    page = client.get(reverse("timebank:accounts"), {"kind": "individual", "sort": "balance"})
    assert account.name in page.content.decode()
    export = client.get(reverse("timebank:accounts_export"))
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_report_shows_hours_by_category_and_street_and_flows(
    client, completed, market, funded, actors
):
    from jiuzhu.timebank.services.deposits import deposit_confirm
    from jiuzhu.timebank.services.ledger import transfer_make

    deposit = Deposit.objects.get(order=completed(minutes=45))
    deposit_confirm(actor=market["staff_a"], deposit=deposit)
    giver = funded(60)
    transfer_make(actor=giver.holder, source=giver, kind="donation", minutes=30)
    client.force_login(actors["city_admin"])
    page = client.get(reverse("timebank:report")).content.decode()
    assert deposit.category in page
    assert "Donation to the pool" in page
