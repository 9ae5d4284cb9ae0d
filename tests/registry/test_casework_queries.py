"""No query per row on the casework lists: each page and endpoint runs as many queries with 2
rows as with 8 (the project-wide rule of tests/test_query_counts.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from factories import (
    CaseNoteFactory,
    CommendationFactory,
    HouseholdFactory,
    TrainingRecordFactory,
    TransferFactory,
    UserFactory,
)
from jiuzhu.core.models import Role

pytestmark = pytest.mark.django_db

PAGES = [
    ("qixia_manager", "/team/"),
    ("qixia_manager", "/api/v1/team"),
    ("yaohua_caseworker", "/followups/"),
    ("yaohua_caseworker", "/api/v1/followups"),
    ("yaohua_caseworker", "/households/{household}/notes/box/"),
    ("yaohua_caseworker", "/households/{household}/notes/"),
    ("yaohua_caseworker", "/api/v1/households/{household}/notes"),
    ("maqun_caseworker", "/transfers/"),
    ("maqun_caseworker", "/api/v1/transfers"),
]


def _grow(actors, areas, household, n):
    author = actors["yaohua_caseworker"]
    for _ in range(n):
        CaseNoteFactory(
            household=household,
            author=author,
            occurred_on=dt.date.today() - dt.timedelta(days=3),
            follow_up_on=dt.date.today() - dt.timedelta(days=1),
        )
        worker = UserFactory(role=Role.COMMUNITY_WORKER, area=areas["maqun_a"])
        TrainingRecordFactory(worker=worker)
        CommendationFactory(worker=worker)
        TransferFactory(
            household=HouseholdFactory(community=areas["yaohua_a"]), to_community=areas["maqun_a"]
        )


@pytest.mark.parametrize(("who", "path"), PAGES)
def test_casework_lists_run_a_constant_number_of_queries(client, actors, areas, who, path):
    household = HouseholdFactory(community=areas["yaohua_a"])
    client.force_login(actors[who])
    url = path.format(household=household.pk)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return len(queries)

    _grow(actors, areas, household, 2)
    small = count()
    _grow(actors, areas, household, 6)
    assert count() == small
