"""Settlement statements: drafting (idempotent), the workflow draft → submitted → approved →
paid on ``core.transitions.StateMachine``, disputes and corrections (docs/settlement.md).

A locked statement (approved or paid) never changes: the services refuse, and database triggers
refuse as well. A dispute upheld after — or before — approval becomes a :class:`Correction`
carried into the project's next draft statement."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiuzhu.core import audit
from jiuzhu.core.errors import Conflict, PermissionDenied, ValidationFailed
from jiuzhu.core.models import AuditAction, User
from jiuzhu.core.transitions import Action, StateMachine, Step
from jiuzhu.evaluation import events, policy
from jiuzhu.evaluation.engine import periods
from jiuzhu.evaluation.engine import settlement as engine
from jiuzhu.evaluation.models import (
    Correction,
    DisputeState,
    LineKind,
    Project,
    SettlementRule,
    Statement,
    StatementEvent,
    StatementLine,
    StatementStatus,
)
from jiuzhu.evaluation.selectors import quality
from jiuzhu.orders.scopes import provider_of


def _history(step: Step[Statement]) -> None:
    StatementEvent.objects.create(
        statement=step.obj,
        action=step.action,
        from_status=step.before,
        to_status=step.after,
        actor=step.actor,
        note=step.note,
    )


STATEMENT_FLOW: StateMachine[Statement] = StateMachine(
    name="statement",
    model=Statement,
    actions={
        "submit": Action(
            frozenset({StatementStatus.DRAFT}),
            StatementStatus.SUBMITTED,
            policy.STATEMENT_SUBMITTERS,
            events.STATEMENT_SUBMITTED,
        ),
        "approve": Action(
            frozenset({StatementStatus.DRAFT, StatementStatus.SUBMITTED}),
            StatementStatus.APPROVED,
            policy.STATEMENT_APPROVERS,
            events.STATEMENT_APPROVED,
        ),
        "pay": Action(
            frozenset({StatementStatus.APPROVED}),
            StatementStatus.PAID,
            policy.STATEMENT_APPROVERS,
            events.STATEMENT_PAID,
        ),
    },
    history=_history,
)


# ------------------------------------------------------------------ who may act on which statement


def require_district_of(user: User, project: Project) -> None:
    """A district manager acts on their own district's projects only."""
    policy.require_project_manager(user)
    if user.area_id != project.district_id:
        raise PermissionDenied(_("This project belongs to another district."))


def require_provider_of(user: User, project: Project) -> None:
    policy.require_disputer(user)
    provider = provider_of(user)
    if provider is None or provider.pk != project.provider_id:
        raise PermissionDenied(_("This statement is another provider's."))


def tiers_for(project: Project) -> list[engine.Tier]:
    rule = SettlementRule.objects.filter(district_id=project.district_id).first()
    if rule is None:
        return list(engine.DEFAULT_TIERS)
    return [engine.Tier(Decimal(str(m)), Decimal(str(p))) for m, p in rule.tiers]


# ------------------------------------------------------------------ drafting


def _compute(
    project: Project,
    label: str,
    start: dt.date,
    end: dt.date,
    statement: Statement | None,
) -> tuple[engine.Statement, list[Correction], dict[str, Any], list[list[str]], str]:
    score, found = quality.project_score(project, start, end)
    prices = {str(pi.item_id): pi.unit_price for pi in project.items.all()}
    delivered = quality.deliveries(project, start, end)
    rows = list(delivered.values_list("pk", "item_id", "quantity"))
    upheld = quality.upheld_complaints(delivered)
    pending = Correction.objects.filter(project=project, carried_into__isnull=True)
    if statement is not None:
        pending = (pending | Correction.objects.filter(carried_into=statement)).exclude(
            source_line__statement=statement
        )
    corrections = list(pending.order_by("pk"))
    tiers = tiers_for(project)
    result = engine.settle(
        deliveries=[
            engine.Delivery(pk, str(item), qty, tuple(upheld.get(pk, ()))) for pk, item, qty in rows
        ],
        prices=prices,
        score=score.score,
        tiers=tiers,
        corrections=[engine.Correction(str(c.pk), c.amount, c.reason) for c in corrections],
    )
    quality_doc = {
        "parts": [
            {
                "kpi": p.kpi,
                "figure": p.figure,
                "weight": p.weight,
                "points": round(p.points, 4),
                "used": p.used,
            }
            for p in score.parts
        ],
        "detail": found.detail,
        "spot_checks": found.spot_checks,
    }
    tiers_doc = [[str(t.minimum), str(t.percent)] for t in tiers]
    fingerprint = hashlib.sha256(
        json.dumps(
            {
                "score": str(result.score),
                "quality": quality_doc,
                "tiers": tiers_doc,
                "lines": [
                    [
                        ln.item,
                        str(ln.unit_price),
                        ln.quantity,
                        str(ln.payable),
                        ln.orders,
                        ln.complaints,
                    ]
                    for ln in result.lines
                ],
                "corrections": [c.pk for c in corrections],
            },
            sort_keys=True,
            default=str,
        ).encode()
    ).hexdigest()
    return result, corrections, quality_doc, tiers_doc, fingerprint


