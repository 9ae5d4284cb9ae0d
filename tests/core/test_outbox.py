"""The transactional outbox: events are rows written with the change, handlers are delivered
exactly once each, failures are retried with back-off and end up in front of an administrator."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from jiuzhu.core import audit, events, outbox
from jiuzhu.core.models import AuditEntry, DeliveryStatus, OutboxDelivery, OutboxEvent

PROBE = events.declare("test.outbox", "used by the outbox tests")
#: The controlled clock: a moment after every row the tests write.
T0 = dt.datetime(2030, 5, 4, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def listeners():
    """Two handlers of the probe event: ``good`` records each call, ``flaky`` raises while
    ``failures`` is positive (then records too)."""
    calls: dict[str, list] = {"good": [], "flaky": []}
    state = {"failures": 0}

    def good(event):
        calls["good"].append(event.payload)

    def flaky(event):
        if state["failures"] > 0:
            state["failures"] -= 1
            raise RuntimeError("the partner system is down")
        calls["flaky"].append(event.payload)

    events.on(PROBE)(good)
    events.on(PROBE)(flaky)
    yield calls, state
    events._registry[PROBE].handlers.clear()


def delivery(handler_suffix: str) -> OutboxDelivery:
    return OutboxDelivery.objects.get(handler__endswith=handler_suffix)


@pytest.mark.django_db
def test_publish_writes_the_event_and_one_delivery_per_handler(listeners, settings):
    settings.EVENTS_INLINE = False
    with transaction.atomic():
        events.publish(PROBE, household_id=7)
        event = OutboxEvent.objects.get()
    assert (event.name, event.payload) == (PROBE, {"household_id": 7})
    assert sorted(d.handler.rsplit(".", 1)[-1] for d in event.deliveries.all()) == [
        "flaky",
        "good",
    ]
    assert {d.status for d in event.deliveries.all()} == {DeliveryStatus.PENDING}


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_leaves_no_row_and_runs_nothing(listeners):
    calls, _ = listeners
    with pytest.raises(RuntimeError), transaction.atomic():
        events.publish(PROBE, household_id=8)
        assert OutboxEvent.objects.count() == 1
        raise RuntimeError("roll back")
    assert OutboxEvent.objects.count() == 0
    assert OutboxDelivery.objects.count() == 0
    assert calls == {"good": [], "flaky": []}


@pytest.mark.django_db(transaction=True)
def test_inline_delivery_runs_after_commit_and_marks_each_delivery_done(listeners):
    calls, _ = listeners
    with transaction.atomic():
        events.publish(PROBE, n=1)
        assert calls["good"] == []  # not before the commit
    assert calls == {"good": [{"n": 1}], "flaky": [{"n": 1}]}
    assert [(d.status, d.attempts) for d in OutboxDelivery.objects.all()] == [("done", 1)] * 2
    assert outbox.drain() == {}  # nothing left for the worker: nothing is handled twice
    assert calls["good"] == [{"n": 1}]


@pytest.mark.django_db
def test_without_inline_delivery_the_worker_drain_delivers(listeners, settings):
    settings.EVENTS_INLINE = False
    calls, _ = listeners
    events.publish(PROBE, n=2)
    assert calls["good"] == []
    assert outbox.drain() == {"delivered": 2}
    assert calls == {"good": [{"n": 2}], "flaky": [{"n": 2}]}
    assert outbox.drain() == {}


@pytest.mark.django_db
def test_a_failing_handler_is_retried_with_back_off_and_the_others_are_not(listeners, settings):
    settings.EVENTS_INLINE = False
    settings.EVENTS_RETRY_SECONDS = 15
    settings.EVENTS_MAX_ATTEMPTS = 8
    calls, state = listeners
    state["failures"] = 2
    events.publish(PROBE, n=3)

    assert outbox.drain(now=T0) == {"delivered": 1, "failed": 1}
    flaky = delivery("flaky")
    assert (flaky.status, flaky.attempts) == ("pending", 1)
    assert flaky.next_attempt_at == T0 + dt.timedelta(seconds=15)
    assert "the partner system is down" in flaky.last_error
    # Not due yet: nothing happens a second early.
    assert outbox.drain(now=T0 + dt.timedelta(seconds=14)) == {}
    # Second attempt at +15 s fails again: the wait doubles to 30 s.
    assert outbox.drain(now=T0 + dt.timedelta(seconds=15)) == {"failed": 1}
    flaky.refresh_from_db()
    assert flaky.attempts == 2
    assert flaky.next_attempt_at == T0 + dt.timedelta(seconds=15 + 30)
    assert outbox.drain(now=T0 + dt.timedelta(seconds=44)) == {}
    # Third attempt at +45 s succeeds.
    assert outbox.drain(now=T0 + dt.timedelta(seconds=45)) == {"delivered": 1}
    flaky.refresh_from_db()
    assert (flaky.status, flaky.attempts, flaky.last_error) == ("done", 3, "")
    assert calls == {"good": [{"n": 3}], "flaky": [{"n": 3}]}  # good ran once, not three times


def test_back_off_doubles_up_to_an_hour(settings):
    settings.EVENTS_RETRY_SECONDS = 15
    assert [outbox.backoff_seconds(n) for n in range(1, 6)] == [15, 30, 60, 120, 240]
    assert outbox.backoff_seconds(20) == 3600


@pytest.mark.django_db
def test_a_handler_that_keeps_failing_is_dead_after_the_last_attempt(listeners, settings):
    settings.EVENTS_INLINE = False
    settings.EVENTS_RETRY_SECONDS = 10
    settings.EVENTS_MAX_ATTEMPTS = 3
    calls, state = listeners
    state["failures"] = 99
    events.publish(PROBE, n=4)
    assert outbox.drain(now=T0) == {"delivered": 1, "failed": 1}
    assert outbox.drain(now=T0 + dt.timedelta(seconds=10)) == {"failed": 1}
    assert outbox.drain(now=T0 + dt.timedelta(seconds=30)) == {"dead": 1}
    flaky = delivery("flaky")
    assert (flaky.status, flaky.attempts) == ("dead", 3)
    assert outbox.drain(now=T0 + dt.timedelta(days=1)) == {}  # dead is not retried
    assert calls["flaky"] == [] and calls["good"] == [{"n": 4}]


@pytest.mark.django_db
def test_a_rolled_back_handler_leaves_none_of_its_writes(settings):
    settings.EVENTS_INLINE = False

    def half_done(event):
        audit.record(actor=None, action="update", object_type="test.half", object_id=1)
        raise ValueError("fails after writing")

    events.on(PROBE)(half_done)
    try:
        events.publish(PROBE, n=5)
        assert outbox.drain(now=T0) == {"failed": 1}
    finally:
        events._registry[PROBE].handlers.clear()
    assert not AuditEntry.objects.filter(object_type="test.half").exists()


@pytest.mark.django_db
def test_a_delivery_whose_handler_is_gone_fails_visibly(settings):
    settings.EVENTS_INLINE = False
    event = OutboxEvent.objects.create(name=PROBE, payload={})
    OutboxDelivery.objects.create(event=event, handler="jiuzhu.gone.handler")
    assert outbox.drain(now=T0) == {"failed": 1}
    assert "no handler 'jiuzhu.gone.handler'" in OutboxDelivery.objects.get().last_error


@pytest.mark.django_db
def test_an_event_nobody_listens_to_writes_nothing():
    name = events.declare("test.unheard", "no handler")
    events.publish(name, n=1)
    assert OutboxEvent.objects.count() == 0


def test_two_handlers_with_one_name_are_refused():
    def twin(event):
        pass

    first = twin
    events.on(PROBE)(first)
    try:

        def twin(event):  # noqa: F811 - a second function with the same qualified name
            pass

        with pytest.raises(ValueError, match="give this one a key"):
            events.on(PROBE)(twin)
        events.on(PROBE, key="tests.twin.second")(twin)
        assert events.handler_for(PROBE, "tests.twin.second") is twin
    finally:
        events._registry[PROBE].handlers.clear()


@pytest.mark.django_db(transaction=True)
def test_with_a_broker_and_no_inline_delivery_the_commit_queues_a_celery_task(
    listeners, settings, monkeypatch
):
    from jiuzhu import celery

    settings.EVENTS_INLINE = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/15"
    queued: list[tuple[str, int]] = []
    monkeypatch.setattr(celery.run_task_later, "delay", lambda *args: queued.append(args))
    calls, _ = listeners
    with transaction.atomic():
        events.publish(PROBE, n=6)
        assert queued == []
    event = OutboxEvent.objects.get()
    assert queued == [("core.deliver_event", event.pk)]
    assert calls["good"] == []
    # The task itself (run in process here) delivers the event's handlers.
    result = celery.run_task_later.apply(args=["core.deliver_event", event.pk])
    assert result.get() == {"delivered": 2}
    assert calls["good"] == [{"n": 6}]


@pytest.mark.django_db(transaction=True)
def test_a_broker_that_cannot_be_reached_loses_nothing(listeners, settings, monkeypatch):
    from jiuzhu import celery

    settings.EVENTS_INLINE = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"

    def unreachable(*args):
        raise ConnectionError("broker down")

    monkeypatch.setattr(celery.run_task_later, "delay", unreachable)
    events.publish(PROBE, n=7)  # no exception reaches the caller
    assert OutboxDelivery.objects.filter(status="pending").count() == 2
    assert outbox.drain() == {"delivered": 2}


def test_the_drain_is_a_frequent_periodic_job():
    from jiuzhu.core.jobs import periodic_jobs

    job = {j.name: j for j in periodic_jobs()}["core.outbox"]
    assert job.every_seconds <= 5


@pytest.mark.django_db
def test_manage_events_lists_failed_deliveries(listeners, settings, capsys):
    settings.EVENTS_INLINE = False
    settings.EVENTS_MAX_ATTEMPTS = 1
    _, state = listeners
    state["failures"] = 1
    events.publish(PROBE, n=8)
    outbox.drain(now=timezone.now())
    call_command("events", "--failed")
    out = capsys.readouterr().out
    assert "flaky" in out and "dead" in out and "the partner system is down" in out
    assert ".good" not in out


@pytest.mark.django_db
def test_old_delivered_events_are_purged_and_failed_ones_kept(listeners, settings):
    settings.EVENTS_INLINE = False
    settings.EVENTS_KEEP_DAYS = 30
    _, state = listeners
    events.publish(PROBE, n="old and delivered")
    outbox.drain(now=T0)
    state["failures"] = 1
    events.publish(PROBE, n="old, one handler failing")
    outbox.drain(now=T0)
    events.publish(PROBE, n="recent")
    outbox.drain(now=T0)
    OutboxEvent.objects.exclude(payload__n="recent").update(created_at=T0 - dt.timedelta(days=31))
    OutboxEvent.objects.filter(payload__n="recent").update(created_at=T0 - dt.timedelta(days=29))

    assert outbox.purge(now=T0) == 1
    assert sorted(OutboxEvent.objects.values_list("payload__n", flat=True)) == [
        "old, one handler failing",
        "recent",
    ]
    assert OutboxDelivery.objects.count() == 4
    assert outbox.purge(now=T0) == 0


def test_manage_events_lists_every_event_with_its_handlers(capsys):
    call_command("events")
    out = capsys.readouterr().out
    assert "order.created: An order was placed." in out
    assert "    -> jiuzhu.dispatch.handlers.fix_deadlines" in out
    assert "    -> jiuzhu.assessment.handlers.new_household_is_due" in out
