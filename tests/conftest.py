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
def postgres_only():
    """Tests of what only PostgreSQL has: real parallel writers (SQLite serialises them),
    connection options, covering indexes."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (CI runs it there)")


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
    broker = item.get_closest_marker("broker") is not None  # the machine's Redis must answer
    if browser or broker or (postgres_only and connection.vendor == "postgresql"):
        report.outcome = "failed"
        report.longrepr = f"skipped under CI, which counts as a failure: {report.longrepr}"


class Clock:
    """A controlled clock for time rules: ``django.utils.timezone.now`` (and so ``localdate``,
    ``auto_now`` fields and every service that asks the time) returns ``clock.now``."""

    def __init__(self, monkeypatch, start):
        from django.utils import timezone

        self.now = start
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def set(self, when):
        self.now = when

    def advance(self, **delta):
        import datetime as dt

        self.now = self.now + dt.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    """The clock stopped at 2026-03-02 17:00 UTC, which is already 3 March 01:00 in Nanjing:
    rules that speak of days must count them in local time (``timezone.localdate``)."""
    import datetime as dt

    return Clock(monkeypatch, dt.datetime(2026, 3, 2, 17, 0, tzinfo=dt.UTC))


if os.environ.get("JIUZHU_MUTATION"):
    # ``make mutation`` (bench/mutation.py) forks one pytest run per mutant from a parent that
    # has already run the focused tests once. Building the test database (every migration) in
    # each child would cost seconds per mutant; the parent builds it once and never tears it
    # down, and every forked child inherits it (SQLite in memory is copied with the process).
    from hypothesis import settings as hypothesis_settings

    # Derandomised, so a mutant's verdict does not depend on the run, and 25 examples instead
    # of 100: a surviving mutant runs every property that reaches it (tests that set their own
    # max_examples keep it).
    hypothesis_settings.register_profile(
        "mutation", derandomize=True, database=None, deadline=None, max_examples=25
    )
    hypothesis_settings.load_profile("mutation")

    @pytest.fixture(scope="session")
    def django_db_setup(django_test_environment, django_db_blocker):
        from django.db import connections

        if "memory" not in str(connections["default"].settings_dict["NAME"]):
            with django_db_blocker.unblock():
                _mutation_database(connections["default"])
        yield


def _mutation_database(connection) -> None:
    """Build the in-memory test database, from a copy when there is one. Every module of
    ``make mutation`` needs the same migrated schema, and migrating takes ~17 s on this
    machine: the first run saves the result under JIUZHU_MUTATION_DB_DIR, keyed by the
    migrations' contents, and later runs copy it in with SQLite's backup (well under a
    second). Without the variable every run migrates."""
    import hashlib
    import sqlite3
    from pathlib import Path

    from django.test.utils import setup_databases

    folder = os.environ.get("JIUZHU_MUTATION_DB_DIR")
    if not folder:
        setup_databases(verbosity=0, interactive=False)
        return
    src = Path(__file__).resolve().parents[1] / "src"
    digest = hashlib.sha256()
    for path in sorted(src.glob("jiuzhu/*/migrations/*.py")):
        digest.update(path.relative_to(src).as_posix().encode() + path.read_bytes())
    saved = Path(folder) / f"schema-{digest.hexdigest()[:16]}.sqlite3"
    if not saved.exists():
        setup_databases(verbosity=0, interactive=False)
        saved.parent.mkdir(parents=True, exist_ok=True)
        partial = saved.with_suffix(f".{os.getpid()}.part")
        copy = sqlite3.connect(partial)
        connection.ensure_connection()
        connection.connection.backup(copy)
        copy.close()
        partial.replace(saved)  # whole or not at all: two lanes may build it at once
        return
    # What create_test_db does for SQLite in memory, with the copy instead of `migrate`.
    name = connection.creation._get_test_db_name()
    connection.close()
    connection.settings_dict["NAME"] = name
    from django.conf import settings

    settings.DATABASES[connection.alias]["NAME"] = name
    connection.ensure_connection()
    original = sqlite3.connect(saved)
    original.backup(connection.connection)
    original.close()
