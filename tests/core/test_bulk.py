"""Bulk writes (``core.bulk``): values in the database's form as the ORM would write them, the
new rows' ids in the order of the rows, the bigger SQLite page cache given back after a bulk
job, and the garbage collector paused only while one runs."""

from __future__ import annotations

import gc

import pytest
from django.db import connection, transaction
from django.utils import timezone

from jiuzhu.core import bulk
from jiuzhu.core.bulk import gc_paused, insert_rows_returning_ids, json_adapter, large_sqlite_cache
from jiuzhu.core.models import AuditEntry, OutboxEvent
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


@pytest.mark.parametrize("params", [30_000, 6])  # one statement; two rows a statement and one
def test_new_ids_come_back_in_the_order_of_the_rows(monkeypatch, params):
    monkeypatch.setattr(bulk, "RETURNING_PARAMS", params)
    monkeypatch.setattr(bulk, "SQLITE_PARAMS", params)
    OutboxEvent.objects.create(name="before")
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    names = ["e3", "e1", "e4", "e1b", "e5"]
    with transaction.atomic():
        ids = insert_rows_returning_ids(
            OutboxEvent, ["name", "payload", "created_at"], [(n, "{}", now) for n in names]
        )
    assert len(set(ids)) == 5
    assert [OutboxEvent.objects.get(pk=pk).name for pk in ids] == names
    assert insert_rows_returning_ids(OutboxEvent, ["name"], []) == []


@pytest.mark.parametrize("enabled", [True, False])
def test_the_collector_is_paused_and_left_as_it_was(enabled):
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        with gc_paused():
            assert not gc.isenabled()
        assert gc.isenabled() is enabled
        with pytest.raises(RuntimeError), gc_paused():
            raise RuntimeError
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


@pytest.mark.parametrize("params", [999, 6, 1])
def test_rows_are_all_written_whatever_the_statements(monkeypatch, params):
    monkeypatch.setattr(bulk, "SQLITE_PARAMS", params)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    bulk.insert_rows(OutboxEvent, ["name", "payload", "created_at"], [])
    bulk.insert_rows(
        OutboxEvent,
        ["name", "payload", "created_at"],
        ((f"n{i}", "{}", now) for i in range(7)),  # any iterable
    )
    assert sorted(OutboxEvent.objects.values_list("name", flat=True)) == [f"n{i}" for i in range(7)]
