"""The settlement engine against hand-worked statements, and properties whose two sides are
computed independently of the engine."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jiuzhu.evaluation.engine.quality import (
    KpiPart,
    complaint_figure,
    quality_score,
    rating_figure,
    share,
)
from jiuzhu.evaluation.engine.settlement import (
    DEFAULT_TIERS,
    Correction,
    Delivery,
    Tier,
    settle,
    tier_percent,
)

PRICES = {"meal": D("15.00"), "bath": D("80.00"), "clean": D("33.33")}


# ------------------------------------------------------------------ hand-worked statements


@pytest.mark.parametrize(
    ("score", "percent"),
    [
        (D("100"), D(100)),
        (D("90.00"), D(100)),  # exactly on 90: pays in full
        (D("89.99"), D(90)),
        (D("80.00"), D(90)),  # exactly on 80: the 80-90 tier
        (D("79.99"), D(70)),
        (D("60.00"), D(70)),  # exactly on 60: the 60-80 tier
        (D("59.99"), D(0)),  # below 60: withheld
        (D("0"), D(0)),
    ],
)
def test_tier_boundaries(score, percent):
    assert tier_percent(score, DEFAULT_TIERS) == percent


def test_a_statement_worked_by_hand():
    # 3 meals at 15.00, 1 bath at 80.00, 2 cleanings at 33.33; score 85.5 → 90 %.
    # meal: 45.00 × 0.9 = 40.50; bath: 80.00 × 0.9 = 72.00; clean: 66.66 × 0.9 = 59.994 → 59.99
    deliveries = [
        Delivery(1, "meal"),
        Delivery(2, "meal"),
        Delivery(3, "meal"),
        Delivery(4, "bath"),
        Delivery(5, "clean"),
        Delivery(6, "clean"),
    ]
    statement = settle(deliveries=deliveries, prices=PRICES, score=D("85.50"))
    lines = {line.item: line for line in statement.lines}
    assert lines["meal"].gross == D("45.00") and lines["meal"].payable == D("40.50")
    assert lines["bath"].payable == D("72.00") and lines["bath"].withheld == D("8.00")
    assert lines["clean"].gross == D("66.66") and lines["clean"].payable == D("59.99")
    assert lines["clean"].withheld == D("6.67")
    assert lines["meal"].orders == (1, 2, 3)
    assert statement.gross == D("191.66")
    assert statement.total == D("172.49")
    assert statement.withheld == D("19.17")


def test_rounding_is_half_up_to_the_fen():
    # 1 cleaning at 33.33 × 70 % = 23.331 → 23.33; 5 cleanings: 166.65 × 0.7 = 116.655 → 116.66
    one = settle(deliveries=[Delivery(1, "clean")], prices=PRICES, score=D(70))
    assert one.total == D("23.33")
    five = settle(deliveries=[Delivery(i, "clean") for i in range(5)], prices=PRICES, score=D(70))
    assert five.total == D("116.66")


def test_a_month_with_no_deliveries_pays_nothing():
    statement = settle(deliveries=[], prices=PRICES, score=None)
    assert statement.lines == () and statement.total == D("0") and statement.unscored


def test_below_sixty_is_withheld_pending_rectification():
    statement = settle(deliveries=[Delivery(1, "bath")], prices=PRICES, score=D("59.99"))
    assert statement.withheld_pending_rectification
    assert statement.total == D("0.00") and statement.withheld == D("80.00")


def test_a_correction_from_the_previous_period_is_carried():
    # Last month a disputed bath (80.00 at 90 %) was resolved for the provider: +72.00.
    corrections = [Correction("statement 7 line bath", D("72.00"), "visit was made")]
    statement = settle(
        deliveries=[Delivery(1, "meal")], prices=PRICES, score=D(95), corrections=corrections
    )
    assert statement.payable == D("15.00")
    assert statement.corrections_total == D("72.00")
    assert statement.total == D("87.00")


def test_an_item_the_project_does_not_buy_is_refused():
    with pytest.raises(KeyError):
        settle(deliveries=[Delivery(1, "massage")], prices=PRICES, score=D(95))


def test_quality_score_worked_by_hand():
    # weights 3, 2, 5; figures 0.9, 0.5, None → (3·0.9 + 2·0.5) / 5 = 0.74 → 74.00
    result = quality_score(
        {"acceptance": 3, "rating": 2, "spot_checks": 5},
        {"acceptance": 0.9, "rating": 0.5, "spot_checks": None},
    )
    assert result.score == D("74.00")
    assert [part.used for part in result.parts] == [True, True, False]


def test_quality_without_figures_is_unscored():
    assert quality_score({"rating": 1}, {"rating": None}).score is None


def test_quality_refuses_negative_weights():
    with pytest.raises(ValueError):
        quality_score({"rating": -1}, {"rating": 1.0})


# ------------------------------------------------------------------ properties

items = st.sampled_from(sorted(PRICES))
deliveries_st = st.lists(st.tuples(items, st.integers(min_value=0, max_value=20)), max_size=40).map(
    lambda rows: [Delivery(i, item, q) for i, (item, q) in enumerate(rows)]
)
scores = st.one_of(st.none(), st.decimals(min_value=0, max_value=100, places=2, allow_nan=False))
corrections_st = st.lists(
    st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False), max_size=3
).map(lambda amounts: [Correction(f"c{i}", a) for i, a in enumerate(amounts)])


def _percent_by_hand(score):
    # Written out independently of tier_percent.
    if score is None or score >= 90:
        return 100
    if score >= 80:
        return 90
    if score >= 60:
        return 70
    return 0


@given(deliveries_st, scores, corrections_st)
def test_total_is_the_sum_of_lines_and_corrections(deliveries, score, corrections):
    statement = settle(deliveries=deliveries, prices=PRICES, score=score, corrections=corrections)
    assert statement.total == sum(line.payable for line in statement.lines) + sum(
        c.amount for c in corrections
    )
    assert statement.gross == statement.payable + statement.withheld


@given(deliveries_st, scores)
def test_each_line_equals_the_rows_it_cites(deliveries, score):
    statement = settle(deliveries=deliveries, prices=PRICES, score=score)
    by_id = {d.order_id: d for d in deliveries}
    percent = _percent_by_hand(score)
    for line in statement.lines:
        rows = [by_id[order_id] for order_id in line.orders]
        assert all(row.item == line.item for row in rows)
        gross = sum(PRICES[row.item] * row.quantity for row in rows)
        assert line.gross == gross
        # payable in whole fen: gross·percent/100 rounded half up, by integer arithmetic
        fen_times_100 = int(gross * 100) * percent
        assert line.payable * 100 == (fen_times_100 + 50) // 100
    # every delivery is cited exactly once
    cited = sorted(order_id for line in statement.lines for order_id in line.orders)
    assert cited == sorted(by_id)


@given(
    st.decimals(min_value=0, max_value=100, places=2, allow_nan=False),
    st.decimals(min_value=0, max_value=100, places=2, allow_nan=False),
)
def test_a_higher_score_never_pays_less(a, b):
    low, high = sorted((a, b))
    assert tier_percent(low, DEFAULT_TIERS) <= tier_percent(high, DEFAULT_TIERS)


@given(
    st.dictionaries(
        st.sampled_from(["acceptance", "timeliness", "rating", "spot_checks"]),
        st.tuples(
            st.integers(min_value=0, max_value=10),
            st.one_of(st.none(), st.floats(min_value=0, max_value=1)),
        ),
        min_size=1,
    )
)
def test_quality_is_the_weighted_mean_of_the_present_figures(table):
    weights = {k: w for k, (w, _x) in table.items()}
    figures = {k: x for k, (_w, x) in table.items()}
    result = quality_score(weights, figures)
    present = [(w, x) for w, x in table.values() if x is not None]
    total = sum(w for w, _ in present)
    if total == 0:
        assert result.score is None
        return
    by_hand = 100 * sum(w * x for w, x in present) / total
    assert result.score is not None
    assert abs(float(result.score) - by_hand) <= 0.005 + 1e-9
    assert D(0) <= result.score <= D(100)


def test_custom_tiers_are_the_districts():
    tiers = [Tier(D(75), D(100)), Tier(D(50), D(50))]
    assert tier_percent(D("74.99"), tiers) == D(50)
    assert tier_percent(D("49.99"), tiers) == D(0)


def test_periods():
    import datetime as dt

    from jiuzhu.evaluation.engine.periods import bounds, period_for

    assert period_for("month", 2026, 12) == ("2026-12", dt.date(2026, 12, 1), dt.date(2027, 1, 1))
    assert period_for("quarter", 2026, 11) == (
        "2026-Q4",
        dt.date(2026, 10, 1),
        dt.date(2027, 1, 1),
    )
    assert bounds("2026-Q1") == (dt.date(2026, 1, 1), dt.date(2026, 4, 1))
    with pytest.raises(ValueError):
        bounds("2026-13")


# ------------------------------------------------------------------ boundaries (issue 17)
# Written from docs/settlement.md and the engine's module docstrings; each pins a rule that a
# mutant of the engine broke without any test above noticing.


def test_a_line_is_rounded_half_up_where_bankers_rounding_would_differ():
    # 5 cleanings at 33.33 = 166.65; score 85 → 90 %: 166.65 × 0.9 = 149.985 → 149.99 (half up;
    # half-even would print 149.98). Withheld 166.65 − 149.99 = 16.66.
    statement = settle(
        deliveries=[Delivery(i, "clean") for i in range(5)], prices=PRICES, score=D(85)
    )
    (line,) = statement.lines
    assert (line.payable, line.withheld) == (D("149.99"), D("16.66"))


def test_a_line_shows_its_price_quantity_percent_orders_and_upheld_complaints():
    # 2 + 1 meals at 15.00 and 1 bath at 80.00, score exactly 80.00 → 90 %.
    # Complaints 7 (order 1) and 5, 7 (order 2) are cited once each, in order.
    deliveries = [
        Delivery(1, "meal", 2, complaints=(7,)),
        Delivery(2, "meal", 1, complaints=(5, 7)),
        Delivery(3, "bath"),
    ]
    statement = settle(deliveries=deliveries, prices=PRICES, score=D("80.00"))
    bath, meal = statement.lines  # in item order
    assert (meal.item, meal.unit_price, meal.quantity, meal.percent) == (
        "meal",
        D("15.00"),
        3,
        D(90),
    )
    assert (meal.gross, meal.payable, meal.withheld) == (D("45.00"), D("40.50"), D("4.50"))
    assert (meal.orders, meal.complaints) == ((1, 2), (5, 7))
    assert (bath.unit_price, bath.quantity, bath.orders, bath.complaints) == (
        D("80.00"),
        1,
        (3,),
        (),
    )
    assert (statement.score, statement.percent) == (D("80.00"), D(90))
    assert not statement.withheld_pending_rectification and not statement.unscored


@pytest.mark.parametrize(("score", "pending"), [(D(95), False), (None, False), (D("59.99"), True)])
def test_only_a_score_below_every_tier_is_withheld_pending_rectification(score, pending):
    statement = settle(deliveries=[Delivery(1, "meal")], prices=PRICES, score=score)
    assert statement.withheld_pending_rectification is pending


def test_a_correction_keeps_its_source_and_reason_and_is_rounded_like_a_line():
    # −12.345 is rounded half up (away from zero) to −12.35; half-even would give −12.34.
    # Total: 1 meal at 95 → 15.00, + 72.00 − 12.35 = 74.65.
    corrections = [
        Correction("statement 7 line bath", D("72.00"), "visit was made"),
        Correction("statement 7 line meal", D("-12.345"), "paid twice"),
    ]
    statement = settle(
        deliveries=[Delivery(1, "meal")], prices=PRICES, score=D(95), corrections=corrections
    )
    assert statement.corrections == (
        Correction("statement 7 line bath", D("72.00"), "visit was made"),
        Correction("statement 7 line meal", D("-12.35"), "paid twice"),
    )
    assert statement.corrections_total == D("59.65")
    assert statement.total == D("74.65")


def test_an_empty_statement_is_still_money():
    # "Money is Decimal yuan throughout": a month without deliveries or corrections sums to a
    # Decimal zero, not the integer 0.
    statement = settle(deliveries=[], prices=PRICES, score=D(95))
    totals = (
        statement.gross,
        statement.payable,
        statement.withheld,
        statement.corrections_total,
        statement.total,
    )
    assert all(isinstance(amount, D) for amount in totals)
    assert statement.corrections == ()


def test_refusals_name_what_is_wrong():
    with pytest.raises(KeyError) as refused:
        settle(deliveries=[Delivery(1, "massage")], prices=PRICES, score=D(95))
    assert refused.value.args == ("massage",)
    with pytest.raises(ValueError, match="^a delivery's quantity cannot be negative$"):
        settle(deliveries=[Delivery(1, "meal", -1)], prices=PRICES, score=D(95))
    with pytest.raises(ValueError, match="^weights must be finite and non-negative$"):
        quality_score({"rating": -1}, {"rating": 1.0})


def test_the_score_is_rounded_half_up_to_two_decimals():
    # weights 1 and 7, figures 1 and 0.75: 100 × (1 + 5.25) / 8 = 78.125 → 78.13 (half up; half-
    # even would give 78.12). Parts: 100 × 1 × 1 / 8 = 12.5 and 100 × 7 × 0.75 / 8 = 65.625.
    result = quality_score({"acceptance": 1, "rating": 7}, {"acceptance": 1.0, "rating": 0.75})
    assert result.score == D("78.13")
    assert [(p.kpi, p.points) for p in result.parts] == [("acceptance", 12.5), ("rating", 65.625)]


def test_each_part_keeps_its_figure_weight_and_points():
    # The worked example above: Σw over the KPIs with figures = 3 + 2 = 5;
    # acceptance 100 × 3 × 0.9 / 5 = 54, rating 100 × 2 × 0.5 / 5 = 20, spot checks no figure.
    result = quality_score(
        {"acceptance": 3, "rating": 2, "spot_checks": 5},
        {"acceptance": 0.9, "rating": 0.5, "spot_checks": None},
    )
    assert [(p.kpi, p.figure, p.weight, p.used) for p in result.parts] == [
        ("acceptance", 0.9, 3.0, True),
        ("rating", 0.5, 2.0, True),
        ("spot_checks", None, 5.0, False),
    ]
    assert [p.points for p in result.parts] == pytest.approx([54.0, 20.0, 0.0])


def test_figures_outside_zero_to_one_are_clipped_and_not_a_number_counts_as_zero():
    # Equal weights: (clip(−0.5) = 0, 1) → 50.00; (clip(1.5) = 1, 0.5) → 75.00; (NaN → 0, 1) → 50.
    low = quality_score({"acceptance": 1, "rating": 1}, {"acceptance": -0.5, "rating": 1.0})
    assert low.score == D("50.00") and low.parts[0].figure == 0.0
    high = quality_score({"acceptance": 1, "rating": 1}, {"acceptance": 1.5, "rating": 0.5})
    assert high.score == D("75.00") and high.parts[0].figure == 1.0
    nan = quality_score({"acceptance": 1, "rating": 1}, {"acceptance": float("nan"), "rating": 1})
    assert nan.score == D("50.00")


def test_an_unscored_period_still_lists_every_kpi_unused():
    # Weights of the KPIs with figures sum to zero (acceptance weighs 0) → no score; each part
    # shows its figure as given, its weight, 0 points and used=False.
    result = quality_score({"acceptance": 0, "rating": 3}, {"acceptance": 0.6, "rating": None})
    assert result.score is None
    assert result.parts == (
        KpiPart("acceptance", 0.6, 0.0, 0.0, False),
        KpiPart("rating", None, 3.0, 0.0, False),
    )


@pytest.mark.parametrize(
    ("average", "figure"),
    [(None, None), (1, 0.0), (2, 0.25), (3, 0.5), (5, 1.0), (0, 0.0), (6, 1.0)],
)
def test_rating_figure_maps_one_to_five_stars_onto_zero_to_one(average, figure):
    # (average − 1) ÷ 4; an average outside 1–5 still gives a figure in [0, 1].
    assert rating_figure(average) == figure


@pytest.mark.parametrize(
    ("rate", "figure"),
    [(None, None), (0, 1.0), (0.25, 0.75), (1, 0.0), (1.5, 0.0), (-0.5, 1.0)],
)
def test_complaint_figure_is_one_minus_the_capped_rate(rate, figure):
    # 1 − min(1, rate): more upheld complaints than orders still gives 0, never below.
    assert complaint_figure(rate) == figure


def test_a_share_without_a_denominator_is_no_figure():
    assert share(1, 4) == 0.25
    assert share(0, 5) == 0.0
    assert share(0, 0) is None
    assert share(3, 0) is None
