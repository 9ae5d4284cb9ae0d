"""API fuzzing (issue 16, item 18): schemathesis generates requests for every operation of
``/api/v1/openapi.json`` — valid ones, deliberately invalid ones, and valid ones aimed at real
objects — and sends them through the whole WSGI stack (middleware included), each with the bearer
token of a role drawn from all of them. Whatever it sends, the API must not answer 5xx, and every
answer must match the schema the document declares for that status (errors included:
``{code, message, extra}``) with the content type it declares.

Bounded so that CI stays inside its time budget: ``FUZZ_EXAMPLES`` requests per operation
(``JIUZHU_FUZZ_EXAMPLES=200`` for a longer local run), derandomised so a CI run is reproducible
(``JIUZHU_FUZZ_RANDOM=1`` explores new inputs each run). One pytest item per group of operations
(the path's first segment), so xdist spreads them over its workers; runs on SQLite and on
PostgreSQL like the rest of the suite. A failure names the operation and prints the request.
"""

from __future__ import annotations

import os
import re

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from market_cast import market  # noqa: F401  (the shared cloud-supermarket fixture)

FUZZ_EXAMPLES = int(os.environ.get("JIUZHU_FUZZ_EXAMPLES", "15"))
RANDOM = os.environ.get("JIUZHU_FUZZ_RANDOM") == "1"

#: The roles whose tokens take turns, example by example (the actors fixture's names; the
#: household's own account is ``bene`` from the market cast).
ROLES = (
    "city_admin",
    "qixia_manager",
    "yaohua_caseworker",
    "yaohua_a_worker",
    "qixia_hotline",
    "assessor",
    "provider_staff",
    "volunteer",
    "department",
    "security_admin",
    "audit_admin",
    "beneficiary",
)


class _InTestWSGI(WSGIHandler):
    """Django's WSGI application as the test client drives it: a request must not close the
    test's database connection (which holds the test's transaction)."""

    def __call__(self, environ, start_response):
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            return super().__call__(environ, start_response)
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)


def _load_schema():
    """The document the API serves at /api/v1/openapi.json (no database needed to build it)."""
    from jiuzhu.api import api

    loaded = schemathesis.openapi.from_dict(api.get_openapi_schema())
    loaded.app = _InTestWSGI()
    loaded.location = "/api/v1/openapi.json"
    return loaded


schema = _load_schema()

CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.content_type_conformance,
]


def _groups() -> dict[str, list[tuple[str, str]]]:
    """The operations by the first segment of their path (households, orders, dispatch, …): one
    pytest item per group, so xdist spreads them over its workers while the world each item
    builds is built a dozen times, not once per operation."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for path, methods in schema.raw_schema["paths"].items():
        segment = path.removeprefix("/api/v1/").split("/", 1)[0]
        for method in methods:
            groups.setdefault(segment, []).append((path, method))
    return groups


GROUPS = _groups()


@pytest.fixture
def world(actors, market, areas):  # noqa: F811
    """Each role's bearer token, and ids of real objects for the path parameters (so some
    requests reach the handlers' logic instead of stopping at 404)."""
    from jiuzhu.core.services.tokens import token_create
    from jiuzhu.orders.services.orders import order_create

    users = {**actors, "beneficiary": market["beneficiary"]}
    household = market["household"]
    order = order_create(actor=actors["qixia_hotline"], household=household, item=market["meal"])
    known = {
        "household_id": household.pk,
        "member_id": household.members.order_by("pk").first().pk,
        "order_id": order.pk,
        "item_id": market["meal"].pk,
        "user_id": actors["yaohua_caseworker"].pk,
        "district_id": areas["qixia"].pk,
    }
    tokens = {role: token_create(user=users[role])[1] for role in ROLES}
    return tokens, known


def _fuzz_operation(path: str, method: str, tokens: dict[str, str], known: dict[str, int]):
    operation = schema[path][method]
    names = re.findall(r"{(\w+)}", path)
    strategies = [
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    ]
    if names and all(name in known for name in names):
        real = {name: known[name] for name in names}
        strategies.append(operation.as_strategy(GenerationMode.POSITIVE, path_parameters=real))

    @given(case=st.one_of(strategies), role=st.sampled_from(ROLES))
    @settings(
        max_examples=FUZZ_EXAMPLES,
        deadline=None,
        derandomize=not RANDOM,
        database=None,
        suppress_health_check=list(HealthCheck),
        print_blob=True,
    )
    def fuzz(case, role):
        case.call_and_validate(
            headers={"Authorization": f"Bearer {tokens[role]}", "Accept-Language": "en"},
            checks=CHECKS,
        )

    try:
        fuzz()
    except Exception as error:
        error.add_note(f"operation: {method.upper()} {path}")
        raise


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_the_api_answers_every_generated_request_without_5xx_and_as_documented(group, world):
    tokens, known = world
    for path, method in GROUPS[group]:
        _fuzz_operation(path, method, tokens, known)
