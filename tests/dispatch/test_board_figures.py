"""The live board's figures with a controlled clock, and their scoping by area."""

import datetime as dt

import pytest
from django.utils import timezone

from factories import UserFactory
from factories_registry import add_member, make_household
from jiuzhu.core.models import Role
from jiuzhu.dispatch.models import DispatchOffer, Escalation, OrderSla
from jiuzhu.dispatch.selectors.backlog import BacklogFilters, backlog, deadline_state
from jiuzhu.dispatch.selectors.board import board_figures
from jiuzhu.dispatch.services.sla import order_sla_fix
from jiuzhu.orders.models import Order
from jiuzhu.orders.services.orders import order_accept, order_create

pytestmark = pytest.mark.django_db

H = dt.timedelta(hours=1)


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0)


@pytest.fixture
def homes(market, areas, actors):
    """One household in each of Yaohua (the market's), Maqun and Shazhou (Jianye)."""
    shazhou_worker = UserFactory(
        username="shazhou_cw", role=Role.STREET_CASEWORKER, area=areas["shazhou"]
    )
    made = {"ya": (market["household"], market["beneficiary"])}
    for key, worker, community in (
        ("mq", actors["maqun_caseworker"], areas["maqun_a"]),
        ("sz", shazhou_worker, areas["shazhou_a"]),
    ):
        household = make_household(actor=worker, community=community)
        add_member(actor=worker, household=household, age=76, employment="retired")
        made[key] = (household, worker)
    return made


def place(market, homes, key="ya", *, created, item="meal"):
    household, actor = homes[key]
    order = order_create(actor=actor, household=household, item=market[item])
    Order.objects.filter(pk=order.pk).update(created_at=created)
    order = Order.objects.select_related("household", "item").get(pk=order.pk)
    OrderSla.objects.filter(order=order).delete()
    order_sla_fix(order=order)  # what the ORDER_CREATED handler does after commit
    return order


def test_counts_by_state_at_risk_and_overdue(market, homes, actors, now):
    # 助餐 is "scheduled": 24 h to accept (at risk in the last 6 h), 168 h to complete.
    fresh = place(market, homes, created=now - 1 * H)
    risky = place(market, homes, created=now - 19 * H)
    late = place(market, homes, created=now - 25 * H)
    taken = place(market, homes, created=now - 170 * H, item="cleaning")
    order_accept(actor=market["staff_a"], order=taken)  # accepted, past its completion deadline

    figures = board_figures(user=actors["qixia_manager"], now=now)
    assert figures["by_status"] == {"waiting": 3, "accepted": 1, "assigned": 0, "in_service": 0}
    assert figures["open"] == 4
    assert figures["overdue_count"] == 2 and figures["at_risk_count"] == 1
    assert {row["id"] for row in figures["overdue"]} == {late.pk, taken.pk}
    assert [row["id"] for row in figures["at_risk"]] == [risky.pk]
    assert fresh.pk not in {row["id"] for row in figures["overdue"] + figures["at_risk"]}
    (risk_row,) = figures["at_risk"]
    assert 0 < risk_row["minutes_left"] <= 5 * 60
    assert figures["streets"] == [{"street": "尧化街道", "open": 4, "at_risk": 1, "overdue": 2}]


def test_the_same_orders_later_are_all_overdue(market, homes, actors, now):
    place(market, homes, created=now - 1 * H)
    place(market, homes, created=now - 19 * H)
    figures = board_figures(user=actors["qixia_manager"], now=now + 30 * H)
    assert figures["overdue_count"] == 2 and figures["at_risk_count"] == 0


def test_listed_orders_carry_no_personal_data(market, homes, actors, now):
    place(market, homes, created=now - 25 * H)
    (row,) = board_figures(user=actors["qixia_manager"], now=now)["overdue"]
    assert set(row) == {
        "id",
        "number",
        "status",
        "item",
        "street",
        "community",
        "provider",
        "deadline",
        "minutes_left",
    }


