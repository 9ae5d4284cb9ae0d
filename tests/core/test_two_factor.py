"""Two-factor sign-in (TOTP) for administrators and district managers, optional for others;
recovery codes; throttled and audited; reset by the security administrator."""

from __future__ import annotations

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from factories import PASSWORD
from jiuzhu.core.models import AuditEntry

pytestmark = pytest.mark.django_db

REQUIRED = frozenset({"security_admin", "audit_admin", "city_admin", "district_manager"})


@pytest.fixture(autouse=True)
def production_roles(settings):
    settings.TWO_FACTOR_ROLES = REQUIRED


def _code(device: TOTPDevice) -> str:
    device.refresh_from_db()
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"


def _sign_in(client, user) -> None:
    client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert client.session["_auth_user_id"] == str(user.pk)


def _enrol(client, user) -> list[str]:
    _sign_in(client, user)
    assert client.get("/accounts/")["Location"] == "/2fa/"
    setup = client.get("/2fa/").content.decode()
    assert "<svg" in setup
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    done = client.post("/2fa/", {"code": _code(device)})
    codes = done.context["codes"]
    assert len(codes) == 10
    return codes


def test_an_administrator_must_set_up_a_second_factor_before_anything_else(client, actors):
    admin = actors["security_admin"]
    _sign_in(client, admin)
    api = client.get("/api/v1/areas")
    assert api.status_code == 403 and api.json()["code"] == "two_factor_required"
    _enrol(client, admin)
    assert client.get("/accounts/").status_code == 200
    assert AuditEntry.objects.filter(detail__event="2fa enrolled", object_id=str(admin.pk)).exists()


def test_the_next_sign_in_asks_for_the_code_and_audits_a_wrong_one(client, actors):
    manager = actors["qixia_manager"]
    _enrol(client, manager)
    client.post("/logout/")
    _sign_in(client, manager)
    assert client.get("/dispatch/")["Location"] == "/2fa/"
    device = TOTPDevice.objects.get(user=manager, confirmed=True)
    # A code is good once (replay protection): move on as if the next 30-second step had come.
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    right = _code(device)
    wrong = "000000" if right != "000000" else "111111"
    refused = client.post("/2fa/", {"code": wrong})
    assert "not correct" in refused.content.decode()
    assert AuditEntry.objects.filter(detail__method="2fa", result="failure").count() == 1
    too_soon = client.post("/2fa/", {"code": right})  # throttled: each failure doubles the wait
    assert "tried too soon" in too_soon.content.decode()
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None)
    assert client.post("/2fa/", {"code": _code(device)}).status_code == 302
    assert client.get("/api/v1/areas").status_code == 200


def test_a_recovery_code_signs_in_once(client, actors):
    auditor = actors["audit_admin"]
    codes = _enrol(client, auditor)
    client.post("/logout/")
    _sign_in(client, auditor)
    assert client.post("/2fa/", {"code": codes[0]}).status_code == 302
    client.post("/logout/")
    _sign_in(client, auditor)
    assert "not correct" in client.post("/2fa/", {"code": codes[0]}).content.decode()


def test_other_roles_may_turn_it_on_and_then_need_it(client, actors):
    worker = actors["yaohua_a_worker"]
    _sign_in(client, worker)
    assert client.get("/households/").status_code == 200  # not required
    device_page = client.get("/2fa/")
    assert "<svg" in device_page.content.decode()
    client.post("/2fa/", {"code": _code(TOTPDevice.objects.get(user=worker))})
    client.post("/logout/")
    _sign_in(client, worker)
    assert client.get("/households/")["Location"] == "/2fa/"


def test_the_security_administrator_resets_a_lost_phone(client, actors):
    manager = actors["qixia_manager"]
    _enrol(client, manager)
    client.post("/logout/")
    admin = actors["security_admin"]
    _enrol(client, admin)
    client.post(f"/accounts/{manager.pk}/2fa-reset/")
    assert not TOTPDevice.objects.filter(user=manager).exists()
    assert AuditEntry.objects.filter(detail__event="2fa reset", object_id=str(manager.pk)).exists()


def test_deploy_check_refuses_a_configuration_without_two_factor_for_administrators(settings):
    settings.TWO_FACTOR_ROLES = frozenset({"security_admin"})
    from jiuzhu.core.checks import two_factor_for_administrators

    errors = two_factor_for_administrators(None)
    assert [e.id for e in errors] == ["jiuzhu.E004"]
    assert "audit_admin, city_admin, district_manager" in errors[0].msg
