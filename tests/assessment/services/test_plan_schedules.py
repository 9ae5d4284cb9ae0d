"""An approved plan becomes a schedule placed a week ahead, with a controlled clock.

The household (market fixture) is a 75-year-old in 尧化门; its plan is 助餐 20 times a month for
3 months, approved on Friday 29 January 2027, so services start on 30 January. Worked out by
hand from the rule (docs/assessment.md, "Plans and schedules"): plan month 1 runs from 30 January
to 27 February (29 days; the next plan month starts on 28 February because February has no
30th), the i-th of 20 meals on day ⌊i × 29 / 20⌋: 30, 31 Jan; 1, 3, 4, 6, 7, 9, 10, 12, 13,
14, 16, 17, 19, 20, 22, 23, 25, 26 Feb. Plan month 2 runs from 28 February to 29 March (30
days), meals on day ⌊i × 1.5⌋: 28 Feb; 1, 3, 4, 6, 7, 9, 10, … Mar.
"""

import datetime as dt

import pytest

from assessment_cast import NOT_DEPRIVED
from clock import SHANGHAI, clock  # noqa: F401
from jiuzhu.assessment.models import PlanOccurrence, PlanStatus
from jiuzhu.assessment.services.assessments import (
    assessment_save,
    assessment_start,
    assessment_submit,
)
from jiuzhu.assessment.services.plans import (
    plan_approve,
    plan_end,
    plan_item_update,
    plan_pause,
    plan_resume,
)
from jiuzhu.assessment.services.schedules import occurrences_generate
from jiuzhu.core.errors import Conflict
from jiuzhu.core.jobs import periodic_jobs, run_job
from jiuzhu.orders.models import Channel, Order, OrderStatus
from jiuzhu.orders.services.orders import order_accept
from market_cast import market  # noqa: F401

pytestmark = pytest.mark.django_db
D = dt.date


def _draft(household, caseworker):
    assessment = assessment_start(actor=caseworker, household=household)
    assessment = assessment_save(actor=caseworker, assessment=assessment, answers=NOT_DEPRIVED)
    assessment_submit(actor=caseworker, assessment=assessment)
    assessment.refresh_from_db()
    return assessment.plan


@pytest.fixture
def plan(configured, market, caseworker, clock):  # noqa: F811
    """The draft (the elderly group's signature need, meals: 助餐 8 a month for 3 months,
    "keep watching"), set to 20 a month by the caseworker before approval."""
    clock.set(2027, 1, 29)
    plan = _draft(market["household"], caseworker)
    (item,) = plan.items.all()
    assert (item.service_item.code, item.per_month, item.months) == ("meal_help", 8, 3)
    plan_item_update(actor=caseworker, item=item, per_month=20, months=3)
    return plan


def _dates(plan, status=None):
    items = [str(pk) for pk in plan.items.values_list("pk", flat=True)]
    orders = Order.objects.filter(source="plan_item", source_id__in=items)
    if status:
        orders = orders.filter(status=status)
    return sorted(o.preferred_time.astimezone(SHANGHAI).date() for o in orders)


def test_approval_places_only_the_first_week(plan, caseworker, clock):  # noqa: F811
    plan_approve(actor=caseworker, plan=plan)
    plan.refresh_from_db()
    assert plan.starts_on == D(2027, 1, 30)
    assert _dates(plan) == [
        D(2027, 1, 30),
        D(2027, 1, 31),
        D(2027, 2, 1),
        D(2027, 2, 3),
        D(2027, 2, 4),
    ]
    orders = Order.objects.filter(source="plan_item")
    assert {(o.channel, o.status, o.quantity) for o in orders} == {
        (Channel.PLAN, OrderStatus.WAITING, 1)
    }
    # Meals are asked for at lunchtime (11:00 in Nanjing).
    assert {o.preferred_time.astimezone(SHANGHAI).hour for o in orders} == {11}


