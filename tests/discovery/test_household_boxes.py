"""The discovery boxes on the household page (early warnings; referrals to departments started
from there, with the consent check) and the stored hidden-poverty list (refreshed by the job,
trimmed by events, equal to the on-demand computation)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from factories import (
    AssessmentFactory,
    ConsentFactory,
    DepartmentDeskFactory,
    EarlyWarningFactory,
    HouseholdFactory,
    IndicatorFrameworkFactory,
    MaterialRecommendationFactory,
    OrganisationFactory,
    PotentialCaseFactory,
    UserFactory,
)
from jiuzhu.core.errors import Conflict
from jiuzhu.core.models import OrganisationKind, Role, User
from jiuzhu.discovery.models import DepartmentReferral, HiddenPovertyEntry
from jiuzhu.discovery.selectors.hidden import entry_row, hidden_poverty, hidden_poverty_snapshot
from jiuzhu.discovery.services.hidden import hidden_poverty_refresh
from jiuzhu.discovery.services.referrals import (
    referral_accept,
    referral_complete,
    referral_send_for_household,
)
from jiuzhu.registry.services.households import household_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    """These pages are read in Chinese (the messages are the point)."""
    return Client(HTTP_ACCEPT_LANGUAGE="zh-hans")


# ------------------------------------------------------------------ the warnings box


def test_the_warnings_box_shows_open_and_recent_warnings_of_the_household(client, actors, areas):
    household = HouseholdFactory(community=areas["yaohua_a"])
    open_one = EarlyWarningFactory(household=household, grade="red")
    recent = EarlyWarningFactory(
        household=household, status="dismissed", verified_at=timezone.now()
    )
    old = EarlyWarningFactory(household=household, status="dismissed")
    long_ago = timezone.now() - dt.timedelta(days=400)
    type(old).objects.filter(pk=old.pk).update(created_at=long_ago, verified_at=long_ago)
    other = EarlyWarningFactory(household=HouseholdFactory(community=areas["yaohua_a"]))
    url = reverse("discovery:household_warnings", args=[household.pk])

    client.force_login(actors["yaohua_a_worker"])
    page = client.get(url).content.decode()
    assert f"#{open_one.pk} " in page and f"#{recent.pk} " in page
    assert f"#{old.pk} " not in page and f"#{other.pk} " not in page
    assert "待核查" in page and "已排除" in page and "红色" in page
    # The household page lists the box for the community worker.
    detail = client.get(reverse("registry:household_detail", args=[household.pk]))
    assert url in detail.content.decode()

    # Scoped like the household: another community's worker does not see it at all.
    client.force_login(actors["yaohua_b_worker"])
    assert client.get(url).status_code == 404
    # A role that sees households but has no verification queue: no box, 403 on the URL.
    client.force_login(actors["qixia_hotline"])
    assert (
        url
        not in client.get(
            reverse("registry:household_detail", args=[household.pk])
        ).content.decode()
    )
    assert client.get(url).status_code == 403


# ------------------------------------------------------------------ referrals from the household


@pytest.fixture
def desk(areas):
    organisation = OrganisationFactory(name="栖霞区医保局", kind=OrganisationKind.DEPARTMENT)
    UserFactory(username="yibao", role=Role.DEPARTMENT, organisation=organisation)
    return DepartmentDeskFactory(district=areas["qixia"], kind="medical", department=organisation)


def test_a_referral_from_the_household_page_needs_the_consent_to_share(
    client, desk, areas, caseworker
):
    household = HouseholdFactory(community=areas["yaohua_a"])
    refer = reverse("discovery:household_refer", args=[household.pk])
    client.force_login(caseworker)

    response = client.post(refer, {"kind": "medical", "note": "住院自付高"}, follow=True)
    assert "该家庭未授权向合作部门共享信息" in response.content.decode()
    assert not DepartmentReferral.objects.exists()
    box = client.get(reverse("discovery:household_referrals", args=[household.pk]))
    assert "尚未同意向合作部门共享信息" in box.content.decode()

    ConsentFactory(household=household)
    response = client.post(refer, {"kind": "medical", "note": "住院自付高"}, follow=True)
    referral = DepartmentReferral.objects.get()
    assert referral.recommendation is None and referral.department == desk.department
    assert referral.status == "sent" and referral.note == "住院自付高"
    assert "已转介至栖霞区医保局" in response.content.decode()
    box = client.get(reverse("discovery:household_referrals", args=[household.pk])).content
    assert referral.number in box.decode()
    # The referral page says where it came from; the department answers as usual.
    detail = client.get(reverse("discovery:referral_detail", args=[referral.pk])).content
    assert "家庭页面（非救助方案）" in detail.decode()

    # One open referral per kind: a second is refused.
    with pytest.raises(Conflict) as refused:
        referral_send_for_household(actor=caseworker, household=household, kind="medical")
    assert refused.value.code == "already_referred"


def test_a_referral_from_the_household_page_carries_the_plans_recommendation(
    desk, areas, caseworker
):
    household = HouseholdFactory(community=areas["yaohua_a"])
    ConsentFactory(household=household)
    material = MaterialRecommendationFactory(
        plan__household=household,
        plan__assessment__household=household,
        plan__status="approved",
        kind="medical",
    )
    referral = referral_send_for_household(actor=caseworker, household=household, kind="medical")
    material.refresh_from_db()
    assert referral.recommendation == material and material.referral_status == "referred"
    with pytest.raises(Conflict) as refused:
        referral_send_for_household(actor=caseworker, household=household, kind="housing")
    assert refused.value.code == "no_department"


# ------------------------------------------------------------------ the stored hidden-poverty list


@pytest.fixture
def hidden_world(areas):
    """Hand-built: two deprived households (尧化门, 马群), one deprived but dibao (covered), one
    not deprived, one with only an open warning, and a potential case with an open warning."""
    framework = IndicatorFrameworkFactory(status="published", poverty_cutoff="1/3")
    found = {
        "yaohua": HouseholdFactory(community=areas["yaohua_a"], tier="near_dibao"),
        "maqun": HouseholdFactory(community=areas["maqun_a"], tier="other"),
        "dibao": HouseholdFactory(community=areas["yaohua_a"], tier="dibao"),
        "not_poor": HouseholdFactory(community=areas["yaohua_b"], tier="other"),
        "warned": HouseholdFactory(community=areas["yaohua_b"], tier="other"),
    }
    for key in ("yaohua", "maqun", "dibao", "not_poor"):
        AssessmentFactory(
            household=found[key],
            framework=framework,
            status="submitted",
            poor=key != "not_poor",
            score="0.5",
        )
    EarlyWarningFactory(household=found["warned"])
    EarlyWarningFactory(household=found["yaohua"], status="dismissed")  # closed: no evidence
    case = PotentialCaseFactory(
        name="王某", district=areas["qixia"], street=areas["yaohua"], community=areas["yaohua_a"]
    )
    EarlyWarningFactory(
        household=None,
        potential_case=case,
        district=areas["qixia"],
        street=areas["yaohua"],
        community=areas["yaohua_a"],
    )
    return found


def _shape(rows):
    return [
        (
            row.key,
            row.household.pk if row.household else None,
            row.street.pk if row.street else None,
            row.case_label,
            [(e.source, e.text, e.url) for e in row.evidence],
        )
        for row in rows
    ]


def test_the_stored_list_equals_the_computation(hidden_world, actors, areas):
    refresh = hidden_poverty_refresh(trigger="test")
    assert refresh.entries == HiddenPovertyEntry.objects.count() == 4
    for who in ("city_admin", "qixia_manager", "yaohua_caseworker", "maqun_caseworker"):
        user = actors[who]
        for street, source in ((None, ""), (areas["yaohua"], ""), (None, "warnings")):
            stored = [
                entry_row(e, source)
                for e in hidden_poverty_snapshot(user=user, street=street, source=source)
            ]
            # The stored texts are in the site's language.
            with translation.override(settings.LANGUAGE_CODE):
                computed = hidden_poverty(user=user, street=street, source=source)
            assert _shape(stored) == _shape(computed), (who, street, source)
    yaohua = {r.key for r in hidden_poverty(user=actors["yaohua_caseworker"])}
    assert yaohua == {
        f"household:{hidden_world['yaohua'].pk}",
        f"household:{hidden_world['warned'].pk}",
        next(k for k in yaohua if k.startswith("case:")),
    }
    # A second refresh replaces the rows (no duplicates).
    hidden_poverty_refresh(trigger="test")
    assert HiddenPovertyEntry.objects.count() == 4


def test_a_household_that_becomes_covered_leaves_the_list_at_once(
    hidden_world, actors, client, django_capture_on_commit_callbacks
):
    hidden_poverty_refresh(trigger="test")
    household = hidden_world["yaohua"]
    with django_capture_on_commit_callbacks(execute=True):  # the event's handler
        household_update(actor=actors["yaohua_caseworker"], household=household, tier="dibao")
    assert not HiddenPovertyEntry.objects.filter(household=household).exists()

    client.force_login(actors["qixia_manager"])
    page = client.get(reverse("discovery:hidden_list")).content.decode()
    assert "更新于" in page and "王某" in page
    assert f"#{hidden_world['maqun'].pk} " in page and f"#{household.pk} " not in page
    api = client.get("/api/v1/discovery/hidden-poverty?evidence_source=warnings").json()
    assert api["refreshed_at"] and api["count"] == 2


def test_a_granted_referral_from_the_household_page_covers_the_household(
    hidden_world, desk, actors
):
    hidden_poverty_refresh(trigger="test")
    household = hidden_world["maqun"]
    ConsentFactory(household=household)
    referral = referral_send_for_household(
        actor=actors["maqun_caseworker"], household=household, kind="medical"
    )
    staff = User.objects.get(username="yibao")
    referral = referral_accept(actor=staff, referral=referral)
    referral_complete(actor=staff, referral=referral, outcome="granted")
    assert not HiddenPovertyEntry.objects.filter(household=household).exists()
    assert household.pk not in {
        r.household.pk for r in hidden_poverty(user=actors["city_admin"]) if r.household
    }
