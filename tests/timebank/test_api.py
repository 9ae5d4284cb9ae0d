"""The time-bank API: accounts, entries, and transfers with an Idempotency-Key."""

import json

import pytest

from jiuzhu.timebank.models import Movement

pytestmark = pytest.mark.django_db


def call(client, user, method, path, body=None, **headers):
    client.force_login(user)
    return getattr(client, method)(
        f"/api/v1{path}",
        data=json.dumps(body) if body is not None else None,
        content_type="application/json",
        **headers,
    )


def test_a_volunteer_lists_their_account_and_its_entries(client, funded):
    account = funded(90)
    funded(30)
    listed = call(client, account.holder, "get", "/timebank/accounts").json()
    assert [a["id"] for a in listed["items"]] == [account.pk]
    assert listed["items"][0]["balance_minutes"] == 90
    entries = call(client, account.holder, "get", f"/timebank/accounts/{account.pk}/entries")
    assert entries.json()["items"][0]["minutes"] == 90


def test_another_volunteers_account_is_404(client, funded):
    mine, theirs = funded(90), funded(30)
    response = call(client, mine.holder, "get", f"/timebank/accounts/{theirs.pk}/entries")
    assert response.status_code == 404


def test_a_retried_transfer_with_one_key_moves_the_hours_once(client, funded):
    giver, spouse = funded(600), funded(0)
    body = {
        "kind": "transfer",
        "minutes": 60,
        "target_id": spouse.pk,
        "relation_to_holder": "spouse",
    }
    first = call(
        client, giver.holder, "post", "/timebank/transfers", body, HTTP_IDEMPOTENCY_KEY="k1"
    )
    again = call(
        client, giver.holder, "post", "/timebank/transfers", body, HTTP_IDEMPOTENCY_KEY="k1"
    )
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Movement.objects.filter(kind="transfer").count() == 1
    giver.refresh_from_db()
    assert giver.balance_minutes == 540


def test_a_refusal_names_the_rule(client, funded):
    giver = funded(30)
    response = call(
        client, giver.holder, "post", "/timebank/transfers", {"kind": "donation", "minutes": 60}
    )
    assert response.status_code == 422
    assert response.json()["code"] == "insufficient_balance"


def test_managers_list_accounts_and_others_are_refused(client, funded, actors):
    funded(60)
    assert call(client, actors["city_admin"], "get", "/timebank/accounts").json()["count"] >= 1
    assert call(client, actors["yaohua_caseworker"], "get", "/timebank/accounts").status_code == 403


def test_a_refused_transfer_replayed_with_its_key_keeps_its_denied_audit_entry(client, funded):
    from jiuzhu.core.models import AuditEntry

    giver = funded(30)
    body = {"kind": "donation", "minutes": 60}
    denied = AuditEntry.objects.filter(object_type="timebank.movement", result="denied")
    first = call(
        client, giver.holder, "post", "/timebank/transfers", body, HTTP_IDEMPOTENCY_KEY="r1"
    )
    assert first.status_code == 422
    assert denied.count() == 1  # the refusal's entry survived the key's transaction
    again = call(
        client, giver.holder, "post", "/timebank/transfers", body, HTTP_IDEMPOTENCY_KEY="r1"
    )
    assert (again.status_code, again.json()) == (422, first.json())
    assert again.json()["code"] == "insufficient_balance"
    assert denied.count() == 1  # the replay ran nothing and removed nothing
    assert not Movement.objects.filter(kind="donation").exists()


def test_managers_open_accounts_with_chinese_validation_errors(client, funded, actors):
    from django.utils import translation

    volunteer = funded(0).holder
    manager = actors["city_admin"]
    made = call(
        client,
        manager,
        "post",
        "/timebank/accounts",
        {"kind": "group", "holder": volunteer.username, "name": "仙林志愿队"},
    )
    assert made.status_code == 201, made.json()
    assert made.json()["kind"] == "group"
    with translation.override("zh-hans"):
        twice = call(
            client,
            manager,
            "post",
            "/timebank/accounts",
            {"kind": "individual", "holder": volunteer.username},
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
        missing = call(
            client,
            manager,
            "post",
            "/timebank/accounts",
            {"kind": "household"},
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
    assert twice.status_code == missing.status_code == 422
    assert twice.json()["extra"]["fields"]["holder"] == ["该志愿者已有账户。"]
    assert missing.json()["extra"]["fields"]["household_id"] == ["请填写家庭编号。"]
    refused = call(client, volunteer, "post", "/timebank/accounts", {"kind": "individual"})
    assert refused.status_code == 403


def test_a_counter_redemption_with_a_key_is_made_once(client, funded, actors):
    from factories import ProviderFactory

    staff = actors["provider_staff"]
    ProviderFactory(organisation=staff.organisation)
    account = funded(300, age=70)
    body = {"account_id": account.pk, "minutes": 60, "service": "助浴"}
    first = call(client, staff, "post", "/timebank/redemptions", body, HTTP_IDEMPOTENCY_KEY="c1")
    again = call(client, staff, "post", "/timebank/redemptions", body, HTTP_IDEMPOTENCY_KEY="c1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    account.refresh_from_db()
    assert account.balance_minutes == 240
    refused = call(
        client,
        staff,
        "post",
        "/timebank/redemptions",
        {**body, "minutes": 999},
        HTTP_IDEMPOTENCY_KEY="c2",
    )
    assert refused.json()["code"] == "insufficient_balance"


def test_a_group_activity_and_a_statement_through_the_api(client, funded, actors):
    from io import BytesIO

    from openpyxl import load_workbook

    staff = actors["provider_staff"]
    a, b = funded(0), funded(0)
    for account in (a, b):
        account.holder.organisation = staff.organisation
        account.holder.save()
    body = {
        "title": "社区敬老日",
        "participants": [{"account_id": a.pk, "minutes": 120}, {"account_id": b.pk, "minutes": 60}],
    }
    made = call(client, staff, "post", "/timebank/activities", body)
    assert made.status_code == 201, made.json()
    assert (made.json()["participants"], made.json()["minutes"]) == (2, 180)
    statement = call(client, a.holder, "get", f"/timebank/accounts/{a.pk}/statement")
    assert statement.status_code == 200
    book = load_workbook(BytesIO(b"".join(statement.streaming_content)))
    rows = list(book.worksheets[1].iter_rows(values_only=True))
    assert rows[-1][2] == "社区敬老日" and rows[-1][4] == 2
    other = call(client, b.holder, "get", f"/timebank/accounts/{a.pk}/statement")
    assert other.status_code == 404
