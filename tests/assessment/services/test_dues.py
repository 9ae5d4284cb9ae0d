"""The re-assessment queue at its boundaries (docs/assessment.md, "Re-assessment").

- periodic (定期评): due a year (365 days) after the last assessment, a quarter (91 days) for
  households tagged for urgent intervention — and only for those: the safety-net and care tags
  are yearly;
- immediate (立即评): a recorded household change makes the household due at once;
- real-time (实时评): a newly registered household is due at once;
- one open entry per household and reason; a second due for the same reason brings the open
  entry forward, never back; submitting an assessment resolves the household's open entries (and
  no other household's); a due arriving after that opens a new entry.

The clock is stopped at 2026-03-02 17:00 UTC, which is 3 March in Nanjing: days are local days.
"""

import datetime as dt

import pytest

from assessment_cast import NOT_DEPRIVED
from factories_registry import add_member, make_household
from jiuzhu.assessment.models import AssessmentDue
from jiuzhu.assessment.services.assessments import (
    assessment_save,
    assessment_start,
    assessment_submit,
)
from jiuzhu.assessment.services.dues import due_add

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 3)  # local date at the stopped clock
IN_A_QUARTER = dt.date(2026, 6, 2)  # 3 March + 91 days: 28 (to 31 March) + 30 + 31 + 2
IN_A_YEAR = dt.date(2027, 3, 3)  # 3 March + 365 days (no 29 February in between)

# Default framework weights: income_ratio, untreated_condition, psychological_distress 1/18
# each; no_employed_member and lacks_skills 1/12 each. Tags: urgent ≥ 1/2 or any critical
# deprivation (isolated_vulnerable is critical), safety net ≥ 1/3, care ≥ 1/5.
CARE = {  # 1/18 + 1/12 + 1/18 + 1/18 = 1/4
    **NOT_DEPRIVED,
    "income_ratio": 0.75,
    "no_employed_member": "yes",
    "untreated_condition": "yes",
    "psychological_distress": "yes",
}
SAFETY_NET = {**CARE, "lacks_skills": "yes"}  # 1/4 + 1/12 = 1/3 exactly
URGENT_BY_CRITICAL = {**NOT_DEPRIVED, "isolated_vulnerable": "yes"}  # 1/18, but critical


def open_entries(household) -> dict[str, dt.date]:
    """The household's open queue entries: reason → due date."""
    return {
        due.reason: due.due_on
        for due in AssessmentDue.objects.filter(household=household, resolved_at__isnull=True)
    }


def submit(household, actors, answers):
    assessor = actors["assessor"]
    assessment = assessment_start(actor=assessor, household=household)
    assessment = assessment_save(actor=assessor, assessment=assessment, answers=answers)
    assessment_submit(actor=assessor, assessment=assessment)
    assessment.refresh_from_db()
    return assessment


