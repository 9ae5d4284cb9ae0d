"""Two workers draining one outbox at the same time, on PostgreSQL with real parallel
connections: each delivery is made by exactly one of them (SKIP LOCKED lets them share the batch
instead of queueing behind each other), and two racing for one delivery make it once."""

from __future__ import annotations

import time

import pytest

from jiuzhu.core import audit, events, outbox
from jiuzhu.core.models import AuditEntry, DeliveryStatus, OutboxDelivery
from parallel import in_parallel

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

RACE = events.declare("test.race", "used by the outbox concurrency tests")
EVENTS = 30


@pytest.fixture
def recording_handler(settings):
    settings.EVENTS_INLINE = False

    def record(event):
        time.sleep(0.03)  # long enough for the other worker to try the same rows
        audit.record(
            actor=None, action="update", object_type="test.race", object_id=event.payload["n"]
        )

    events.on(RACE)(record)
    yield
    events._registry[RACE].handlers.clear()


def effects() -> list[tuple[int, int]]:
    from django.db.models import Count

    rows = (
        AuditEntry.objects.filter(object_type="test.race")
        .values("object_id")
        .annotate(n=Count("id"))
        .values_list("object_id", "n")
    )
    return sorted((int(n), count) for n, count in rows)


def test_two_workers_share_a_batch_and_handle_each_event_once(postgres_only, recording_handler):
    for n in range(EVENTS):
        events.publish(RACE, n=n)
    (_, first), (_, second) = in_parallel(outbox.drain, outbox.drain, timeout=60)
    assert isinstance(first, dict) and isinstance(second, dict), (first, second)
    assert first.get("delivered", 0) + second.get("delivered", 0) == EVENTS
    assert first.get("delivered", 0) > 0 and second.get("delivered", 0) > 0, (first, second)
    assert effects() == [(n, 1) for n in range(EVENTS)]
    assert set(OutboxDelivery.objects.values_list("status", "attempts")) == {
        (DeliveryStatus.DONE, 1)
    }


@pytest.mark.parametrize("round_", range(3))
def test_two_workers_racing_for_one_delivery_make_it_once(postgres_only, recording_handler, round_):
    events.publish(RACE, n=round_)
    delivery = OutboxDelivery.objects.get()
    results = [
        value
        for _, value in in_parallel(
            lambda: outbox.deliver(delivery.pk), lambda: outbox.deliver(delivery.pk), timeout=60
        )
    ]
    assert sorted(map(str, results)) == ["None", "delivered"], results
    assert effects() == [(round_, 1)]
