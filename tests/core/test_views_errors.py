"""The error pages: same layout, translated, and a 500 page that survives a broken layout."""

from __future__ import annotations

from unittest import mock

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.utils import translation

from jiuzhu.core.views import errors

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_():
    request = RequestFactory().get("/somewhere/")
    request.user = AnonymousUser()
    return request


def test_the_500_page_uses_the_layout(request_):
    with translation.override("en"):
        response = errors.server_error(request_)
    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong" in page
    assert 'class="site-header"' in page


def test_the_500_page_falls_back_when_the_layout_fails(request_):
    with mock.patch.object(errors, "render", side_effect=RuntimeError("database down")):
        response = errors.server_error(request_)
    assert response.status_code == 500
    assert b"500" in response.content


def test_the_403_page_says_why(request_):
    with translation.override("en"):
        response = errors.permission_denied(request_, PermissionDenied("Not for you."))
    assert response.status_code == 403
    assert "Not for you." in response.content.decode()


def test_the_400_and_404_pages(request_):
    with translation.override("en"):
        assert errors.bad_request(request_).status_code == 400
        response = errors.page_not_found(request_)
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_an_unknown_url_gets_the_404_page(client):
    response = client.get("/no/such/page/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_the_language_switch_sets_the_cookie_and_returns(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    page = client.get("/login/").content.decode()
    assert '<html lang="en">' in page
    assert "Staff sign-in" in page