def _write_lines(
    statement: Statement,
    project: Project,
    result: engine.Statement,
    corrections: list[Correction],
) -> None:
    names = {str(pi.item_id): pi.item for pi in project.items.select_related("item")}
    StatementLine.objects.filter(statement=statement).delete()
    for line in result.lines:
        StatementLine.objects.create(
            statement=statement,
            kind=LineKind.ITEM,
            item=names[line.item],
            description=str(names[line.item]),
            unit_price=line.unit_price,
            quantity=line.quantity,
            gross=line.gross,
            percent=line.percent,
            amount=line.payable,
            orders=list(line.orders),
            complaints=list(line.complaints),
        )
    for correction in corrections:
        StatementLine.objects.create(
            statement=statement,
            kind=LineKind.CORRECTION,
            description=correction.reason,
            amount=engine.money(correction.amount),
            gross=engine.money(correction.amount),
            correction=correction,
        )
    Correction.objects.filter(pk__in=[c.pk for c in corrections]).update(carried_into=statement)


@transaction.atomic
def statement_draft(*, actor: User | None, project: Project, period: str) -> tuple[Statement, bool]:
    """Draft (or refresh) the project's statement for ``period`` (``YYYY-MM``; a quarterly
    project's quarter containing it). Idempotent: when nothing behind it changed, nothing is
    written. A statement past draft, or with a line ever disputed, is left alone (its disputes
    are settled by corrections, not by redrafting). Returns the
    statement and whether it was written."""
    if actor is not None:
        require_district_of(actor, project)
    try:
        year, month = periods.parse_month(period)
    except ValueError:
        raise ValidationFailed({"period": [_("Give the period as YYYY-MM.")]}) from None
    label, start, end = periods.period_for(project.period_kind, year, month)
    if end <= project.starts_on or start >= project.ends_on:
        raise ValidationFailed({"period": [_("The project does not run in this period.")]})
    existing = Statement.objects.select_for_update().filter(project=project, period=label).first()
    if existing is not None and (
        existing.status != StatementStatus.DRAFT
        or existing.lines.exclude(dispute=DisputeState.NONE).exists()
    ):
        return existing, False
    result, corrections, quality_doc, tiers_doc, fingerprint = _compute(
        project, label, start, end, existing
    )
    if existing is not None and existing.fingerprint == fingerprint:
        return existing, False
    values = {
        "period_start": start,
        "period_end": end,
        "score": result.score,
        "quality": quality_doc,
        "tiers": tiers_doc,
        "percent": result.percent,
        "gross": result.gross,
        "payable": result.payable,
        "withheld": result.withheld,
        "corrections_total": result.corrections_total,
        "total": result.total,
        "fingerprint": fingerprint,
    }
    if existing is None:
        statement = Statement.objects.create(project=project, period=label, **values)
        action = AuditAction.CREATE
    else:
        Statement.objects.filter(pk=existing.pk).update(**values)
        statement = existing
        statement.refresh_from_db()
        action = AuditAction.UPDATE
    _write_lines(statement, project, result, corrections)
    audit.record(
        actor=actor,
        action=action,
        obj=statement,
        detail={"drafted": label, "total": str(result.total)},
        actor_label="" if actor else "system",
    )
    return statement, True


# ------------------------------------------------------------------ the workflow


@transaction.atomic
def statement_submit(*, actor: User, statement: Statement) -> Statement:
    STATEMENT_FLOW.require("submit", obj=statement, actor=actor)
    require_provider_of(actor, statement.project)
    return STATEMENT_FLOW.apply(
        obj=statement, action="submit", actor=actor, changes={"submitted_at": timezone.now()}
    )


