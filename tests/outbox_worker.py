"""A real ``jiuzhu worker`` process with one slow handler, for tests/core/test_outbox_worker.py.

Run as a script: it sets Django up against the database the environment names, registers the
handler of ``test.slow`` (each delivery sleeps ``OUTBOX_TEST_SLEEP`` seconds, then writes one
audit entry naming the event's ``n`` — the effect the test counts), and runs the worker loop
exactly as ``jiuzhu worker`` does.
"""

from __future__ import annotations

import os
import time

SLOW_EVENT = "test.slow"
SLOW_HANDLER_KEY = "tests.outbox_worker.slow"
EFFECT_TYPE = "test.slow"


def slow_handler(event) -> None:
    from jiuzhu.core import audit

    time.sleep(float(os.environ.get("OUTBOX_TEST_SLEEP", "0.2")))
    audit.record(
        actor=None,
        actor_label="outbox-test-worker",
        action="update",
        object_type=EFFECT_TYPE,
        object_id=event.payload["n"],
        detail={"event": event.id},
    )


def register() -> None:
    from jiuzhu.core import events

    events.declare(SLOW_EVENT, "A test event whose handler is slow.")
    if events.handler_for(SLOW_EVENT, SLOW_HANDLER_KEY) is None:
        events.on(SLOW_EVENT, key=SLOW_HANDLER_KEY)(slow_handler)


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiuzhu.settings_test")
    import django

    django.setup()
    register()
    from django.core.management import call_command

    call_command("worker")
