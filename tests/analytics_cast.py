"""A small framework and households with stored deprivations, for the analytics tests.

Framework (k = 1/3): living 1/2 (income 1/4, food 1/4), health 1/4 (illness 1/4),
social 1/4 (isolation 1/4). Every weight is 1/4, so scores are multiples of 1/4 and 1/4 is in
the vulnerable band (0.2 ≤ 1/4 < 1/3).

Households (newest submitted assessment under v2 unless said):
  A 尧化门 (Yaohua street, Qixia)  income food illness   3/4  poor, severe   elderly, dibao
  B 尧林仙居 (Yaohua, Qixia)        income isolation      1/2  poor, severe   elderly, dibao
  C 马群 (Maqun street, Qixia)      food                  1/4  vulnerable     disability, near
  D 马群 (Maqun, Qixia)             illness isolation     1/2  poor, severe   no group, near
  E 沙洲 (Jianye)                   all four              1    poor, severe   dibao
  F 尧化门 (Yaohua, Qixia)          income, under v1 only → "other framework version"
  G 马群 (Maqun, Qixia)             never assessed
  X 尧化门 (Yaohua, Qixia)          all four, but the household has exited → never counted
A also has an older v1 assessment, D a newer draft and a newer cancelled one: only the newest
submitted assessment counts.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from django.utils import timezone

from factories import AssessmentFactory
from factories_registry import make_household
from jiuzhu.assessment.services.frameworks import framework_import
from jiuzhu.registry.models import Household

SMALL_FRAMEWORK = {
    "name": "分析测试",
    "poverty_cutoff": "1/3",
    "dimensions": [
        {
            "name": "living",
            "label": "生活",
            "english": "Living",
            "weight": "1/2",
            "indicators": [
                {
                    "name": "income",
                    "label": "收入低",
                    "english": "Low income",
                    "deprived_if": "true",
                },
                {
                    "name": "food",
                    "label": "缺食物",
                    "english": "Short of food",
                    "deprived_if": "true",
                },
            ],
        },
        {
            "name": "health",
            "label": "健康",
            "english": "Health",
            "weight": "1/4",
            "indicators": [
                {
                    "name": "illness",
                    "label": "患病未治",
                    "english": "Untreated",
                    "deprived_if": "true",
                }
            ],
        },
        {
            "name": "social",
            "label": "社会融入",
            "english": "Social",
            "weight": "1/4",
            "indicators": [
                {"name": "isolation", "label": "孤立", "english": "Isolated", "deprived_if": "true"}
            ],
        },
    ],
}
WEIGHTS = {
    "income": Fraction(1, 4),
    "food": Fraction(1, 4),
    "illness": Fraction(1, 4),
    "isolation": Fraction(1, 4),
}
K = Fraction(1, 3)

DEPRIVED = {
    "A": ["income", "food", "illness"],
    "B": ["income", "isolation"],
    "C": ["food"],
    "D": ["illness", "isolation"],
    "E": ["income", "food", "illness", "isolation"],
}


def submit(household, framework, assessor, deprived, *, days_ago=0, status="submitted"):
    when = timezone.now() - dt.timedelta(days=days_ago)
    return AssessmentFactory(
        household=household,
        framework=framework,
        assessor=assessor,
        status=status,
        deprived=list(deprived),
        submitted_at=when if status == "submitted" else None,
    )


def build_world(actors, areas) -> dict:
    v1 = framework_import(data={**SMALL_FRAMEWORK, "name": "旧版"}, actor=None, publish=True)
    v2 = framework_import(data=SMALL_FRAMEWORK, actor=None, publish=True)
    city, assessor = actors["city_admin"], actors["assessor"]
    where = {
        "A": ("yaohua_a", "dibao", "elderly"),
        "B": ("yaohua_b", "dibao", "elderly"),
        "C": ("maqun_a", "near_dibao", "disability"),
        "D": ("maqun_a", "near_dibao", ""),
        "E": ("shazhou_a", "dibao", ""),
        "F": ("yaohua_a", "dibao", "elderly"),
        "G": ("maqun_a", "dibao", ""),
        "X": ("yaohua_a", "dibao", "elderly"),
    }
    households = {}
    for key, (community, tier, group) in where.items():
        household = make_household(actor=city, community=areas[community], tier=tier)
        Household.objects.filter(pk=household.pk).update(primary_group=group)
        households[key] = household
    Household.objects.filter(pk=households["X"].pk).update(status="exited", exit_reason="迁出")
    assessments = {
        key: submit(households[key], v2, assessor, deprived, days_ago=1)
        for key, deprived in DEPRIVED.items()
    }
    submit(households["A"], v1, assessor, [], days_ago=30)
    submit(households["D"], v2, assessor, [], status="draft")
    submit(households["D"], v2, assessor, [], status="cancelled")
    assessments["F"] = submit(households["F"], v1, assessor, ["income"], days_ago=2)
    submit(households["X"], v2, assessor, DEPRIVED["E"], days_ago=1)
    return {"v1": v1, "v2": v2, "households": households, "assessments": assessments}


def score(deprived) -> Fraction:
    return sum((WEIGHTS[code] for code in deprived), Fraction(0))


def m0_of(lists) -> Fraction:
    """M0 straight from the definition: mean of censored scores (0 for an empty population)."""
    if not lists:
        return Fraction(0)
    return sum((score(d) for d in lists if score(d) >= K), Fraction(0)) / len(lists)
