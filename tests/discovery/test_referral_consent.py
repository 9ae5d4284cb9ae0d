"""One consent rule for every referral out to a department (PIPL): from a plan or from the
household page, the household's information goes to a department only while it has a consent
to share that it has not withdrawn. A consent to collect only does not count."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from factories import (
    ConsentFactory,
    DepartmentDeskFactory,
    HouseholdFactory,
    MaterialRecommendationFactory,
    OrganisationFactory,
)
from jiuzhu.core.errors import Conflict
from jiuzhu.core.models import OrganisationKind
from jiuzhu.discovery.models import DepartmentReferral
from jiuzhu.discovery.services.referrals import (
    referral_send,
    referral_send_for_household,
    referral_withdraw,
)
from jiuzhu.registry.services.consents import consent_withdraw

pytestmark = pytest.mark.django_db

#: The household's consent → whether a referral may go out (by hand, from the rule).
CONSENTS = [
    ("none", False),
    ("collect_only", False),
    ("share", True),
    ("share_withdrawn", False),
]

NO_CONSENT_ZH = "该家庭未授权向合作部门共享信息（或已撤回授权），不能转介"


@pytest.fixture
def desk(areas):
    organisation = OrganisationFactory(name="栖霞区医保局", kind=OrganisationKind.DEPARTMENT)
    return DepartmentDeskFactory(district=areas["qixia"], kind="medical", department=organisation)


def _household(areas, caseworker, consent: str):
    household = HouseholdFactory(community=areas["yaohua_a"])
    if consent == "collect_only":
        ConsentFactory(household=household, scope="collect")
    elif consent.startswith("share"):
        given = ConsentFactory(household=household)
        if consent == "share_withdrawn":
            consent_withdraw(actor=caseworker, consent=given, reason="户主撤回")
    return household


def _material(household):
    return MaterialRecommendationFactory(
        plan__household=household,
        plan__assessment__household=household,
        plan__status="approved",
        kind="medical",
    )


def _from_plan(caseworker, household):
    return referral_send(actor=caseworker, recommendation=_material(household))


def _from_household_page(caseworker, household):
    return referral_send_for_household(actor=caseworker, household=household, kind="medical")


def _from_household_page_with_a_plan(caseworker, household):
    _material(household)
    return referral_send_for_household(actor=caseworker, household=household, kind="medical")


PATHS = [_from_plan, _from_household_page, _from_household_page_with_a_plan]


@pytest.mark.parametrize("send", PATHS, ids=lambda f: f.__name__)
@pytest.mark.parametrize(("consent", "allowed"), CONSENTS)
def test_every_path_follows_the_one_consent_rule(send, consent, allowed, desk, areas, caseworker):
    household = _household(areas, caseworker, consent)
    if allowed:
        referral = send(caseworker, household)
        assert referral.status == "sent" and referral.department == desk.department
        return
    with pytest.raises(Conflict) as refused:
        send(caseworker, household)
    assert refused.value.code == "no_sharing_consent"
    assert "has not consented to share its information" in refused.value.message
    assert not DepartmentReferral.objects.exists()


def test_a_withdrawn_consent_stops_the_next_referral_from_the_plan(desk, areas, caseworker):
    household = _household(areas, caseworker, "share")
    material = _material(household)
    first = referral_send(actor=caseworker, recommendation=material)
    referral_withdraw(actor=caseworker, referral=first, reason="材料不全")
    consent_withdraw(actor=caseworker, consent=household.consents.get(), reason="户主撤回")
    with pytest.raises(Conflict) as refused:
        referral_send(actor=caseworker, recommendation=material)
    assert refused.value.code == "no_sharing_consent"
    assert DepartmentReferral.objects.filter(status="sent").count() == 0


def test_the_plan_page_says_why_in_place_of_the_button(desk, areas, caseworker):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    household = _household(areas, caseworker, "none")
    material = _material(household)
    plan_url = reverse("assessment:plan", args=[material.plan.pk])
    send = reverse("discovery:referral_send", args=[material.plan.pk, material.pk])
    client.force_login(caseworker)

    page = client.get(plan_url).content.decode()
    assert send not in page
    assert NO_CONSENT_ZH in page

    # Posting anyway (a stale page) is refused with the same message, in Chinese.
    response = client.post(send, {"note": ""}, follow=True)
    assert NO_CONSENT_ZH in response.content.decode()
    assert not DepartmentReferral.objects.exists()

    ConsentFactory(household=household)
    page = client.get(plan_url).content.decode()
    assert send in page and NO_CONSENT_ZH not in page
    client.post(send, {"note": ""})
    assert DepartmentReferral.objects.get().recommendation == material
