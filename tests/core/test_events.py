import pytest
from django.db import transaction

from jiuzhu.core import events


@pytest.fixture
def probe_event():
    name = events.declare("test.probe", "used by tests")
    seen: list = []

    def handler(event):
        seen.append(event.payload)

    events.on(name)(handler)
    yield name, seen
    events._registry[name].handlers.remove(handler)


@pytest.mark.django_db
def test_handlers_run_only_after_commit(probe_event, django_capture_on_commit_callbacks):
    name, seen = probe_event
    with django_capture_on_commit_callbacks(execute=True):
        events.publish(name, household_id=7)
        assert seen == []
    assert seen == [{"household_id": 7}]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_announces_nothing(probe_event):
    name, seen = probe_event
    with pytest.raises(RuntimeError), transaction.atomic():
        events.publish(name, household_id=8)
        raise RuntimeError("roll back")
    assert seen == []


@pytest.mark.django_db
def test_a_failing_handler_does_not_stop_the_others(
    probe_event, django_capture_on_commit_callbacks
):
    name, seen = probe_event

    def broken(event):
        raise ValueError("boom")

    events._registry[name].handlers.insert(0, broken)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            events.publish(name, n=1)
    finally:
        events._registry[name].handlers.remove(broken)
    assert seen == [{"n": 1}]


def test_undeclared_events_are_refused():
    with pytest.raises(LookupError):
        events.publish("no.such.event")
    with pytest.raises(LookupError):
        events.on("no.such.event")(lambda e: None)
