"""Account management for the security administrator: only them, every change audited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from factories import PASSWORD, UserFactory
from jiuzhu.core.models import AuditAction, AuditEntry, Role, User

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "Qixia-Street-2026!"


def _create_data(areas, **overrides) -> dict:
    data = {
        "username": "new_worker",
        "display_name": "新网格员",
        "role": Role.COMMUNITY_WORKER,
        "area": areas["yaohua_b"].pk,
        "organisation": "",
        "mobile": "",
        "password1": GOOD_PASSWORD,
        "password2": GOOD_PASSWORD,
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    "name", ["audit_admin", "city_admin", "qixia_manager", "assessor", "volunteer"]
)
def test_only_the_security_admin_reaches_the_accounts_pages(client, actors, name):
    client.force_login(actors[name])
    target = actors["volunteer"].pk
    assert client.get("/accounts/").status_code == 403
    assert client.get("/accounts/new/").status_code == 403
    assert client.get(f"/accounts/{target}/").status_code == 403
    assert client.post(f"/accounts/{target}/active/", {"active": "0"}).status_code == 403
    assert client.post(f"/accounts/{target}/unlock/").status_code == 403
    assert User.objects.get(pk=target).is_active


def test_the_list_shows_staff_with_role_area_and_status(client, actors):
    client.force_login(actors["security_admin"])
    response = client.get("/accounts/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    page = response.content.decode()
    assert "qixia_manager" in page and "栖霞区" in page and "District manager" in page
    filtered = client.get("/accounts/", {"role": Role.ASSESSOR})
    assert [u.username for u in filtered.context["page_obj"]] == ["assessor"]
    # An unknown role and a page that is not a number are ignored: every account, first page.
    unfiltered = client.get("/accounts/", {"role": "king", "page": "zz"})
    assert unfiltered.status_code == 200
    assert unfiltered.context["page_obj"].number == 1
    assert len(unfiltered.context["page_obj"].object_list) == len(actors)
    assert "qixia_manager" in unfiltered.content.decode()


def test_creating_an_account_validates_the_password_and_is_audited(client, actors, areas):
    client.force_login(actors["security_admin"])
    weak = client.post("/accounts/new/", _create_data(areas, password1="123", password2="123"))
    assert weak.status_code == 200
    assert "password1" in weak.context["form"].errors
    assert 'value="新网格员"' in weak.content.decode()  # nothing typed is lost
    response = client.post("/accounts/new/", _create_data(areas))
    user = User.objects.get(username="new_worker")
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/{user.pk}/"
    assert user.check_password(GOOD_PASSWORD)
    assert user.area == areas["yaohua_b"]
    entry = AuditEntry.objects.get(action=AuditAction.ACCOUNT)
    assert entry.detail["event"] == "created"
    assert GOOD_PASSWORD not in str(entry.detail)


def test_a_role_needs_an_area_at_its_level(client, actors, areas):
    client.force_login(actors["security_admin"])
    response = client.post("/accounts/new/", _create_data(areas, area=areas["qixia"].pk))
    assert response.status_code == 200
    assert "area" in response.context["form"].errors
    response = client.post(
        "/accounts/new/", _create_data(areas, role=Role.ASSESSOR, area="", organisation="")
    )
    assert "organisation" in response.context["form"].errors
    taken = client.post("/accounts/new/", _create_data(areas, username="QIXIA_MANAGER"))
    assert "username" in taken.context["form"].errors
    assert not User.objects.filter(username="new_worker").exists()


def test_deactivate_and_reactivate(client, actors):
    admin, target = actors["security_admin"], actors["yaohua_a_worker"]
    client.force_login(admin)
    response = client.post(f"/accounts/{target.pk}/active/", {"active": "0"})
    assert response.status_code == 302
    target.refresh_from_db()
    assert not target.is_active
    client.post(f"/accounts/{target.pk}/active/", {"active": "1"})
    target.refresh_from_db()
    assert not target.is_active  # a community worker sees case data: a second admin approves
    second = UserFactory(username="security_admin_2", role=Role.SECURITY_ADMIN)
    client.force_login(second)
    client.post(f"/accounts/{target.pk}/approve/")
    target.refresh_from_db()
    assert target.is_active
    events = list(
        AuditEntry.objects.filter(action=AuditAction.ACCOUNT).values_list(
            "detail__event", flat=True
        )
    )
    assert sorted(events) == ["approved", "deactivated", "reactivation requested"]


def test_the_security_admin_cannot_deactivate_themselves(client, actors):
    admin = actors["security_admin"]
    client.force_login(admin)
    response = client.post(f"/accounts/{admin.pk}/active/", {"active": "0"}, follow=True)
    assert response.status_code == 200
    admin.refresh_from_db()
    assert admin.is_active


def test_reset_password(client, actors):
    target = actors["yaohua_a_worker"]
    client.force_login(actors["security_admin"])
    mismatch = client.post(
        f"/accounts/{target.pk}/", {"password1": GOOD_PASSWORD, "password2": "other"}
    )
    assert "password2" in mismatch.context["form"].errors
    response = client.post(
        f"/accounts/{target.pk}/", {"password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD}
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.check_password(GOOD_PASSWORD)
    assert AuditEntry.objects.filter(detail__event="password_reset").count() == 1


def test_unlock_after_a_lockout(client, actors):
    target = actors["yaohua_a_worker"]
    for _ in range(5):
        client.post("/login/", {"username": target.username, "password": "wrong"})
    assert (
        client.post("/login/", {"username": target.username, "password": PASSWORD}).status_code
        == 429
    )
    client.force_login(actors["security_admin"])
    listing = client.get("/accounts/", {"q": target.username})
    assert target.username in listing.context["locked"]
    assert client.post(f"/accounts/{target.pk}/unlock/").status_code == 302
    assert AuditEntry.objects.filter(detail__event="unlocked").exists()
    client.logout()
    response = client.post("/login/", {"username": target.username, "password": PASSWORD})
    assert response.status_code == 302


def test_beneficiary_and_unknown_accounts_are_404(client, actors):
    client.force_login(actors["security_admin"])
    assert client.get("/accounts/987654/").status_code == 404
    assert client.get("/accounts/abc/").status_code == 404


def test_the_security_admin_sees_no_case_data(client, actors):
    client.force_login(actors["security_admin"])
    # The household list is refused outright (403), not shown empty; its API twin too.
    assert client.get(reverse("registry:household_list")).status_code == 403
    assert client.get("/api/v1/households").status_code == 403
