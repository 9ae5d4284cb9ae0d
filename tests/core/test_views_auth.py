"""Signing in and out through the web pages: staff passwords, lockout, beneficiary SMS codes."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from factories import PASSWORD, UserFactory
from factories_registry import add_member, make_household
from jiuzhu.core.models import AuditAction, AuditEntry, AuditResult, Role

pytestmark = pytest.mark.django_db

LOGIN = "/login/"


def _login(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def test_the_sign_in_page_renders(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert b'name="username"' in response.content
    assert b"/login/sms/" in response.content


def test_a_successful_sign_in_is_audited_and_lands_on_the_role_start_page(client, actors):
    response = _login(client, "qixia_manager", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/")["Location"] == reverse("core:workspace")
    entry = AuditEntry.objects.get(action=AuditAction.LOGIN)
    assert entry.result == AuditResult.SUCCESS
    assert entry.actor == actors["qixia_manager"]
    assert entry.detail["method"] == "password"
    assert entry.detail["channel"] == "web"


def test_a_failed_sign_in_is_audited_with_the_username_tried(client, actors):
    response = _login(client, "qixia_manager", "wrong-password")
    assert response.status_code == 200
    assert b"has-error" in response.content or b"message-error" in response.content
    entry = AuditEntry.objects.get(action=AuditAction.LOGIN)
    assert entry.result == AuditResult.FAILURE
    assert entry.actor is None
    assert entry.actor_label == "qixia_manager"
    assert entry.detail["locked"] is False


def test_a_sign_in_keeps_a_safe_next_and_drops_a_foreign_one(client, actors):
    response = client.post(
        LOGIN + "?next=/households/", {"username": "qixia_manager", "password": PASSWORD}
    )
    assert response["Location"] == "/households/"
    client.logout()
    response = client.post(
        LOGIN + "?next=https://evil.example/", {"username": "qixia_manager", "password": PASSWORD}
    )
    assert response["Location"] == "/"


def test_five_failures_lock_the_account_for_fifteen_minutes(client, actors):
    for _ in range(4):
        assert _login(client, "yaohua_caseworker", "nope").status_code == 200
    fifth = _login(client, "yaohua_caseworker", "nope")
    assert fifth.status_code == 429
    assert "15" in fifth.content.decode()
    # The right password does not help while the lock lasts.
    locked = _login(client, "yaohua_caseworker", PASSWORD)
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    failures = AuditEntry.objects.filter(action=AuditAction.LOGIN, result=AuditResult.FAILURE)
    assert failures.count() == 6
    assert failures.filter(detail__locked=True).count() == 2


def test_sign_out_is_a_post_and_is_audited(client, actors):
    client.force_login(actors["qixia_manager"])
    assert client.get("/logout/").status_code == 405
    response = client.post("/logout/")
    assert response.status_code == 302
    assert response["Location"] == reverse("core:login")
    assert AuditEntry.objects.filter(action=AuditAction.LOGOUT).count() == 1
    assert client.get("/households/").status_code == 302


def test_pages_need_a_signed_in_user(client, areas):
    for path in ("/", "/households/", "/dashboard/", "/audit/", "/accounts/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(reverse("core:login"))


# ---- beneficiaries ----


@pytest.fixture
def outbox(settings, tmp_path):
    settings.SMS_BACKEND = "file"
    settings.SMS_OUTBOX = tmp_path / "outbox.jsonl"
    return settings.SMS_OUTBOX


def _last_code(outbox, mobile: str) -> str:
    lines = [json.loads(line) for line in outbox.read_text(encoding="utf-8").splitlines()]
    text = [line["text"] for line in lines if line["to"] == mobile][-1]
    return "".join(ch for ch in text if ch.isdigit())[:6]


@pytest.fixture
def beneficiary_household(areas, caseworker):
    household = make_household(actor=caseworker, community=areas["yaohua_a"])
    add_member(actor=caseworker, household=household, name="李秀英", mobile="13800000001")
    return household


NEUTRAL = "If this number belongs to a registered household member"


def test_a_beneficiary_signs_in_with_a_code_and_sees_their_household(
    client, outbox, beneficiary_household
):
    response = client.post("/login/sms/", {"mobile": "138 0000 0001"}, follow=True)
    assert response.status_code == 200
    assert NEUTRAL in response.content.decode()
    assert b"data-demo-code" not in response.content  # not in demo mode
    code = _last_code(outbox, "13800000001")
    response = client.post("/login/sms/code/", {"code": code})
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")  # then the household's own home
    assert client.get(reverse("core:home"))["Location"] == reverse("assessment:my_home")
    response = client.get(reverse("registry:my_household"))
    assert response["Location"] == f"/households/{beneficiary_household.pk}/"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "李秀英" in page.content.decode()
    assert b"/members/" not in page.content  # read-only: no edit, leave or reveal links
    assert AuditEntry.objects.filter(
        action=AuditAction.LOGIN, result=AuditResult.SUCCESS, detail__method="sms"
    ).exists()


def test_an_unknown_number_gets_the_same_answer_and_no_sms(client, outbox, beneficiary_household):
    response = client.post("/login/sms/", {"mobile": "13900000009"}, follow=True)
    assert response.status_code == 200
    assert NEUTRAL in response.content.decode()
    assert not outbox.exists() or "13900000009" not in outbox.read_text(encoding="utf-8")


def test_a_wrong_code_is_refused_on_the_form(client, outbox, beneficiary_household):
    client.post("/login/sms/", {"mobile": "13800000001"})
    response = client.post("/login/sms/code/", {"code": "000000"})
    assert response.status_code == 200
    assert b"has-error" in response.content
    assert "_auth_user_id" not in client.session


def test_a_malformed_mobile_number_is_a_field_error(client, outbox):
    response = client.post("/login/sms/", {"mobile": "12345"})
    assert response.status_code == 200
    assert b"has-error" in response.content


def test_the_code_step_without_a_number_goes_back_to_the_first_step(client):
    response = client.get("/login/sms/code/")
    assert response["Location"] == reverse("registry:beneficiary_login")


def test_demo_mode_shows_the_code_on_the_page(client, settings, outbox, beneficiary_household):
    settings.DEMO_MODE = True
    response = client.post("/login/sms/", {"mobile": "13800000001"}, follow=True)
    assert b"data-demo-code" in response.content
    assert _last_code(outbox, "13800000001").encode() in response.content


def test_a_beneficiary_cannot_sign_in_with_a_password(client, beneficiary_household, outbox):
    client.post("/login/sms/", {"mobile": "13800000001"})
    client.post("/login/sms/code/", {"code": _last_code(outbox, "13800000001")})
    client.logout()
    response = _login(client, "m13800000001", "")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_the_partner_department_lands_on_its_referrals(client, actors):
    # Every role has a start page now (the welcome page waits for a role without one).
    client.force_login(actors["department"])
    assert client.get("/")["Location"] == reverse("discovery:referral_list")


def test_each_role_lands_where_its_work_is(client, actors):
    expected = {
        "security_admin": reverse("core:account_list"),
        "audit_admin": reverse("core:audit_log"),
        # Roles with task lists land on their workspace (工作台).
        "assessor": reverse("core:workspace"),
        "city_admin": reverse("registry:dashboard"),
        "qixia_hotline": reverse("core:workspace"),
    }
    for name, target in expected.items():
        client.force_login(actors[name])
        assert client.get("/")["Location"] == target, name


def test_navigation_shows_only_links_the_role_can_use(client, actors):
    client.force_login(actors["security_admin"])
    page = client.get(reverse("core:account_list")).content.decode()
    assert 'href="/accounts/"' in page
    assert 'href="/households/"' not in page
    assert 'href="/audit/"' not in page
    client.force_login(actors["qixia_hotline"])
    page = client.get(reverse("registry:dashboard")).content.decode()
    assert 'href="/households/"' in page
    assert 'href="/households/new/"' not in page  # hotline operators do not edit
    assert 'href="/accounts/"' not in page


def test_the_layout_shows_who_is_signed_in(client, areas):
    user = UserFactory(
        username="w1", display_name="王伟", role=Role.STREET_CASEWORKER, area=areas["yaohua"]
    )
    client.force_login(user)
    page = client.get(reverse("registry:dashboard"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "王伟" in page
    assert "Street caseworker" in page
    assert "尧化街道" in page