@transaction.atomic
def statement_approve(*, actor: User, statement: Statement) -> Statement:
    STATEMENT_FLOW.require("approve", obj=statement, actor=actor)
    require_district_of(actor, statement.project)
    if statement.lines.filter(dispute=DisputeState.OPEN).exists():
        raise Conflict("open_disputes", _("Resolve every disputed line before approving."))
    return STATEMENT_FLOW.apply(
        obj=statement,
        action="approve",
        actor=actor,
        changes={"approved_at": timezone.now(), "approved_by": actor},
    )


@transaction.atomic
def statement_pay(*, actor: User, statement: Statement) -> Statement:
    STATEMENT_FLOW.require("pay", obj=statement, actor=actor)
    require_district_of(actor, statement.project)
    return STATEMENT_FLOW.apply(
        obj=statement, action="pay", actor=actor, changes={"paid_at": timezone.now()}
    )


@transaction.atomic
def line_dispute(*, actor: User, line: StatementLine, reason: str) -> StatementLine:
    """The provider disputes a line of its draft or submitted statement, with a reason."""
    statement = line.statement
    require_provider_of(actor, statement.project)
    if statement.status not in (StatementStatus.DRAFT, StatementStatus.SUBMITTED):
        raise Conflict("locked", _("This statement is locked; it can no longer be disputed."))
    if line.dispute == DisputeState.OPEN:
        raise Conflict("already_disputed", _("This line is already disputed."))
    reason = reason.strip()
    if not reason:
        raise ValidationFailed({"reason": [_("Say why the line is wrong.")]})
    StatementLine.objects.filter(pk=line.pk).update(
        dispute=DisputeState.OPEN, dispute_reason=reason[:500]
    )
    line.refresh_from_db()
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=statement, detail={"dispute": line.pk})
    return line


@transaction.atomic
def line_resolve(
    *, actor: User, line: StatementLine, uphold: bool, amount: Decimal | None = None, note: str = ""
) -> StatementLine:
    """The district manager resolves a disputed line. Upheld, the agreed ``amount`` (positive:
    owed to the provider; negative: to be recovered) becomes a correction carried into the
    project's next statement; the disputed statement itself keeps its amounts."""
    statement = line.statement
    require_district_of(actor, statement.project)
    if line.dispute != DisputeState.OPEN:
        raise Conflict("not_disputed", _("This line is not disputed."))
    note = note.strip()
    if uphold and (amount is None or amount == 0):
        raise ValidationFailed({"amount": [_("Give the amount to correct (not zero).")]})
    if not note:
        raise ValidationFailed({"note": [_("Say how the dispute was resolved.")]})
    StatementLine.objects.filter(pk=line.pk).update(
        dispute=DisputeState.UPHELD if uphold else DisputeState.REJECTED,
        resolution_note=note[:500],
    )
    if uphold:
        assert amount is not None
        Correction.objects.create(
            project=statement.project,
            source_line=line,
            amount=engine.money(amount),
            reason=_("%(period)s %(line)s, dispute upheld: %(note)s")
            % {"period": statement.period, "line": line.description, "note": note},
            by=actor,
        )
    line.refresh_from_db()
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=statement,
        detail={"resolved": line.pk, "upheld": uphold, "amount": str(amount or 0)},
    )
    return line


def statements_draft_period(*, period: str, district_code: str = "") -> dict[str, int]:
    """Draft every running project's statement for ``period`` (``YYYY-MM``), optionally in one
    district: what ``jiuzhu settle`` runs. Idempotent: a second run writes nothing. Each project
    is drafted in its own transaction, as the system."""
    try:
        year, month = periods.parse_month(period)
    except ValueError:
        raise ValidationFailed({"period": [_("Give the period as YYYY-MM.")]}) from None
    _label, start, end = periods.period_for("month", year, month)
    projects = Project.objects.filter(starts_on__lt=end, ends_on__gt=start).order_by("pk")
    if district_code:
        projects = projects.filter(district__code=district_code)
    counts = {"projects": 0, "written": 0, "unchanged": 0}
    for project in projects:
        counts["projects"] += 1
        _statement, written = statement_draft(actor=None, project=project, period=period)
        counts["written" if written else "unchanged"] += 1
    return counts
