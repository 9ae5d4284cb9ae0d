"""Department referrals through the services: the state table, sending from a plan, each answer,
the plan's recommendation following the referral, the chain, scoping, and escalation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from factories import (
    ConsentFactory,
    DepartmentDeskFactory,
    HouseholdFactory,
    MaterialRecommendationFactory,
    OrganisationFactory,
    UserFactory,
)
from jiuzhu.assessment.models import ReferralStatus as MaterialStatus
from jiuzhu.assessment.services.plans import material_set_status
from jiuzhu.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from jiuzhu.core.models import AuditEntry, Notification, OrganisationKind, Role
from jiuzhu.core.transitions import TransitionRefused
from jiuzhu.discovery.models import DepartmentReferral
from jiuzhu.discovery.models.referrals import DepartmentReferralStatus as S
from jiuzhu.discovery.selectors.referrals import (
    ReferralFilters,
    referral_get_for,
    referral_list,
)
from jiuzhu.discovery.services.referrals import (
    REFERRAL_FLOW,
    referral_accept,
    referral_complete,
    referral_decline,
    referral_send,
    referral_withdraw,
    referrals_escalate_overdue,
)
from jiuzhu.registry.models import ChainEntry

pytestmark = pytest.mark.django_db

DEPT = Role.DEPARTMENT
SC = Role.STREET_CASEWORKER

# ---------------------------------------------------------------- the state table, by hand

TABLE = [
    # action, role, status → the state it leads to, or the refusal
    ("accept", DEPT, S.SENT, S.ACCEPTED),
    ("accept", DEPT, S.ACCEPTED, "conflict"),
    ("accept", SC, S.SENT, "forbidden"),
    ("decline", DEPT, S.SENT, S.DECLINED),
    ("decline", DEPT, S.ACCEPTED, S.DECLINED),
    ("decline", DEPT, S.COMPLETED, "conflict"),
    ("complete", DEPT, S.ACCEPTED, S.COMPLETED),
    ("complete", DEPT, S.SENT, "conflict"),
    ("complete", Role.DISTRICT_MANAGER, S.ACCEPTED, "forbidden"),
    ("withdraw", SC, S.SENT, S.WITHDRAWN),
    ("withdraw", SC, S.ACCEPTED, S.WITHDRAWN),
    ("withdraw", SC, S.DECLINED, "conflict"),
    ("withdraw", DEPT, S.SENT, "forbidden"),
    # role before state: a role that may never act learns nothing about the state
    ("withdraw", Role.CITY_ADMIN, S.COMPLETED, "forbidden"),
]


@pytest.mark.parametrize(("action", "role", "status", "expected"), TABLE)
def test_the_state_table(action, role, status, expected):
    try:
        got = REFERRAL_FLOW.check(action, status=status, role=role)
    except TransitionRefused as refused:
        got = refused.reason
    assert got == expected


# ---------------------------------------------------------------- the world


@pytest.fixture
def medical(areas):
    """The Qixia medical-insurance bureau, on the platform for 医疗救助, with one account."""
    organisation = OrganisationFactory(name="栖霞区医保局", kind=OrganisationKind.DEPARTMENT)
    DepartmentDeskFactory(
        district=areas["qixia"], kind="medical", department=organisation, respond_days=5
    )
    staff = UserFactory(username="yibao", role=Role.DEPARTMENT, organisation=organisation)
    return {"organisation": organisation, "staff": staff}


@pytest.fixture
def material(areas):
    household = HouseholdFactory(community=areas["yaohua_a"], tier="near_dibao")
    ConsentFactory(household=household)  # sharing with a department needs it
    return MaterialRecommendationFactory(
        plan__household=household,
        plan__assessment__household=household,
        plan__status="approved",
        kind="medical",
        reason="医疗支出占收入比例高",
    )


@pytest.fixture
def referral(material, medical, caseworker):
    return referral_send(actor=caseworker, recommendation=material, note="请尽快核定")


# ---------------------------------------------------------------- sending


def test_sending_refers_to_the_department_with_a_deadline(referral, material, medical):
    assert referral.status == S.SENT and referral.department == medical["organisation"]
    days = (referral.respond_by - referral.sent_at).total_seconds() / 86400
    assert round(days) == 5
    material.refresh_from_db()
    assert material.referral_status == MaterialStatus.REFERRED
    assert ChainEntry.objects.filter(
        household=material.plan.household, source="referral", source_id=str(referral.pk)
    ).exists()
    assert AuditEntry.objects.filter(
        object_type="discovery.departmentreferral", action="create"
    ).exists()
    assert Notification.objects.filter(user=medical["staff"]).exists()


def test_a_second_referral_while_one_is_open_is_a_conflict(referral, material, caseworker):
    with pytest.raises(Conflict) as caught:
        referral_send(actor=caseworker, recommendation=material)
    assert caught.value.code == "already_referred"


def test_no_department_on_the_platform_is_a_conflict(material, caseworker):
    with pytest.raises(Conflict) as caught:
        referral_send(actor=caseworker, recommendation=material)
    assert caught.value.code == "no_department"


def test_a_draft_plan_is_not_referred(material, medical, caseworker):
    material.plan.status = "draft"
    material.plan.save()
    with pytest.raises(Conflict):
        referral_send(actor=caseworker, recommendation=material)


def test_only_the_street_caseworker_of_the_household_sends(material, medical, actors):
    with pytest.raises(PermissionDenied):
        referral_send(actor=actors["qixia_manager"], recommendation=material)
    with pytest.raises(PermissionDenied):
        referral_send(actor=actors["maqun_caseworker"], recommendation=material)


def test_the_hand_set_status_is_refused_where_a_department_handles_the_kind(
    material, medical, caseworker
):
    with pytest.raises(Conflict):
        material_set_status(actor=caseworker, recommendation=material, status="granted")


# ---------------------------------------------------------------- the department's answers


def test_accepted_then_completed_granted(referral, medical, caseworker):
    staff = medical["staff"]
    referral = referral_accept(actor=staff, referral=referral)
    assert referral.status == S.ACCEPTED and referral.complete_by is not None
    referral = referral_complete(
        actor=staff, referral=referral, outcome="granted", note="核定医疗救助 3,200 元"
    )
    assert referral.status == S.COMPLETED and referral.outcome == "granted"
    referral.recommendation.refresh_from_db()
    assert referral.recommendation.referral_status == MaterialStatus.GRANTED
    titles = list(
        ChainEntry.objects.filter(source="referral", source_id=str(referral.pk)).values_list(
            "title", flat=True
        )
    )
    assert len(titles) == 3  # sent, accepted, completed
    assert Notification.objects.filter(user=caseworker, title__icontains="completed").exists()
    assert [e.action for e in referral.events.all()] == ["send", "accept", "complete"]


def test_declined_with_a_reason(referral, medical):
    with pytest.raises(ValidationFailed):
        referral_decline(actor=medical["staff"], referral=referral, reason="  ")
    referral = referral_decline(actor=medical["staff"], referral=referral, reason="已享受同类救助")
    assert referral.status == S.DECLINED and referral.decline_reason == "已享受同类救助"
    referral.recommendation.refresh_from_db()
    assert referral.recommendation.referral_status == MaterialStatus.REFUSED


def test_completing_needs_an_outcome_and_an_accepted_referral(referral, medical):
    with pytest.raises(Conflict):
        referral_complete(actor=medical["staff"], referral=referral, outcome="granted")
    referral = referral_accept(actor=medical["staff"], referral=referral)
    with pytest.raises(ValidationFailed):
        referral_complete(actor=medical["staff"], referral=referral, outcome="maybe")


def test_withdrawn_by_the_caseworker_and_sent_again(referral, material, caseworker):
    referral = referral_withdraw(actor=caseworker, referral=referral, reason="家庭已搬离")
    material.refresh_from_db()
    assert referral.status == S.WITHDRAWN
    assert material.referral_status == MaterialStatus.RECOMMENDED
    again = referral_send(actor=caseworker, recommendation=material)
    assert again.pk != referral.pk and again.status == S.SENT


def test_another_department_neither_sees_nor_answers(referral, actors):
    other = actors["department"]  # 残联
    with pytest.raises(NotFound):
        referral_get_for(user=other, referral_id=referral.pk)
    assert not referral_list(user=other).exists()
    with pytest.raises(PermissionDenied):
        referral_accept(actor=other, referral=referral)


def test_area_staff_see_their_area_only(referral, actors, medical):
    assert referral_list(user=actors["qixia_manager"]).count() == 1
    assert referral_list(user=actors["yaohua_a_worker"]).count() == 1
    assert referral_list(user=actors["jianye_manager"]).count() == 0
    assert referral_list(user=actors["maqun_caseworker"]).count() == 0
    assert referral_list(user=medical["staff"], filters=ReferralFilters(status="open")).count() == 1


# ---------------------------------------------------------------- escalation


def test_an_overdue_referral_escalates_to_the_district_once(referral, actors):
    now = timezone.now()
    assert referrals_escalate_overdue(now=now) == 0
    later = referral.respond_by + dt.timedelta(minutes=1)
    assert referral_list(
        user=actors["qixia_manager"], filters=ReferralFilters(overdue=True), now=later
    ).exists()
    assert referrals_escalate_overdue(now=later) == 1
    assert referrals_escalate_overdue(now=later) == 0
    referral.refresh_from_db()
    assert referral.escalated_at is not None
    assert Notification.objects.filter(
        user=actors["qixia_manager"], title__icontains="overdue"
    ).exists()
    assert not Notification.objects.filter(
        user=actors["jianye_manager"], title__icontains="overdue"
    ).exists()
    assert ChainEntry.objects.filter(source="referral", title__icontains="escalated").exists()


def test_an_accepted_referral_escalates_again_when_completion_is_late(referral, medical):
    late = referral.respond_by + dt.timedelta(minutes=1)
    assert referrals_escalate_overdue(now=late) == 1
    referral = referral_accept(actor=medical["staff"], referral=referral)
    assert referral.escalated_at is None  # a new deadline, a new clock
    assert referrals_escalate_overdue(now=late) == 0
    assert referrals_escalate_overdue(now=referral.complete_by + dt.timedelta(minutes=1)) == 1


def test_answered_referrals_never_escalate(referral, medical):
    referral_decline(actor=medical["staff"], referral=referral, reason="不符合条件")
    assert referrals_escalate_overdue(now=referral.respond_by + dt.timedelta(days=1)) == 0
    assert DepartmentReferral.objects.get(pk=referral.pk).escalated_at is None
