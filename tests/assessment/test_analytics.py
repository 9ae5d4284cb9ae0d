"""Analytics from stored assessments (selector): a hand-worked example, scoping, decomposition,
versions, rescored results, empty populations. The households are described in
tests/analytics_cast.py."""

from fractions import Fraction

import pytest
from django.utils import translation

from analytics_cast import DEPRIVED, SMALL_FRAMEWORK, K, build_world, m0_of, score, submit
from factories import UserFactory
from factories_registry import make_household
from jiuzhu.assessment.models import Rescore
from jiuzhu.assessment.selectors.analytics import analytics_for
from jiuzhu.assessment.services.frameworks import framework_import
from jiuzhu.core.errors import NotFound, PermissionDenied, ValidationFailed
from jiuzhu.core.models import AuditEntry, Role

pytestmark = pytest.mark.django_db

#: Framework spec (4), households, assessments, subgroup names, versions, labels (2).
QUERIES = 10
REFUSED = [
    "assessor",
    "provider_staff",
    "volunteer",
    "department",
    "security_admin",
    "audit_admin",
    "qixia_hotline",
]


@pytest.fixture(autouse=True)
def english():
    """Subgroup labels (tiers, groups) are translated: these tests read the English ones."""
    with translation.override("en"):
        yield


@pytest.fixture
def world(actors, areas):
    return build_world(actors, areas)


def approx(value):
    return pytest.approx(float(value), abs=1e-12)


def test_the_hand_worked_example_for_the_district(world, actors):
    """Qixia: A 3/4, B 1/2, C 1/4, D 1/2 (E is in Jianye, F under v1, G unassessed, X exited).

    n = 4; poor (c ≥ 1/3): A, B, D, so q = 3 and H = 3/4.
    Censored scores 3/4 + 1/2 + 0 + 1/2 = 7/4; A = (7/4)/3 = 7/12; M0 = (7/4)/4 = 7/16 = H × A.
    Uncensored headcounts: income {A,B} 1/2, food {A,C} 1/2, illness {A,D} 1/2, isolation {B,D}
    1/2. Censored: income {A,B} 1/2, food {A} 1/4 (C is not poor), illness {A,D} 1/2,
    isolation {B,D} 1/2.
    Contributions w·h(k)/M0: income (1/4·1/2)/(7/16) = 2/7, food (1/4·1/4)/(7/16) = 1/7,
    illness 2/7, isolation 2/7 (sum 7/7). Dimensions: living 2/7 + 1/7 = 3/7, health 2/7,
    social 2/7. Vulnerable (1/5 ≤ c < 1/3): C, 1/4. Severe (c ≥ 1/2): A, B, D, 3/4.
    """
    report = analytics_for(user=actors["qixia_manager"])
    assert (report["n"], report["poor"], report["excluded"]) == (4, 3, 0)
    assert report["H"] == approx(Fraction(3, 4))
    assert report["A"] == approx(Fraction(7, 12))
    assert report["M0"] == approx(Fraction(7, 16))
    assert report["M0"] == pytest.approx(report["H"] * report["A"], abs=1e-15)
    assert report["vulnerable"] == approx(Fraction(1, 4))
    assert report["severe"] == approx(Fraction(3, 4))
    indicators = report["indicators"]
    assert {c: i["uncensored_headcount"] for c, i in indicators.items()} == {
        "income": 0.5,
        "food": 0.5,
        "illness": 0.5,
        "isolation": 0.5,
    }
    assert {c: i["censored_headcount"] for c, i in indicators.items()} == {
        "income": 0.5,
        "food": 0.25,
        "illness": 0.5,
        "isolation": 0.5,
    }
    contributions = {c: i["contribution"] for c, i in indicators.items()}
    assert contributions == {
        "income": approx(Fraction(2, 7)),
        "food": approx(Fraction(1, 7)),
        "illness": approx(Fraction(2, 7)),
        "isolation": approx(Fraction(2, 7)),
    }
    assert sum(contributions.values()) == pytest.approx(1.0)
    dims = {name: d["contribution"] for name, d in report["dimensions"].items()}
    assert dims == {
        "living": approx(Fraction(3, 7)),
        "health": approx(Fraction(2, 7)),
        "social": approx(Fraction(2, 7)),
    }
    assert [(d["score_exact"], d["n"]) for d in report["distribution"]] == [
        ("1/4", 1),
        ("1/2", 2),
        ("3/4", 1),
    ]
    assert report["k_exact"] == "1/3"
    assert (report["framework_version"], report["source"], report["by"]) == (2, "assessed", None)
    assert "groups" not in report
    # Households in scope: A B C D F G (X has exited, E is in Jianye).
    assert report["counts"] == {
        "households": 6,
        "assessed": 4,
        "measured": 4,
        "incomplete": 0,
        "rescored": 0,
        "other_version": 1,
        "other_versions": {"v1": 1},
        "not_assessed": 1,
    }
    with translation.override("zh-hans"):
        labels = analytics_for(user=actors["qixia_manager"])["labels"]
    assert labels["indicators"]["income"] == "收入低"
    assert labels["dimensions"] == {"living": "生活", "health": "健康", "social": "社会融入"}


