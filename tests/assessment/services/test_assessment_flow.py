"""评·摸·问·开 through the services, on a household worked out by hand.

Default framework: six dimensions of weight 1/6; daily living and health have three indicators
(1/18 each), social integration three (1/18 each), housing, employment and education two
(1/12 each). k = 1/3; tags: urgent ≥ 1/2, safety net ≥ 1/3, care ≥ 1/5.
"""

import datetime as dt
from fractions import Fraction

import pytest
from django.utils import timezone

from assessment_cast import NOT_DEPRIVED
from jiuzhu.assessment.models import AssessmentDue, Plan, PlanStatus
from jiuzhu.assessment.services.assessments import (
    assessment_preview,
    assessment_save,
    assessment_start,
    assessment_submit,
)
from jiuzhu.assessment.services.plans import plan_approve
from jiuzhu.core.errors import PermissionDenied, ValidationFailed
from jiuzhu.registry.models import ChainEntry

pytestmark = pytest.mark.django_db


def test_the_visit_is_prefilled_from_the_registry(household, actors):
    assessment = assessment_start(actor=actors["assessor"], household=household)
    # 1,500 yuan / 2 members / 1,000 yuan dibao line = 0.75; both able working-age members
    # are unemployed (the spouse has a serious illness, so only the head counts as able, and he
    # does not work).
    assert assessment.answers["income_ratio"] == 0.75
    assert assessment.answers["no_employed_member"] is True
    assert assessment.answers["medical_burden"] == 0.0
    assert assessment.baseline["dibao_line"] == 1000.0
    # Starting again returns the same draft.
    assert assessment_start(actor=actors["assessor"], household=household) == assessment


def test_a_submitted_assessment_scores_tags_and_drafts_a_plan(household, actors, caseworker):
    assessor = actors["assessor"]
    assessment = assessment_start(actor=assessor, household=household)
    answers = {
        **NOT_DEPRIVED,
        "income_ratio": 0.75,
        "no_employed_member": "yes",
        "untreated_condition": "yes",
        "psychological_distress": "yes",
    }
    assessment = assessment_save(
        actor=assessor, assessment=assessment, answers=answers, wishes="希望找到工作"
    )
    # Deprived: income_ratio 1/18, no_employed_member 1/12, untreated_condition 1/18,
    # psychological_distress 1/18 → 3/18 + 1/12 = 2/12 + 1/12 = 3/12 = 1/4.
    preview = assessment_preview(assessment)
    assert preview["result"].score == Fraction(1, 4)
    assert preview["urgency_tag"] == "care"  # 1/5 ≤ 1/4 < 1/3
    assessment_submit(actor=assessor, assessment=assessment)
    assessment.refresh_from_db()
    household.refresh_from_db()
    assert (assessment.score_exact, assessment.poor, assessment.urgency_tag) == (
        "1/4",
        False,
        "care",
    )
    assert household.urgency_tag == "care"
    assert set(assessment.deprived) == {
        "income_ratio",
        "no_employed_member",
        "untreated_condition",
        "psychological_distress",
    }
    need_codes = set(assessment.needs.values_list("code", flat=True))
    assert {"job_guidance", "rehabilitation", "counselling"} <= need_codes
    plan = Plan.objects.get(assessment=assessment)
    assert plan.status == PlanStatus.DRAFT
    assert plan.items.exists()
    kinds = set(plan.materials.values_list("kind", flat=True))
    # Income is below the dibao line, but the household already receives dibao; not urgent, so
    # no temporary assistance: medical (untreated condition) and employment remain.
    assert kinds == {"medical", "employment"}
    # the next periodic assessment is due in a year, the new-household entry is resolved
    open_dues = AssessmentDue.objects.filter(household=household, resolved_at__isnull=True)
    assert [d.reason for d in open_dues] == ["scheduled"]
    plan_approve(actor=caseworker, plan=plan)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED
    assert ChainEntry.objects.filter(household=household, source="plan").exists()


def test_submitting_with_unanswered_questions_is_refused(household, actors):
    assessor = actors["assessor"]
    assessment = assessment_start(actor=assessor, household=household)
    with pytest.raises(ValidationFailed) as error:
        assessment_submit(actor=assessor, assessment=assessment)
    assert "daily_care_gap" in error.value.fields
    household.refresh_from_db()
    assert household.urgency_tag == ""


def test_a_critical_deprivation_alone_means_urgent(household, actors):
    assessor = actors["assessor"]
    assessment = assessment_start(actor=assessor, household=household)
    answers = {**NOT_DEPRIVED, "isolated_vulnerable": "yes"}  # score 1/18, but critical
    assessment = assessment_save(actor=assessor, assessment=assessment, answers=answers)
    assessment_submit(actor=assessor, assessment=assessment)
    assessment.refresh_from_db()
    assert (assessment.score_exact, assessment.urgency_tag) == ("1/18", "urgent")
    # Urgent intervention: re-assessed a quarter later, 91 days counted in Nanjing's calendar
    # (the submission's UTC date can be the day before).
    due = AssessmentDue.objects.get(household=household, resolved_at__isnull=True)
    assert due.due_on - timezone.localdate(assessment.submitted_at) == dt.timedelta(days=91)


def test_bad_answers_are_field_errors(household, actors):
    assessor = actors["assessor"]
    assessment = assessment_start(actor=assessor, household=household)
    with pytest.raises(ValidationFailed) as error:
        assessment_save(
            actor=assessor,
            assessment=assessment,
            answers={"living_area": "lots", "food_shortage": "maybe"},
        )
    assert set(error.value.fields) == {"living_area", "food_shortage"}


def test_only_the_street_caseworker_approves(household, actors):
    assessor = actors["assessor"]
    assessment = assessment_start(actor=assessor, household=household)
    assessment = assessment_save(actor=assessor, assessment=assessment, answers=NOT_DEPRIVED)
    assessment_submit(actor=assessor, assessment=assessment)
    with pytest.raises(PermissionDenied):
        plan_approve(actor=assessor, plan=assessment.plan)


def test_a_household_change_makes_the_household_due(
    household, caseworker, django_capture_on_commit_callbacks
):
    from jiuzhu.registry.services.members import member_update

    member = household.members.first()
    with django_capture_on_commit_callbacks(execute=True):
        member_update(actor=caseworker, member=member, employment="employed", reason="再就业")
    assert AssessmentDue.objects.filter(
        household=household, reason="change", resolved_at__isnull=True
    ).exists()
