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
import json
import re
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from factories import (
    ApplicationFactory,
    CommunityReferralFactory,
    DepartmentReferralFactory,
    DepositFactory,
    EarlyWarningFactory,
    GroupActivityFactory,
    HiddenPovertyEntryFactory,
    ImportBatchFactory,
    MovementFactory,
    OrganisationFactory,
    ProjectFactory,
    ProjectItemFactory,
    SpotCheckFactory,
    StatementFactory,
    TimebankAccountFactory,
    UserFactory,
    WarningRuleFactory,
)
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
from jiuzhu.timebank.models import Entry

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
    return (
        len(captured),
        [query["sql"] for query in captured.captured_queries],
        response.content.decode(),
    )


def _shape(sql: str) -> str:
    """The query without its literals, so the same query for another row compares equal."""
    return re.sub(r"'[^']*'|\b\d+\b|\bs\d+_x\d+", "?", sql)[:300]


def _repeated(small: list[str], large: list[str]) -> list[str]:
    grew = Counter(map(_shape, large)) - Counter(map(_shape, small))
    return [f"{times}x {sql}" for sql, times in grew.most_common(3)]


def _check(client, actors, areas, cases, bearer: bool, world_class=None):
    """Each case is (who, url) or (who, url, marker): with a marker, the larger world's answer
    must contain it (e.g. the newest row's name), so a page that shows no row cannot pass by
    running no row query. ``{household}`` and ``{account}`` in a url are the world's first."""
    world = (world_class or World)(actors, areas)
    headers = {}
    measured = {}
    for size in (SMALL, LARGE):
        world.grow(size)
        for who, url, *_ in cases:
            if bearer:
                _, secret = token_create(user=_user(actors, who), name="count")
                headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
            concrete = url.format(
                household=world.households[0].pk,
                account=getattr(getattr(world, "volunteer_account", None), "pk", 0),
            )
            measured.setdefault((who, url), []).append(
                _count(client, actors, who, concrete, headers)
            )
    failures = []
    markers = {(case[0], case[1]): case[2] for case in cases if len(case) > 2}
    for (who, url), [(small, small_sql, _), (large, large_sql, body)] in measured.items():
        if small != large:
            failures.append(
                f"{url} as {who}: {small} queries with {SMALL} rows, {large} with {LARGE}; "
                f"repeated: {_repeated(small_sql, large_sql)}"
            )
        marker = markers.get((who, url))
        if marker is None:
            continue
        shown = marker(world)
        # As written on a page, or escaped in JSON.
        if shown not in body and json.dumps(shown)[1:-1] not in body:
            failures.append(f"{url} as {who}: the newest row ({shown}) is not shown")
    assert not failures, "\n".join(failures)


class NewerWorld(World):
    """:class:`World` plus the rows of the later capabilities' lists: evaluation (projects,
    statements, applications), the time bank (accounts, transfers, deposits, group activities,
    counter redemptions), discovery (warnings, department and community referrals, import
    batches, the hidden-poverty list) and the dashboards' snapshots."""

    def __init__(self, actors, areas):
        super().__init__(actors, areas)
        self.volunteer_account = TimebankAccountFactory(
            holder=actors["volunteer"], district=areas["qixia"], balance_minutes=6000
        )
        self.department = actors["department"].organisation
        self.referrals: list = []
        self.warnings: list = []
        self.rule = WarningRuleFactory(status="active")

    def grow(self, n: int) -> None:
        start = len(self.households)
        super().grow(n)
        qixia, manager = self.areas["qixia"], self.actors["qixia_manager"]
        for i in range(start, n):
            household = self.households[i]
            provider = Provider.objects.get(uscc=f"91320113MA1N{i:04d}XX")
            project = ProjectFactory(
                name=f"助餐项目{i}", provider=provider, district=qixia, created_by=manager
            )
            ProjectItemFactory(project=project, item=self.meal)
            SpotCheckFactory(project=project, by=manager)
            StatementFactory(project=project)
            ApplicationFactory(name=f"申请机构{i}", street=self.areas["yaohua"], district=qixia)
            account = TimebankAccountFactory(
                holder=UserFactory(username=f"vol{i}", role=Role.VOLUNTEER),
                name=f"志愿者{i}",
                district=qixia,
            )
            transfer = MovementFactory(
                kind="transfer",
                status="posted",
                source=self.volunteer_account,
                target=account,
                created_by=self.actors["volunteer"],
                note=f"转赠{i}",
            )
            Entry.objects.create(
                movement=transfer, account=self.volunteer_account, minutes=-60, balance_after=600
            )
            Entry.objects.create(movement=transfer, account=account, minutes=60, balance_after=60)
            MovementFactory(
                kind="redemption",
                status="posted",
                source=account,
                target=self.volunteer_account,
                provider=self.provider,
                created_by=self.staff,
                note=f"兑换{i}",
            )
            activity = GroupActivityFactory(
                title=f"活动{i}", recorded_by=manager, organisation=self.staff.organisation
            )
            DepositFactory(
                account=account,
                order=self.orders[i],
                activity=activity,
                street=self.areas["yaohua"],
                title=f"助餐{i}",
            )
            self.warnings.append(EarlyWarningFactory(household=household, rule=self.rule))
            self.referrals.append(
                DepartmentReferralFactory(
                    recommendation__plan__household=household,
                    recommendation__plan__assessment__household=household,
                    department=self.department,
                    sent_by=self.actors["yaohua_caseworker"],
                )
            )
            ImportBatchFactory(
                uploaded_by=self.actors["department"],
                organisation=self.department,
                file_name=f"医保批次{i}.csv",
            )
            HiddenPovertyEntryFactory(household=household)
            CommunityReferralFactory(
                referrer=self.actors["volunteer"],
                community=self.areas["yaohua_a"],
                district=qixia,
                name=f"邻居{i}",
            )


