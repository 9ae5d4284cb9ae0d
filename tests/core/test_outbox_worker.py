"""Kill the worker mid-batch: a real ``jiuzhu worker`` process drains events whose handler is slow;
it is killed with SIGKILL half-way, started again, and every event is handled exactly once —
none lost, none twice. On SQLite (a copy of the test database in a file both processes open) and
on PostgreSQL (the test database itself)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

import outbox_worker
from jiuzhu.core import events
from jiuzhu.core.models import AuditEntry, DeliveryStatus, OutboxDelivery

pytestmark = pytest.mark.django_db(transaction=True)

SCRIPT = Path(outbox_worker.__file__)
EVENTS = 16
SLEEP = 0.25


@pytest.fixture
def slow_event():
    outbox_worker.register()
    yield
    handler = events.handler_for(outbox_worker.SLOW_EVENT, outbox_worker.SLOW_HANDLER_KEY)
    events._registry[outbox_worker.SLOW_EVENT].handlers.remove(handler)


class SharedDatabase:
    """The database both this test and the worker processes use, and how to read it."""

    def __init__(self, tmp_path: Path):
        self.env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"CELERY_BROKER_URL", "DATABASE_URL"}
        }
        self.env.update(
            DJANGO_SETTINGS_MODULE="jiuzhu.settings_test",
            JIUZHU_VAR_DIR=str(tmp_path / "var"),
            JIUZHU_EVENTS_DRAIN_SECONDS="1",
            OUTBOX_TEST_SLEEP=str(SLEEP),
            PYTHONPATH=os.pathsep.join([str(SCRIPT.parent), os.environ.get("PYTHONPATH", "")]),
        )
        self.sqlite_file: Path | None = None
        if connection.vendor == "sqlite":
            # The test database lives in memory: copy it (schema and the seeded events) to the
            # file the worker's settings open, and read the results from that file.
            self.sqlite_file = tmp_path / "var" / "jiuzhu.sqlite3"
            self.sqlite_file.parent.mkdir(parents=True)
            connection.ensure_connection()
            with sqlite3.connect(self.sqlite_file) as target:
                connection.connection.backup(target)
            target.close()
        else:
            url = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
            self.env["DATABASE_URL"] = f"{url}/{connection.settings_dict['NAME']}"

    def scalar(self, sql: str, params: tuple = ()) -> int:
        if self.sqlite_file is not None:
            with sqlite3.connect(self.sqlite_file, timeout=20) as db:
                value = db.execute(sql, params).fetchone()[0]
            db.close()
            return value
        with connection.cursor() as cursor:
            cursor.execute(sql.replace("?", "%s"), params)
            return cursor.fetchone()[0]

    def rows(self, sql: str) -> list[tuple]:
        if self.sqlite_file is not None:
            with sqlite3.connect(self.sqlite_file, timeout=20) as db:
                rows = db.execute(sql).fetchall()
            db.close()
            return rows
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()

    def delivered(self) -> int:
        return self.scalar(
            f"SELECT COUNT(*) FROM {OutboxDelivery._meta.db_table} WHERE status = ?",
            (DeliveryStatus.DONE.value,),
        )

    def start_worker(self, log: Path) -> subprocess.Popen:
        return subprocess.Popen(  # noqa: S603 - our own script, fixed arguments
            [sys.executable, str(SCRIPT)],
            env=self.env,
            stdout=log.open("a"),
            stderr=subprocess.STDOUT,
        )


def wait_until(condition, *, timeout: float, worker: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if worker.poll() is not None:
            raise AssertionError(f"the worker died:\n{log.read_text()[-3000:]}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out; worker log:\n{log.read_text()[-3000:]}")
        time.sleep(0.05)


def test_killing_the_worker_mid_batch_loses_no_event_and_handles_none_twice(
    slow_event, settings, tmp_path
):
    settings.EVENTS_INLINE = False  # nothing is delivered here: only the worker delivers
    for n in range(EVENTS):
        events.publish(outbox_worker.SLOW_EVENT, n=n)
    assert OutboxDelivery.objects.filter(status=DeliveryStatus.PENDING).count() == EVENTS
    db = SharedDatabase(tmp_path)
    log = tmp_path / "worker.log"

    worker = db.start_worker(log)
    try:
        wait_until(lambda: db.delivered() >= 3, timeout=60, worker=worker, log=log)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=20)
    done_when_killed = db.delivered()
    assert 0 < done_when_killed < EVENTS, "the worker must die in the middle of the batch"

    worker = db.start_worker(log)
    try:
        wait_until(lambda: db.delivered() == EVENTS, timeout=90, worker=worker, log=log)
        time.sleep(2 * SLEEP + 1.5)  # a worker that would handle something twice has now done so
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)

    effects = db.rows(
        f"SELECT object_id, COUNT(*) FROM {AuditEntry._meta.db_table} "
        f"WHERE object_type = '{outbox_worker.EFFECT_TYPE}' GROUP BY object_id"
    )
    assert sorted((int(n), count) for n, count in effects) == [(n, 1) for n in range(EVENTS)]
    # The delivery killed half-way rolled back with its handler's effect: every delivery is
    # done after exactly one counted attempt.
    assert db.rows(
        f"SELECT status, attempts, COUNT(*) FROM {OutboxDelivery._meta.db_table} "
        "GROUP BY status, attempts"
    ) == [(DeliveryStatus.DONE.value, 1, EVENTS)]
