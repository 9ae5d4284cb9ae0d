"""PostgreSQL connections run without JIT unless JIUZHU_PG_JIT is set (settings.py): the pages'
short queries over a city's open orders spent a fifth of their time compiling."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_connections_run_without_jit(postgres_only):
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
