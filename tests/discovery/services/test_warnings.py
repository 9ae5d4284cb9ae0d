"""The verification queue: each outcome, assignment, escalation of overdue warnings, rule
versions, and a neighbour's referral through to a new assessment."""

from __future__ import annotations

import datetime as dt

import pytest

from factories import EarlyWarningFactory, HouseholdFactory, PotentialCaseFactory
from factories_registry import make_household
from jiuzhu.assessment.models import AssessmentDue
from jiuzhu.core.errors import Conflict, PermissionDenied, ValidationFailed
from jiuzhu.core.models import Notification
from jiuzhu.core.scoping import visible
from jiuzhu.discovery.models import EarlyWarning, PotentialCase, WarningEvent, WarningRule
from jiuzhu.discovery.services.community_referrals import referral_submit
from jiuzhu.discovery.services.warnings import (
    WARNING_FLOW,
    referral_outcome_text,
    rule_publish,
    warning_assign,
    warning_verify,
    warnings_escalate_overdue,
)
from jiuzhu.registry.models import ChainEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def warning(areas):
    return EarlyWarningFactory(household=HouseholdFactory(community=areas["yaohua_a"]))


def test_the_state_table():
    table = {
        ("dismiss", "open", "community_worker"): "dismissed",
        ("register", "open", "volunteer"): "registered",
        ("reassess", "open", "street_caseworker"): "reassessment",
        ("assign", "open", "district_manager"): "open",
    }
    for (action, status, role), target in table.items():
        assert WARNING_FLOW.check(action, status=status, role=role) == target
    assert WARNING_FLOW.actions_for("dismissed", "community_worker") == []
    assert WARNING_FLOW.actions_for("open", "department") == []


def test_dismissing_needs_a_reason_and_is_recorded(actors, warning):
    worker = actors["yaohua_a_worker"]
    with pytest.raises(ValidationFailed):
        warning_verify(actor=worker, warning=warning, outcome="dismiss", note=" ")
    done = warning_verify(actor=worker, warning=warning, outcome="dismiss", note="已有亲属照顾")
    assert done.status == "dismissed" and done.verified_by == worker
    assert list(WarningEvent.objects.filter(warning=done).values_list("action", flat=True)) == [
        "dismiss"
    ]
    assert ChainEntry.objects.filter(household=warning.household, source="discovery").exists()
    with pytest.raises(Conflict):
        warning_verify(actor=worker, warning=done, outcome="reassess", note="x")


@pytest.mark.parametrize(("immediate", "reason"), [(False, "discovery"), (True, "change")])
def test_a_reassessment_opens_an_assessment_due(actors, warning, immediate, reason):
    warning_verify(
        actor=actors["yaohua_a_worker"],
        warning=warning,
        outcome="reassess",
        note="医疗支出大",
        immediate=immediate,
    )
    assert AssessmentDue.objects.filter(household=warning.household, reason=reason).exists()


def test_registering_a_potential_case_links_the_new_household(actors, areas):
    case = PotentialCaseFactory(district=areas["qixia"])
    warning = EarlyWarningFactory(
        household=None,
        potential_case=case,
        district=areas["qixia"],
        street=None,
        community=None,
    )
    manager, worker = actors["qixia_manager"], actors["yaohua_a_worker"]
    warning = warning_assign(actor=manager, warning=warning, assignee=worker)
    assert warning.community == areas["yaohua_a"] and warning.assignee == worker
    household = make_household(actor=worker, community=areas["yaohua_a"])
    with pytest.raises(ValidationFailed):
        warning_verify(actor=worker, warning=warning, outcome="register", note="走访属实")
    done = warning_verify(
        actor=worker, warning=warning, outcome="register", note="走访属实", household=household
    )
    assert done.status == "registered" and done.household == household
    case.refresh_from_db()
    assert case.status == "registered" and case.household == household


def test_a_volunteer_verifies_only_what_they_were_assigned(actors, warning):
    volunteer = actors["volunteer"]
    with pytest.raises(PermissionDenied):
        warning_verify(actor=volunteer, warning=warning, outcome="dismiss", note="x")
    warning = warning_assign(actor=actors["yaohua_caseworker"], warning=warning, assignee=volunteer)
    assert warning_verify(actor=volunteer, warning=warning, outcome="dismiss", note="x").status


