"""Resolving an escalation: a manager or the street's caseworker has looked at the order and
says what was done (reassigned by phone, household reached, order cancelled …)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiuzhu.core import audit
from jiuzhu.core.errors import Conflict, PermissionDenied, ValidationFailed
from jiuzhu.core.models import AuditAction, User
from jiuzhu.core.scoping import visible
from jiuzhu.dispatch import policy
from jiuzhu.dispatch.models import Escalation


@transaction.atomic
def escalation_resolve(*, actor: User, escalation: Escalation, note: str) -> Escalation:
    policy.require_resolver(actor)
    if not visible(actor, Escalation.objects.filter(pk=escalation.pk)).exists():
        raise PermissionDenied(_("This record is outside your area."))
    note = note.strip()
    if not note:
        raise ValidationFailed({"note": [_("Say what was done.")]})
    now = timezone.now()
    updated = Escalation.objects.filter(pk=escalation.pk, resolved_at__isnull=True).update(
        resolved_at=now, resolved_by=actor, note=note[:300]
    )
    if updated != 1:
        raise Conflict("already_resolved", _("This escalation is already resolved."))
    escalation.refresh_from_db()
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=escalation, detail={"resolved": True})
    return escalation
