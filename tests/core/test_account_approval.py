"""Four eyes for case data (MLPS 三权分立): one security administrator cannot give anyone —
themselves included — a role that sees case data; an account whose password an administrator
chose must choose its own at the first sign-in; the operator bootstraps the first administrator
from the command line."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from factories import UserFactory
from jiuzhu.core.errors import PermissionDenied
from jiuzhu.core.models import AuditEntry, Role, User
from jiuzhu.core.services.accounts import account_approve, account_create
from jiuzhu.core.services.tokens import token_authenticate, token_create

pytestmark = pytest.mark.django_db

PASSWORD = "Qixia-Street-2026!"
OWN_PASSWORD = "Mine-Alone-2026?"


@pytest.fixture
def second_admin():
    return UserFactory(username="security_admin_2", role=Role.SECURITY_ADMIN)


def _city_admin(actor: User) -> User:
    return account_create(
        actor=actor, username="new_city_admin", role=Role.CITY_ADMIN, password=PASSWORD,
        area=actor.area if actor.area and actor.area.level == "city" else None,
    )  # fmt: skip


@pytest.mark.parametrize(
    "role,needs_approval",
    [
        (Role.CITY_ADMIN, True),
        (Role.COMMUNITY_WORKER, True),
        (Role.ASSESSOR, True),
        (Role.SECURITY_ADMIN, True),
        (Role.AUDIT_ADMIN, False),
    ],
)
def test_which_grants_wait_for_a_second_administrator(actors, areas, role, needs_approval):
    placement = {
        Role.CITY_ADMIN: {"area": areas["city"]},
        Role.COMMUNITY_WORKER: {"area": areas["yaohua_a"]},
        Role.ASSESSOR: {"organisation": actors["assessor"].organisation},
    }.get(role, {})
    account = account_create(
        actor=actors["security_admin"], username="someone", role=role, password=PASSWORD,
        **placement,
    )  # fmt: skip
    assert account.is_active is (not needs_approval)
    assert account.must_change_password


def test_an_administrator_cannot_approve_their_own_request(actors, areas, second_admin):
    admin = actors["security_admin"]
    account = account_create(
        actor=admin, username="new_city_admin", role=Role.CITY_ADMIN, password=PASSWORD,
        area=areas["city"],
    )  # fmt: skip
    with pytest.raises(PermissionDenied, match="no one approves their own request"):
        account_approve(actor=admin, account=account)
    account.refresh_from_db()
    assert not account.is_active
    assert AuditEntry.objects.filter(result="denied", object_id=str(account.pk)).exists()
    account_approve(actor=second_admin, account=account)
    account.refresh_from_db()
    assert account.is_active and account.approved_by == second_admin


def test_the_loophole_of_a_second_self_made_administrator_is_closed(actors, client):
    admin = actors["security_admin"]
    accomplice = account_create(
        actor=admin, username="sock_puppet", role=Role.SECURITY_ADMIN, password=PASSWORD
    )
    assert not accomplice.is_active  # cannot sign in to approve anything
    client.post("/login/", {"username": "sock_puppet", "password": PASSWORD})
    assert "_auth_user_id" not in client.session


def test_the_web_flow_with_two_administrators(client, actors, areas, second_admin):
    client.force_login(actors["security_admin"])
    response = client.post(
        "/accounts/new/",
        {
            "username": "new_city_admin", "display_name": "市管理员", "role": Role.CITY_ADMIN,
            "area": areas["city"].pk, "organisation": "", "mobile": "",
            "password1": PASSWORD, "password2": PASSWORD,
        },
        follow=True,
    )  # fmt: skip
    page = response.content.decode()
    assert response.redirect_chain, response.context["form"].errors
    account = User.objects.get(username="new_city_admin")
    assert "Awaiting approval" in page and "/approve/" not in page
    client.force_login(second_admin)
    detail = client.get(f"/accounts/{account.pk}/").content.decode()
    assert f'action="/accounts/{account.pk}/approve/"' in detail
    client.post(f"/accounts/{account.pk}/approve/")
    account.refresh_from_db()
    assert account.is_active


def test_the_first_sign_in_asks_for_an_own_password_before_anything_else(client, actors, areas):
    account = account_create(
        actor=actors["security_admin"], username="auditor2", role=Role.AUDIT_ADMIN,
        password=PASSWORD,
    )  # fmt: skip
    client.post("/login/", {"username": "auditor2", "password": PASSWORD})
    assert client.session["_auth_user_id"] == str(account.pk)
    assert client.get("/audit/")["Location"] == "/password/"
    api = client.get("/api/v1/areas")
    assert api.status_code == 403 and api.json()["code"] == "password_change_required"
    _, raw = token_create(user=account)
    assert token_authenticate(raw) is None
    same = client.post(
        "/password/",
        {"old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD},
    )
    assert "different from the current one" in same.content.decode()
    changed = client.post(
        "/password/",
        {"old_password": PASSWORD, "new_password1": OWN_PASSWORD, "new_password2": OWN_PASSWORD},
    )
    assert changed.status_code == 302
    account.refresh_from_db()
    assert not account.must_change_password and account.check_password(OWN_PASSWORD)
    assert client.get("/audit/").status_code == 200  # still signed in, free to go on
    assert token_authenticate(raw) == account


def test_a_password_reset_by_an_administrator_must_be_changed_again(client, actors):
    target = actors["yaohua_a_worker"]
    client.force_login(actors["security_admin"])
    client.post(f"/accounts/{target.pk}/", {"password1": PASSWORD, "password2": PASSWORD})
    target.refresh_from_db()
    assert target.must_change_password


def test_the_operator_creates_the_first_administrator_from_the_command_line(db, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    call_command("createuser", "first_admin", "--role", "security_admin", "--password-stdin")
    admin = User.objects.get(username="first_admin")
    assert admin.is_active and admin.role == Role.SECURITY_ADMIN and admin.must_change_password
    assert AuditEntry.objects.filter(actor_label="cli", detail__event="created").exists()
    monkeypatch.setattr("sys.stdin", io.StringIO("weak\n"))
    with pytest.raises(CommandError, match="password"):
        call_command("createuser", "second", "--role", "security_admin", "--password-stdin")