def test_provider_load_and_capacity_left(market, homes, actors, now):
    # Escalations still open on an order that is closed: not the board's.
    closed = place(market, homes, created=now - 3 * H)
    for reason in ("no_capacity", "accept_overdue"):
        Escalation.objects.create(order=closed, reason=reason)
    Order.objects.filter(pk=closed.pk).update(status="cancelled")
    order = place(market, homes, created=now - 1 * H)
    order_accept(actor=market["staff_a"], order=order)
    waiting = place(market, homes, created=now - 2 * H)
    DispatchOffer.objects.create(order=waiting, provider=market["provider_b"], respond_by=now + H)
    Escalation.objects.create(order=waiting, reason="no_capacity")
    figures = board_figures(user=actors["qixia_manager"], now=now)
    by_name = {p["name"]: p for p in figures["providers"]}
    a, b = by_name["服务机构甲"], by_name["服务机构乙"]
    assert (a["load"], a["accepted_today"], a["capacity_left"]) == (1, 1, 4)
    assert (b["load"], b["live_offers"], b["capacity_left"]) == (0, 1, 4)
    assert figures["live_offers"] == 1 and figures["escalations"] == 1
    assert "服务机构丙" not in by_name  # neither holds nor was offered an open order


def test_a_provider_offered_an_open_order_is_shown_though_it_let_the_offer_go(
    market, homes, actors, now
):
    waiting = place(market, homes, created=now - 2 * H)
    DispatchOffer.objects.create(
        order=waiting, provider=market["provider_c"], respond_by=now - H, status="expired"
    )
    figures = board_figures(user=actors["qixia_manager"], now=now)
    assert [p["name"] for p in figures["providers"]] == ["服务机构丙"]
    assert figures["live_offers"] == 0
    # Not another district's board: the order is not theirs.
    assert board_figures(user=actors["jianye_manager"], now=now)["providers"] == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("qixia_manager", {"ya", "mq"}),
        ("yaohua_caseworker", {"ya"}),
        ("maqun_caseworker", {"mq"}),
        ("jianye_manager", {"sz"}),
        ("city_admin", {"ya", "mq", "sz"}),
        ("yaohua_a_worker", {"ya"}),
    ],
)
def test_the_board_is_scoped_by_area(market, homes, actors, now, name, expected):
    orders = {key: place(market, homes, key, created=now - 25 * H) for key in homes}
    figures = board_figures(user=actors[name], now=now)
    shown = {row["id"] for row in figures["overdue"]}
    assert shown == {orders[key].pk for key in expected}
    assert figures["open"] == len(expected)


def test_a_street_filter_narrows_the_district_board(market, homes, actors, areas, now):
    place(market, homes, "ya", created=now - 25 * H)
    place(market, homes, "mq", created=now - 25 * H)
    figures = board_figures(user=actors["qixia_manager"], street=areas["maqun"].pk, now=now)
    assert figures["open"] == 1
    assert [s["street"] for s in figures["streets"]] == ["马群街道"]


@pytest.mark.parametrize(
    ("given", "at_risk_after"),
    [
        (24 * H, 18 * H),  # the last quarter of 24 h: the last 6 h
        (2 * H, 1 * H),  # a quarter of 2 h is 30 min, less than the floor: the last hour
        (4 * H, 3 * H),  # a quarter of 4 h is exactly the hour
    ],
)
def test_at_risk_begins_exactly_at_the_last_quarter_or_the_last_hour(
    market, homes, actors, now, given, at_risk_after
):
    created = now - 30 * H
    order = place(market, homes, created=created)
    OrderSla.objects.filter(order=order).update(accept_by=created + given)
    us = dt.timedelta(microseconds=1)

    def counts(at):
        """The board's counts (judged in Python), checked against the backlog's lists (the
        same rule as SQL expressions)."""
        manager = actors["qixia_manager"]
        figures = board_figures(user=manager, now=at)
        board = figures["at_risk_count"], figures["overdue_count"]
        lists = tuple(
            len(backlog(user=manager, filters=BacklogFilters(list=name), now=at))
            for name in ("at_risk", "overdue")
        )
        assert board == lists
        return board

    assert counts(created + at_risk_after - us) == (0, 0)
    assert counts(created + at_risk_after) == (1, 0)
    assert counts(created + given - us) == (1, 0)
    assert counts(created + given) == (0, 1)
    # The backlog's rows judge one order in Python: the same boundaries.
    order = Order.objects.select_related("sla").get(pk=order.pk)
    assert deadline_state(order, created + at_risk_after - us)[1] == "ok"
    assert deadline_state(order, created + at_risk_after)[1] == "at_risk"
    assert deadline_state(order, created + given - us)[1] == "at_risk"
    assert deadline_state(order, created + given) == (created + given, "overdue")


