"""My work (工作台): each role's task lists, their counts equal to their lists (page, API and
selector), one query per list whatever the number of rows, filters and sorts by deadline."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from factories import AssessmentDueFactory, OrderFactory, OrderSlaFactory, TicketFactory
from jiuzhu.core.models import Role
from jiuzhu.core.worklist import (
    TaskRow,
    register_task_source,
    source_get_for,
    sources_for,
    task_rows,
    workspace_for,
)
from sweep_cast import build_world

#: What each role finds in the world below: {list key: (count, overdue)}.
EXPECTED = {
    Role.ASSESSOR: {"assessments_due": (1, 1), "assessment_drafts": (1, 0), "followups": (0, 0)},
    Role.STREET_CASEWORKER: {
        "assessments_due": (1, 1),
        "followups": (1, 1),  # the inside side's visit, written by this caseworker, due yesterday
        "verifications": (1, 0),  # the inside household's warning, due in a week
        "assessment_drafts": (0, 0),
        "plans_to_approve": (1, 0),
        "orders_overdue": (1, 1),
        "escalations": (1, 0),
        "tickets_to_handle": (1, 0),
    },
    Role.COMMUNITY_WORKER: {
        "assessments_due": (1, 1),
        "followups": (0, 0),
        "verifications": (1, 0),
    },
    Role.DISTRICT_MANAGER: {
        "followups": (0, 0),
        "orders_overdue": (1, 1),
        "escalations": (1, 0),
        "tickets_to_handle": (1, 0),
        "tickets_overdue": (0, 0),
        "providers_behind": (1, 1),  # the inside provider holds the order past its deadline
    },
    Role.HOTLINE_OPERATOR: {"tickets_to_handle": (1, 0), "callbacks_due": (0, 0)},
    Role.PROVIDER_STAFF: {"orders_to_accept": (1, 0), "my_visits": (0, 0)},
    Role.VOLUNTEER: {"my_visits": (1, 0), "verifications": (1, 0)},  # the warning assigned to them
}
NO_WORKSPACE = (
    Role.BENEFICIARY,
    Role.CITY_ADMIN,
    Role.DEPARTMENT,
    Role.SECURITY_ADMIN,
    Role.AUDIT_ADMIN,
)


@pytest.fixture
def world(db):
    world = build_world()
    inside = world["sides"]["in"]
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    # Due yesterday: overdue for whoever sees the household.
    AssessmentDueFactory(household=inside["household"], due_on=yesterday)
    AssessmentDueFactory(household=world["sides"]["out"]["household"], due_on=yesterday)
    # The assigned order should have been completed an hour ago.
    OrderSlaFactory(
        order=inside["order"],
        accept_by=timezone.now() - dt.timedelta(hours=5),
        complete_by=timezone.now() - dt.timedelta(hours=1),
    )
    # A waiting order the inside provider may take.
    OrderFactory(household=inside["household"], item=inside["item"], status="waiting")
    return world


def _counts(user):
    return {e.source.key: (e.count, e.overdue) for e in workspace_for(user=user)}


def test_each_role_finds_its_task_lists_with_their_counts(world):
    for role, expected in EXPECTED.items():
        assert _counts(world["actors"][role]) == expected, role
    for role in NO_WORKSPACE:
        assert sources_for(world["actors"][role]) == [], role


def test_counts_equal_their_lists_on_the_page_in_the_api_and_in_the_selector(world, client):
    for role in EXPECTED:
        user = world["actors"][role]
        client.force_login(user)
        api = client.get("/api/v1/me/tasks").json()
        assert {i["key"]: i["count"] for i in api["items"]} == {
            k: c for k, (c, _) in EXPECTED[role].items()
        }
        for item in api["items"]:
            source = source_get_for(user=user, key=item["key"])
            assert task_rows(source=source, user=user).count() == item["count"]
            listed = client.get(f"/api/v1/me/tasks/{item['key']}").json()
            assert listed["count"] == len(listed["items"]) == item["count"]
            assert sum(row["overdue"] for row in listed["items"]) == item["overdue"]
            page = client.get(reverse("core:task_list", args=[item["key"]]))
            assert page.status_code == 200
            assert page.context["page_obj"].paginator.count == item["count"]


def test_signing_in_lands_on_the_workspace_which_shows_the_lists(world, client):
    client.force_login(world["actors"][Role.STREET_CASEWORKER])
    assert client.get("/")["Location"] == reverse("core:workspace")
    page = client.get(reverse("core:workspace")).content.decode()
    for key in EXPECTED[Role.STREET_CASEWORKER]:
        assert reverse("core:task_list", args=[key]) in page
    assert world["sides"]["in"]["household"].head_name in page
    assert reverse("core:export_jobs") in page  # background exports are found from here


def test_roles_without_lists_keep_their_start_page(world, client):
    client.force_login(world["actors"][Role.SECURITY_ADMIN])
    assert client.get(reverse("core:workspace"))["Location"] == reverse("core:account_list")
    assert client.get("/api/v1/me/tasks").json() == {"items": [], "count": 0}


def test_a_list_of_another_role_is_refused_and_an_unknown_one_not_found(world, client):
    client.force_login(world["actors"][Role.VOLUNTEER])
    assert client.get(reverse("core:task_list", args=["plans_to_approve"])).status_code == 403
    assert client.get(reverse("core:task_list", args=["no_such_list"])).status_code == 404
    assert client.get("/api/v1/me/tasks/plans_to_approve").status_code == 403
    assert client.get("/api/v1/me/tasks/no_such_list").status_code == 404
    assert client.get("/api/v1/me/tasks/my_visits?due=someday").status_code == 422
    assert client.get("/api/v1/me/tasks/my_visits?sort=name").status_code == 422


def test_lists_filter_and_sort_by_deadline(world, client):
    user = world["actors"][Role.HOTLINE_OPERATOR]
    district = world["areas"]["qixia"]
    now = timezone.now()
    late = TicketFactory(district=district, respond_by=now - dt.timedelta(hours=3))
    soon = TicketFactory(district=district, respond_by=now + dt.timedelta(hours=1))
    later = TicketFactory(district=district, respond_by=now + dt.timedelta(days=3))
    client.force_login(user)
    numbers = [
        row["title"].split(" ")[0]
        for row in client.get("/api/v1/me/tasks/tickets_to_handle").json()["items"]
    ]
    assert numbers[:2] == [late.number, soon.number]
    assert later.number in numbers
    overdue = client.get("/api/v1/me/tasks/tickets_to_handle?due=overdue").json()
    assert [row["title"].split(" ")[0] for row in overdue["items"]] == [late.number]
    newest_first = client.get("/api/v1/me/tasks/tickets_to_handle?sort=-due").json()
    assert newest_first["items"][-1]["title"].startswith(late.number)
    page = client.get(reverse("core:task_list", args=["tickets_to_handle"]) + "?due=overdue")
    assert [line.title.split(" ")[0] for line in page.context["lines"]] == [late.number]
    assert page.context["lines"][0].overdue


def test_the_workspace_costs_the_same_queries_for_one_row_or_many(world, client):
    user = world["actors"][Role.DISTRICT_MANAGER]
    late = timezone.now() - dt.timedelta(hours=1)
    TicketFactory(district=world["areas"]["qixia"], respond_by=late)
    client.force_login(user)
    client.get(reverse("core:workspace"))  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("core:workspace")).status_code == 200
        client.get("/api/v1/me/tasks")
    for _ in range(6):
        TicketFactory(district=world["areas"]["qixia"], respond_by=late)
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("core:workspace")).status_code == 200
        client.get("/api/v1/me/tasks")
    assert len(many) == len(few)
    assert _counts(user)["tickets_overdue"] == (7, 7)


def test_a_later_capability_registers_its_own_list(world, client):
    """The seam casework uses for follow-ups: a source registered from another app's ready()."""
    from jiuzhu.core import worklist
    from jiuzhu.registry.models import Household

    before = dict(worklist._sources)
    try:
        register_task_source(
            "test_follow_ups",
            "Follow-ups due",
            None,
            lambda user: Household.objects.filter(pk=world["sides"]["in"]["household"].pk),
            {Role.COMMUNITY_WORKER},
            describe=lambda household: TaskRow(title=household.head_name),
        )
        counts = _counts(world["actors"][Role.COMMUNITY_WORKER])
        assert counts["test_follow_ups"] == (1, 0)
    finally:
        worklist._sources.clear()
        worklist._sources.update(before)


def test_a_task_list_exports_to_excel_with_an_audit_entry(world, client):
    import io

    from openpyxl import load_workbook

    from jiuzhu.core.models import AuditAction, AuditEntry

    user = world["actors"][Role.DISTRICT_MANAGER]
    client.force_login(user)
    response = client.get(reverse("core:task_export", args=["orders_overdue"]) + "?due=overdue")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 1 and rows[0][3]  # the one overdue order, flagged
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT, object_type="tasks.orders_overdue")
    assert entry.detail["rows"] == 1 and entry.detail["due"] == "overdue"
    # Another role's list is refused, as on the page.
    assert client.get(reverse("core:task_export", args=["my_visits"])).status_code == 403
