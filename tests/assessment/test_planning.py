"""The pure planning rules: needs with reasons, item choice, frequency, schedules."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from jiuzhu.assessment.planning import (
    NeedReason,
    PricedItem,
    add_months,
    choose_items,
    ends_on,
    identified_needs,
    per_month,
    schedule,
)

D = dt.date
CATEGORY = {
    "meals": "daily_living",
    "mutual_aid": "social",
    "job_guidance": "employment",
    "skills_training": "employment",
    "rehabilitation": "health",
    "medical_access": "health",
    "emotional_support": "emotional",
    "counselling": "emotional",
}


def item(code, needs, price=0.0, **extra):
    return PricedItem(code=code, needs=frozenset(needs), price=price, **extra)


def test_needs_come_from_deprivations_then_wishes_then_uncovered_group_needs():
    reasons = identified_needs(
        deprived=[("income_ratio", ["meals"]), ("untreated_condition", ["medical_access"])],
        wished=["counselling", "meals"],
        groups=["disability", "single_parent", "elderly"],
        category_of=CATEGORY,
        able_to_work=True,
    )
    # disability → rehabilitation: the health area is covered by medical access, so left out;
    # single parent → emotional support: covered by the wish for counselling; elderly → meals:
    # already there.
    assert reasons == [
        NeedReason("meals", "deprivation", "income_ratio"),
        NeedReason("medical_access", "deprivation", "untreated_condition"),
        NeedReason("counselling", "wish", "counselling"),
    ]


def test_a_group_need_fills_an_uncovered_area():
    reasons = identified_needs(
        deprived=[("income_ratio", ["meals"])],
        wished=[],
        groups=["disability"],
        category_of=CATEGORY,
        able_to_work=True,
    )
    assert reasons[-1] == NeedReason("rehabilitation", "group", "disability")


def test_nobody_able_to_work_drops_employment_needs_and_items():
    reasons = identified_needs(
        deprived=[("no_employed_member", ["job_guidance"])],
        wished=["skills_training"],
        groups=["unemployed"],
        category_of=CATEGORY,
        able_to_work=False,
    )
    assert reasons == []
    items = [item("livestream", ["skills_training", "mutual_aid"]), item("dining", ["meals"])]
    wanted = [NeedReason("mutual_aid", "wish", "mutual_aid")]
    assert choose_items(needs=wanted, items=items, urgency_tag="care", able_to_work=False) == []


def test_never_two_items_for_the_same_need():
    items = [
        item("meal_help", ["meals"], 12, unit="meal"),
        item("neighbourhood_dining", ["meals", "mutual_aid"], 10, unit="meal"),
        item("caring_visit", ["emotional_support", "mutual_aid"]),
        item("chat_help", ["emotional_support"], 5),
    ]
    needs = [
        NeedReason("mutual_aid", "deprivation", "isolated"),
        NeedReason("meals", "deprivation", "food"),
        NeedReason("emotional_support", "deprivation", "isolated"),
    ]
    chosen = choose_items(needs=needs, items=items, urgency_tag="care")
    # mutual aid first: 邻里小饭桌 and 探访关爱 each meet two wanted needs; 探访关爱 is free, so it
    # wins. Meals: 邻里小饭桌 would meet mutual aid again, so 助餐. Emotional support is met by
    # 探访关爱 already: 助聊 is not added.
    assert [(c.item_code, c.need_code) for c in chosen] == [
        ("caring_visit", "mutual_aid"),
        ("meal_help", "meals"),
    ]


def test_frequency_follows_unit_service_level_and_limits():
    assert per_month(item("meal", ["meals"], unit="meal"), "urgent") == 20
    assert per_month(item("meal", ["meals"], unit="meal", max_per_week=3), "urgent") == 12
    assert per_month(item("help", ["home_safety"], sla="urgent"), "urgent") == 1
    assert per_month(item("course", ["skills_training"], unit="course"), "urgent") == 1
    assert per_month(item("apply", ["benefit_access", "policy_explanation"]), "urgent") == 1
    assert per_month(item("rehab", ["rehabilitation"]), "safety_net") == 4
    assert per_month(item("rehab", ["rehabilitation"], max_per_month=2), "safety_net") == 2
    assert per_month(item("rehab", ["rehabilitation"]), "") == 2


def test_schedule_over_the_end_of_january():
    # From 31 January: plan month 1 is 31 Jan – 27 Feb (28 days), month 2 is 28 Feb – 30 Mar
    # (31 days: the month after 31 January is 28 February, the one after that 31 March).
    assert schedule(start=D(2027, 1, 31), months=2, per_month=4) == [
        (D(2027, 1, 31), 1),
        (D(2027, 2, 7), 1),
        (D(2027, 2, 14), 1),
        (D(2027, 2, 21), 1),
        (D(2027, 2, 28), 1),
        (D(2027, 3, 7), 1),  # ⌊31 / 4⌋ = 7
        (D(2027, 3, 15), 1),  # ⌊62 / 4⌋ = 15
        (D(2027, 3, 23), 1),  # ⌊93 / 4⌋ = 23
    ]
    assert ends_on(start=D(2027, 1, 31), months=2) == D(2027, 3, 30)


def test_more_than_one_a_day_becomes_a_quantity():
    # 62 meals in February 2028 (29 days, a leap year): 62 × ⌊…⌋ puts 2 or 3 on a day.
    occurrences = schedule(start=D(2028, 2, 1), months=1, per_month=62)
    assert sum(n for _day, n in occurrences) == 62
    assert len(occurrences) == 29
    assert add_months(D(2028, 1, 31), 1) == D(2028, 2, 29)


@given(
    start=st.dates(min_value=D(2020, 1, 1), max_value=D(2035, 12, 31)),
    months=st.integers(1, 24),
    times=st.integers(1, 62),
)
def test_a_schedule_has_every_occurrence_inside_its_period(start, months, times):
    occurrences = schedule(start=start, months=months, per_month=times)
    assert sum(n for _day, n in occurrences) == months * times
    assert occurrences[0][0] == start
    assert all(start <= day <= ends_on(start=start, months=months) for day, _n in occurrences)
    assert [day for day, _n in occurrences] == sorted({day for day, _n in occurrences})
    for m in range(months):
        begin, end = add_months(start, m), add_months(start, m + 1)
        assert sum(n for day, n in occurrences if begin <= day < end) == times
