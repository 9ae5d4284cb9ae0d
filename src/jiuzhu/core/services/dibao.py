"""Setting a district's dibao line (the minimum-living-allowance standard)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from jiuzhu.core import audit
from jiuzhu.core.errors import PermissionDenied, ValidationFailed
from jiuzhu.core.models import Area, AreaLevel, AuditAction, DibaoLine, Role, User


@transaction.atomic
def dibao_line_set(
    *,
    district: Area,
    monthly_amount: Decimal,
    effective_from: dt.date,
    note: str = "",
    actor: User | None = None,
) -> DibaoLine:
    """Record the line in force from a date (a later line supersedes an earlier one; the
    history stays, so past assessments can be re-read against the line of their day). ``actor``
    None means the command line, run by an operator on the server."""
    if actor is not None and actor.role != Role.CITY_ADMIN:
        raise PermissionDenied(_("Only city administrators set dibao lines."))
    if district.level != AreaLevel.DISTRICT:
        raise ValidationFailed({"district": [_("Choose a district.")]})
    if monthly_amount <= 0:
        raise ValidationFailed({"monthly_amount": [_("The amount must be positive.")]})
    line, _created = DibaoLine.objects.update_or_create(
        district=district,
        effective_from=effective_from,
        defaults={"monthly_amount": monthly_amount, "note": note},
    )
    audit.record(
        actor=actor,
        actor_label="cli",
        action=AuditAction.UPDATE,
        obj=district,
        detail={"dibao_line": str(monthly_amount), "effective_from": effective_from.isoformat()},
    )
    return line


def dibao_line_for(*, district: Area, on: dt.date) -> DibaoLine | None:
    """The line in force in ``district`` on ``on``."""
    return (
        DibaoLine.objects.filter(district=district, effective_from__lte=on)
        .order_by("-effective_from")
        .first()
    )