def test_list_pages_run_a_constant_number_of_queries(client, actors, areas):
    _check(client, actors, areas, PAGES, bearer=False)


def test_list_endpoints_run_a_constant_number_of_queries(client, actors, areas):
    _check(client, actors, areas, ENDPOINTS, bearer=True)


def _newest(prefix: str):
    """The marker of the newest row a world of LARGE rows made (named ``prefix`` + index)."""
    return lambda world: f"{prefix}{LARGE - 1}"


def _newest_warning(world) -> str:
    return f"/discovery/warnings/{world.warnings[-1].pk}/"


def _newest_referral(world) -> str:
    return world.referrals[-1].number


def _newest_household(world) -> str:
    return f"/households/{world.households[-1].pk}/"


#: The later capabilities' list pages (issue 15 item 6, extended): (who, url, marker of the
#: newest row, where the page lists rows; None where it shows totals only).
NEWER_PAGES = [
    ("qixia_manager", "/evaluation/projects/", _newest("助餐项目")),
    ("qixia_manager", "/evaluation/statements/", _newest("服务机构")),
    ("qixia_manager", "/evaluation/applications/", _newest("申请机构")),
    ("qixia_manager", "/evaluation/rankings/", _newest("服务机构")),
    ("qixia_manager", "/timebank/accounts/", _newest("志愿者")),
    ("qixia_manager", "/timebank/accounts/{account}/", _newest("转赠")),
    ("qixia_manager", "/timebank/report/", None),
    ("qixia_manager", "/timebank/pool/", None),
    ("qixia_manager", "/timebank/activities/new/", _newest("活动")),
    ("volunteer", "/timebank/", _newest("转赠")),
    ("staff", "/timebank/deposits/", _newest("助餐")),
    ("staff", "/timebank/counter/", _newest("兑换")),
    ("qixia_manager", "/discovery/warnings/", _newest_warning),
    ("qixia_manager", "/discovery/referrals/", _newest_referral),
    ("department", "/discovery/referrals/", _newest_referral),
    ("department", "/discovery/batches/", _newest("医保批次")),
    ("qixia_manager", "/discovery/hidden-poverty/", _newest_household),
    ("volunteer", "/discovery/refer/mine/", _newest("邻居")),
    ("qixia_manager", "/discovery/refer/network/", None),
    ("qixia_manager", "/dashboards/", None),
    ("city_admin", "/dashboards/", None),
    ("yaohua_caseworker", "/dashboards/", None),
]
NEWER_ENDPOINTS = [
    ("qixia_manager", "/api/v1/projects", _newest("助餐项目")),
    ("qixia_manager", "/api/v1/settlements", None),
    ("qixia_manager", "/api/v1/applications", _newest("申请机构")),
    ("qixia_manager", "/api/v1/timebank/accounts", _newest("志愿者")),
    ("qixia_manager", "/api/v1/timebank/accounts/{account}/entries", _newest("转赠")),
    ("department", "/api/v1/discovery/batches", _newest("医保批次")),
    ("qixia_manager", "/api/v1/discovery/warnings", None),
    ("qixia_manager", "/api/v1/discovery/referrals", _newest_referral),
    ("qixia_manager", "/api/v1/discovery/hidden-poverty", None),
    ("qixia_manager", "/api/v1/analytics/dashboard", None),
]


def test_newer_list_pages_run_a_constant_number_of_queries(client, actors, areas):
    _check(client, actors, areas, NEWER_PAGES, bearer=False, world_class=NewerWorld)


def test_newer_list_endpoints_run_a_constant_number_of_queries(client, actors, areas):
    _check(client, actors, areas, NEWER_ENDPOINTS, bearer=True, world_class=NewerWorld)
