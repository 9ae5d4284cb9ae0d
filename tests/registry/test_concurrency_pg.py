"""One person, one current household — under real parallel connections on PostgreSQL.

Two caseworkers add the same identity number to two different households at the same moment.
The service's duplicate check runs in both transactions before either commits; the partial
unique index (member_active_in_one_household) must let exactly one of them through, and the
other must get the same field error as a sequential duplicate — not a server error.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from factories import identity_number
from factories_registry import make_household
from jiuzhu.core.errors import ValidationFailed
from jiuzhu.registry.models import Member
from jiuzhu.registry.services.members import member_add

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_parallel_adds_of_one_person_let_exactly_one_through(areas, caseworker):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: parallel writers on SQLite are serialised")
    first = make_household(actor=caseworker, community=areas["yaohua_a"])
    second = make_household(actor=caseworker, community=areas["yaohua_b"])
    number = identity_number()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def add(household):
        from django.db import connections

        try:
            barrier.wait(timeout=10)
            member_add(
                actor=caseworker,
                household=household,
                name="并发",
                id_number=number,
                relation="head",
                employment="employed",
            )
            outcomes.append("added")
        except ValidationFailed as error:
            outcomes.append("refused:" + ",".join(error.fields))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=add, args=(h,)) for h in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["added", "refused:id_number"]
    assert Member.objects.filter(is_active=True).count() == 1
