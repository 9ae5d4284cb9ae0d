"""Eligibility and needs coverage, by hand-built cases (plain data, no database)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jiuzhu.catalog.eligibility import (
    eligible_items,
    frequency_allows,
    ineligibility,
    items_meeting,
    needs_met_by,
    rule,
    unmet_needs,
)

OPEN = rule("open")
ELDERLY_ONLY = rule("elderly_only", groups=["elderly"])
ELDERLY_OR_DISABLED = rule("elderly_or_disabled", groups=["elderly", "disability"])
DIBAO_TEKUN = rule("dibao_tekun", tiers=["dibao", "tekun"])
URGENT_ONLY = rule("urgent_only", urgency_tags=["urgent"])
ALL_THREE = rule("all_three", groups=["minors"], tiers=["dibao"], urgency_tags=["care", "urgent"])
RETIRED = rule("retired", active=False)
ITEMS = [OPEN, ELDERLY_ONLY, ELDERLY_OR_DISABLED, DIBAO_TEKUN, URGENT_ONLY, ALL_THREE, RETIRED]


def codes(items):
    return [item.code for item in items]


def test_empty_lists_mean_any():
    assert codes(eligible_items([OPEN], groups=[], tier="", urgency_tag="")) == ["open"]
    assert codes(eligible_items([OPEN], groups=["minors"], tier="other", urgency_tag="watch")) == [
        "open"
    ]


def test_an_elderly_dibao_household_without_a_tag():
    found = eligible_items(ITEMS, groups=["elderly"], tier="dibao", urgency_tag="")
    assert codes(found) == ["open", "elderly_only", "elderly_or_disabled", "dibao_tekun"]


def test_one_matching_group_is_enough():
    found = eligible_items(ITEMS, groups=["minors", "disability"], tier="near_dibao")
    assert codes(found) == ["open", "elderly_or_disabled"]


def test_a_household_in_no_group_gets_only_items_open_to_all_groups():
    found = eligible_items(ITEMS, groups=[], tier="tekun", urgency_tag="urgent")
    assert codes(found) == ["open", "dibao_tekun", "urgent_only"]


def test_every_non_empty_list_must_match():
    base = {"groups": ["minors"], "tier": "dibao", "urgency_tag": "care"}
    assert "all_three" in codes(eligible_items(ITEMS, **base))
    assert "all_three" not in codes(eligible_items(ITEMS, **{**base, "groups": ["elderly"]}))
    assert "all_three" not in codes(eligible_items(ITEMS, **{**base, "tier": "tekun"}))
    assert "all_three" not in codes(eligible_items(ITEMS, **{**base, "urgency_tag": "watch"}))
    assert "all_three" not in codes(eligible_items(ITEMS, **{**base, "urgency_tag": ""}))


def test_inactive_items_qualify_for_nobody():
    assert "retired" not in codes(eligible_items(ITEMS, groups=["elderly"], tier="dibao"))


def test_the_reasons_name_every_mismatch():
    assert ineligibility(ALL_THREE, groups=["elderly"], tier="other", urgency_tag="") == [
        "group",
        "tier",
        "urgency",
    ]
    assert ineligibility(rule("x", groups=["elderly"], active=False), groups=[]) == [
        "inactive",
        "group",
    ]
    assert ineligibility(OPEN, groups=[]) == []


def test_order_is_kept_and_none_is_treated_as_empty():
    found = eligible_items(list(reversed(ITEMS)), groups=("elderly",), tier=None, urgency_tag=None)
    assert codes(found) == ["elderly_or_disabled", "elderly_only", "open"]


MEALS = rule("meals", needs=["meals"])
DINING = rule("dining", needs=["meals", "mutual_aid"])
COUNSEL = rule("counsel", needs=["counselling"])


def test_needs_met_by_a_set_of_items():
    assert needs_met_by([MEALS, DINING, COUNSEL]) == {"meals", "mutual_aid", "counselling"}
    assert needs_met_by([]) == set()


def test_unmet_needs_are_the_gaps():
    assert unmet_needs(["meals", "legal_aid", "counselling"], [DINING, COUNSEL]) == {"legal_aid"}


def test_items_meeting_each_need():
    found = items_meeting(["meals", "legal_aid"], [MEALS, DINING, COUNSEL])
    assert {need: codes(items) for need, items in found.items()} == {
        "meals": ["meals", "dining"],
        "legal_aid": [],
    }


@pytest.mark.parametrize(
    ("week", "month", "used_week", "used_month", "quantity", "allowed"),
    [
        (None, None, 100, 1000, 1, True),
        (2, None, 1, 1, 1, True),
        (2, None, 2, 2, 1, False),
        (2, 8, 0, 7, 1, True),
        (2, 8, 0, 8, 1, False),
        (2, 8, 0, 6, 2, True),
        (2, 8, 1, 6, 2, False),
        (None, 1, 0, 0, 1, True),
        (None, 1, 0, 0, 0, False),
    ],
)
def test_frequency_limits(week, month, used_week, used_month, quantity, allowed):
    item = rule("limited", max_per_week=week, max_per_month=month)
    assert (
        frequency_allows(
            item, used_this_week=used_week, used_this_month=used_month, quantity=quantity
        )
        is allowed
    )


# ---------------------------------------------------------------- properties

GROUPS = ["elderly", "disability", "minors", "serious_illness", "unemployed", "single_parent"]
TIERS = ["dibao", "tekun", "near_dibao", "rigid_expenditure", "monitored", "other"]
TAGS = ["urgent", "safety_net", "care", "watch"]

rules = st.builds(
    rule,
    st.text(min_size=1, max_size=5),
    groups=st.lists(st.sampled_from(GROUPS), max_size=3),
    tiers=st.lists(st.sampled_from(TIERS), max_size=3),
    urgency_tags=st.lists(st.sampled_from(TAGS), max_size=2),
    active=st.booleans(),
)
households = st.fixed_dictionaries(
    {
        "groups": st.sets(st.sampled_from(GROUPS), max_size=3),
        "tier": st.sampled_from(["", *TIERS]),
        "urgency_tag": st.sampled_from(["", *TAGS]),
    }
)


@given(st.lists(rules, max_size=20), households)
def test_the_result_is_an_ordered_subset_and_agrees_with_the_reasons(items, household):
    found = eligible_items(items, **household)
    remaining = iter(items)
    assert all(any(item is other for other in remaining) for item in found)
    assert [i for i in items if not ineligibility(i, **household)] == found


@given(st.lists(rules, max_size=20), households, st.sampled_from(GROUPS))
def test_joining_another_group_never_loses_an_item(items, household, extra):
    before = eligible_items(items, **household)
    after = eligible_items(items, **{**household, "groups": household["groups"] | {extra}})
    assert all(any(item is other for other in after) for item in before)


@given(households)
def test_an_active_unrestricted_item_is_open_to_every_household(household):
    assert eligible_items([OPEN], **household) == [OPEN]
