"""The departments' desks: who routes which kind of assistance to which department."""

from __future__ import annotations

import pytest
from django.urls import reverse

from factories import DepartmentDeskFactory, OrganisationFactory
from jiuzhu.core.errors import Conflict, PermissionDenied, ValidationFailed
from jiuzhu.core.models import OrganisationKind
from jiuzhu.discovery.models import DepartmentDesk
from jiuzhu.discovery.services.desks import desk_deactivate, desk_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def yibao():
    return OrganisationFactory(name="医保局", kind=OrganisationKind.DEPARTMENT)


def test_a_new_desk_replaces_the_old_one(areas, actors, yibao):
    old = DepartmentDeskFactory(district=areas["qixia"], kind="medical")
    desk = desk_set(
        actor=actors["qixia_manager"],
        district=areas["qixia"],
        kind="medical",
        department=yibao,
        respond_days=3,
        complete_days=20,
    )
    old.refresh_from_db()
    assert not old.active and desk.active and desk.department == yibao
    assert DepartmentDesk.objects.filter(district=areas["qixia"], active=True).count() == 1


def test_a_district_manager_sets_their_own_district_only(areas, actors, yibao):
    with pytest.raises(PermissionDenied):
        desk_set(
            actor=actors["qixia_manager"],
            district=areas["jianye"],
            kind="medical",
            department=yibao,
            respond_days=3,
            complete_days=20,
        )
    with pytest.raises(PermissionDenied):
        desk_set(
            actor=actors["yaohua_caseworker"],
            district=areas["qixia"],
            kind="medical",
            department=yibao,
            respond_days=3,
            complete_days=20,
        )


def test_bad_input_is_refused(areas, actors, yibao):
    provider = OrganisationFactory(kind=OrganisationKind.PROVIDER)
    with pytest.raises(ValidationFailed) as caught:
        desk_set(
            actor=actors["city_admin"],
            district=areas["yaohua"],
            kind="nope",
            department=provider,
            respond_days=0,
            complete_days=400,
        )
    assert set(caught.value.fields) == {
        "district",
        "kind",
        "department",
        "respond_days",
        "complete_days",
    }


def test_the_page_adds_and_stops_a_desk(client, areas, actors, yibao):
    client.force_login(actors["qixia_manager"])
    page = client.get(reverse("discovery:desks"))
    assert page.status_code == 200
    response = client.post(
        reverse("discovery:desks"),
        {
            "district": areas["qixia"].pk,
            "kind": "medical",
            "department": yibao.pk,
            "respond_days": 5,
            "complete_days": 30,
        },
    )
    assert response.status_code == 302
    desk = DepartmentDesk.objects.get(active=True)
    assert client.post(reverse("discovery:desk_deactivate", args=[desk.pk])).status_code == 302
    desk.refresh_from_db()
    assert not desk.active
    with pytest.raises(Conflict):  # a second stop
        desk_deactivate(actor=actors["qixia_manager"], desk=desk)
