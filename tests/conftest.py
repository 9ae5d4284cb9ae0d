"""The cast every test can use: an area tree and one actor per role, in scope and out of it."""

from __future__ import annotations

import os

import pytest

from factories import OrganisationFactory, UserFactory, area_tree
from jiuzhu.core.models import OrganisationKind, Role


@pytest.fixture(autouse=True)
def english_messages():
    """Service-level tests read messages in English (the msgids); tests of the Chinese UI
    override the language explicitly, and requests choose theirs through LocaleMiddleware."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def client():
    """Django's test client asking for English pages; tests of Chinese pages ask for zh-hans."""
    from django.test import Client

    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def areas(db):
    return area_tree()


@pytest.fixture
def actors(areas):
    """One user per role. Names say where they work; ``*_other`` are out-of-scope twins."""
    assess_org = OrganisationFactory(name="评估机构甲", kind=OrganisationKind.ASSESSMENT)
    provider_org = OrganisationFactory(name="服务机构甲", kind=OrganisationKind.PROVIDER)
    dept = OrganisationFactory(name="残联", kind=OrganisationKind.DEPARTMENT)
    make = UserFactory
    return {
        "city_admin": make(username="city_admin", role=Role.CITY_ADMIN, area=areas["city"]),
        "qixia_manager": make(
            username="qixia_manager", role=Role.DISTRICT_MANAGER, area=areas["qixia"]
        ),
        "jianye_manager": make(
            username="jianye_manager", role=Role.DISTRICT_MANAGER, area=areas["jianye"]
        ),
        "yaohua_caseworker": make(
            username="yaohua_caseworker", role=Role.STREET_CASEWORKER, area=areas["yaohua"]
        ),
        "maqun_caseworker": make(
            username="maqun_caseworker", role=Role.STREET_CASEWORKER, area=areas["maqun"]
        ),
        "yaohua_a_worker": make(
            username="yaohua_a_worker", role=Role.COMMUNITY_WORKER, area=areas["yaohua_a"]
        ),
        "yaohua_b_worker": make(
            username="yaohua_b_worker", role=Role.COMMUNITY_WORKER, area=areas["yaohua_b"]
        ),
        "qixia_hotline": make(
            username="qixia_hotline", role=Role.HOTLINE_OPERATOR, area=areas["qixia"]
        ),
        "assessor": make(username="assessor", role=Role.ASSESSOR, organisation=assess_org),
        "provider_staff": make(
            username="provider_staff", role=Role.PROVIDER_STAFF, organisation=provider_org
        ),
        "volunteer": make(username="volunteer", role=Role.VOLUNTEER),
        "department": make(username="department", role=Role.DEPARTMENT, organisation=dept),
        "security_admin": make(username="security_admin", role=Role.SECURITY_ADMIN),
        "audit_admin": make(username="audit_admin", role=Role.AUDIT_ADMIN),
    }


@pytest.fixture
def caseworker(actors):
    return actors["yaohua_caseworker"]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under CI a skipped browser test is a failure, and so is a PostgreSQL-only test that skips
    while the database is PostgreSQL: the suite must prove on both what it claims."""
    outcome = yield
    report = outcome.get_result()
    if not report.skipped or os.environ.get("CI") != "true":
        return
    from django.db import connection

    browser = item.get_closest_marker("browser") is not None
    postgres_only = item.get_closest_marker("postgres") is not None
    if browser or (postgres_only and connection.vendor == "postgresql"):
        report.outcome = "failed"
        report.longrepr = f"skipped under CI, which counts as a failure: {report.longrepr}"
