"""Every warning rule on hand-built data at its thresholds."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from jiuzhu.discovery.engine.rules import Fact, RuleSpec, Subject, evaluate

TODAY = dt.date(2026, 6, 1)


def rule(kind, **params):
    return RuleSpec(kind, 1, kind, params, "orange", 7, "health")


def fact(source, on=TODAY, rid=1, **values):
    relation = values.pop("relation", "")
    employed = values.pop("employed", False)
    birth = values.pop("birth_date", None)
    return Fact(rid, source, on, values, relation, birth, employed)


def hits(spec, facts, subject=None):
    return evaluate([spec], facts, subject or Subject(), TODAY)


def test_medical_costs_at_the_amount_warn_and_a_cent_less_does_not():
    spec = rule("medical_out_of_pocket", amount="20000", months=12)
    at = [
        fact("medical", rid=1, out_of_pocket="15000"),
        fact("medical", rid=2, out_of_pocket="5000"),
    ]
    (hit,) = hits(spec, at)
    assert (hit.value, hit.threshold, hit.record_id) == ("20000", "20000", 2)
    below = [fact("medical", out_of_pocket="19999.99")]
    assert hits(spec, below) == []


def test_medical_costs_older_than_twelve_months_do_not_count():
    spec = rule("medical_out_of_pocket", amount="100")
    old = [fact("medical", on=dt.date(2025, 5, 31), out_of_pocket="500")]
    assert hits(spec, old) == []
    edge = [fact("medical", on=dt.date(2025, 6, 1), out_of_pocket="500")]
    assert len(hits(spec, edge)) == 1


def test_medical_costs_warn_at_a_share_of_household_income():
    spec = rule("medical_out_of_pocket", amount="100000", share="0.4")
    subject = Subject(monthly_income=Decimal("1000"))  # 12,000 a year: 40% is 4,800
    (hit,) = hits(spec, [fact("medical", out_of_pocket="4800")], subject)
    assert hit.threshold == "4800.00" and hit.detail["basis"] == "share"
    assert hits(spec, [fact("medical", out_of_pocket="4799.99")], subject) == []


def test_unemployment_of_six_months_warns_only_in_a_near_dibao_household():
    spec = rule("long_unemployment", months=6, tiers=["near_dibao"])
    six = [fact("unemployment", on=dt.date(2025, 12, 1))]
    assert len(hits(spec, six, Subject(tier="near_dibao"))) == 1
    assert hits(spec, six, Subject(tier="dibao")) == []
    short = [fact("unemployment", on=dt.date(2025, 12, 2))]
    assert hits(spec, short, Subject(tier="near_dibao")) == []
    ended = [fact("unemployment", on=dt.date(2025, 1, 1), ended_on="2025-03-01")]
    assert hits(spec, ended, Subject(tier="near_dibao")) == []


def test_a_new_severe_disability_warns():
    spec = rule("severe_disability", max_grade=2, days=90)
    assert len(hits(spec, [fact("disability", grade=2)])) == 1
    assert hits(spec, [fact("disability", grade=3)]) == []
    old = fact("disability", on=TODAY - dt.timedelta(days=91), grade=1)
    assert hits(spec, [old]) == []


def test_the_death_of_the_head_or_only_earner_warns():
    spec = rule("main_earner_death", days=90)
    assert len(hits(spec, [fact("death", relation="head")])) == 1
    earner = fact("death", relation="spouse", employed=True)
    assert len(hits(spec, [earner], Subject(earners=1))) == 1
    assert hits(spec, [earner], Subject(earners=2)) == []
    assert hits(spec, [fact("death", relation="child")]) == []


def test_disaster_damage_at_the_minimum_loss_warns():
    spec = rule("disaster_damage", min_loss="1000")
    assert len(hits(spec, [fact("disaster", loss="1000")])) == 1
    assert hits(spec, [fact("disaster", loss="999.99")]) == []


def test_a_child_leaving_school_warns_and_an_adult_does_not():
    spec = rule("school_leaving", max_age=18)
    child = fact("school", birth_date=dt.date(2008, 6, 2))  # 17 on the day
    adult = fact("school", birth_date=dt.date(2008, 6, 1))  # 18 on the day
    assert len(hits(spec, [child])) == 1
    assert hits(spec, [adult]) == []


def test_serious_illness_and_unsafe_housing_warn():
    assert len(hits(rule("serious_illness"), [fact("illness", serious="是")])) == 1
    assert hits(rule("serious_illness"), [fact("illness", serious="否")]) == []
    assert len(hits(rule("unsafe_housing", levels=["C", "D"]), [fact("housing", level="D")])) == 1
    assert hits(rule("unsafe_housing", levels=["C", "D"]), [fact("housing", level="B")]) == []


@given(st.lists(st.decimals(min_value=0, max_value=10**5, places=2), max_size=8))
def test_medical_warns_exactly_when_the_total_reaches_the_amount(amounts):
    spec = rule("medical_out_of_pocket", amount="50000")
    facts = [fact("medical", rid=i, out_of_pocket=str(a)) for i, a in enumerate(amounts)]
    warned = bool(hits(spec, facts))
    assert warned == (bool(amounts) and sum(amounts) >= 50000)