def test_the_most_pressing_orders_are_listed_whatever_their_number(market, homes, actors, now):
    # Listed by deadline (the most overdue first), at most `limit`, while the counts cover all.
    late = [place(market, homes, created=now - (30 + k) * H) for k in range(4)]
    figures = board_figures(user=actors["qixia_manager"], now=now, limit=2)
    assert figures["overdue_count"] == 4
    assert [row["id"] for row in figures["overdue"]] == [late[3].pk, late[2].pk]
    # Four orders of one street, status and state: each counted.
    assert figures["by_status"]["waiting"] == 4 and figures["open"] == 4
    assert figures["streets"] == [{"street": "尧化街道", "open": 4, "at_risk": 0, "overdue": 4}]


def test_each_list_gets_its_own_most_pressing_orders(market, homes, actors, now):
    """Overdue and at-risk orders are ranked in one query: each list keeps its own `limit`, so
    many overdue orders do not push the at-risk ones off the board."""
    late = [place(market, homes, created=now - (30 + k) * H) for k in range(3)]
    # A 24-hour accept window is at risk in its last 6 hours: placed 19, 20 and 21 hours ago.
    risky = [place(market, homes, created=now - (19 + k) * H) for k in range(3)]
    figures = board_figures(user=actors["qixia_manager"], now=now, limit=2)
    assert (figures["overdue_count"], figures["at_risk_count"]) == (3, 3)
    assert [row["id"] for row in figures["overdue"]] == [late[2].pk, late[1].pk]
    assert [row["id"] for row in figures["at_risk"]] == [risky[2].pk, risky[1].pk]


def test_the_backlog_lists_the_most_pressing_first_and_reads_a_slice_at_a_time(
    market, homes, actors, now, django_assert_max_num_queries
):
    # Placed 40, 30, 10 and 5 hours ago: the first two are overdue (24-hour accept window).
    orders = [place(market, homes, created=now - hours * H) for hours in (30, 5, 40, 10)]
    # Taken 45 hours ago, held to its 72-hour completion deadline: due last, though the oldest.
    taken = place(market, homes, created=now - 45 * H)
    order_accept(actor=market["staff_a"], order=taken)
    without = place(market, homes, created=now - 50 * H)
    OrderSla.objects.filter(order=without).delete()  # no deadline: listed last
    entry = backlog(user=actors["qixia_manager"], now=now)
    expected = [orders[2].pk, orders[0].pk, orders[3].pk, orders[1].pk, taken.pk, without.pk]
    assert len(entry) == 6
    assert [order.pk for order in entry.orders] == expected
    with django_assert_max_num_queries(1):
        assert [order.pk for order in entry.orders[1:3]] == expected[1:3]
    assert entry.orders[0].pk == expected[0] and entry.orders[-1].pk == without.pk
    with pytest.raises(IndexError):
        entry.orders[6]
    overdue = backlog(user=actors["qixia_manager"], filters=BacklogFilters(list="overdue"), now=now)
    assert [order.pk for order in overdue.orders] == expected[:2]


def test_a_listed_row_says_how_late_to_the_minute_and_who_holds_it(market, homes, actors, now):
    # Overdue by 2 h 0 min 30 s: 121 minutes late (whole minutes, rounded towards the past).
    waiting = place(market, homes, created=now - 26 * H - dt.timedelta(seconds=30))
    # Taken, and held to its completion deadline, 30 s ago.
    taken = place(market, homes, created=now - 30 * H)
    order_accept(actor=market["staff_a"], order=taken)
    OrderSla.objects.filter(order=taken).update(complete_by=now - dt.timedelta(seconds=30))
    figures = board_figures(user=actors["qixia_manager"], now=now)
    late = {row["id"]: row for row in figures["overdue"]}
    assert late[waiting.pk]["minutes_left"] == -121 and late[waiting.pk]["provider"] == ""
    assert late[taken.pk]["provider"] == "服务机构甲"
    assert late[taken.pk]["minutes_left"] == -1  # 30 s late


