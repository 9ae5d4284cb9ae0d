"""The hidden-poverty list: deprived households that no tier or service covers, evidence from
registered sources (potential cases too), per street, scoped to the reader."""

from __future__ import annotations

import pytest

from factories import (
    AssessmentFactory,
    HouseholdFactory,
    IndicatorFrameworkFactory,
    MaterialRecommendationFactory,
    OrderFactory,
    PlanFactory,
    PlanItemFactory,
)
from jiuzhu.discovery.selectors import hidden
from jiuzhu.discovery.selectors.hidden import Evidence, hidden_poverty, register_evidence_source

pytestmark = pytest.mark.django_db


@pytest.fixture
def framework():
    return IndicatorFrameworkFactory(status="published", poverty_cutoff="1/3")


def _deprived(household, framework, *, poor=True):
    return AssessmentFactory(
        household=household, framework=framework, status="submitted", poor=poor, score="0.5"
    )


@pytest.fixture
def households(areas, framework):
    make = HouseholdFactory
    found = {
        "hidden": make(community=areas["yaohua_a"], tier="near_dibao"),
        "dibao": make(community=areas["yaohua_a"], tier="dibao"),
        "planned": make(community=areas["yaohua_b"], tier="other"),
        "ordered": make(community=areas["yaohua_b"], tier="other"),
        "granted": make(community=areas["yaohua_a"], tier="other"),
        "not_poor": make(community=areas["yaohua_a"], tier="other"),
        "maqun": make(community=areas["maqun_a"], tier="monitored"),
        "jianye": make(community=areas["shazhou_a"], tier="other"),
    }
    for key, household in found.items():
        _deprived(household, framework, poor=key != "not_poor")
    plan = PlanFactory(
        household=found["planned"], assessment__household=found["planned"], status="approved"
    )
    PlanItemFactory(plan=plan)
    OrderFactory(household=found["ordered"])
    MaterialRecommendationFactory(
        plan__household=found["granted"],
        plan__assessment__household=found["granted"],
        plan__status="ended",
        referral_status="granted",
    )
    return found


def _ids(rows):
    return {row.household.pk for row in rows if row.household}


def test_deprived_households_without_cover_are_listed(households, actors):
    rows = hidden_poverty(user=actors["qixia_manager"])
    assert _ids(rows) == {households["hidden"].pk, households["maqun"].pk}
    row = next(r for r in rows if r.household == households["hidden"])
    assert row.street.name == "尧化街道"
    assert "framework" in row.evidence[0].text and "1/3" in row.evidence[0].text


def test_scoped_to_the_reader_and_filtered_by_street(households, actors, areas):
    assert _ids(hidden_poverty(user=actors["yaohua_caseworker"])) == {households["hidden"].pk}
    assert _ids(hidden_poverty(user=actors["city_admin"])) == {
        households["hidden"].pk,
        households["maqun"].pk,
        households["jianye"].pk,
    }
    by_street = hidden_poverty(user=actors["qixia_manager"], street=areas["maqun"])
    assert _ids(by_street) == {households["maqun"].pk}


def test_an_older_assessment_under_another_framework_is_not_evidence(areas, actors, framework):
    household = HouseholdFactory(community=areas["yaohua_a"], tier="other")
    AssessmentFactory(
        household=household,
        framework=IndicatorFrameworkFactory(status="retired"),
        status="submitted",
        poor=True,
    )
    assert household.pk not in _ids(hidden_poverty(user=actors["qixia_manager"]))


def test_registered_sources_add_households_and_potential_cases(households, actors, areas):
    saved = dict(hidden._sources)

    def department_data(user, street):
        return [
            Evidence(
                source="medical",
                household_id=households["hidden"].pk,
                text="个人自付 12 个月 48,000 元，超过 30,000 元阈值",
            ),
            Evidence(
                source="medical",
                household_id=households["dibao"].pk,  # covered: never listed
                text="个人自付 12 个月 40,000 元",
            ),
            Evidence(
                source="medical",
                case_key="p1",
                case_label="王某（身份证尾号 1234）",
                street_id=areas["yaohua"].pk,
                text="不在登记册中；个人自付 52,000 元",
            ),
        ]

    try:
        register_evidence_source("medical", "医保数据", department_data)
        rows = hidden_poverty(user=actors["qixia_manager"])
        hidden_row = next(r for r in rows if r.household == households["hidden"])
        assert hidden_row.sources == ["assessment", "medical"]
        assert households["dibao"].pk not in _ids(rows)
        case = next(r for r in rows if r.household is None)
        assert case.case_label.startswith("王某") and case.street == areas["yaohua"]
        only = hidden_poverty(user=actors["qixia_manager"], source="medical")
        assert {r.key for r in only} == {f"household:{households['hidden'].pk}", "case:medical:p1"}
        assert not any(
            r.household is None
            for r in hidden_poverty(user=actors["qixia_manager"], street=areas["maqun"])
        )
    finally:
        hidden._sources.clear()
        hidden._sources.update(saved)
