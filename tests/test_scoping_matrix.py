"""Every role × every household, through the web and the API: visible, or not found.

The expected sets are written out by hand in ``scoping_cast.EXPECTED_VISIBLE``; nothing here
asks the code under test what the answer should be.
"""

from __future__ import annotations

import pytest

from scoping_cast import EXPECTED_VISIBLE, build_cast

pytestmark = pytest.mark.django_db
ALL = ("ya", "yb", "mq", "sz")


@pytest.fixture
def cast(actors, areas):
    return build_cast(actors, areas)


def test_the_matrix_covers_every_role(cast):
    from jiuzhu.core.models import Role

    roles = {cast["actors"][name].role for name in EXPECTED_VISIBLE}
    assert roles == set(Role.values)


#: Roles never granted households (DOMAIN.md): the list itself is refused them (403).
REFUSED_THE_LIST = {"provider_staff", "volunteer", "department", "security_admin", "audit_admin"}


@pytest.mark.parametrize("actor_name", sorted(EXPECTED_VISIBLE))
def test_api_list_detail_and_members(client, cast, actor_name):
    client.force_login(cast["actors"][actor_name])
    ids = {cast["households"][key].pk: key for key in ALL}
    response = client.get("/api/v1/households?limit=200")
    if actor_name in REFUSED_THE_LIST:
        # A role never granted households is refused the list rather than shown an empty one.
        assert response.status_code == 403
    else:
        listed = response.json()
        assert {ids[item["id"]] for item in listed["items"]} == EXPECTED_VISIBLE[actor_name]
        assert listed["count"] == len(EXPECTED_VISIBLE[actor_name])
    for key in ALL:
        expected = 200 if key in EXPECTED_VISIBLE[actor_name] else 404
        household = cast["households"][key]
        member = cast["members"][key]
        assert client.get(f"/api/v1/households/{household.pk}").status_code == expected, key
        assert client.get(f"/api/v1/households/{household.pk}/members").status_code == expected, key
        assert client.get(f"/api/v1/members/{member.pk}").status_code == expected, key
        assert client.get(f"/api/v1/households/{household.pk}/chain").status_code == expected, key


@pytest.mark.parametrize("actor_name", sorted(EXPECTED_VISIBLE))
def test_web_list_and_detail(client, cast, actor_name):
    client.force_login(cast["actors"][actor_name])
    for key in ALL:
        household = cast["households"][key]
        expected = 200 if key in EXPECTED_VISIBLE[actor_name] else 404
        assert client.get(f"/households/{household.pk}/").status_code == expected, key
    listing = client.get("/households/")
    if listing.status_code == 200:
        page = listing.content.decode()
        for key in ALL:
            shown = f"户主{key}" in page
            assert shown == (key in EXPECTED_VISIBLE[actor_name]), key
    else:
        # Roles that see no households may be refused the list page outright.
        assert not EXPECTED_VISIBLE[actor_name]
        assert listing.status_code in (302, 403, 404)


@pytest.mark.parametrize("actor_name", sorted(EXPECTED_VISIBLE))
def test_web_export_holds_only_visible_households(client, cast, actor_name):
    import io

    from openpyxl import load_workbook

    client.force_login(cast["actors"][actor_name])
    response = client.get("/households/export.xlsx")
    if response.status_code != 200:
        assert response.status_code in (403, 404)
        return
    body = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = load_workbook(io.BytesIO(body)).active
    text = " ".join(str(cell.value) for row in sheet.iter_rows() for cell in row)
    for key in ALL:
        assert (f"户主{key}" in text) == (key in EXPECTED_VISIBLE[actor_name]), key


def test_api_without_credentials_is_401(client, cast):
    response = client.get("/api/v1/households")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_api_bearer_token_scopes_like_the_session(client, cast):
    from jiuzhu.core.services.tokens import token_create

    _, raw = token_create(user=cast["actors"]["maqun_caseworker"])
    response = client.get("/api/v1/households", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert [item["id"] for item in response.json()["items"]] == [cast["households"]["mq"].pk]
