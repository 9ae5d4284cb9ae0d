"""救助小管家 — the frontline team page (issue 10, item 9)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from factories import (
    CaseNoteFactory,
    CommendationFactory,
    HouseholdFactory,
    TrainingRecordFactory,
    UserFactory,
)
from jiuzhu.core.errors import PermissionDenied, ValidationFailed
from jiuzhu.core.models import Role
from jiuzhu.registry.selectors.team import TeamFilters, team_workload
from jiuzhu.registry.services.team import commendation_add, training_add

pytestmark = pytest.mark.django_db


def test_the_workload_of_each_frontline_worker(actors, areas, clock):
    worker = actors["yaohua_a_worker"]
    for _ in range(3):
        HouseholdFactory(community=areas["yaohua_a"])
    HouseholdFactory(community=areas["yaohua_b"])
    household = HouseholdFactory(community=areas["yaohua_a"])
    CaseNoteFactory(household=household, author=worker, occurred_on=dt.date(2026, 3, 2))
    CaseNoteFactory(household=household, author=worker, occurred_on=dt.date(2026, 2, 20))
    CaseNoteFactory(
        household=household,
        author=worker,
        kind="note",
        occurred_on=dt.date(2026, 2, 20),
        follow_up_on=dt.date(2026, 3, 1),
    )
    TrainingRecordFactory(worker=worker, hours=Decimal("3.5"), completed_on=dt.date(2026, 1, 5))
    TrainingRecordFactory(worker=worker, hours=Decimal("8"), completed_on=dt.date(2025, 12, 5))
    CommendationFactory(worker=worker)
    team = {w.username: w for w in team_workload(user=actors["qixia_manager"])}
    assert set(team) == {
        "yaohua_a_worker",
        "yaohua_b_worker",
        "yaohua_caseworker",
        "maqun_caseworker",
    }
    row = team["yaohua_a_worker"]
    assert row.households == 4
    assert row.visits_this_month == 1  # March only, visits only
    assert row.overdue == 1
    assert row.training_hours == Decimal("3.5")  # this year
    assert row.commendation_count == 1
    assert team["yaohua_caseworker"].households == 5  # the whole street
    assert list(team_workload(user=actors["jianye_manager"])) == []


def test_the_team_is_one_query_whatever_its_size(actors, areas, clock):
    def run():
        with CaptureQueriesContext(connection) as queries:
            list(team_workload(user=actors["qixia_manager"]))
        return len(queries)

    small = run()
    for _ in range(6):
        user = UserFactory(role=Role.COMMUNITY_WORKER, area=areas["maqun_a"])
        CaseNoteFactory(author=user, household=HouseholdFactory(community=areas["maqun_a"]))
        TrainingRecordFactory(worker=user)
    assert run() == small == 1


def test_filters_and_sorting(actors, areas, clock):
    CaseNoteFactory(
        author=actors["yaohua_b_worker"],
        household=HouseholdFactory(community=areas["yaohua_b"]),
        occurred_on=dt.date(2026, 2, 1),
        follow_up_on=dt.date(2026, 2, 2),
    )
    manager = actors["qixia_manager"]
    first = team_workload(user=manager, filters=TeamFilters(sort="-overdue")).first()
    assert first.username == "yaohua_b_worker"
    caseworkers = team_workload(user=manager, filters=TeamFilters(role="street_caseworker"))
    assert {w.role for w in caseworkers} == {"street_caseworker"}


def test_training_and_commendations_are_recorded_by_the_manager(actors, clock):
    manager, worker = actors["qixia_manager"], actors["yaohua_a_worker"]
    record = training_add(
        actor=manager,
        worker=worker,
        course="政策培训",
        completed_on=dt.date(2026, 3, 1),
        hours=Decimal("2"),
    )
    assert record.recorded_by == manager
    with pytest.raises(ValidationFailed):
        training_add(
            actor=manager,
            worker=worker,
            course="x",
            completed_on=dt.date(2026, 3, 1),
            hours=Decimal("0"),
        )
    commendation_add(
        actor=manager, worker=worker, title="优秀救助小管家", awarded_on=dt.date(2026, 3, 1)
    )
    with pytest.raises(PermissionDenied):
        commendation_add(
            actor=actors["yaohua_caseworker"],
            worker=worker,
            title="x",
            awarded_on=dt.date(2026, 3, 1),
        )


def test_the_team_page_and_its_api_and_export(client, actors, clock):
    client.force_login(actors["qixia_manager"])
    page = client.get(reverse("registry:team"))
    assert page.status_code == 200 and "yaohua_a_worker" in page.content.decode()
    body = client.get("/api/v1/team?sort=name").json()
    assert [item["name"] for item in body["items"]][0] == "maqun_caseworker"
    export = client.get(reverse("registry:team_export"))
    assert export.status_code == 200
    member = client.get(reverse("registry:team_member", args=[actors["yaohua_a_worker"].pk]))
    assert member.status_code == 200
    client.force_login(actors["yaohua_caseworker"])
    assert client.get(reverse("registry:team")).status_code == 403
    assert client.get("/api/v1/team").status_code == 403
