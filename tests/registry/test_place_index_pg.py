"""On PostgreSQL the households' places have a covering index (migration 0008): the dispatch
board's one read of the open orders takes each household's district, street and community
from it instead of from the households' rows (bench/RESULTS.md, "Pages at a city's scale")."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_the_households_place_has_a_covering_index(postgres_only):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'registry_household_place'"
        )
        (definition,) = cursor.fetchone()
    assert definition.endswith(
        "ON public.registry_household USING btree (id) "
        "INCLUDE (district_id, street_id, community_id)"
    ), definition
