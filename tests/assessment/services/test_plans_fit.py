"""Plans a caseworker would write, for a hand-built household of each of the six groups.

The expected plans are worked out by hand from the rules in ``assessment/planning.py`` and the
default catalogue (docs/catalogue.md): needs behind the deprivations (in framework order), then
the wishes, then a group's signature need only if nothing in that need area was identified; one
item per need and never two items for the same need; no employment service when nobody can
work; frequency by the item's unit and the urgency tag. Dibao line: 1,000 yuan a month.
"""

import pytest

from assessment_cast import NOT_DEPRIVED
from factories_registry import add_member, make_household
from jiuzhu.assessment.services.assessments import (
    assessment_save,
    assessment_start,
    assessment_submit,
)
from jiuzhu.catalog.models import Need

pytestmark = pytest.mark.django_db


def _submit(assessor, household, answers, wished=()):
    assessment = assessment_start(actor=assessor, household=household)
    assessment = assessment_save(
        actor=assessor,
        assessment=assessment,
        answers={**NOT_DEPRIVED, **answers},
        wished_needs=list(Need.objects.filter(code__in=wished)),
    )
    assessment_submit(actor=assessor, assessment=assessment)
    assessment.refresh_from_db()
    return assessment


def _plan(assessment):
    return {
        (i.service_item.code, i.per_month, i.months, i.reason_kind, i.reason_code)
        for i in assessment.plan.items.select_related("service_item")
    }


@pytest.fixture
def assessor(actors):
    return actors["yaohua_caseworker"]


@pytest.fixture
def community(configured, areas):
    return areas["yaohua_a"]


def test_an_80_year_old_living_alone(assessor, community):
    """Income 800 (0.8 × dibao), no family doctor, alone without weekly contact (critical →
    urgent, 3 months). Meals: 邻里小饭桌 meets meals and mutual aid (both needed) — one meal
    service, 20 a month; the wish for job guidance is dropped (nobody can work); no device
    training, no 助急."""
    household = make_household(actor=assessor, community=community, income="800")
    add_member(actor=assessor, household=household, name="赵奶奶", age=80, employment="retired")
    assessment = _submit(
        assessor,
        household,
        {"income_ratio": 0.8, "no_family_doctor": "yes", "isolated_vulnerable": "yes"},
        wished=["job_guidance"],
    )
    assert assessment.urgency_tag == "urgent"
    assert _plan(assessment) == {
        ("neighbourhood_dining", 20, 3, "deprivation", "income_ratio"),
        ("hardship_help", 1, 3, "deprivation", "income_ratio"),
        ("family_doctor", 1, 3, "deprivation", "no_family_doctor"),
        ("chat_help", 4, 3, "deprivation", "isolated_vulnerable"),
        ("recreation_help", 4, 3, "deprivation", "isolated_vulnerable"),
    }


def test_a_disabled_head_with_a_working_wife(assessor, community):
    """Income 2,500 for two (1.25 × dibao), 12 m² a person, untreated disability, no family
    doctor: 1/18 + 1/12 + 2/18 = 1/4 → care, 6 months. 助餐 (not 邻里小饭桌: mutual aid is not
    needed), 助安 for home adaptation, 家庭医生 meets medical access and health management, 肢体康复
    (not 器材使用技能培训, which meets a need the household does not have)."""
    household = make_household(actor=assessor, community=community, income="2500")
    add_member(
        actor=assessor,
        household=household,
        name="钱伟",
        age=45,
        employment="unable",
        disability_type="physical",
        disability_grade=2,
    )
    add_member(actor=assessor, household=household, name="孙丽", age=43, relation="spouse")
    assessment = _submit(
        assessor,
        household,
        {
            "income_ratio": 1.25,
            "living_area": 12,
            "untreated_condition": "yes",
            "no_family_doctor": "yes",
        },
    )
    assert assessment.urgency_tag == "care"
    assert _plan(assessment) == {
        ("meal_help", 12, 6, "deprivation", "income_ratio"),
        ("hardship_help", 1, 6, "deprivation", "income_ratio"),
        ("safety_help", 1, 6, "deprivation", "living_area"),
        ("family_doctor", 1, 6, "deprivation", "untreated_condition"),
        ("limb_rehab", 2, 6, "deprivation", "untreated_condition"),
    }


