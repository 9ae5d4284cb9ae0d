"""Statements: drafting from confirmed deliveries, idempotence, the workflow, disputes carried
into the next statement, and locked statements refused by the service and by the database."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.db import DatabaseError, transaction

from factories import StatementLineFactory
from jiuzhu.core.errors import Conflict, PermissionDenied, ValidationFailed
from jiuzhu.evaluation.models import Statement, StatementLine
from jiuzhu.evaluation.services.projects import spot_check_record
from jiuzhu.evaluation.services.statements import (
    line_dispute,
    line_resolve,
    statement_approve,
    statement_draft,
    statement_pay,
    statement_submit,
)
from settlement_cast import deliver, march


@pytest.fixture
def manager(actors):
    return actors["qixia_manager"]


def test_a_draft_counts_confirmed_deliveries_at_unit_price(project, march_deliveries, manager):
    statement, written = statement_draft(actor=manager, project=project, period="2026-03")
    assert written and statement.status == "draft"
    lines = {line.description: line for line in statement.lines.all()}
    assert statement.score == D("100.00") and statement.percent == D(100)
    meal = next(line for line in lines.values() if line.unit_price == D("15.00"))
    assert meal.quantity == 2 and meal.amount == D("30.00")
    assert sorted(meal.orders) == sorted(o.pk for o in march_deliveries[:2])
    assert statement.total == D("63.33")
    # the total is the sum of its lines, as stored
    assert statement.total == sum(line.amount for line in statement.lines.all())


def test_drafting_twice_changes_nothing(project, march_deliveries, manager):
    first, _ = statement_draft(actor=manager, project=project, period="2026-03")
    line_ids = sorted(first.lines.values_list("pk", flat=True))
    second, written = statement_draft(actor=manager, project=project, period="2026-03")
    assert not written and second.pk == first.pk
    assert sorted(second.lines.values_list("pk", flat=True)) == line_ids


def test_a_new_delivery_refreshes_the_draft(project, march_deliveries, manager, market):
    statement_draft(actor=manager, project=project, period="2026-03")
    deliver(
        household=market["household"],
        provider=market["provider_a"],
        item=market["meal"],
        at=march(20),
    )
    statement, written = statement_draft(actor=manager, project=project, period="2026-03")
    assert written and statement.total == D("78.33")


def test_quality_tiers_apply_and_disputed_deliveries_are_not_paid(project, market, manager):
    household, provider = market["household"], market["provider_a"]
    for day in (2, 3, 4):
        deliver(household=household, provider=provider, item=market["meal"], at=march(day))
    deliver(
        household=household,
        provider=provider,
        item=market["meal"],
        at=march(5),
        confirmation="disputed",
    )
    # confirmed 3 of 4 completed → 75.00 → 60-80 tier pays 70 %: 3 × 15 × 0.7 = 31.50
    statement, _ = statement_draft(actor=manager, project=project, period="2026-03")
    assert statement.score == D("75.00") and statement.percent == D(70)
    assert statement.total == D("31.50") and statement.withheld == D("13.50")


def test_a_month_with_no_deliveries(project, manager):
    statement, _ = statement_draft(actor=manager, project=project, period="2026-04")
    assert statement.lines.count() == 0 and statement.total == D("0")
    assert statement.score is None


def test_spot_checks_enter_the_score(project, march_deliveries, manager):
    project.kpi_weights = {"confirmed": 1, "spot_checks": 1}
    project.save()
    spot_check_record(
        actor=manager,
        project=project,
        checked_on=march(10).date(),
        method="visit",
        orders=march_deliveries[:1],
        findings="服务时长不足",
        score=60,
    )
    statement, _ = statement_draft(actor=manager, project=project, period="2026-03")
    assert statement.score == D("80.00") and statement.percent == D(90)
    assert statement.quality["spot_checks"]


def test_the_workflow(project, march_deliveries, manager, market, actors):
    statement, _ = statement_draft(actor=manager, project=project, period="2026-03")
    with pytest.raises(PermissionDenied):
        statement_submit(actor=market["staff_b"], statement=statement)
    with pytest.raises(PermissionDenied):
        statement_draft(actor=actors["jianye_manager"], project=project, period="2026-03")
    statement = statement_submit(actor=market["staff_a"], statement=statement)
    assert statement.status == "submitted"
    with pytest.raises(PermissionDenied):
        statement_approve(actor=actors["jianye_manager"], statement=statement)
    statement = statement_approve(actor=manager, statement=statement)
    assert statement.status == "approved" and statement.locked
    with pytest.raises(Conflict):
        statement_approve(actor=manager, statement=statement)
    statement = statement_pay(actor=manager, statement=statement)
    assert statement.status == "paid"
    assert list(statement.events.values_list("action", flat=True)) == ["submit", "approve", "pay"]
    # a locked statement is not redrafted
    _, written = statement_draft(actor=manager, project=project, period="2026-03")
    assert not written


def test_a_disputed_line_flows_into_the_next_statement(project, march_deliveries, manager, market):
    march_statement, _ = statement_draft(actor=manager, project=project, period="2026-03")
    line = march_statement.lines.get(quantity=2)
    with pytest.raises(ValidationFailed):
        line_dispute(actor=market["staff_a"], line=line, reason=" ")
    line_dispute(actor=market["staff_a"], line=line, reason="3月4日还有一次助餐未计入")
    with pytest.raises(Conflict):
        statement_approve(actor=manager, statement=march_statement)
    line_resolve(actor=manager, line=line, uphold=True, amount=D("15"), note="核实属实")
    march_statement = statement_approve(actor=manager, statement=march_statement)
    assert march_statement.total == D("63.33")  # the locked statement keeps its amounts
    deliver(
        household=market["household"],
        provider=market["provider_a"],
        item=market["meal"],
        at=march(1).replace(month=4),
    )
    april, _ = statement_draft(actor=manager, project=project, period="2026-04")
    correction = april.lines.get(kind="correction")
    assert correction.amount == D("15.00") and "核实属实" in correction.description
    assert april.total == D("30.00")
    # drafting again neither duplicates nor drops the correction
    april, _ = statement_draft(actor=manager, project=project, period="2026-04")
    assert april.lines.filter(kind="correction").count() == 1


def test_a_rejected_dispute_carries_nothing(project, march_deliveries, manager, market):
    statement, _ = statement_draft(actor=manager, project=project, period="2026-03")
    line = statement.lines.first()
    line_dispute(actor=market["staff_a"], line=line, reason="数量不对")
    line_resolve(actor=manager, line=line, uphold=False, note="核实无误")
    april, _ = statement_draft(actor=manager, project=project, period="2026-04")
    assert not april.lines.filter(kind="correction").exists()


def _locked(project, manager):
    statement, _ = statement_draft(actor=manager, project=project, period="2026-03")
    return statement_approve(actor=manager, statement=statement)


def test_a_locked_statement_refuses_changes_at_the_database(project, march_deliveries, manager):
    statement = _locked(project, manager)
    line = statement.lines.first()
    attempts = [
        lambda: Statement.objects.filter(pk=statement.pk).update(total=D("1.00")),
        lambda: Statement.objects.filter(pk=statement.pk).update(status="draft"),
        lambda: Statement.objects.filter(pk=statement.pk).delete(),
        lambda: StatementLine.objects.filter(pk=line.pk).update(amount=D("0.01")),
        lambda: StatementLine.objects.filter(pk=line.pk).delete(),
        lambda: StatementLineFactory(statement=statement),
    ]
    for attempt in attempts:
        with pytest.raises(DatabaseError), transaction.atomic():
            attempt()
    statement.refresh_from_db()
    assert statement.total == D("63.33") and statement.status == "approved"
    # moving on to paid is the one change allowed
    assert statement_pay(actor=manager, statement=statement).status == "paid"


def test_a_locked_statement_refuses_disputes_in_the_service(
    project, march_deliveries, manager, market
):
    statement = _locked(project, manager)
    with pytest.raises(Conflict):
        line_dispute(actor=market["staff_a"], line=statement.lines.first(), reason="晚了")


def test_a_bad_period_is_refused(project, manager):
    with pytest.raises(ValidationFailed):
        statement_draft(actor=manager, project=project, period="2026-3")
    with pytest.raises(ValidationFailed):
        statement_draft(actor=manager, project=project, period="2030-01")


def test_the_settle_command_is_idempotent(project, march_deliveries):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("settle", period="2026-03", district="320113", stdout=out)
    assert "1 statements drafted" in out.getvalue()
    statement = Statement.objects.get(project=project, period="2026-03")
    out = StringIO()
    call_command("settle", period="2026-03", stdout=out)
    assert "1 unchanged" in out.getvalue()
    assert Statement.objects.get(pk=statement.pk).fingerprint == statement.fingerprint
    assert Statement.objects.count() == 1
