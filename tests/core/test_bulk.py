"""Bulk writes (``core.bulk``): values in the database's form as the ORM would write them, and
the bigger SQLite page cache given back after a bulk job."""

from __future__ import annotations

import pytest
from django.db import connection

from jiuzhu.core.bulk import json_adapter, large_sqlite_cache
from jiuzhu.core.models import AuditEntry
from jiuzhu.discovery.models import DepartmentRecord

pytestmark = pytest.mark.django_db

VALUE = {"on": "2026-03-02", "amount": "12.50", "名字": "张三", "n": [1, None, 2.5]}


@pytest.mark.parametrize(("model", "field"), [(AuditEntry, "detail"), (DepartmentRecord, "values")])
def test_json_is_written_as_the_orm_writes_it(model, field):
    ours = json_adapter(model, field)(VALUE)
    orms = model._meta.get_field(field).get_db_prep_save(VALUE, connection)
    if connection.vendor == "sqlite":
        assert (
            ours
            == orms
            == (
                '{"on": "2026-03-02", "amount": "12.50", "\\u540d\\u5b57": "\\u5f20\\u4e09",'
                ' "n": [1, null, 2.5]}'
            )
        )
    else:  # psycopg's Jsonb wrappers, dumped by the field's encoder
        assert type(ours) is type(orms) and ours.obj == orms.obj == VALUE


def _cache_size():
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        return cursor.fetchone()[0]


def test_the_page_cache_is_larger_during_a_bulk_job_and_given_back():
    if connection.vendor != "sqlite":
        with large_sqlite_cache(64):  # nothing to change on PostgreSQL, and no error
            pass
        return
    before = _cache_size()
    with large_sqlite_cache(64):
        assert _cache_size() == -64 * 1024
    assert _cache_size() == before
    with pytest.raises(RuntimeError), large_sqlite_cache(64):
        raise RuntimeError
    assert _cache_size() == before
