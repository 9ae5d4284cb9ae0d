"""No query per row (issue 15 item 6): every list page and list endpoint runs the same number of
queries with 2 rows as with 20.

One world is grown from 2 to 20 of everything a list shows (households with members, orders
through their lifecycle with ratings and complaints, tickets, assessments, providers, items,
needs, accounts, notifications, audit entries); each page is requested at both sizes by a user
who sees all of it, and the counts must be equal. A page whose count grows with the rows has a
query per row (an N+1) and fails here with the numbers and the queries that repeat.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from factories import OrganisationFactory, UserFactory
from factories_registry import add_member, make_household
from jiuzhu.assessment.models import Assessment
from jiuzhu.assessment.services.defaults import framework_load_default
from jiuzhu.catalog.models import Need, ServiceItem
from jiuzhu.catalog.services import catalogue_load_defaults
from jiuzhu.core.models import DibaoLine, Notification, OrganisationKind, Role
from jiuzhu.core.services.tokens import token_create
from jiuzhu.dispatch.services.tickets import ticket_open
from jiuzhu.orders.models import Provider
from jiuzhu.orders.services.orders import (
    order_accept,
    order_complain,
    order_complete,
    order_create,
    order_rate,
    order_start,
)
from jiuzhu.registry.models import HouseholdAssignment

pytestmark = pytest.mark.django_db

#: Five is the smallest world with an order at every stage of the lifecycle (waiting, accepted,
#: in service, completed and rated, completed with a complaint): a page whose 2-row world
#: happened to show no row at all would skip its row queries and hide an N+1.
SMALL, LARGE = 5, 20

#: (who, url): the pages and endpoints that list rows. ``who`` is an actor's key, or
#: "staff" (the provider's staff, who sees the provider's orders).
PAGES = [
    ("city_admin", "/households/"),
    ("city_admin", "/households/?q=张"),
    ("city_admin", "/households/?sort=income"),
    ("city_admin", "/orders/"),
    ("staff", "/orders/inbox/"),
    ("staff", "/orders/tasks/"),
    ("city_admin", "/orders/providers/"),
    ("city_admin", "/catalog/"),
    ("city_admin", "/catalog/needs/"),
    ("security_admin", "/accounts/"),
    ("audit_admin", "/audit/"),
    ("city_admin", "/notifications/"),
    ("assessor", "/assessment/queue/"),
    ("city_admin", "/assessment/frameworks/"),
    ("qixia_manager", "/dispatch/board/"),
    ("qixia_manager", "/dispatch/tickets/"),
    ("qixia_manager", "/dispatch/escalations/"),
    ("qixia_manager", "/dispatch/providers/"),
    ("qixia_hotline", "/dispatch/tickets/households/?q=张"),
    ("city_admin", "/dashboard/"),
    ("city_admin", "/assessment/analytics/"),
    ("yaohua_caseworker", "/orders/households/{household}/market/"),
    ("city_admin", "/households/{household}/"),
    ("qixia_manager", "/dispatch/displays/"),
    ("qixia_manager", "/workspace/"),
    ("qixia_hotline", "/workspace/"),
    ("qixia_hotline", "/tasks/tickets_to_handle/"),
    ("staff", "/workspace/"),
    ("staff", "/tasks/my_visits/"),
    ("assessor", "/tasks/assessment_drafts/"),
]
ENDPOINTS = [
    ("city_admin", "/api/v1/households"),
    ("city_admin", "/api/v1/households?q=张"),
    ("city_admin", "/api/v1/orders"),
    ("staff", "/api/v1/orders"),
    ("city_admin", "/api/v1/providers"),
    ("city_admin", "/api/v1/catalog/items"),
    ("city_admin", "/api/v1/catalog/needs"),
    ("city_admin", "/api/v1/catalog/categories"),
    ("assessor", "/api/v1/assessments"),
    ("assessor", "/api/v1/assessment/queue"),
    ("city_admin", "/api/v1/frameworks"),
    ("qixia_manager", "/api/v1/dispatch/board"),
    ("qixia_manager", "/api/v1/tickets"),
    ("city_admin", "/api/v1/areas"),
    ("city_admin", "/api/v1/households/{household}/members"),
    ("city_admin", "/api/v1/households/{household}/chain"),
    ("city_admin", "/api/v1/households/{household}/changes"),
    ("qixia_manager", "/api/v1/me/tasks"),
    ("qixia_hotline", "/api/v1/me/tasks/tickets_to_handle"),
    ("staff", "/api/v1/me/tasks/my_visits"),
]


class World:
    """Grows every kind of listed row to ``n``."""

    def __init__(self, actors, areas):
        self.actors, self.areas = actors, areas
        catalogue_load_defaults()
        framework_load_default()
        DibaoLine.objects.create(
            district=areas["qixia"],
            monthly_amount=Decimal("1000"),
            effective_from=dt.date(2024, 1, 1),
        )
        self.meal = ServiceItem.objects.get(code="meal_help")
        self.staff = actors["provider_staff"]
        self.provider = self._provider(self.staff.organisation, "91110108551385082Q")
        self.households, self.orders, self.extra = [], [], 0

    def _provider(self, organisation, uscc):
        provider = Provider.objects.create(
            organisation=organisation,
            supply_type="government_purchase",
            uscc=uscc,
            base=self.areas["yaohua_a"],
            latitude=32.1,
            longitude=118.9,
            daily_capacity=500,
            contact_name="联系人",
            contact_phone="025-1",
        )
        provider.streets.set([self.areas["yaohua"]])
        provider.items.set([self.meal])
        return provider

    def grow(self, n: int) -> None:
        worker, city = self.actors["yaohua_caseworker"], self.actors["city_admin"]
        manager, hotline = self.actors["qixia_manager"], self.actors["qixia_hotline"]
        while len(self.households) < n:
            i = len(self.households)
            household = make_household(
                actor=worker, community=self.areas["yaohua_a" if i % 2 else "yaohua_b"]
            )
            add_member(
                actor=worker,
                household=household,
                name=f"张{'一二三四五六七八九十'[i % 10]}{i}",
                age=75,
                employment="retired",
            )
            add_member(actor=worker, household=household, name=f"李{i}", age=40, relation="child")
            HouseholdAssignment.objects.create(
                household=household,
                assignee=self.actors["assessor"],
                purpose="assessment",
                created_by=worker,
            )
            self.households.append(household)
            # The first household grows too, for the lists inside one household (members,
            # changes, chain).
            add_member(
                actor=worker, household=self.households[0], name=f"王{i}", age=30, relation="child"
            )
            order = order_create(actor=worker, household=household, item=self.meal)
            # Spread the orders over the lifecycle: waiting, accepted, in service, completed
            # and rated, completed with a complaint.
            stage = i % 5
            if stage >= 1:
                order_accept(actor=self.staff, order=order)
            if stage >= 2:
                order_start(actor=self.staff, order=order)
            if stage >= 3:
                order_complete(actor=self.staff, order=order, summary="完成", duration_minutes=30)
            if stage == 3:
                order_rate(actor=hotline, order=order, score=5)
            if stage == 4:
                order_complain(actor=hotline, order=order, text="迟到")
            self.orders.append(order)
            ticket_open(
                actor=hotline,
                kind="consultation",
                description=f"来电{i}",
                district=self.areas["qixia"],
                household=household,
                caller_name="张先生",
                caller_phone="13900000000",
            )
            Assessment.objects.create(
                household=household,
                framework_id=self._framework_id(),
                assessor=self.actors["assessor"],
                reason="manual",
                status="submitted",
                deprived=[],
                submitted_at=timezone.now(),
            )
            org = OrganisationFactory(name=f"服务机构{i}", kind=OrganisationKind.PROVIDER)
            self._provider(org, f"91320113MA1N{i:04d}XX")
            UserFactory(username=f"user{i}", role=Role.STREET_CASEWORKER, area=self.areas["yaohua"])
            template = ServiceItem.objects.get(code="cleaning_help")
            template.pk, template.code, template.name = None, f"extra_item_{i}", f"额外服务{i}"
            template.save()
            need = Need.objects.first()
            need.pk, need.code, need.name = None, f"extra_need_{i}", f"额外需求{i}"
            need.save()
            for who in ("city_admin", "qixia_manager", "assessor", "provider_staff"):
                Notification.objects.create(user=self.actors[who], title=f"通知{i}", url="/")
            token_create(actor=city, user=city, name=f"t{i}")
        assert manager  # the manager sees Qixia's board, tickets and escalations

    def _framework_id(self):
        from jiuzhu.assessment.models import IndicatorFramework

        return IndicatorFramework.objects.order_by("-version").values_list("pk", flat=True).first()


def _user(actors, who):
    return actors["provider_staff"] if who == "staff" else actors[who]


def _count(client, actors, who, url, headers):
    client.force_login(_user(actors, who))
    client.get(url, **headers)  # warm caches (content types, translations, sessions)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)
    assert response.status_code == 200, (url, response.status_code, response.content[:500])
    return len(captured), [query["sql"] for query in captured.captured_queries]


def _shape(sql: str) -> str:
    """The query without its literals, so the same query for another row compares equal."""
    return re.sub(r"'[^']*'|\b\d+\b|\bs\d+_x\d+", "?", sql)[:300]


def _repeated(small: list[str], large: list[str]) -> list[str]:
    grew = Counter(map(_shape, large)) - Counter(map(_shape, small))
    return [f"{times}x {sql}" for sql, times in grew.most_common(3)]


def _check(client, actors, areas, cases, bearer: bool):
    world = World(actors, areas)
    headers = {}
    measured = {}
    for size in (SMALL, LARGE):
        world.grow(size)
        for who, url in cases:
            if bearer:
                _, secret = token_create(user=_user(actors, who), name="count")
                headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
            concrete = url.format(household=world.households[0].pk)
            measured.setdefault((who, url), []).append(
                _count(client, actors, who, concrete, headers)
            )
    failures = []
    for (who, url), [(small, small_sql), (large, large_sql)] in measured.items():
        if small != large:
            failures.append(
                f"{url} as {who}: {small} queries with {SMALL} rows, {large} with {LARGE}; "
                f"repeated: {_repeated(small_sql, large_sql)}"
            )
    assert not failures, "\n".join(failures)


def test_list_pages_run_a_constant_number_of_queries(client, actors, areas):
    _check(client, actors, areas, PAGES, bearer=False)


def test_list_endpoints_run_a_constant_number_of_queries(client, actors, areas):
    _check(client, actors, areas, ENDPOINTS, bearer=True)
