"""One mechanism for every stateful workflow: a state machine declared as data, applied by one
conditional UPDATE.

A workflow declares its states' moves once, as :class:`Action` rows (the states an action may
start from, the state it leads to, the roles that may ever perform it, the domain event it
announces), and one :class:`StateMachine` per model. :meth:`StateMachine.apply` then does what
every transition needs, in one transaction:

1. **role before state**: a role that may never perform the action gets ``PermissionDenied``
   whatever the object's state, so it learns nothing about the object;
2. **one conditional UPDATE** (``UPDATE … SET status = target WHERE id = ? AND status IN
   (sources)``): of two actors racing for the same move, the database lets exactly one update
   match; the other gets ``Conflict`` (409). This holds on PostgreSQL with parallel connections
   and on SQLite, where writers are serialised;
3. the workflow's **history row** (e.g. ``OrderEvent``), the **audit record** and, when the caller
   gives a title, the **assistance-chain entry** are written in the same transaction as the
   change, so they commit or roll back together;
4. the action's **domain event** is published with :func:`jiuzhu.core.events.publish`, whose
   handlers run only once the transaction commits.

Whether *this* user may act on *this* object (their provider's order, their household …) is not
the machine's business: the service checks it (through its app's ``policy.py``) before calling
:meth:`~StateMachine.apply`.

A new workflow needs a few lines (a settlement statement, say)::

    STATEMENT_FLOW = StateMachine(
        name="statement",
        model=Statement,
        actions={
            "submit": Action(frozenset({"draft"}), "submitted", frozenset({Role.PROVIDER_STAFF})),
            "approve": Action(
                frozenset({"submitted"}), "approved", frozenset({Role.DISTRICT_MANAGER}),
                event=STATEMENT_APPROVED,
            ),
        },
    )

    @transaction.atomic
    def statement_approve(*, actor: User, statement: Statement) -> Statement:
        policy.require_district_of(actor, statement)          # the per-object rule
        return STATEMENT_FLOW.apply(
            obj=statement, action="approve", actor=actor,
            changes={"approved_at": timezone.now()},
            payload={"statement_id": statement.pk},
        )

``STATEMENT_FLOW.actions_for(status, role)`` lists the buttons a role could press, and
``STATEMENT_FLOW.check(action, status=…, role=…)`` answers the state table without a database
(tests write the table out by hand and compare).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiuzhu.core import audit, events
from jiuzhu.core.errors import Conflict, PermissionDenied
from jiuzhu.core.models import AuditAction, User

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class Action:
    """One move: the states it may start from, the state it leads to (the same state for an
    action that records something without moving, such as a provider declining), the roles that
    may ever perform it, and the domain event announced after it (blank: none)."""

    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    event: str = ""


class TransitionRefused(Exception):
    """A refusal by the table alone: ``reason`` is ``"forbidden"`` (the role never may) or
    ``"conflict"`` (not from this state)."""

    def __init__(self, reason: str, action: str, status: str) -> None:
        super().__init__(f"{action} from {status}: {reason}")
        self.reason = reason
        self.action = action
        self.status = status


@dataclass(frozen=True)
class Step(Generic[M]):
    """A transition that has just been made (what history and chain hooks receive)."""

    obj: M
    action: str
    before: str
    after: str
    actor: User
    note: str


def _default_forbidden() -> str:
    return _("Your role may not do this.")


def _default_conflict(obj: models.Model, status_label: str) -> Conflict:
    return Conflict(
        "wrong_state",
        _("This record is %(status)s; it cannot be changed that way now.")
        % {"status": status_label},
        state=getattr(obj, "status", ""),
    )


@dataclass(frozen=True)
class StateMachine(Generic[M]):
    """The states and actions of one model, and the one way to move an instance.

    ``history(step)`` writes the workflow's own event row; ``chain(step, title, detail)`` writes
    an assistance-chain entry (the registry's, supplied by the app: core imports no later app);
    ``forbidden()`` gives the message for a role that may never act; ``conflict(obj)`` the
    ``Conflict`` for an object no longer in a source state. ``stamp`` names a timestamp field
    set to now by every transition (e.g. ``updated_at``, which ``QuerySet.update`` leaves alone).
    """

    name: str
    model: type[M]
    actions: Mapping[str, Action]
    field: str = "status"
    stamp: str = ""
    history: Callable[[Step[M]], object] | None = None
    chain: Callable[[Step[M], str, str], object] | None = None
    forbidden: Callable[[], str] = _default_forbidden
    conflict: Callable[[M], Conflict] | None = None
    audit_type: str = ""

    # ------------------------------------------------------------------ the table

    def check(self, action: str, *, status: str, role: str) -> str:
        """The state ``action`` leads to from ``status`` for ``role``; raises
        :class:`TransitionRefused`. Role before state."""
        move = self.actions[action]
        if role not in move.roles:
            raise TransitionRefused("forbidden", action, status)
        if status not in move.sources:
            raise TransitionRefused("conflict", action, status)
        return move.target

    def actions_for(self, status: str, role: str) -> list[str]:
        """The actions ``role`` could take from ``status`` (for buttons), in declared order."""
        return [
            name
            for name, move in self.actions.items()
            if role in move.roles and status in move.sources
        ]

    def roles(self, action: str) -> frozenset[str]:
        return self.actions[action].roles

    # ------------------------------------------------------------------ refusals as domain errors

    def conflict_for(self, obj: M) -> Conflict:
        """The ``Conflict`` for ``obj`` not being in a state the action starts from."""
        if self.conflict is not None:
            return self.conflict(obj)
        status = getattr(obj, self.field)
        label_of = getattr(obj, f"get_{self.field}_display", None)
        return _default_conflict(obj, str(label_of() if label_of else status))

    def require(self, action: str, *, obj: M, actor: User) -> str:
        """Like :meth:`check`, with refusals as ``PermissionDenied`` (403) / ``Conflict``
        (409). Services call it first when they validate more before :meth:`apply`."""
        try:
            return self.check(action, status=getattr(obj, self.field), role=actor.role)
        except TransitionRefused as refused:
            if refused.reason == "forbidden":
                raise PermissionDenied(self.forbidden()) from None
            raise self.conflict_for(obj) from None

    # ------------------------------------------------------------------ the move

    def apply(
        self,
        *,
        obj: M,
        action: str,
        actor: User,
        changes: Mapping[str, Any] | None = None,
        note: str = "",
        chain_title: str = "",
        chain_detail: str = "",
        payload: Mapping[str, Any] | None = None,
        lost: Callable[[M], Conflict] | None = None,
    ) -> M:
        """Move ``obj`` by ``action`` if it is still in a state the action starts from.

        ``changes`` are further fields set by the same UPDATE; ``note`` goes to the history
        row; ``chain_title`` (and ``chain_detail``) add an assistance-chain entry; ``payload``
        is the domain event's (default ``{"<name>_id": obj.pk}``); ``lost(obj)`` builds the
        ``Conflict`` for an actor who lost a race (default: the machine's conflict).
        Returns ``obj`` refreshed from the database.
        """
        target = self.require(action, obj=obj, actor=actor)
        move = self.actions[action]
        values: dict[str, Any] = {self.field: target, **(changes or {})}
        if self.stamp:
            values.setdefault(self.stamp, timezone.now())
        with transaction.atomic():
            matched = self.model._default_manager.filter(
                pk=obj.pk, **{f"{self.field}__in": sorted(move.sources)}
            ).update(**values)
            if matched != 1:
                obj.refresh_from_db()
                raise (lost or self.conflict_for)(obj)
            before = getattr(obj, self.field)
            obj.refresh_from_db()
            step = Step(obj=obj, action=action, before=before, after=target, actor=actor, note=note)
            if self.history is not None:
                self.history(step)
            audit.record(
                actor=actor,
                action=AuditAction.UPDATE,
                obj=obj,
                object_type=self.audit_type,
                detail={"transition": action, "from": before, "to": target},
            )
            if chain_title and self.chain is not None:
                self.chain(step, chain_title, chain_detail)
            if move.event:
                events.publish(
                    move.event, **(dict(payload) if payload else {f"{self.name}_id": obj.pk})
                )
        return obj


__all__ = ["Action", "StateMachine", "Step", "TransitionRefused"]
