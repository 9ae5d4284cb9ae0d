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
