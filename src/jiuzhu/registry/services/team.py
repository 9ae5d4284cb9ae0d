"""The frontline team (救助小管家): training records and commendations, kept by the district
manager for the community workers and street caseworkers of the district."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import IO

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiuzhu.core import audit
from jiuzhu.core.errors import ValidationFailed
from jiuzhu.core.models import AuditAction, User
from jiuzhu.core.services.exports import (
    Sheet,
    export_audited,
    export_refused,
    export_size_check,
)
from jiuzhu.registry import policy
from jiuzhu.registry.models import Commendation, TrainingRecord


def _check_date(on: dt.date, field: str) -> None:
    if on > timezone.localdate():
        raise ValidationFailed({field: [_("The date cannot be in the future.")]})


@transaction.atomic
def training_add(
    *,
    actor: User,
    worker: User,
    course: str,
    completed_on: dt.date,
    hours: Decimal,
    organiser: str = "",
) -> TrainingRecord:
    policy.require_team_manager(actor)
    errors: dict[str, list[str]] = {}
    if not course.strip():
        errors["course"] = [_("Name the course.")]
    if not Decimal("0") < hours <= Decimal("500"):
        errors["hours"] = [_("Hours between 0.5 and 500.")]
    if errors:
        raise ValidationFailed(errors)
    _check_date(completed_on, "completed_on")
    record = TrainingRecord(
        worker=worker,
        course=course.strip(),
        completed_on=completed_on,
        hours=hours,
        organiser=organiser.strip(),
        recorded_by=actor,
    )
    record.full_clean()
    record.save()
    audit.record(actor=actor, action=AuditAction.CREATE, obj=record, detail={"worker": worker.pk})
    return record


@transaction.atomic
def commendation_add(
    *,
    actor: User,
    worker: User,
    title: str,
    awarded_on: dt.date,
    awarded_by: str = "",
    reason: str = "",
) -> Commendation:
    policy.require_team_manager(actor)
    if not title.strip():
        raise ValidationFailed({"title": [_("Name the commendation.")]})
    _check_date(awarded_on, "awarded_on")
    commendation = Commendation(
        worker=worker,
        title=title.strip(),
        awarded_on=awarded_on,
        awarded_by=awarded_by.strip(),
        reason=reason.strip(),
        recorded_by=actor,
    )
    commendation.full_clean()
    commendation.save()
    audit.record(
        actor=actor, action=AuditAction.CREATE, obj=commendation, detail={"worker": worker.pk}
    )
    return commendation


def team_export(*, actor: User, filters: object | None = None) -> IO[bytes]:
    """The team page as an Excel workbook (audited as an export)."""
    from jiuzhu.registry.selectors.team import TeamFilters, team_workload

    if not policy.can_manage_team(actor):
        raise export_refused(
            actor=actor,
            object_type="core.user",
            message=_("Only district managers look after the frontline team."),
        )
    team_filters = filters if isinstance(filters, TeamFilters) else TeamFilters()
    workers = team_workload(user=actor, filters=team_filters)
    export_size_check(
        count=workers.count(),
        message=_(
            "The export would hold %(count)d workers; narrow the filters to at most %(limit)d."
        ),
    )
    sheet = Sheet(
        title=str(_("Frontline team")),
        headers=[
            _("Name"),
            _("Role"),
            _("Area"),
            _("Households"),
            _("Visits this month"),
            _("Overdue follow-ups"),
            _("Training hours this year"),
            _("Commendations"),
        ],
        rows=(
            [
                str(worker),
                str(worker.get_role_display()),
                worker.area.name if worker.area else "",
                worker.households,
                worker.visits_this_month,
                worker.overdue,
                float(worker.training_hours),
                worker.commendation_count,
            ]
            for worker in workers.iterator()
        ),
        widths=(16, 14, 18, 10, 12, 12, 12, 10),
    )
    return export_audited(
        actor=actor,
        sheets=[sheet],
        object_type="core.user",
        detail={"team": True, "q": team_filters.q, "role": team_filters.role},
    )
