"""The assessment's reactions to registry events (outbox deliveries): a new or changed household
becomes due through ``due_for_*``, idempotent and audited once as the system."""

from __future__ import annotations

import pytest

from factories_registry import make_household
from jiuzhu.assessment.models import AssessmentDue
from jiuzhu.assessment.services.dues import due_for_change, due_for_registered
from jiuzhu.core.models import AuditEntry, DeliveryStatus, OutboxDelivery

pytestmark = pytest.mark.django_db


def due_entries(due: AssessmentDue):
    return AuditEntry.objects.filter(
        object_type="assessment.assessmentdue", object_id=str(due.pk), actor__isnull=True
    )


def test_a_registered_household_is_due_once_however_often_the_event_is_handled(
    areas, caseworker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        household = make_household(actor=caseworker, community=areas["yaohua_a"])
    due = AssessmentDue.objects.get(household=household, reason="new", resolved_at__isnull=True)
    delivery = OutboxDelivery.objects.get(
        event__name="household.registered",
        handler="jiuzhu.assessment.handlers.new_household_is_due",
    )
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DONE, 1)
    [entry] = due_entries(due)
    assert (entry.action, entry.actor_label) == ("create", "system")
    assert entry.detail["event"] == "household.registered"

    due_for_registered(household_id=household.pk)  # a retry of the same event
    assert AssessmentDue.objects.filter(household=household, reason="new").count() == 1
    assert due_entries(due).count() == 1


def test_a_change_makes_the_household_due_and_a_repeat_changes_nothing(
    areas, caseworker, django_capture_on_commit_callbacks
):
    from factories_registry import add_member

    household = make_household(actor=caseworker, community=areas["yaohua_a"])
    with django_capture_on_commit_callbacks(execute=True):
        add_member(actor=caseworker, household=household)
    due = AssessmentDue.objects.get(household=household, reason="change")
    change_id = due.change_id
    assert [e.detail["event"] for e in due_entries(due)] == ["household.changed"]
    due_for_change(household_id=household.pk, change_id=change_id)
    assert AssessmentDue.objects.filter(household=household, reason="change").count() == 1
    assert due_entries(due).count() == 1