def test_full_and_inactive_providers(market, homes, actors, now):
    from jiuzhu.orders.models import Provider

    Provider.objects.filter(pk=market["provider_a"].pk).update(daily_capacity=1)
    order_accept(actor=market["staff_a"], order=place(market, homes, created=now - H))
    order_accept(actor=market["staff_b"], order=place(market, homes, created=now - H))
    figures = board_figures(user=actors["qixia_manager"], now=now)
    by_name = {p["name"]: p for p in figures["providers"]}
    assert (by_name["服务机构甲"]["capacity"], by_name["服务机构甲"]["capacity_left"]) == (1, 0)
    tomorrow = board_figures(user=actors["qixia_manager"], now=now + 24 * H)
    a_tomorrow = {p["name"]: p for p in tomorrow["providers"]}["服务机构甲"]
    assert (a_tomorrow["accepted_today"], a_tomorrow["capacity_left"]) == (0, 1)
    Provider.objects.filter(pk=market["provider_b"].pk).update(active=False)
    figures = board_figures(user=actors["qixia_manager"], now=now)
    assert [p["name"] for p in figures["providers"]] == ["服务机构甲"]
    # Narrowed to a district or a street: only its orders are counted.
    manager = actors["city_admin"]
    assert board_figures(user=manager, now=now)["open"] == 2
    assert board_figures(user=manager, now=now, district=homes["sz"][0].district_id)["open"] == 0


def test_open_orders_read_their_instants_to_the_microsecond(market, homes, now):
    from jiuzhu.dispatch.selectors.open_orders import open_orders

    created = now - 3 * H + dt.timedelta(microseconds=123457)
    waiting = place(market, homes, created=created)
    accept_by = now + dt.timedelta(microseconds=1)
    OrderSla.objects.filter(order=waiting).update(accept_by=accept_by)
    on_the_second = place(market, homes, created=now - H)  # no fraction stored
    without = place(market, homes, created=now - 2 * H)
    OrderSla.objects.filter(order=without).delete()
    rows = {row.pk: row for row in open_orders(Order.objects.all())}
    assert (rows[waiting.pk].created, rows[waiting.pk].due) == (created, accept_by)
    assert rows[on_the_second.pk].created == now - H
    assert rows[without.pk].due is None
    # Once taken, the completion deadline applies.
    order_accept(actor=market["staff_a"], order=waiting)
    complete_by = OrderSla.objects.get(order=waiting).complete_by
    (row,) = [r for r in open_orders(Order.objects.all()) if r.pk == waiting.pk]
    assert row.due == complete_by


def test_a_city_board_has_a_row_for_each_district_and_narrows_to_one(
    market, homes, actors, areas, now
):
    place(market, homes, "ya", created=now - 25 * H)  # overdue, waiting
    place(market, homes, "mq", created=now - 19 * H)  # at risk, waiting
    order_accept(actor=market["staff_a"], order=place(market, homes, "ya", created=now - H))
    city = actors["city_admin"]
    qixia = {"district": "栖霞区", "open": 3, "at_risk": 1, "overdue": 1, "waiting": 2}
    empty = {"open": 0, "at_risk": 0, "overdue": 0, "waiting": 0}
    figures = board_figures(user=city, now=now)
    assert figures["districts"] == [{"district": "建邺区", **empty}, qixia]
    narrowed = board_figures(user=city, now=now, district=areas["qixia"].pk)
    assert narrowed["districts"] == [qixia] and narrowed["open"] == 3
    by_street = board_figures(user=city, now=now, street=areas["yaohua"].pk)
    assert by_street["districts"] == [
        {"district": "栖霞区", "open": 2, "at_risk": 0, "overdue": 1, "waiting": 1}
    ]
    # A district user's board has no rows of other districts.
    assert board_figures(user=actors["qixia_manager"], now=now)["districts"] == [qixia]