def test_a_volunteer_with_an_area_sees_only_the_warnings_assigned_to_them(actors, areas, warning):
    """Warnings carry health and disability signals: a volunteer's account naming a community
    does not open that community's queue to them."""
    volunteer = actors["volunteer"]
    volunteer.area = areas["yaohua_a"]  # the warning's own community
    volunteer.save()
    assert list(visible(volunteer, EarlyWarning.objects.all())) == []
    warning_assign(actor=actors["yaohua_caseworker"], warning=warning, assignee=volunteer)
    assert list(visible(volunteer, EarlyWarning.objects.all())) == [warning]


def test_a_department_may_not_verify(actors, warning):
    with pytest.raises(PermissionDenied):
        warning_verify(actor=actors["department"], warning=warning, outcome="dismiss", note="x")


def test_overdue_warnings_escalate_once_then_again_after_two_days(actors, warning):
    now = warning.due_at + dt.timedelta(minutes=1)
    assert warnings_escalate_overdue(now=now) == 1
    assert warnings_escalate_overdue(now=now) == 0
    warning.refresh_from_db()
    assert warning.escalation_level == 1
    # The street's caseworker is told first, the district's managers the second time.
    assert Notification.objects.filter(user=actors["yaohua_caseworker"]).exists()
    assert warnings_escalate_overdue(now=now + dt.timedelta(hours=49)) == 1
    assert Notification.objects.filter(user=actors["qixia_manager"]).exists()
    EarlyWarning.objects.filter(pk=warning.pk).update(status="dismissed")
    assert warnings_escalate_overdue(now=now + dt.timedelta(days=10)) == 0


def test_a_new_rule_version_retires_the_old_one(actors):
    old = WarningRule.objects.get(code="medical_12m", status="published")
    new = rule_publish(
        actor=actors["city_admin"],
        code="medical_12m",
        kind="medical_out_of_pocket",
        title="医保自付",
        params={"amount": "30000"},
        grade="red",
        verify_days=5,
        indicator="health",
    )
    old.refresh_from_db()
    assert (old.status, new.version, new.status) == ("retired", old.version + 1, "published")
    with pytest.raises(PermissionDenied):
        rule_publish(
            actor=actors["qixia_manager"],
            code="x",
            kind="disaster_damage",
            title="",
            params={},
            grade="red",
            verify_days=3,
            indicator="housing",
        )


def test_a_beneficiary_refers_a_neighbour_through_to_a_new_assessment(actors, areas):
    from factories import BeneficiaryAccountFactory, MemberFactory, UserFactory

    household = HouseholdFactory(community=areas["yaohua_a"])
    neighbour = UserFactory(role="beneficiary")
    BeneficiaryAccountFactory(user=neighbour, member=MemberFactory(household=household))
    referral = referral_submit(
        actor=neighbour,
        community=areas["yaohua_a"],
        name="",
        address="尧化门12栋301",
        noticed="老人独居，最近摔倒后没人照顾",
        consent_note="本人同意社区上门",
    )
    warning = EarlyWarning.objects.get(referral=referral)
    assert warning.origin == "referral" and warning.community == areas["yaohua_a"]
    worker = actors["yaohua_a_worker"]
    target = make_household(actor=worker, community=areas["yaohua_a"])
    warning_verify(
        actor=worker, warning=warning, outcome="reassess", note="需要照护", household=target
    )
    assert AssessmentDue.objects.filter(household=target, reason="discovery").exists()
    told = Notification.objects.get(user=neighbour)
    assert told.body == referral_outcome_text("reassessment")
    assert target.address not in told.body


def test_a_referral_needs_a_name_or_an_address(actors, areas):
    with pytest.raises(ValidationFailed) as caught:
        referral_submit(actor=actors["volunteer"], community=None, noticed="")
    assert set(caught.value.as_dict()["extra"]["fields"]) == {"name", "noticed", "community"}
    assert PotentialCase.objects.count() == 0