def test_two_working_parents_with_school_children(assessor, community):
    """Education spending 30 % of income (1/12 → watch, 3 months) and a wish for community
    activities. Growth companionship, the minors' signature need, is not added: study support
    already covers education. 助困 is for urgent, safety-net and care households only, so
    benefit applications go to 救助申请代办."""
    household = make_household(
        actor=assessor, community=community, income="6000", tier="rigid_expenditure"
    )
    add_member(actor=assessor, household=household, name="周强", age=38)
    add_member(actor=assessor, household=household, name="吴芳", age=36, relation="spouse")
    add_member(
        actor=assessor,
        household=household,
        name="周小明",
        age=12,
        relation="child",
        employment="student",
        schooling="enrolled",
    )
    add_member(
        actor=assessor,
        household=household,
        name="周小红",
        age=9,
        relation="child",
        employment="student",
        schooling="enrolled",
    )
    assessment = _submit(
        assessor, household, {"education_burden": 0.3}, wished=["community_activities"]
    )
    assert assessment.urgency_tag == "watch"
    assert _plan(assessment) == {
        ("study_help", 2, 3, "deprivation", "education_burden"),
        ("application_help", 1, 3, "deprivation", "education_burden"),
        ("recreation_help", 2, 3, "wish", "community_activities"),
    }


def test_a_cancer_patient_and_his_wife(assessor, community):
    """Income 1.4 × dibao, medical costs 60 % of income, no family doctor, in distress:
    4/18 = 2/9 → care. Counselling by 心理辅导 (cheaper than 心理咨询), crisis intervention by
    心理干预 once a month (on call; not 助急, which meets a need they do not have)."""
    household = make_household(actor=assessor, community=community, income="2800")
    add_member(
        actor=assessor,
        household=household,
        name="郑军",
        age=55,
        employment="unable",
        illness="serious",
        illness_note="肺癌",
    )
    add_member(actor=assessor, household=household, name="冯梅", age=53, relation="spouse")
    assessment = _submit(
        assessor,
        household,
        {
            "income_ratio": 1.4,
            "medical_burden": 0.6,
            "no_family_doctor": "yes",
            "psychological_distress": "yes",
        },
    )
    assert assessment.urgency_tag == "care"
    assert _plan(assessment) == {
        ("meal_help", 12, 6, "deprivation", "income_ratio"),
        ("hardship_help", 1, 6, "deprivation", "income_ratio"),
        ("family_doctor", 1, 6, "deprivation", "medical_burden"),
        ("psych_guidance", 2, 6, "deprivation", "psychological_distress"),
        ("psych_intervention", 1, 6, "deprivation", "psychological_distress"),
    }


def test_an_unemployed_man_able_to_work(assessor, community):
    """No income, nobody employed, no skills: 1/18 + 1/12 + 1/12 = 2/9 → care. He may not use
    助餐 (elderly, disability, serious illness only), so 邻里小饭桌; guidance, placement and a
    training course; legal aid because he asked for it."""
    household = make_household(actor=assessor, community=community, income="0")
    add_member(actor=assessor, household=household, name="王刚", age=40, employment="unemployed")
    assessment = _submit(
        assessor,
        household,
        {"income_ratio": 0, "no_employed_member": "yes", "lacks_skills": "yes"},
        wished=["legal_aid"],
    )
    assert assessment.urgency_tag == "care"
    assert _plan(assessment) == {
        ("neighbourhood_dining", 12, 6, "deprivation", "income_ratio"),
        ("hardship_help", 1, 6, "deprivation", "income_ratio"),
        ("job_consulting", 2, 6, "deprivation", "no_employed_member"),
        ("job_placement", 2, 6, "deprivation", "no_employed_member"),
        ("job_training", 1, 6, "deprivation", "lacks_skills"),
        ("legal_aid", 1, 6, "wish", "legal_aid"),
    }


def test_a_single_mother(assessor, community):
    """Income 1.3 × dibao, in distress: 2/18 = 1/9 → watch. She asked for after-school care;
    the single-parent and minors signature needs (emotional support, growth companionship) are
    left out because counselling and after-school care already cover those areas."""
    household = make_household(
        actor=assessor, community=community, income="2600", tier="near_dibao"
    )
    add_member(
        actor=assessor,
        household=household,
        name="林芳",
        age=35,
        employment="flexible",
        sex="F",
    )
    add_member(
        actor=assessor,
        household=household,
        name="林小雨",
        age=8,
        relation="child",
        employment="student",
        schooling="enrolled",
    )
    assessment = _submit(
        assessor,
        household,
        {"income_ratio": 1.3, "psychological_distress": "yes", "minor_without_guardian": "no"},
        wished=["guardianship_care"],
    )
    household.refresh_from_db()
    assert household.primary_group == "single_parent"
    assert assessment.urgency_tag == "watch"
    assert _plan(assessment) == {
        ("neighbourhood_dining", 8, 3, "deprivation", "income_ratio"),
        ("application_help", 1, 3, "deprivation", "income_ratio"),
        ("psych_guidance", 2, 3, "deprivation", "psychological_distress"),
        ("psych_intervention", 1, 3, "deprivation", "psychological_distress"),
        ("after_school_care", 1, 3, "wish", "guardianship_care"),
    }
