"""Framework versions: import errors, drafts, publishing; and rescoring stored answers."""

import copy
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

from jiuzhu.assessment.frameworks import framework_as_dict
from jiuzhu.assessment.models import Assessment, FrameworkStatus, Rescore
from jiuzhu.assessment.services.defaults import DEFAULT_FRAMEWORK
from jiuzhu.assessment.services.frameworks import (
    framework_clone,
    framework_import,
    framework_problems,
    framework_publish,
    framework_update,
    indicator_save,
)
from jiuzhu.assessment.services.rescore import compare, rescore
from jiuzhu.core.errors import Conflict, PermissionDenied, ValidationFailed
from jiuzhu.registry.models import Household

pytestmark = pytest.mark.django_db


def default_data():
    return yaml.safe_load(Path(DEFAULT_FRAMEWORK).read_text(encoding="utf-8"))


def test_the_default_framework_has_two_to_four_indicators_per_dimension(configured):
    dimensions = configured.dimensions.all()
    assert [d.name for d in dimensions] == [
        "日常生活",
        "住房保障",
        "劳动就业",
        "健康医疗",
        "教育负担",
        "社会融入",
    ]
    for dimension in dimensions:
        assert 2 <= dimension.indicators.count() <= 4
    assert configured.status == FrameworkStatus.PUBLISHED


def test_export_then_import_gives_the_same_framework(configured, actors):
    exported = framework_as_dict(configured)
    copy_ = framework_import(data=copy.deepcopy(exported), actor=actors["city_admin"])
    assert copy_.version == configured.version + 1
    assert copy_.status == FrameworkStatus.DRAFT
    again = framework_as_dict(copy_)
    assert {**again, "version": None} == {**exported, "version": None}


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (lambda d: d.update(poverty_cutoff="2"), "must be in (0, 1]"),
        (lambda d: d["dimensions"][0]["indicators"][0].update(deprived_if="<<1"), "deprived_if"),
        (lambda d: d["dimensions"][0]["indicators"][0].update(prefill="astrology"), "prefill"),
        (lambda d: d["dimensions"][0]["indicators"][0].update(needs=["nope"]), "unknown needs"),
        (lambda d: d["dimensions"][0]["indicators"][0].update(data_type="colour"), "data_type"),
        (lambda d: d.update(urgency_thresholds={"urgent": "1/10"}), "must rise"),
    ],
)
def test_import_errors_are_clear(configured, actors, change, fragment):
    from django.utils import translation

    data = default_data()
    change(data)
    with translation.override("en"), pytest.raises(ValidationFailed) as error:
        framework_import(data=data, actor=actors["city_admin"])
    assert fragment in str(error.value.fields)


def test_only_city_admins_edit_and_published_versions_never_change(configured, actors):
    with pytest.raises(PermissionDenied):
        framework_clone(source=configured, actor=actors["qixia_manager"])
    with pytest.raises(Conflict):
        framework_update(framework=configured, actor=actors["city_admin"], poverty_cutoff="1/2")
    draft = framework_clone(source=configured, actor=actors["city_admin"])
    framework_update(
        framework=draft, actor=actors["city_admin"], poverty_cutoff="1/2", safety_net_at="1/2"
    )
    indicator = draft.dimensions.first().indicators.first()
    with pytest.raises(ValidationFailed):
        indicator_save(
            actor=actors["city_admin"],
            dimension=indicator.dimension,
            indicator=indicator,
            deprived_if="between 1 and 2",
        )
    assert framework_problems(draft) == []
    framework_publish(framework=draft, actor=actors["city_admin"])
    configured.refresh_from_db()
    assert configured.status == FrameworkStatus.RETIRED


def test_weights_that_do_not_sum_to_one_block_publishing(configured, actors):
    draft = framework_clone(source=configured, actor=actors["city_admin"])
    for indicator in [i for d in draft.dimensions.all() for i in d.indicators.all()][:1]:
        indicator_save(
            actor=actors["city_admin"],
            dimension=indicator.dimension,
            indicator=indicator,
            weight="0.5",
        )
    assert framework_problems(draft)  # one weighted indicator among unweighted ones
    with pytest.raises(ValidationFailed):
        framework_publish(framework=draft, actor=actors["city_admin"])


def _submitted(household, framework, assessor, answers, tag="watch"):
    return Assessment.objects.create(
        household=household,
        framework=framework,
        assessor=assessor,
        reason="manual",
        status="submitted",
        answers=answers,
        urgency_tag=tag,
        poor=False,
        submitted_at="2026-11-01T10:00:00+08:00",
    )


def test_rescore_under_a_stricter_draft_and_compare(configured, actors, areas, caseworker):
    from factories_registry import make_household

    city = actors["city_admin"]
    answers_all_fine = {
        "income_ratio": 2,
        "daily_care_gap": 0,
        "food_shortage": 0,
        "unsafe_housing": 0,
        "living_area": 30,
        "no_employed_member": 0,
        "lacks_skills": 0,
        "untreated_condition": 0,
        "medical_burden": 0,
        "no_family_doctor": 0,
        "child_out_of_school": 0,
        "education_burden": 0,
        "isolated_vulnerable": 0,
        "minor_without_guardian": 0,
        "psychological_distress": 0,
    }
    poor_answers = {
        **answers_all_fine,
        "unsafe_housing": 1,
        "living_area": 10,
        "no_employed_member": 1,
    }
    # housing 1/12 + 1/12 + employment 1/12 = 1/4 under v1 (not poor at k = 1/3).
    a = make_household(actor=caseworker, community=areas["yaohua_a"])
    b = make_household(actor=caseworker, community=areas["yaohua_b"])
    _submitted(a, configured, actors["assessor"], poor_answers, tag="care")
    _submitted(b, configured, actors["assessor"], answers_all_fine)
    draft = framework_clone(source=configured, actor=city)
    framework_update(framework=draft, actor=city, poverty_cutoff="1/4", safety_net_at="1/4")
    assert rescore(framework=draft) == 2
    scored = {r.assessment.household_id: r for r in Rescore.objects.filter(framework=draft)}
    assert (scored[a.pk].score_exact, scored[a.pk].poor, scored[a.pk].urgency_tag) == (
        "1/4",
        True,
        "safety_net",
    )
    assert (scored[b.pk].score_exact, scored[b.pk].poor) == ("0/1", False)
    result = compare(draft=draft, published=configured)
    assert result["moves"] == {("care", "safety_net"): 1, ("watch", "watch"): 1}
    assert (result["poor_before"], result["poor_after"]) == (0, 1)


def test_rescore_counts_missing_answers_as_missing(configured, actors, areas, caseworker):
    from factories_registry import make_household

    household = make_household(actor=caseworker, community=areas["yaohua_a"])
    _submitted(household, configured, actors["assessor"], {"unsafe_housing": 1})
    rescore(framework=configured)
    row = Rescore.objects.get()
    assert row.poor is None and row.urgency_tag == ""


def test_the_rescore_command_shows_progress(configured, capsys):
    call_command("rescore")
    captured = capsys.readouterr()
    assert "rescored 0 households under v1" in captured.out
    assert Household.objects.count() == 0


def test_jiuzhu_rescore_accepts_version(configured, capsys):
    from jiuzhu.cli import main

    main(["rescore", "--version", str(configured.version)])
    assert f"under v{configured.version}" in capsys.readouterr().out
