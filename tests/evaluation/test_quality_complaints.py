"""Complaints in settlement: only *upheld* complaints count against quality, the quality figures
are the project's own (not the provider's platform-wide), and each line cites the upheld
complaints about the orders it counts (complaint → order → line). Hand-worked examples."""

from __future__ import annotations

from decimal import Decimal as D

from factories import ComplaintFactory, ProjectFactory, ProjectItemFactory
from jiuzhu.evaluation.services.statements import statement_draft
from jiuzhu.orders.services.complaints import complaint_decide
from settlement_cast import deliver, march


def _project(market, areas, manager, items, code):
    project = ProjectFactory(
        code=code,
        provider=market["provider_a"],
        district=areas["qixia"],
        created_by=manager,
        kpi_weights={"complaints": 1, "confirmed": 1},
    )
    for item in items:
        ProjectItemFactory(project=project, item=market[item], unit_price=D("15.00"))
    return project


def _deliver(market, item, day):
    return deliver(
        household=market["household"],
        provider=market["provider_a"],
        item=market[item],
        at=march(day),
    )


def test_only_upheld_complaints_count_and_the_line_cites_them(market, areas, actors):
    manager = actors["qixia_manager"]
    project = _project(market, areas, manager, ["meal"], "GP-C-1")
    orders = [_deliver(market, "meal", day) for day in (2, 3, 4, 5)]
    upheld, rejected, _pending = (ComplaintFactory(order=o, by=manager) for o in orders[:3])

    # Nothing decided yet: complaints 1 − 0/4 = 1, confirmed 4/4 = 1 → 100.00, pays 100 %.
    statement, _ = statement_draft(actor=manager, project=project, period="2026-03")
    assert statement.score == D("100.00") and statement.total == D("60.00")

    complaint_decide(actor=manager, complaint=upheld, upheld=True, note="核实属实")
    complaint_decide(actor=manager, complaint=rejected, upheld=False, note="核实不属实")
    # One upheld of 4 completed: complaints 1 − 1/4 = 0.75; confirmed 1;
    # score 100 × (0.75 + 1) ÷ 2 = 87.50 → the 80–90 tier pays 90 %: 4 × 15 × 0.9 = 54.00.
    statement, written = statement_draft(actor=manager, project=project, period="2026-03")
    assert written
    assert statement.score == D("87.50") and statement.percent == D(90)
    assert statement.total == D("54.00") and statement.withheld == D("6.00")
    (line,) = statement.lines.all()
    assert line.complaints == [upheld.pk]
    assert statement.quality["detail"]["complaints_upheld"] == 1


def test_quality_is_scoped_to_each_project(market, areas, actors):
    """Provider A holds two projects in Qixia: meals (P1) and cleaning (P2). The one upheld
    complaint is about a cleaning order, so it lowers P2 only."""
    manager = actors["qixia_manager"]
    meals = _project(market, areas, manager, ["meal"], "GP-C-P1")
    cleaning = _project(market, areas, manager, ["cleaning"], "GP-C-P2")
    _deliver(market, "meal", 2)
    _deliver(market, "meal", 3)
    cleaned = [_deliver(market, "cleaning", day) for day in (4, 5)]
    complaint = ComplaintFactory(order=cleaned[0], by=manager)
    complaint_decide(actor=manager, complaint=complaint, upheld=True, note="属实")

    # P1: complaints 1 − 0/2 = 1, confirmed 2/2 → 100.00 → 2 × 15 = 30.00.
    first, _ = statement_draft(actor=manager, project=meals, period="2026-03")
    assert first.score == D("100.00") and first.total == D("30.00")
    assert first.quality["detail"]["completed"] == 2
    # P2: complaints 1 − 1/2 = 0.5, confirmed 1 → 75.00 → the 60–80 tier pays 70 %:
    # 2 × 15 × 0.7 = 21.00. (Platform-wide, 1 of 4 would have given 87.50 to both.)
    second, _ = statement_draft(actor=manager, project=cleaning, period="2026-03")
    assert second.score == D("75.00") and second.percent == D(70)
    assert second.total == D("21.00")
    assert second.lines.get().complaints == [complaint.pk]
    assert first.lines.get().complaints == []