def test_labels_follow_the_language(world, actors):
    report = analytics_for(user=actors["qixia_manager"])
    assert report["labels"]["indicators"]["income"] == "Low income"
    assert report["labels"]["dimensions"]["social"] == "Social"


def test_a_street_caseworker_counts_only_their_street(world, actors):
    """Yaohua: A 3/4 and B 1/2, both poor: H = 1, A = (3/4 + 1/2)/2 = 5/8 = M0."""
    report = analytics_for(user=actors["yaohua_caseworker"])
    assert (report["n"], report["poor"]) == (2, 2)
    assert (report["H"], report["A"], report["M0"]) == (1.0, 0.625, 0.625)
    assert report["counts"]["households"] == 3  # A, B, F
    assert report["counts"]["other_version"] == 1


def test_a_community_worker_counts_only_their_community(world, actors):
    report = analytics_for(user=actors["yaohua_b_worker"])
    assert (report["n"], report["M0"]) == (1, 0.5)  # B alone: 1/2


def test_out_of_scope_households_are_never_counted(world, actors):
    jianye = analytics_for(user=actors["jianye_manager"], by="street")
    assert (jianye["n"], jianye["M0"]) == (1, 1.0)  # E alone
    assert list(jianye["groups"]) == ["沙洲街道"]
    city = analytics_for(user=actors["city_admin"], by="district")
    # All five: censored sum 7/4 + 1 = 11/4, q = 4: H = 4/5, M0 = 11/20, A = 11/16.
    assert (city["n"], city["poor"]) == (5, 4)
    assert city["M0"] == approx(Fraction(11, 20))
    assert city["A"] == approx(Fraction(11, 16))
    assert city["counts"]["households"] == 7


def test_area_filters_narrow_within_the_users_area(world, actors, areas):
    city = actors["city_admin"]
    by_district = analytics_for(user=city, district=areas["qixia"].pk)
    assert by_district["M0"] == approx(Fraction(7, 16))
    by_street = analytics_for(user=city, district=areas["qixia"], street=areas["yaohua"].pk)
    assert (by_street["n"], by_street["M0"]) == (2, 0.625)
    # A district manager may name their own district (no change).
    own = analytics_for(user=actors["qixia_manager"], district=areas["qixia"].pk)
    assert own["n"] == 4
    with pytest.raises(ValidationFailed) as outside:
        analytics_for(user=actors["yaohua_caseworker"], street=areas["maqun"].pk)
    assert "street" in outside.value.fields
    with pytest.raises(ValidationFailed):
        analytics_for(user=actors["qixia_manager"], district=areas["jianye"].pk)
    with pytest.raises(ValidationFailed):  # a street outside the chosen district
        analytics_for(user=city, district=areas["jianye"].pk, street=areas["yaohua"].pk)
    with pytest.raises(ValidationFailed):  # a community is not a district
        analytics_for(user=city, district=areas["yaohua_a"].pk)


