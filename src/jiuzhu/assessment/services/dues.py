"""The re-assessment queue: who is due, why, and by when.

- periodic (定期评): after every submitted assessment, the next is due in a year, or a quarter
  for urgent intervention;
- change (立即评): a recorded household change makes the household due at once;
- new (实时评): a newly registered household is due at once;
- discovery (跟进评): actively discovered cases (a later capability) are due at once.
One open entry per household and reason; submitting an assessment resolves all open entries.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from jiuzhu.assessment.models import Assessment, AssessmentDue, AssessmentReason
from jiuzhu.core import audit
from jiuzhu.core.models import AuditAction
from jiuzhu.registry.models import Household, HouseholdChange, HouseholdStatus


def next_periodic_date(*, urgency_tag: str, after: dt.date) -> dt.date:
    """Yearly by default, quarterly (91 days) for urgent intervention."""
    return after + dt.timedelta(days=91 if urgency_tag == "urgent" else 365)


def due_add(
    *,
    household: Household,
    reason: str,
    due_on: dt.date | None = None,
    change: HouseholdChange | None = None,
) -> AssessmentDue:
    """Open an entry, or bring an open one with the same reason forward to the earlier date."""
    due_on = due_on or timezone.localdate()
    with transaction.atomic():
        due = (
            AssessmentDue.objects.select_for_update()
            .filter(household=household, reason=reason, resolved_at__isnull=True)
            .first()
        )
        if due is None:
            return AssessmentDue.objects.create(
                household=household, reason=reason, due_on=due_on, change=change
            )
        if due_on < due.due_on:
            due.due_on = due_on
            due.save(update_fields=["due_on"])
        return due


def dues_resolve(*, household: Household, assessment: Assessment) -> int:
    return AssessmentDue.objects.filter(household=household, resolved_at__isnull=True).update(
        resolved_at=timezone.now(), resolved_by=assessment
    )


def schedule_next(*, household: Household, urgency_tag: str, after: dt.date) -> AssessmentDue:
    return due_add(
        household=household,
        reason=AssessmentReason.SCHEDULED,
        due_on=next_periodic_date(urgency_tag=urgency_tag, after=after),
    )


def _due_add_for_event(
    *, household: Household, reason: str, event: str, change: HouseholdChange | None = None
) -> AssessmentDue:
    """``due_add`` for an event handler: idempotent (an open entry is kept, or brought forward),
    and audited as the system when it opened or moved an entry."""
    with transaction.atomic():
        before = (
            AssessmentDue.objects.filter(
                household=household, reason=reason, resolved_at__isnull=True
            )
            .values_list("pk", "due_on")
            .first()
        )
        due = due_add(household=household, reason=reason, change=change)
        if before != (due.pk, due.due_on):
            audit.record(
                actor=None,
                actor_label="system",
                action=AuditAction.CREATE if before is None else AuditAction.UPDATE,
                obj=due,
                detail={"event": event, "reason": reason, "due_on": due.due_on.isoformat()},
            )
        return due


def due_for_registered(*, household_id: int) -> None:
    """``household.registered``: a new household is due for assessment at once."""
    household = Household.objects.filter(pk=household_id, status=HouseholdStatus.ACTIVE).first()
    if household is not None:
        _due_add_for_event(
            household=household, reason=AssessmentReason.NEW, event="household.registered"
        )


def due_for_change(*, household_id: int, change_id: int) -> None:
    """``household.changed``: a change of circumstances makes the household due at once."""
    household = Household.objects.filter(pk=household_id, status=HouseholdStatus.ACTIVE).first()
    if household is None:
        return
    change = HouseholdChange.objects.filter(pk=change_id).first()
    _due_add_for_event(
        household=household,
        reason=AssessmentReason.CHANGE,
        change=change,
        event="household.changed",
    )
