"""Dashboards: every figure equals the same figure counted by hand from the raw rows; monthly
snapshots keep their values when today's data changes; a street manager sees only their
street; the page, its export and the API.

The world: the households of tests/analytics_cast.py (poverty measures known by hand), plus a
few orders, ratings, warnings and time-bank deposits made here. One world per test, built with
factories (a few hundred milliseconds)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from openpyxl import load_workbook

from analytics_cast import DEPRIVED, build_world, m0_of, score
from factories import (
    DepositFactory,
    EarlyWarningFactory,
    OrderFactory,
    OrderSlaFactory,
    ProviderFactory,
    RatingFactory,
    ServiceItemFactory,
    TimebankAccountFactory,
)
from jiuzhu.analytics.models import CurrentFigure, MonthlySnapshot
from jiuzhu.analytics.selectors.dashboard import dashboard_for, filters_for, trend
from jiuzhu.analytics.services.snapshots import figures_refresh, snapshot_take
from jiuzhu.core.errors import PermissionDenied, ValidationFailed
from jiuzhu.core.models import AuditAction, AuditEntry
from jiuzhu.discovery.models import EarlyWarning
from jiuzhu.orders.models import Order, Rating
from jiuzhu.registry.models import Household
from jiuzhu.timebank.models import Deposit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def world(actors, areas):
    base = build_world(actors, areas)
    h = base["households"]
    now = timezone.now()
    item = ServiceItemFactory(price=Decimal("30"))
    p1 = ProviderFactory(organisation__name="服务机构一")
    p2 = ProviderFactory(organisation__name="服务机构二")
    done = {"status": "completed", "accepted_at": now, "started_at": now, "completed_at": now}
    o1 = OrderFactory(household=h["A"], item=item, quantity=2, provider=p1, **done)
    o2 = OrderFactory(household=h["C"], item=item, provider=p1, **done)
    OrderFactory(household=h["D"], item=item, status="cancelled")
    o4 = OrderFactory(household=h["E"], item=item, provider=p2, **done)
    OrderFactory(household=h["B"], item=item, status="waiting")
    OrderSlaFactory(order=o1, complete_by=now + dt.timedelta(days=1))
    OrderSlaFactory(order=o2, complete_by=now - dt.timedelta(hours=2))
    # Still being delivered: one already past its deadline (late, like a late completion),
    # one not yet due (left out until its deadline comes).
    late = OrderFactory(household=h["C"], item=item, provider=p1, status="in_service")
    OrderSlaFactory(order=late, complete_by=now - dt.timedelta(hours=1))
    not_due = OrderFactory(household=h["A"], item=item, provider=p1, status="accepted")
    OrderSlaFactory(order=not_due, complete_by=now + dt.timedelta(days=2))
    RatingFactory(order=o1, score=5)
    RatingFactory(order=o2, score=3)
    RatingFactory(order=o4, score=4)
    EarlyWarningFactory(household=h["A"], origin="referral", status="registered", verified_at=now)
    EarlyWarningFactory(household=h["C"], origin="department", status="open")
    EarlyWarningFactory(household=h["E"], origin="referral", status="dismissed", verified_at=now)
    account = TimebankAccountFactory(district=areas["qixia"])
    DepositFactory(
        account=account, street=areas["yaohua"], minutes=90, status="confirmed", confirmed_at=now
    )
    DepositFactory(account=account, street=areas["maqun"], minutes=30)  # not yet confirmed
    return base


def late_and_unfinished(order: Order) -> bool:
    unfinished = order.status in ("waiting", "accepted", "assigned", "in_service")
    return unfinished and hasattr(order, "sla") and order.sla.complete_by <= timezone.now()


def by_hand(street_ids: set[int]) -> dict[str, float]:
    """The figures of the streets ``street_ids``, counted from the raw rows in Python."""
    households = [h for h in Household.objects.all() if h.street_id in street_ids]
    active = [h for h in households if h.status == "active"]
    orders = [o for o in Order.objects.all() if o.household.street_id in street_ids]
    completed = [o for o in orders if o.status == "completed"]
    with_sla = [o for o in completed if hasattr(o, "sla")]
    ratings = [r.score for r in Rating.objects.all() if r.order.household.street_id in street_ids]
    warnings = [w for w in EarlyWarning.objects.all() if w.street_id in street_ids]
    referrals = [w for w in warnings if w.origin == "referral"]
    deposits = [
        d for d in Deposit.objects.all() if d.street_id in street_ids and d.status == "confirmed"
    ]
    return {
        "households.active": len(active),
        "households.tier.dibao": sum(h.tier == "dibao" for h in active),
        "households.tier.near_dibao": sum(h.tier == "near_dibao" for h in active),
        "orders.placed": len(orders),
        "orders.completed": len(completed),
        "orders.cancelled": sum(o.status == "cancelled" for o in orders),
        "orders.waiting": sum(o.status == "waiting" for o in orders),
        "sla.due": len(with_sla) + sum(late_and_unfinished(o) for o in orders),
        "sla.on_time": sum(o.completed_at <= o.sla.complete_by for o in with_sla),
        "money.spent": float(sum(o.item.price * o.quantity for o in completed)),
        "served.person_times": len(completed),
        "rating.count": len(ratings),
        "rating.average": sum(ratings) / len(ratings) if ratings else None,
        "warnings.raised": len(warnings),
        "warnings.verified": sum(w.verified_at is not None for w in warnings),
        "referrals.made": len(referrals),
        "referrals.converted": sum(w.status == "registered" for w in referrals),
        "timebank.minutes": sum(d.minutes for d in deposits),
    }


def test_every_figure_equals_the_raw_rows_and_the_poverty_measures_the_hand_worked_ones(
    world, actors, areas
):
    figures_refresh()
    city, qixia = actors["city_admin"], areas["qixia"]
    streets = {areas[s].pk for s in ("yaohua", "maqun", "shazhou")}
    board = dashboard_for(user=city, filters=filters_for(user=city))
    total = board["live"]["total"]
    for key, expected in by_hand(streets).items():
        assert total[key] == pytest.approx(expected), key
    for row in board["live"]["by_street"]:
        for key, expected in by_hand({row["area_id"]}).items():
            assert row[key] == pytest.approx(expected), (row["name"], key)
    # The district's own dashboard counts its streets only.
    board = dashboard_for(user=city, filters=filters_for(user=city, area=qixia.pk))
    qixia_streets = {areas["yaohua"].pk, areas["maqun"].pk}
    for key, expected in by_hand(qixia_streets).items():
        assert board["live"]["total"][key] == pytest.approx(expected), key
    # Poverty, from the current figures: H, A, M0 by street equal the hand-worked ones.
    poverty = {row["name"]: row for row in board["poverty"]["by_street"]}
    yaohua = [DEPRIVED["A"], DEPRIVED["B"]]
    maqun = [DEPRIVED["C"], DEPRIVED["D"]]
    assert poverty["尧化街道"]["M0"] == pytest.approx(float(m0_of(yaohua)))
    assert poverty["马群街道"]["M0"] == pytest.approx(float(m0_of(maqun)))
    assert poverty["马群街道"]["H"] == pytest.approx(0.5)
    assert board["poverty"]["total"]["M0"] == pytest.approx(float(m0_of(yaohua + maqun)))
    poor = [d for d in yaohua + maqun if score(d) >= 1 / 3]
    assert board["poverty"]["total"]["poor"] == len(poor)
    assert board["poverty"]["computed_at"] is not None
    contributions = [row["contribution"] for row in board["poverty"]["dimensions"]]
    assert sum(contributions) == pytest.approx(1.0)
    # Providers: completed orders, SLA and ratings per provider, from the rows.
    ranking = {row["name"]: row for row in board["providers"]}
    assert ranking["服务机构一"]["completed"] == 2
    # Of its three orders whose deadline has come, one was completed by it (o1); o2 was
    # completed late and the one still in service is late already: 1 / 3, not 1 / 2.
    assert ranking["服务机构一"]["on_time_rate"] == pytest.approx(1 / 3)
    assert ranking["服务机构一"]["rating"] == pytest.approx(4.0)
    assert "服务机构二" not in ranking  # its only order is in Jianye
    # The supply gap (street × item, from the current figures): orders not cancelled, and
    # those still waiting.
    gap = {row["street"]: (row["demand"], row["unmet"]) for row in board["supply"]}
    assert gap == {"尧化街道": (3, 1), "马群街道": (2, 0)}


def test_a_street_manager_sees_only_their_street(world, actors, areas):
    figures_refresh()
    maqun = actors["maqun_caseworker"]
    board = dashboard_for(user=maqun, filters=filters_for(user=maqun))
    assert [row["name"] for row in board["live"]["by_street"]] == ["马群街道"]
    for key in ("households.active", "orders.placed", "warnings.raised", "money.spent"):
        assert board["live"]["total"][key] == pytest.approx(by_hand({areas["maqun"].pk})[key])
    assert board["live"]["available"]["timebank"] is False  # the bank is kept by districts
    assert [row["name"] for row in board["poverty"]["by_street"]] == ["马群街道"]
    with pytest.raises(ValidationFailed):
        filters_for(user=maqun, area=areas["yaohua"].pk)
    with pytest.raises(ValidationFailed):
        filters_for(user=maqun, days=7)
    with pytest.raises(PermissionDenied):
        filters_for(user=actors["provider_staff"])


def test_the_figures_come_from_the_refresh_per_period_and_the_page_says_how_fresh(
    world, actors, areas, client
):
    """The dashboard reads the refresh's figures (``figures_refresh``): nothing before the
    first run, each period's own flows after it, the quick refresh leaving the poverty
    measures and the supply gap as the full one left them, and the time on the page."""
    city, h = actors["city_admin"], world["households"]
    streets = {areas[s].pk for s in ("yaohua", "maqun", "shazhou")}
    board = dashboard_for(user=city, filters=filters_for(user=city))
    assert board["computed_at"] is None and board["live"]["total"]["orders.placed"] == 0
    assert board["providers"] == []
    client.force_login(city)
    with translation.override("zh-hans"):
        html = client.get("/dashboards/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "尚未计算（运行 jiuzhu figures）" in html
    # An order placed 60 days ago counts over 90 and 365 days, not over 30.
    old = OrderFactory(household=h["A"], status="cancelled")
    Order.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=60))
    figures_refresh()
    expected = by_hand(streets)  # every order, the old one included
    for days in (90, 365):
        total = dashboard_for(user=city, filters=filters_for(user=city, days=days))["live"]
        for key in ("orders.placed", "orders.cancelled", "orders.completed", "sla.due"):
            assert total["total"][key] == pytest.approx(expected[key]), (days, key)
    board = dashboard_for(user=city, filters=filters_for(user=city, days=30))
    assert board["live"]["total"]["orders.placed"] == expected["orders.placed"] - 1
    assert board["live"]["total"]["orders.cancelled"] == expected["orders.cancelled"] - 1
    # The ranking: most orders completed first (服务机构一 two, 服务机构二 one).
    assert [row["name"] for row in board["providers"]] == ["服务机构一", "服务机构二"]
    computed = board["computed_at"]
    assert computed is not None and board["poverty"]["computed_at"] == computed
    with translation.override("zh-hans"):
        html = client.get("/dashboards/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "数据更新于 " + timezone.localtime(computed).strftime("%Y-%m-%d %H:%M") in html
    # The quick refresh (every few minutes) follows today's data and keeps the slow figures.
    OrderFactory(household=h["A"], status="waiting")
    supply_before = board["supply"]
    assert figures_refresh(slow=False) > 0
    board = dashboard_for(user=city, filters=filters_for(user=city, days=30))
    assert board["live"]["total"]["orders.placed"] == expected["orders.placed"]
    assert board["live"]["total"]["orders.waiting"] == expected["orders.waiting"] + 1
    assert board["computed_at"] > computed
    assert board["poverty"]["computed_at"] == computed
    assert board["poverty"]["total"]["M0"] is not None and board["supply"] == supply_before
    # A street caseworker's role is granted no time-bank rows: the street's figure is kept,
    # but not shown to them.
    yaohua = areas["yaohua"]
    assert CurrentFigure.objects.get(area=yaohua, key="p30.timebank.minutes").value == 90
    caseworker = actors["yaohua_caseworker"]
    board = dashboard_for(user=caseworker, filters=filters_for(user=caseworker))
    assert board["live"]["total"]["timebank.minutes"] == 0
    # (its 30 days leave out the order placed 60 days ago)
    assert board["live"]["total"]["orders.placed"] == by_hand({yaohua.pk})["orders.placed"] - 1


def test_a_snapshot_keeps_its_values_when_todays_data_changes(world, actors, areas):
    city = actors["city_admin"]
    today = timezone.localdate()
    last = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    this = today.replace(day=1)
    assert snapshot_take(month=last) > 0
    assert snapshot_take(month=this) > 0
    yaohua = areas["yaohua"]

    def taken(month, key):
        return MonthlySnapshot.objects.get(area=yaohua, month=month, key=key).value

    before = {key: taken(this, key) for key in ("households.active", "orders.placed", "mpi.M0")}
    assert before["households.active"] == 3  # A, B, F (X has exited)
    assert before["orders.placed"] == 3  # A's completed and accepted orders, B's waiting one
    assert taken(last, "orders.placed") == 0  # every order was placed this month
    # Today's data changes: a household exits, an order is placed; taking the month again
    # writes nothing and every value stays as it was.
    Household.objects.filter(pk=world["households"]["B"].pk).update(
        status="exited", exit_reason="迁出"
    )
    OrderFactory(household=world["households"]["A"])
    assert snapshot_take(month=this) == 0
    assert {key: taken(this, key) for key in before} == before
    # The current figures follow today's data.
    figures_refresh()
    current = CurrentFigure.objects.get(area=yaohua, key="households.active")
    assert current.value == 2
    # The trend compares the two months for the district's streets.
    data = trend(
        user=city, filters=filters_for(user=city, area=areas["qixia"].pk), metric="orders.placed"
    )
    rows = {row["name"]: row for row in data["rows"]}
    assert (data["before"], data["after"]) == (last, this)
    assert rows["尧化街道"]["change"] == 3
    assert data["after_taken"] is not None
    with pytest.raises(ValidationFailed):
        trend(user=city, filters=filters_for(user=city), metric="nonsense")
    with pytest.raises(ValueError):
        snapshot_take(month=(today.replace(day=28) + dt.timedelta(days=10)))


def test_the_page_its_export_and_the_api(world, actors, areas, client):
    figures_refresh()
    snapshot_take(month=timezone.localdate())
    manager = actors["qixia_manager"]
    client.force_login(manager)
    with translation.override("zh-hans"):
        page = client.get("/dashboards/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    html = page.content.decode()
    assert "多维贫困指数" in html and "尧化街道" in html and "dash-trend" in html
    response = client.get("/dashboards/", {"format": "xlsx", "area": areas["maqun"].pk})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    assert "Poverty by street" in book.sheetnames or len(book.sheetnames) == 10
    assert AuditEntry.objects.filter(
        action=AuditAction.EXPORT, object_type="analytics.dashboard", actor=manager
    ).exists()
    # Bad filters on the page are shown, not a 500.
    assert client.get("/dashboards/", {"area": "x", "days": "7", "metric": "?"}).status_code == 200
    api = client.get("/api/v1/analytics/dashboard", {"area": areas["maqun"].pk, "days": 90})
    assert api.status_code == 200
    assert api.json()["live"]["total"]["households.active"] == 3  # C, D, G
    assert (
        client.get("/api/v1/analytics/dashboard", {"area": areas["shazhou"].pk}).status_code == 422
    )
    trends = client.get("/api/v1/analytics/trends", {"metric": "mpi.M0"})
    assert trends.status_code == 200 and trends.json()["rows"][0]["name"] == "栖霞区"
    assert client.get("/api/v1/analytics/trends", {"before": "2026-13"}).status_code == 422
    client.force_login(actors["provider_staff"])
    assert client.get("/dashboards/").status_code == 403
    assert client.get("/api/v1/analytics/dashboard").status_code == 403


def test_the_job_takes_last_month_once_and_the_command_checks_its_month(areas):
    from django.core.management import CommandError, call_command

    from jiuzhu.analytics.services.snapshots import analytics_cycle

    first = analytics_cycle()
    assert first["current"] > 0 and first["snapshot"] > 0
    assert "snapshot" not in analytics_cycle()  # last month is taken: kept, not taken again
    out = io.StringIO()
    call_command("snapshot", "--month", "2025-01", stdout=out)
    assert "snapshot 2025-01" in out.getvalue()
    assert MonthlySnapshot.objects.filter(month=dt.date(2025, 1, 1), area=areas["qixia"]).exists()
    with pytest.raises(CommandError):
        call_command("snapshot", "--month", "2025-13")
    # The quick job and the command refresh the current figures on demand.
    from jiuzhu.core.jobs import periodic_jobs, run_job

    every = {job.name: job.every_seconds for job in periodic_jobs()}
    assert every["analytics.figures"] == 300 and every["analytics.snapshots"] == 3600
    assert run_job("analytics.figures")["current"] > 0
    assert CurrentFigure.objects.filter(area=areas["qixia"], key="p365.orders.placed").exists()
    out = io.StringIO()
    call_command("figures", "--live-only", stdout=out)
    assert "current figures refreshed" in out.getvalue()


def test_the_rates_on_the_dashboards_are_the_ratios_of_their_parts():
    """docs/analytics.md: on-time rate = on time / due; average rating = sum / count; referral
    conversion = converted / made; completion = completed / placed. Nothing due is "no rate"
    (shown as —), never 100 % or 0 %; a missing numerator counts as 0."""
    from jiuzhu.analytics.selectors.figures import derive

    parts = {
        "sla.on_time": 18,
        "sla.due": 24,
        "rating.sum": 43,
        "rating.count": 10,
        "referrals.converted": 3,
        "referrals.made": 12,
        "orders.completed": 30,
        "orders.placed": 40,
    }
    assert derive(parts) == {
        **parts,
        "sla.rate": 0.75,
        "rating.average": 4.3,
        "referrals.rate": 0.25,
        "orders.completion_rate": 0.75,
    }
    assert derive({"orders.placed": 8, "sla.due": 0}) == {
        "orders.placed": 8,
        "sla.due": 0,
        "sla.rate": None,
        "rating.average": None,
        "referrals.rate": None,
        "orders.completion_rate": 0.0,
    }
