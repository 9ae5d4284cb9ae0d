"""The shared transition mechanism (``jiuzhu.core.transitions``): the table answers without a
database, role before state; ``apply`` moves with one conditional UPDATE, writes history, audit
and chain together, publishes on commit, and of two racing actors exactly one wins (PostgreSQL,
parallel connections)."""

from __future__ import annotations

import pytest
from django.db import transaction

from jiuzhu.core import events
from jiuzhu.core.errors import Conflict, PermissionDenied
from jiuzhu.core.models import AuditEntry, Role
from jiuzhu.core.transitions import Action, StateMachine, Step, TransitionRefused
from jiuzhu.dispatch.models import Ticket, TicketStatus
from jiuzhu.dispatch.services.tickets import TICKET_FLOW, ticket_handle, ticket_open
from market_cast import market  # noqa: F401  (the shared cloud-supermarket fixture)
from parallel import in_parallel

MOVED = events.declare("test.transition.moved", "A test machine moved a ticket.")
HOTLINE = frozenset({Role.HOTLINE_OPERATOR})

history: list[Step[Ticket]] = []
chain: list[tuple[str, str, str]] = []
published: list[dict] = []


@events.on(MOVED)
def _remember(event: events.DomainEvent) -> None:
    published.append(event.payload)


def _lost(ticket: Ticket) -> Conflict:
    return Conflict("lost_race", "someone was quicker")


MACHINE: StateMachine[Ticket] = StateMachine(
    name="ticket",
    model=Ticket,
    actions={
        "take": Action(frozenset({"received"}), "assigned", HOTLINE, MOVED),
        "note": Action(frozenset({"assigned"}), "assigned", HOTLINE),
        "finish": Action(
            frozenset({"assigned", "handled"}), "closed", frozenset({Role.CITY_ADMIN})
        ),
    },
    history=history.append,
    chain=lambda step, title, detail: chain.append((step.action, title, detail)),
)


@pytest.fixture(autouse=True)
def _clean():
    history.clear()
    chain.clear()
    published.clear()


# ---------------------------------------------------------------- the table (no database)


@pytest.mark.parametrize(
    ("action", "role", "status", "expected"),
    [
        ("take", Role.HOTLINE_OPERATOR, "received", "assigned"),
        ("take", Role.HOTLINE_OPERATOR, "closed", "conflict"),
        ("take", Role.CITY_ADMIN, "received", "forbidden"),
        ("take", Role.CITY_ADMIN, "closed", "forbidden"),  # role before state
        ("note", Role.HOTLINE_OPERATOR, "assigned", "assigned"),
        ("finish", Role.CITY_ADMIN, "handled", "closed"),
        ("finish", Role.HOTLINE_OPERATOR, "received", "forbidden"),
    ],
)
def test_the_table_answers_role_before_state(action, role, status, expected):
    if expected in ("forbidden", "conflict"):
        with pytest.raises(TransitionRefused) as refused:
            MACHINE.check(action, status=status, role=role)
        assert refused.value.reason == expected
    else:
        assert MACHINE.check(action, status=status, role=role) == expected


def test_actions_for_lists_what_a_role_could_press_in_declared_order():
    assert MACHINE.actions_for("assigned", Role.HOTLINE_OPERATOR) == ["note"]
    assert MACHINE.actions_for("received", Role.HOTLINE_OPERATOR) == ["take"]
    assert MACHINE.actions_for("assigned", Role.CITY_ADMIN) == ["finish"]
    assert MACHINE.actions_for("closed", Role.CITY_ADMIN) == []
    assert MACHINE.actions_for("received", Role.BENEFICIARY) == []


def test_the_ticket_flow_is_declared_on_the_mechanism():
    assert TICKET_FLOW.check("handle", status="assigned", role=Role.STREET_CASEWORKER) == (
        "handled"
    )
    assert TICKET_FLOW.actions_for("received", Role.CITY_ADMIN) == []


# ---------------------------------------------------------------- apply


@pytest.fixture
def ticket(db, actors, areas, market):  # noqa: F811
    return ticket_open(
        actor=actors["qixia_hotline"],
        kind="complaint",
        description="送餐迟到",
        district=areas["qixia"],
        household=market["household"],
    )


