"""Emptying the registry before demo data is generated again (``demo_data --reset``).

Everything that hangs off a household goes, dependants first so PROTECT references never block:
members, changes, chain entries, assignments, beneficiary accounts, and whatever later
capabilities (assessments, plans, orders…) attach to households or members; the walk follows
the model graph, so a new app needs no change here. Deletes are raw (no per-row signals or
collector), which keeps 100,000 households to seconds.

Never touched: the audit trail (the database refuses to delete entries younger than 180 days,
and the trail must record the reset itself), staff accounts, areas and organisations.
Beneficiary sign-in accounts cannot be deleted either (their sign-ins are in the audit trail), so
they are switched off and renamed, which frees the ``m<mobile>`` name for a new household.
"""

from __future__ import annotations

from django.db import models, transaction
from django.db.models import QuerySet

from jiuzhu.core import audit
from jiuzhu.core.models import AuditAction, AuditEntry, Role, User
from jiuzhu.registry.models import BeneficiaryAccount, Household

_NEVER_DELETED = (AuditEntry, User)


def _purge(queryset: QuerySet, counts: dict[str, int], path: tuple[type, ...]) -> None:
    """Delete ``queryset`` after clearing or deleting every row that points at it."""
    model = queryset.model
    for relation in model._meta.related_objects:
        if relation.many_to_many or not relation.field.concrete:
            continue
        related = relation.related_model
        on_delete = relation.on_delete
        if on_delete is models.DO_NOTHING:
            continue
        pointing = related._base_manager.filter(**{f"{relation.field.name}__in": queryset})
        if on_delete is models.SET_NULL:
            pointing.update(**{relation.field.name: None})
            continue
        if related is model:
            # Rows of the set pointing at each other go together; one outside would dangle.
            if pointing.exclude(pk__in=queryset.values("pk")).exists():
                raise RuntimeError(f"reset would orphan {related._meta.label} rows; stopping")
            continue
        if related in _NEVER_DELETED or related in path:
            raise RuntimeError(f"reset would have to delete {related._meta.label}; stopping")
        _purge(pointing, counts, (*path, model))
    deleted = queryset._raw_delete(queryset.db)
    if deleted:
        counts[model._meta.label] = counts.get(model._meta.label, 0) + deleted


def _retire_beneficiary_users() -> int:
    users = User.objects.filter(
        role=Role.BENEFICIARY, pk__in=BeneficiaryAccount.objects.values("user_id")
    )
    retired = 0
    for user in users:
        user.username = f"{user.username}~{user.pk}"[:150]
        user.is_active = False
        user.save(update_fields=["username", "is_active"])
        retired += 1
    return retired


@transaction.atomic
def registry_reset(*, actor: User | None = None) -> dict[str, int]:
    """Delete every household and everything attached to it; returns rows deleted per model."""
    counts: dict[str, int] = {"retired beneficiary users": _retire_beneficiary_users()}
    _purge(Household._base_manager.all(), counts, ())
    audit.record(
        actor=actor,
        actor_label="demo_data",
        action=AuditAction.DELETE,
        object_type="registry.household",
        object_label="demo reset",
        detail={"deleted": counts},
    )
    return counts