def test_a_newly_registered_household_is_due_at_once(
    clock, areas, caseworker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        household = make_household(actor=caseworker, community=areas["yaohua_a"])
    assert open_entries(household) == {"new": TODAY}


def test_a_recorded_change_makes_the_household_due_at_once(
    clock, household, caseworker, django_capture_on_commit_callbacks
):
    from jiuzhu.registry.services.members import member_update

    clock.advance(days=10)
    with django_capture_on_commit_callbacks(execute=True):
        member_update(
            actor=caseworker,
            member=household.members.first(),
            employment="employed",
            reason="再就业",
        )
    assert open_entries(household)["change"] == TODAY + dt.timedelta(days=10)


@pytest.mark.parametrize(
    ("answers", "tag", "due_on"),
    [
        (NOT_DEPRIVED, "watch", IN_A_YEAR),
        (CARE, "care", IN_A_YEAR),
        (SAFETY_NET, "safety_net", IN_A_YEAR),
        (URGENT_BY_CRITICAL, "urgent", IN_A_QUARTER),
    ],
    ids=["watch", "care", "safety-net", "urgent"],
)
def test_the_next_periodic_assessment_is_a_year_or_a_quarter_for_urgent(
    clock, household, actors, answers, tag, due_on
):
    assessment = submit(household, actors, answers)
    assert assessment.urgency_tag == tag
    assert open_entries(household) == {"scheduled": due_on}


def test_submitting_resolves_the_households_entries_and_no_others(
    clock, household, actors, areas, caseworker
):
    due_add(household=household, reason="change")
    due_add(household=household, reason="new")
    other = make_household(actor=caseworker, community=areas["yaohua_a"])
    add_member(actor=caseworker, household=other)
    due_add(household=other, reason="new")
    assessment = submit(household, actors, NOT_DEPRIVED)
    assert open_entries(household) == {"scheduled": IN_A_YEAR}
    resolved = AssessmentDue.objects.filter(household=household, resolved_at__isnull=False)
    assert sorted(d.reason for d in resolved) == ["change", "new"]
    assert {d.resolved_by_id for d in resolved} == {assessment.pk}
    assert open_entries(other) == {"new": TODAY}


def test_a_second_due_brings_an_open_entry_forward_never_back(clock, household):
    first = due_add(household=household, reason="scheduled", due_on=TODAY + dt.timedelta(days=30))
    later = due_add(household=household, reason="scheduled", due_on=TODAY + dt.timedelta(days=31))
    assert later.pk == first.pk
    assert open_entries(household) == {"scheduled": TODAY + dt.timedelta(days=30)}
    earlier = due_add(household=household, reason="scheduled", due_on=TODAY + dt.timedelta(days=29))
    assert earlier.pk == first.pk
    assert open_entries(household) == {"scheduled": TODAY + dt.timedelta(days=29)}
    # The same date changes nothing; without a date the entry is due today.
    due_add(household=household, reason="scheduled", due_on=TODAY + dt.timedelta(days=29))
    assert open_entries(household) == {"scheduled": TODAY + dt.timedelta(days=29)}
    due_add(household=household, reason="scheduled")
    assert open_entries(household) == {"scheduled": TODAY}
    assert AssessmentDue.objects.filter(household=household).count() == 1


def test_a_due_after_the_assessment_opens_a_new_entry(
    clock, household, actors, caseworker, django_capture_on_commit_callbacks
):
    from jiuzhu.registry.services.members import member_update

    due_add(household=household, reason="change", due_on=TODAY - dt.timedelta(days=3))
    submit(household, actors, NOT_DEPRIVED)
    resolved = AssessmentDue.objects.get(household=household, reason="change")
    clock.advance(days=40)
    with django_capture_on_commit_callbacks(execute=True):
        member_update(
            actor=caseworker,
            member=household.members.first(),
            employment="employed",
            reason="再就业",
        )
    assert open_entries(household) == {
        "scheduled": IN_A_YEAR,
        "change": TODAY + dt.timedelta(days=40),
    }
    again = AssessmentDue.objects.get(pk=resolved.pk)
    assert again.resolved_at is not None
    assert again.due_on == TODAY - dt.timedelta(days=3)


def test_a_change_entry_links_the_recorded_change(
    clock, household, caseworker, django_capture_on_commit_callbacks
):
    from jiuzhu.registry.models import HouseholdChange
    from jiuzhu.registry.services.members import member_update

    with django_capture_on_commit_callbacks(execute=True):
        member_update(
            actor=caseworker,
            member=household.members.first(),
            employment="employed",
            reason="再就业",
        )
    change = HouseholdChange.objects.filter(household=household).latest("id")
    due = AssessmentDue.objects.get(household=household, reason="change")
    assert due.change == change


def test_a_household_that_has_exited_is_not_queued(clock, household, areas, caseworker):
    from jiuzhu.assessment.services.dues import due_for_change, due_for_registered
    from jiuzhu.registry.models import Household, HouseholdChange, HouseholdStatus

    change = HouseholdChange.objects.filter(household=household).first()
    Household.objects.filter(pk=household.pk).update(
        status=HouseholdStatus.EXITED, exit_reason="迁出"
    )
    due_for_registered(household_id=household.pk)
    due_for_change(household_id=household.pk, change_id=change.pk if change else 0)
    assert open_entries(household) == {}


def test_registering_queues_that_household_and_no_other(
    clock, household, areas, caseworker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        newcomer = make_household(actor=caseworker, community=areas["yaohua_b"])
    assert open_entries(newcomer) == {"new": TODAY}
    assert open_entries(household) == {}
    # The handler queues the household it is told about, whichever is newest.
    from jiuzhu.assessment.services.dues import due_for_registered

    due_for_registered(household_id=household.pk)
    assert open_entries(household) == {"new": TODAY}
    assert AssessmentDue.objects.filter(household=newcomer).count() == 1
    # So does the change handler.
    from jiuzhu.assessment.services.dues import due_for_change

    due_for_change(household_id=household.pk, change_id=0)
    assert open_entries(household) == {"new": TODAY, "change": TODAY}
    assert open_entries(newcomer) == {"new": TODAY}


def test_a_later_assessment_leaves_earlier_resolutions_alone(clock, household, actors):
    due_add(household=household, reason="change")
    first = submit(household, actors, NOT_DEPRIVED)
    clock.advance(days=30)
    second = submit(household, actors, URGENT_BY_CRITICAL)
    by_reason = {
        d.reason: d.resolved_by_id
        for d in AssessmentDue.objects.filter(household=household, resolved_at__isnull=False)
    }
    assert by_reason == {"change": first.pk, "scheduled": second.pk}
    assert open_entries(household) == {"scheduled": TODAY + dt.timedelta(days=30 + 91)}


def test_the_handlers_audit_each_entry_they_open_or_move_as_the_system_and_nothing_else(
    clock, household, areas, caseworker, django_capture_on_commit_callbacks
):
    """docs/assessment.md: the event handlers keep the queue idempotently; an entry they open
    is audited as created, one they bring forward as updated, both by "system" with the event,
    the reason and the due date; a repeated event writes nothing."""
    from django.utils import timezone

    from jiuzhu.assessment.services.dues import due_for_change, due_for_registered
    from jiuzhu.core.models import AuditEntry

    def entries():  # the detail without the channel the audit adds ("cli" outside a request)
        rows = AuditEntry.objects.filter(object_type__endswith="assessmentdue").order_by("pk")
        return [
            (
                e.action,
                e.actor_label,
                e.object_id,
                {k: v for k, v in e.detail.items() if k != "channel"},
            )
            for e in rows
        ]

    with django_capture_on_commit_callbacks(execute=True):
        make_household(actor=caseworker, community=areas["yaohua_b"])  # another open "new"
    AssessmentDue.objects.create(  # a resolved "new" and an open "change" of this household
        household=household, reason="new", due_on=TODAY, resolved_at=timezone.now()
    )
    change = AssessmentDue.objects.create(
        household=household, reason="change", due_on=TODAY + dt.timedelta(days=30)
    )
    already = entries()

    due_for_registered(household_id=household.pk)
    due_for_registered(household_id=household.pk)  # again: nothing to do, nothing written
    new = AssessmentDue.objects.get(household=household, reason="new", resolved_at=None)
    due_for_change(household_id=household.pk, change_id=0)  # brings "change" forward to today
    due_for_change(household_id=household.pk, change_id=0)
    assert entries()[len(already) :] == [
        (
            "create",
            "system",
            str(new.pk),
            {"event": "household.registered", "reason": "new", "due_on": "2026-03-03"},
        ),
        (
            "update",
            "system",
            str(change.pk),
            {"event": "household.changed", "reason": "change", "due_on": "2026-03-03"},
        ),
    ]