def test_apply_moves_and_records_history_audit_chain_and_event_together(
    ticket, actors, django_capture_on_commit_callbacks
):
    operator = actors["qixia_hotline"]
    with django_capture_on_commit_callbacks(execute=True):
        moved = MACHINE.apply(
            obj=ticket,
            action="take",
            actor=operator,
            changes={"assignee": operator},
            note="接手",
            chain_title="已接手",
            chain_detail="热线",
            payload={"ticket_id": ticket.pk, "by": operator.pk},
        )
        assert published == []  # not before the transaction commits
    assert (moved.status, moved.assignee_id) == ("assigned", operator.pk)
    assert Ticket.objects.get(pk=ticket.pk).status == "assigned"
    assert [(s.action, s.before, s.after, s.note) for s in history] == [
        ("take", "received", "assigned", "接手")
    ]
    assert chain == [("take", "已接手", "热线")]
    entry = AuditEntry.objects.filter(object_type="dispatch.ticket", action="update").get()
    assert (entry.detail["transition"], entry.detail["from"], entry.detail["to"]) == (
        "take",
        "received",
        "assigned",
    )
    assert published == [{"ticket_id": ticket.pk, "by": operator.pk}]


def test_a_forbidden_role_learns_nothing_and_nothing_is_written(ticket, actors):
    Ticket.objects.filter(pk=ticket.pk).update(status=TicketStatus.CLOSED)
    ticket.refresh_from_db()
    with pytest.raises(PermissionDenied):
        MACHINE.apply(obj=ticket, action="take", actor=actors["qixia_manager"])
    assert history == [] and Ticket.objects.get(pk=ticket.pk).status == "closed"


def test_a_stale_object_loses_to_the_database_with_a_conflict(ticket, actors):
    # Someone else moved the ticket after this copy was read: the UPDATE matches no row.
    Ticket.objects.filter(pk=ticket.pk).update(status=TicketStatus.HANDLED)
    assert ticket.status == "received"
    with pytest.raises(Conflict) as lost:
        MACHINE.apply(obj=ticket, action="take", actor=actors["qixia_hotline"], lost=_lost)
    assert lost.value.code == "lost_race"
    assert ticket.status == "handled"  # refreshed, so the caller can say what it is now
    assert history == [] and not AuditEntry.objects.filter(action="update").exists()


def test_without_a_lost_hook_the_race_gives_the_machines_conflict(ticket, actors):
    Ticket.objects.filter(pk=ticket.pk).update(status=TicketStatus.HANDLED)
    with pytest.raises(Conflict) as lost:
        MACHINE.apply(obj=ticket, action="take", actor=actors["qixia_hotline"])
    assert lost.value.code == "wrong_state" and lost.value.status == 409


def test_a_rolled_back_transition_announces_nothing(
    ticket, actors, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        MACHINE.apply(obj=ticket, action="take", actor=actors["qixia_hotline"])
        raise RuntimeError("the caller fails after the move")
    assert published == []
    assert Ticket.objects.get(pk=ticket.pk).status == "received"


def test_a_staying_action_still_guards_the_state(ticket, actors):
    operator = actors["qixia_hotline"]
    MACHINE.apply(obj=ticket, action="take", actor=operator)
    MACHINE.apply(obj=ticket, action="note", actor=operator, note="回电")
    assert ticket.status == "assigned" and [s.action for s in history] == ["take", "note"]


# ---------------------------------------------------------------- racing on PostgreSQL


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(3))
def test_two_handlers_racing_on_one_ticket_exactly_one_wins(
    postgres_only,
    actors,
    areas,
    round_,
):
    operator, caseworker = actors["qixia_hotline"], actors["yaohua_caseworker"]
    ticket = ticket_open(
        actor=operator, kind="complaint", description="送餐迟到", district=areas["qixia"]
    )
    Ticket.objects.filter(pk=ticket.pk).update(status=TicketStatus.ASSIGNED, assignee=operator)
    results = in_parallel(
        lambda: ticket_handle(
            actor=operator, ticket=Ticket.objects.get(pk=ticket.pk), note="电话联系机构"
        ),
        lambda: ticket_handle(
            actor=caseworker, ticket=Ticket.objects.get(pk=ticket.pk), note="上门核实"
        ),
    )
    wins = [value for kind, value in results if kind == "ok"]
    losses = [value for kind, value in results if kind == "error"]
    assert len(wins) == 1 and len(losses) == 1, results
    assert isinstance(losses[0], Conflict) and losses[0].status == 409
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.HANDLED and ticket.handling_note == wins[0].handling_note
    assert (
        AuditEntry.objects.filter(
            object_type="dispatch.ticket", action="update", detail__transition="handle"
        ).count()
        == 1
    )