def test_the_job_is_idempotent_and_rolls_forward(plan, caseworker, clock):  # noqa: F811
    plan_approve(actor=caseworker, plan=plan)
    assert occurrences_generate() == {"placed": 0, "skipped": 0}
    assert occurrences_generate() == {"placed": 0, "skipped": 0}
    clock.set(2027, 1, 30, hour=0)
    # The registered job does the same.
    assert "plans.schedule" in {job.name for job in periodic_jobs()}
    assert run_job("plans.schedule") == {"placed": 1, "skipped": 0}  # 6 February
    assert run_job("plans.schedule") == {"placed": 0, "skipped": 0}
    assert _dates(plan)[-1] == D(2027, 2, 6)
    assert PlanOccurrence.objects.count() == 6


def test_a_schedule_across_the_end_of_february(plan, caseworker, clock):  # noqa: F811
    plan_approve(actor=caseworker, plan=plan)
    day = D(2027, 1, 30)
    while day <= D(2027, 3, 3):
        clock.set(day.year, day.month, day.day, hour=1)
        occurrences_generate()
        day += dt.timedelta(days=1)
    dates = _dates(plan)
    # All 20 meals of plan month 1, and plan month 2 up to 10 March (3 March + 7 days).
    assert len(dates) == 28
    assert [d for d in dates if d < D(2027, 2, 28)][-3:] == [
        D(2027, 2, 23),
        D(2027, 2, 25),
        D(2027, 2, 26),
    ]
    assert [d for d in dates if d >= D(2027, 2, 28)] == [
        D(2027, 2, 28),
        D(2027, 3, 1),
        D(2027, 3, 3),
        D(2027, 3, 4),
        D(2027, 3, 6),
        D(2027, 3, 7),
        D(2027, 3, 9),
        D(2027, 3, 10),
    ]


def test_a_pause_cancels_future_waiting_orders_only(plan, caseworker, market, clock):  # noqa: F811
    plan_approve(actor=caseworker, plan=plan)
    clock.set(2027, 1, 30)
    occurrences_generate()  # 6 February
    (feb3,) = [
        o
        for o in Order.objects.filter(source="plan_item")
        if o.preferred_time.astimezone(SHANGHAI).date() == D(2027, 2, 3)
    ]
    order_accept(actor=market["staff_a"], order=feb3)
    clock.set(2027, 1, 31)
    plan_pause(actor=caseworker, plan=plan, reason="住院")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PAUSED
    # 1, 4 and 6 February were waiting: cancelled. 30 and 31 January (past and today) and the
    # accepted 3 February stay.
    assert _dates(plan, OrderStatus.CANCELLED) == [D(2027, 2, 1), D(2027, 2, 4), D(2027, 2, 6)]
    assert _dates(plan, OrderStatus.WAITING) == [D(2027, 1, 30), D(2027, 1, 31)]
    assert _dates(plan, OrderStatus.ACCEPTED) == [D(2027, 2, 3)]
    clock.set(2027, 2, 2)
    assert occurrences_generate() == {"placed": 0, "skipped": 0}
    with pytest.raises(Conflict):
        plan_pause(actor=caseworker, plan=plan)
    clock.set(2027, 2, 5)
    plan_resume(actor=caseworker, plan=plan)
    # From 6 to 12 February; the meals of the pause are not made up.
    assert _dates(plan, OrderStatus.WAITING) == [
        D(2027, 1, 30),
        D(2027, 1, 31),
        D(2027, 2, 6),
        D(2027, 2, 7),
        D(2027, 2, 9),
        D(2027, 2, 10),
        D(2027, 2, 12),
    ]