@pytest.mark.parametrize("by", ["street", "group", "tier"])
def test_the_decomposition_adds_up(world, actors, by):
    report = analytics_for(user=actors["qixia_manager"], by=by)
    groups = report["groups"]
    assert sum(g["n"] for g in groups.values()) == report["n"]
    assert sum(g["population_share"] for g in groups.values()) == pytest.approx(1.0)
    assert sum(g["contribution"] for g in groups.values()) == pytest.approx(1.0)
    # The right side from the stored deprivations, without the engine: Σ (n_l/n) · M0_l.
    members = {
        "street": {"尧化街道": "AB", "马群街道": "CD"},
        "group": {"Elderly": "AB", "Disability": "C", "No group": "D"},
        "tier": {"Dibao recipient (低保)": "AB", "Near-dibao (低保边缘)": "CD"},
    }[by]
    assert set(groups) == set(members)
    independent = Fraction(0)
    for label, keys in members.items():
        m0_l = m0_of([DEPRIVED[k] for k in keys])
        assert groups[label]["M0"] == approx(m0_l)
        assert groups[label]["n"] == len(keys)
        independent += Fraction(len(keys), 4) * m0_l
    assert independent == Fraction(7, 16)
    assert report["M0"] == approx(independent)


def test_street_decomposition_by_hand(world, actors):
    """Yaohua (A, B): share 1/2, H 1, A 5/8, M0 5/8, contribution (1/2·5/8)/(7/16) = 5/7.
    Maqun (C, D): share 1/2, q = 1 (D), H 1/2, A 1/2, M0 (1/2)/2 = 1/4, contribution
    (1/2·1/4)/(7/16) = 2/7."""
    groups = analytics_for(user=actors["qixia_manager"], by="street")["groups"]
    yaohua, maqun = groups["尧化街道"], groups["马群街道"]
    assert yaohua["key"] != maqun["key"]
    assert (yaohua["population_share"], yaohua["H"], yaohua["A"], yaohua["M0"]) == (
        0.5,
        1.0,
        0.625,
        0.625,
    )
    assert yaohua["contribution"] == approx(Fraction(5, 7))
    assert (maqun["H"], maqun["A"], maqun["M0"], maqun["poor"]) == (0.5, 0.5, 0.25, 1)
    assert maqun["contribution"] == approx(Fraction(2, 7))


def test_another_version_is_reported_not_measured(world, actors):
    old = analytics_for(user=actors["qixia_manager"], framework=world["v1"])
    # Under v1 only F's newest assessment counts (A's v1 assessment is not its newest).
    assert (old["n"], old["framework_version"]) == (1, 1)
    assert old["counts"]["other_versions"] == {"v2": 4}
    assert old["M0"] == 0.0  # income alone is 1/4 < 1/3
    assert old["vulnerable"] == 1.0


def test_rescored_results_stand_in_for_other_versions(world, actors):
    """F rescored under v2 as deprived in everything (score 1): n = 5, q = 4,
    censored sum 7/4 + 1 = 11/4, H = 4/5, M0 = 11/20."""
    Rescore.objects.create(
        assessment=world["assessments"]["F"],
        framework=world["v2"],
        score_exact="1",
        score="1",
        poor=True,
        deprived=["income", "food", "illness", "isolation"],
    )
    manager = actors["qixia_manager"]
    assert analytics_for(user=manager)["n"] == 4  # only on request
    report = analytics_for(user=manager, source="rescored")
    assert (report["n"], report["poor"]) == (5, 4)
    assert report["M0"] == approx(Fraction(11, 20))
    assert report["counts"]["rescored"] == 1
    assert report["counts"]["other_version"] == 0


