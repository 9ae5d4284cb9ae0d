"""Reading the audit trail: for the audit administrator only, newest first, read-only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from jiuzhu.core.dates import day_start
from jiuzhu.core.errors import PermissionDenied
from jiuzhu.core.models import AuditEntry, Role, User


@dataclass(frozen=True)
class AuditFilters:
    """Empty values mean "no filter"; dates are local calendar days, both ends included."""

    actor: str = ""
    action: str = ""
    object_type: str = ""
    result: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def can_read_audit(user: User) -> bool:
    return user.is_authenticated and user.role == Role.AUDIT_ADMIN


def audit_entries(*, actor: User, filters: AuditFilters | None = None) -> QuerySet[AuditEntry]:
    """Audit entries matching ``filters``, newest first."""
    if not can_read_audit(actor):
        raise PermissionDenied(_("Only the audit administrator reads the audit log."))
    filters = filters or AuditFilters()
    entries = AuditEntry.objects.all()
    if filters.actor.strip():
        entries = entries.filter(actor_label__iexact=filters.actor.strip())
    if filters.action:
        entries = entries.filter(action=filters.action)
    if filters.object_type.strip():
        entries = entries.filter(object_type=filters.object_type.strip())
    if filters.result:
        entries = entries.filter(result=filters.result)
    if filters.date_from:
        entries = entries.filter(at__gte=day_start(filters.date_from))
    if filters.date_to:
        entries = entries.filter(at__lt=day_start(filters.date_to + dt.timedelta(days=1)))
    return entries.order_by("-at", "-id")


def audit_object_types() -> list[tuple[str, str]]:
    """The kinds of object the trail names, as (type, readable name), without reading the
    trail itself (it can hold millions of rows)."""
    from django.apps import apps

    return sorted(
        (model._meta.label_lower, str(model._meta.verbose_name))
        for model in apps.get_models()
        if model.__module__.startswith("jiuzhu.")
    )
