"""Writing the audit trail. Every service that changes or reveals data calls :func:`record`
inside its own transaction, so the change and its record commit or roll back together.

The trail identifies objects by type and id, never by personal data: the audit administrator
reads it and must see no case data (三权分立). Only objects whose name is public (areas,
organisations, catalogue entries, frameworks …) keep their name as the label; people appear as
``#id`` (beneficiary accounts with a masked mobile number), and free-text search terms in a
recorded filter are blanked.
"""

from __future__ import annotations

from typing import Any

from django.db import connection, models
from django.utils import timezone

from jiuzhu.core.audit_chain import CONTENT_FIELDS, entry_mac
from jiuzhu.core.bulk import insert_rows, json_adapter
from jiuzhu.core.identity import mask_mobile
from jiuzhu.core.models import AuditAction, AuditEntry, AuditResult, Role, User
from jiuzhu.core.request_context import current_request_info

#: An entry's columns (field names) as :func:`_write_system` writes them.
ENTRY_COLUMNS = ["at", "actor", *CONTENT_FIELDS, "detail", "mac"]
#: Models whose ``str()`` is not personal data. Any other object is labelled by its id.
PUBLIC_LABELS = frozenset(
    {
        "core.area",
        "core.organisation",
        "catalog.servicelevel",
        "catalog.servicecategory",
        "catalog.serviceitem",
        "catalog.needcategory",
        "catalog.need",
        "orders.provider",
        "orders.order",  # its number
        "assessment.indicatorframework",
        "assessment.dimension",
        "assessment.indicator",
        "dispatch.slapolicy",
    }
)
#: Filter fields that carry what a user typed (names, addresses, phone numbers).
FREE_TEXT_FILTERS = frozenset({"q", "query", "search", "name", "address", "phone", "mobile"})
REDACTED = "***"


def _user_label(user: User) -> str:
    username = user.get_username()
    if user.role == Role.BENEFICIARY and username.startswith("m"):
        return "m" + mask_mobile(username[1:])
    return username


def object_label_for(obj: models.Model) -> str:
    if obj._meta.label_lower in PUBLIC_LABELS:
        return str(obj)
    if isinstance(obj, User):
        return _user_label(obj)
    return f"#{obj.pk}"


def _without_free_text(detail: dict[str, Any]) -> dict[str, Any]:
    filters = detail.get("filters")
    if isinstance(filters, dict):
        detail = {
            **detail,
            "filters": {
                key: (REDACTED if key in FREE_TEXT_FILTERS and value else value)
                for key, value in filters.items()
            },
        }
    return detail


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
        object_label = object_label or object_label_for(obj)
    info = current_request_info()
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    content: dict[str, Any] = {
        "at": timezone.now(),
        "actor_id": actor.pk if authenticated and actor is not None else None,
        "actor_label": (_user_label(actor) if authenticated and actor else actor_label)[:150],
        "actor_role": getattr(actor, "role", "") if authenticated else "",
        "ip_address": info.ip_address,
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id),
        "object_label": object_label[:200],
        "result": result,
        "detail": {"channel": info.channel, **_without_free_text(detail or {})},
    }
    return AuditEntry.objects.create(**content, mac=entry_mac(**content))


def record_system_many(
    *, actor_label: str, action: str, items: list[tuple[models.Model, dict[str, Any]]]
) -> None:
    """One entry per (object, detail) written by a job or handler (no signed-in actor), in one
    statement: the same rows :func:`record` would write one by one (each with its own MAC), for
    jobs that audit thousands of objects at once."""
    _write_system(
        actor_label,
        action,
        [
            (obj._meta.label_lower, str(obj.pk), object_label_for(obj), detail)
            for obj, detail in items
        ],
    )


def record_system_rows(
    *,
    actor_label: str,
    action: str,
    model: type[models.Model],
    rows: list[tuple[int, dict[str, Any]]],
) -> None:
    """:func:`record_system_many` for callers that hold ids, not objects (a department import
    raising tens of thousands of warnings): rows of (object id, detail). Only for models
    labelled by their id (not in PUBLIC_LABELS, not users), whose label needs no object."""
    label = model._meta.label_lower
    if label in PUBLIC_LABELS or issubclass(model, User):
        raise ValueError(f"{label} objects are labelled by their name: use record_system_many")
    _write_system(actor_label, action, [(label, str(pk), f"#{pk}", d) for pk, d in rows])


def _write_system(
    actor_label: str, action: str, rows: list[tuple[str, str, str, dict[str, Any]]]
) -> None:
    if not rows:
        return
    info = current_request_info()
    at = timezone.now()
    ops = connection.ops
    at_db = ops.adapt_datetimefield_value(at)
    ip_db = ops.adapt_ipaddressfield_value(info.ip_address)
    detail_json = json_adapter(AuditEntry, "detail")
    label = actor_label[:150]
    values = []
    for object_type, object_id, object_label, detail in rows:
        content: dict[str, Any] = {
            "at": at,
            "actor_id": None,
            "actor_label": label,
            "actor_role": "",
            "ip_address": info.ip_address,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "object_label": object_label[:200],
            "result": AuditResult.SUCCESS,
            "detail": {"channel": info.channel, **_without_free_text(detail)},
        }
        mac = entry_mac(**content)
        content["ip_address"] = ip_db
        fields = [content[name] for name in CONTENT_FIELDS]
        values.append((at_db, None, *fields, detail_json(content["detail"]), mac))
    insert_rows(AuditEntry, ENTRY_COLUMNS, values)


def record_changes(
    *, actor: User, action: str, obj: models.Model, before: dict, after: dict
) -> AuditEntry:
    """Record an update with the names of the fields that changed (values of sensitive fields
    are never written to the trail)."""
    changed = sorted(key for key in after if before.get(key) != after.get(key))
    return record(actor=actor, action=action, obj=obj, detail={"fields": changed})


__all__ = [
    "AuditAction",
    "AuditResult",
    "record",
    "record_changes",
    "record_system_many",
    "record_system_rows",
]