def test_a_change_of_frequency_replaces_future_waiting_orders(plan, caseworker, clock):  # noqa: F811
    plan_approve(actor=caseworker, plan=plan)
    (item,) = plan.items.all()
    plan_item_update(actor=caseworker, item=item, per_month=8, months=3)
    # 8 a month over 29 days: days 0, 3, 7, … → 30 January and 2 February in the window.
    assert _dates(plan, OrderStatus.CANCELLED) == [
        D(2027, 1, 30),
        D(2027, 1, 31),
        D(2027, 2, 1),
        D(2027, 2, 3),
        D(2027, 2, 4),
    ]
    assert _dates(plan, OrderStatus.WAITING) == [D(2027, 1, 30), D(2027, 2, 2)]


def test_a_revised_plan_ends_the_running_one(plan, caseworker, market, clock):  # noqa: F811
    plan_approve(actor=caseworker, plan=plan)
    clock.set(2027, 1, 30)
    revised = _draft(market["household"], caseworker)
    plan.refresh_from_db()
    assert (plan.status, revised.status) == (PlanStatus.APPROVED, PlanStatus.DRAFT)
    plan_approve(actor=caseworker, plan=revised)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUPERSEDED
    assert _dates(plan, OrderStatus.WAITING) == [D(2027, 1, 30)]
    assert len(_dates(plan, OrderStatus.CANCELLED)) == 4
    clock.set(2027, 1, 31)
    occurrences_generate()
    assert _dates(plan, OrderStatus.WAITING) == [D(2027, 1, 30)]  # nothing more for the old plan


def test_ending_a_plan(plan, caseworker, clock):  # noqa: F811
    plan_approve(actor=caseworker, plan=plan)
    clock.set(2027, 2, 1)
    plan_end(actor=caseworker, plan=plan, reason="迁出")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ENDED
    assert _dates(plan, OrderStatus.CANCELLED) == [D(2027, 2, 3), D(2027, 2, 4)]
    clock.set(2027, 2, 2)
    assert occurrences_generate() == {"placed": 0, "skipped": 0}


def test_a_household_that_exits_stops_receiving_its_plan(
    plan,
    caseworker,
    market,  # noqa: F811
    clock,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    from jiuzhu.registry.services.households import household_exit

    plan_approve(actor=caseworker, plan=plan)
    clock.set(2027, 2, 1)
    with django_capture_on_commit_callbacks(execute=True):
        household_exit(actor=caseworker, household=market["household"], reason="迁往外地")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ENDED
    assert _dates(plan, OrderStatus.CANCELLED) == [D(2027, 2, 3), D(2027, 2, 4)]
    assert _dates(plan, OrderStatus.WAITING) == [D(2027, 1, 30), D(2027, 1, 31), D(2027, 2, 1)]


def test_an_occurrence_the_household_cannot_order_is_kept_with_the_reason(
    plan,
    caseworker,
    market,  # noqa: F811
    clock,  # noqa: F811
):
    """助洁 is limited to 4 a week; the household has already ordered 4 this week (Monday
    1 February 2027), so the plan's first 助洁 (Tuesday) is not ordered: the occurrence keeps
    the reason, the plan page shows it, and the next run does not try again."""
    from jiuzhu.assessment.selectors.schedules import upcoming
    from jiuzhu.assessment.services.plans import plan_item_add
    from jiuzhu.orders.services.orders import order_create

    clock.set(2027, 2, 1)
    order_create(
        actor=market["beneficiary"],
        household=market["household"],
        item=market["cleaning"],
        quantity=4,
    )
    plan_item_add(
        actor=caseworker, plan=plan, service_item=market["cleaning"], per_month=2, months=1
    )
    plan_approve(actor=caseworker, plan=plan)
    cleaning = PlanOccurrence.objects.get(item__service_item=market["cleaning"])
    assert (cleaning.on, cleaning.order) == (D(2027, 2, 2), None)
    assert cleaning.skipped == "The limit is 4 per week and 4 are already ordered this week."
    plan.refresh_from_db()
    rows = [r for r in upcoming(plan) if r["item"].service_item == market["cleaning"]]
    assert rows[0]["skipped"] == cleaning.skipped
    assert occurrences_generate() == {"placed": 0, "skipped": 0}
