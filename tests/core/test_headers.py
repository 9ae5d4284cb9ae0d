"""The Content-Security-Policy (issue 16 item 7) on every response, pages and API alike: scripts
only from the site itself, never inline or through ``eval``, no framing. The browser test
(``tests/browser/test_csp_e2e.py``) proves the pages still work under it; this one pins the
header itself."""

from __future__ import annotations

import re

import pytest

from jiuzhu.core.headers import POLICY


def _directives(header: str) -> dict[str, list[str]]:
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


def test_the_policy_allows_scripts_from_the_site_only_and_no_framing():
    directives = _directives(POLICY)
    assert directives["script-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-eval'" not in POLICY
    assert "'unsafe-inline'" not in directives["script-src"] + directives["default-src"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/login/", "/api/v1/areas", "/no-such-page/"])
def test_every_response_carries_the_policy(client, path):
    response = client.get(path)
    assert response["Content-Security-Policy"] == POLICY


@pytest.mark.django_db
def test_pages_carry_no_inline_script_and_tell_htmx_not_to_eval(client):
    page = client.get("/login/").content.decode()
    assert '"allowEval": false' in page
    for tag in re.findall(r"<script\b[^>]*>", page):
        assert "src=" in tag, f"inline script: {tag}"
    assert not re.search(r"\son[a-z]+=", page), "an inline event handler"
