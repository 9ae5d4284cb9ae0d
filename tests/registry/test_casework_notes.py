"""Case notes and visits (issue 10, item 2): written by the staff who see the household, a
sensitive note read only by the street caseworker and above (and its author), follow-ups that
become the author's tasks on their date and are flagged once overdue, reading audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from factories import CaseNoteFactory, HouseholdFactory
from jiuzhu.core.errors import Conflict, PermissionDenied, ValidationFailed
from jiuzhu.core.models import AuditEntry
from jiuzhu.registry.models import ChainEntry
from jiuzhu.registry.selectors.casework import followups_due_for, household_notes
from jiuzhu.registry.services.notes import note_create, note_follow_up_done

pytestmark = pytest.mark.django_db


@pytest.fixture
def household(areas):
    return HouseholdFactory(community=areas["yaohua_a"])


def _visit(actor, household, **kwargs):
    data = {
        "kind": "home_visit",
        "occurred_on": dt.date(2026, 3, 3),
        "findings": "老人独居，行动不便",
        "next_step": "联系助餐服务",
    }
    data.update(kwargs)
    return note_create(actor=actor, household=household, **data)


def test_a_visit_is_recorded_on_the_chain_and_audited(actors, household, clock):
    note = _visit(actors["yaohua_a_worker"], household, follow_up_on=dt.date(2026, 3, 10))
    assert note.author == actors["yaohua_a_worker"]
    entry = ChainEntry.objects.get(household=household, source="casework")
    assert entry.source_id == str(note.pk)
    assert AuditEntry.objects.filter(
        action="create", object_type="registry.casenote", object_id=str(note.pk)
    ).exists()


def test_a_plain_note_is_not_on_the_chain(actors, household, clock):
    _visit(actors["yaohua_caseworker"], household, kind="note")
    assert not ChainEntry.objects.filter(household=household, source="casework").exists()


def test_a_sensitive_visit_puts_no_content_on_the_chain(actors, household, clock):
    _visit(actors["yaohua_caseworker"], household, sensitive=True)
    assert ChainEntry.objects.get(household=household, source="casework").detail == ""


@pytest.mark.parametrize(
    "role", ["qixia_hotline", "provider_staff", "volunteer", "department", "audit_admin"]
)
def test_roles_that_may_not_write_notes(actors, household, clock, role):
    with pytest.raises(PermissionDenied):
        _visit(actors[role], household)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"findings": "  "}, "findings"),
        ({"occurred_on": dt.date(2026, 3, 4)}, "occurred_on"),  # tomorrow in Nanjing
        ({"occurred_on": dt.date(2024, 1, 1)}, "occurred_on"),
        ({"follow_up_on": dt.date(2026, 3, 1)}, "follow_up_on"),  # before the visit
        ({"kind": "letter"}, "kind"),
    ],
)
def test_bad_input_is_refused_by_field(actors, household, clock, changes, field):
    with pytest.raises(ValidationFailed) as error:
        _visit(actors["yaohua_caseworker"], household, **changes)
    assert field in error.value.fields


def test_the_visits_endpoint_refuses_a_plain_note(actors, household, clock):
    with pytest.raises(ValidationFailed):
        _visit(actors["yaohua_caseworker"], household, kind="note", visits_only=True)


def test_a_sensitive_note_is_read_by_the_street_caseworker_and_above_and_its_author(
    actors, household, clock
):
    author = actors["yaohua_a_worker"]
    note = _visit(author, household, sensitive=True)
    plain = _visit(author, household)
    readers = {
        name: set(household_notes(user=actors[name], household=household))
        for name in (
            "yaohua_a_worker",
            "yaohua_b_worker",
            "yaohua_caseworker",
            "qixia_manager",
            "city_admin",
            "qixia_hotline",
            "jianye_manager",
        )
    }
    assert readers["yaohua_a_worker"] == {note, plain}  # its author
    assert readers["yaohua_caseworker"] == {note, plain}
    assert readers["qixia_manager"] == {note, plain}
    assert readers["city_admin"] == {note, plain}
    assert readers["qixia_hotline"] == {plain}
    assert readers["yaohua_b_worker"] == set()  # another community: not their household
    assert readers["jianye_manager"] == set()


def test_another_community_workers_sensitive_note_is_hidden_from_a_community_worker(
    actors, areas, clock
):
    household = HouseholdFactory(community=areas["yaohua_a"])
    colleague = actors["yaohua_a_worker"]
    _visit(actors["yaohua_caseworker"], household, sensitive=True)
    assert list(household_notes(user=colleague, household=household)) == []


def test_the_household_itself_sees_no_case_notes(actors, household, clock):
    from factories import BeneficiaryAccountFactory, MemberFactory

    account = BeneficiaryAccountFactory(member=MemberFactory(household=household))
    _visit(actors["yaohua_caseworker"], household)
    assert list(household_notes(user=account.user, household=household)) == []


def test_a_follow_up_becomes_a_task_on_its_date_and_is_flagged_when_overdue(
    actors, household, clock
):
    author = actors["yaohua_a_worker"]
    note = _visit(author, household, follow_up_on=dt.date(2026, 3, 5))
    assert list(followups_due_for(author)) == []  # 3 March: not yet
    clock.advance(days=2)  # 5 March in Nanjing
    due = list(followups_due_for(author))
    assert due == [note] and due[0].overdue is False
    clock.advance(days=1)
    assert followups_due_for(author).get().overdue is True
    assert list(followups_due_for(actors["yaohua_caseworker"])) == []  # the author's task
    note_follow_up_done(actor=author, note=note)
    assert list(followups_due_for(author)) == []
    with pytest.raises(Conflict):
        note_follow_up_done(actor=author, note=note)


def test_follow_ups_are_ordered_by_date_and_counted_in_one_query(actors, household, clock):
    author = actors["yaohua_caseworker"]
    for day in (2, 1, 3):
        CaseNoteFactory(
            household=household,
            author=author,
            occurred_on=dt.date(2026, 2, 20),
            follow_up_on=dt.date(2026, 3, day),
        )
    due = followups_due_for(author)
    with CaptureQueriesContext(connection) as queries:
        dates = [note.follow_up_on.day for note in due]
    assert dates == [1, 2, 3]
    assert len(queries) == 1
    with CaptureQueriesContext(connection) as queries:
        assert followups_due_for(author).count() == 3
    assert len(queries) == 1


def test_a_follow_up_on_a_household_that_moved_away_is_no_longer_a_task(
    actors, areas, household, clock
):
    author = actors["yaohua_a_worker"]
    _visit(author, household, follow_up_on=dt.date(2026, 3, 3))
    household.community = areas["yaohua_b"]
    household.save()
    assert list(followups_due_for(author)) == []


def test_reading_notes_through_the_api_is_audited(client, actors, household, clock):
    _visit(actors["yaohua_caseworker"], household, sensitive=True)
    client.force_login(actors["qixia_manager"])
    response = client.get(f"/api/v1/households/{household.pk}/notes")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1 and body["items"][0]["sensitive"] is True
    assert AuditEntry.objects.filter(
        action="view", object_type="registry.household", object_id=str(household.pk)
    ).exists()


def test_the_api_creates_a_visit_with_today_as_its_default_date(client, actors, household, clock):
    client.force_login(actors["yaohua_a_worker"])
    response = client.post(
        f"/api/v1/households/{household.pk}/visits",
        {"kind": "phone_call", "findings": "电话回访，情况稳定", "follow_up_on": "2026-03-10"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["occurred_on"] == "2026-03-03"
    response = client.get("/api/v1/followups")
    assert response.json()["count"] == 0


def test_the_note_page_saves_a_visit_and_shows_it_in_the_box(client, actors, household, clock):
    client.force_login(actors["yaohua_a_worker"])
    url = reverse("registry:note_add", args=[household.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "kind": "home_visit",
            "occurred_on": "2026-03-03",
            "findings": "屋顶漏水",
            "next_step": "联系住建部门",
            "follow_up_on": "2026-03-04",
        },
    )
    assert response.status_code == 302
    box = client.get(reverse("registry:notes_box", args=[household.pk]))
    assert "屋顶漏水" in box.content.decode()
