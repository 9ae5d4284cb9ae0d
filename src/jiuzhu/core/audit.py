"""Writing the audit trail. Every service that changes or reveals data calls :func:`record`
inside its own transaction, so the change and its record commit or roll back together."""

from __future__ import annotations

from typing import Any

from django.db import models

from jiuzhu.core.models import AuditAction, AuditEntry, AuditResult, User
from jiuzhu.core.request_context import current_request_info


def record(
    *,
    actor: User | None,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    object_label: str = "",
    result: str = AuditResult.SUCCESS,
    detail: dict[str, Any] | None = None,
    actor_label: str = "",
) -> AuditEntry:
    """Append one audit entry. ``obj`` fills type, id and label when given."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
        object_label = object_label or str(obj)
    info = current_request_info()
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEntry.objects.create(
        actor=actor if authenticated else None,
        actor_label=(actor.get_username() if authenticated else actor_label)[:150],
        actor_role=getattr(actor, "role", "") if authenticated else "",
        ip_address=info.ip_address,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        object_label=object_label[:200],
        result=result,
        detail={"channel": info.channel, **(detail or {})},
    )


def record_changes(
    *, actor: User, action: str, obj: models.Model, before: dict, after: dict
) -> AuditEntry:
    """Record an update with the names of the fields that changed (values of sensitive fields
    are never written to the trail)."""
    changed = sorted(key for key in after if before.get(key) != after.get(key))
    return record(actor=actor, action=action, obj=obj, detail={"fields": changed})


__all__ = ["AuditAction", "AuditResult", "record", "record_changes"]