def test_an_incomplete_rescore_is_left_out_and_counted(world, actors):
    Rescore.objects.create(
        assessment=world["assessments"]["F"],
        framework=world["v2"],
        score_exact="1/4",
        score="0.25",
        poor=None,
        deprived=["income"],
    )
    report = analytics_for(user=actors["qixia_manager"], source="rescored")
    assert report["n"] == 4
    assert report["counts"]["incomplete"] == 1
    assert report["counts"]["assessed"] == 5


def test_stored_missing_answers_exclude_the_household(world, actors, areas):
    household = make_household(actor=actors["city_admin"], community=areas["maqun_a"])
    assessment = submit(household, world["v2"], actors["assessor"], ["income"])
    assessment.missing = ["food"]
    assessment.save(update_fields=["missing"])
    report = analytics_for(user=actors["qixia_manager"])
    assert (report["n"], report["excluded"]) == (4, 1)
    assert report["missing"]["food"] == 1
    assert report["counts"]["incomplete"] == 1
    assert report["M0"] == approx(Fraction(7, 16))


def test_nobody_assessed_gives_zeros(actors, areas):
    framework_import(data=SMALL_FRAMEWORK, actor=None, publish=True)
    make_household(actor=actors["city_admin"], community=areas["yaohua_a"])
    report = analytics_for(user=actors["qixia_manager"], by="street")
    assert (report["n"], report["poor"], report["H"], report["A"], report["M0"]) == (
        0,
        0,
        0.0,
        0.0,
        0.0,
    )
    assert all(i["contribution"] == 0 for i in report["indicators"].values())
    assert all(d["contribution"] == 0 for d in report["dimensions"].values())
    assert report["groups"] == {}
    assert report["distribution"] == []
    assert report["counts"]["not_assessed"] == 1


def test_nobody_poor_gives_zero_intensity_and_contributions(actors, areas):
    framework = framework_import(data=SMALL_FRAMEWORK, actor=None, publish=True)
    for deprived in (["food"], []):
        household = make_household(actor=actors["city_admin"], community=areas["yaohua_a"])
        submit(household, framework, actors["assessor"], deprived)
    assert score(["food"]) < K
    report = analytics_for(user=actors["yaohua_caseworker"], by="tier")
    assert (report["n"], report["poor"], report["H"], report["A"], report["M0"]) == (
        2,
        0,
        0.0,
        0.0,
        0.0,
    )
    assert report["vulnerable"] == 0.5
    assert all(i["contribution"] == 0 for i in report["indicators"].values())
    assert report["indicators"]["food"]["uncensored_headcount"] == 0.5
    assert report["indicators"]["food"]["censored_headcount"] == 0.0
    assert report["groups"]["Dibao recipient (低保)"]["contribution"] == 0.0


def test_no_framework_at_all_is_not_found(actors):
    with pytest.raises(NotFound):
        analytics_for(user=actors["qixia_manager"])


@pytest.mark.parametrize("role", REFUSED)
def test_roles_without_analytics_are_refused(world, actors, role):
    with pytest.raises(PermissionDenied):
        analytics_for(user=actors[role])


def test_beneficiaries_are_refused(world):
    with pytest.raises(PermissionDenied):
        analytics_for(user=UserFactory(role=Role.BENEFICIARY))


def test_bad_arguments_are_validation_errors(world, actors):
    manager = actors["qixia_manager"]
    with pytest.raises(ValidationFailed):
        analytics_for(user=manager, by="income")
    with pytest.raises(ValidationFailed):
        analytics_for(user=manager, source="guess")
    with pytest.raises(ValidationFailed):
        analytics_for(user=manager, district=-5)


def test_the_figures_cost_a_fixed_number_of_queries(
    world, actors, areas, django_assert_max_num_queries
):
    for _ in range(20):
        household = make_household(actor=actors["city_admin"], community=areas["maqun_a"])
        submit(household, world["v2"], actors["assessor"], ["food", "illness"])
    with django_assert_max_num_queries(QUERIES):
        report = analytics_for(user=actors["qixia_manager"], by="street")
    assert report["n"] == 24
    assert AuditEntry.objects.filter(object_type="assessment.analytics").count() == 0
