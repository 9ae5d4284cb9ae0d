"""Bad input is a 4xx, a busy database a 503 that recovers, and every API error is JSON."""

from __future__ import annotations

import json
from unittest import mock

import pytest
from django.db import OperationalError

from jiuzhu.core.services.tokens import token_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, actors):
    _, raw = token_create(user=actors["qixia_manager"])
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    return client


def _error(response, status: int, code: str) -> dict:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = json.loads(response.content)
    assert body["code"] == code and body["message"] and "extra" in body
    return body


def test_a_huge_offset_is_a_422_in_the_api_shape(api):
    body = _error(
        api.get("/api/v1/households?offset=99999999999999999999"), 422, "validation_error"
    )
    assert body["extra"]["fields"] == {"offset": ["At most 1000000000."]}


def test_a_huge_id_in_the_path_is_a_4xx_not_a_500(api):
    response = api.get("/api/v1/households/99999999999999999999")
    assert response.status_code in (400, 404)
    assert response["Content-Type"].startswith("application/json")


def test_a_lone_surrogate_in_text_is_a_400(api, actors, areas):
    community = areas["yaohua_a"].pk
    body = (
        f'{{"community_id": {community}, "address": "\\ud800 路1号", "tier": "dibao", '
        '"monthly_income": "100"}'
    )
    response = api.post("/api/v1/households", body, content_type="application/json")
    assert response.status_code in (400, 422)
    assert response["Content-Type"].startswith("application/json")


def test_a_body_over_the_upload_limit_is_a_json_400(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api.post("/api/v1/households", "x" * 5000, content_type="application/json")
    _error(response, 400, "bad_request")


def test_an_unknown_api_path_is_a_json_404(api):
    _error(api.get("/api/v1/no-such-thing"), 404, "not_found")


def test_an_unexpected_error_in_the_api_is_a_json_500(api):
    api.raise_request_exception = False
    with mock.patch("jiuzhu.registry.api.household_list", side_effect=RuntimeError("bug")):
        _error(api.get("/api/v1/households"), 500, "server_error")


LOCKED = OperationalError("database is locked")


def test_a_locked_database_is_a_503_with_retry_after_in_the_api(api):
    with mock.patch("jiuzhu.registry.api.household_list", side_effect=LOCKED):
        response = api.get("/api/v1/households")
    _error(response, 503, "unavailable")
    assert response["Retry-After"] == "30"
    assert api.get("/api/v1/households").status_code == 200  # and it recovers by itself


def test_an_unreachable_database_is_a_503_page_on_the_web(client, caseworker):
    client.force_login(caseworker)
    refused = OperationalError("connection to server at 127.0.0.1 failed: Connection refused")
    with mock.patch("jiuzhu.registry.views.households.household_list", side_effect=refused):
        response = client.get("/households/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "try again in a moment" in response.content.decode()


def test_other_database_errors_are_not_disguised_as_unavailable(api):
    api.raise_request_exception = False
    missing = OperationalError("no such table: registry_household")
    with mock.patch("jiuzhu.registry.api.household_list", side_effect=missing):
        _error(api.get("/api/v1/households"), 500, "server_error")


def test_personal_data_is_never_cached(client, caseworker, api):
    assert "no-store" in api.get("/api/v1/households")["Cache-Control"]
    client.force_login(caseworker)
    assert "no-store" in client.get("/households/")["Cache-Control"]
