"""Writes to households. Each function checks what it must, writes, records the change on the
household's history and assistance chain, audits, and publishes the domain event — in one
transaction."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiuzhu.core import audit, events
from jiuzhu.core.errors import NotFound, ValidationFailed
from jiuzhu.core.models import Area, AreaLevel, AuditAction, User
from jiuzhu.core.scoping import visible
from jiuzhu.core.selectors.areas import areas_within
from jiuzhu.registry.events import HOUSEHOLD_CHANGED, HOUSEHOLD_REGISTERED
from jiuzhu.registry.groups import MemberFacts, classify, encode_groups
from jiuzhu.registry.models import (
    ChangeKind,
    Household,
    HouseholdChange,
    HouseholdStatus,
    Member,
)
from jiuzhu.registry.policy import require_registry_editor
from jiuzhu.registry.services.chain import chain_add

HOUSEHOLD_FIELDS = (
    "address",
    "phone",
    "tier",
    "monthly_income",
    "medical_spending_12m",
    "education_spending_12m",
)
#: Which change kind an edited household field records.
FIELD_CHANGE_KIND = {
    "monthly_income": ChangeKind.INCOME,
    "medical_spending_12m": ChangeKind.SPENDING,
    "education_spending_12m": ChangeKind.SPENDING,
    "tier": ChangeKind.TIER,
    "address": ChangeKind.ADDRESS,
    "community": ChangeKind.ADDRESS,
}


def check_community_in_scope(*, actor: User, community: Area | None) -> Area:
    """A community the actor works in (a community worker only their own)."""
    if community is None or community.level != AreaLevel.COMMUNITY:
        raise ValidationFailed({"community": [_("Choose a community.")]})
    if not areas_within(actor).filter(pk=community.pk).exists():
        raise ValidationFailed({"community": [_("This community is outside your area.")]})
    return community


def record_change(
    *,
    household: Household,
    kind: str,
    actor: User | None,
    occurred_on: dt.date | None = None,
    reason: str = "",
    member: Member | None = None,
    detail: dict[str, Any] | None = None,
) -> HouseholdChange:
    """Write a change to the history and the chain, and announce it after commit."""
    change = HouseholdChange.objects.create(
        household=household,
        member=member,
        kind=kind,
        occurred_on=occurred_on or timezone.localdate(),
        reason=reason,
        detail=detail or {},
        recorded_by=actor if actor is not None and actor.is_authenticated else None,
    )
    title = str(ChangeKind(kind).label)
    if member is not None:
        title = f"{title}：{member.name}"
    chain_add(
        household=household,
        source="registry",
        source_id=change.pk,
        title=title,
        detail=reason,
        actor=actor,
    )
    if kind != ChangeKind.REGISTERED:
        events.publish(HOUSEHOLD_CHANGED, household_id=household.pk, change_id=change.pk, kind=kind)
    return change


def household_refresh_groups(*, household: Household, on: dt.date | None = None) -> Household:
    """Recompute groups, primary group, head name and member count from current members."""
    members = list(household.members.filter(is_active=True))
    groups, primary = classify(
        (
            MemberFacts(
                birth_date=m.birth_date,
                relation=m.relation,
                disability_type=m.disability_type,
                disability_grade=m.disability_grade,
                illness=m.illness,
                employment=m.employment,
            )
            for m in members
        ),
        on=on or timezone.localdate(),
    )
    head = next((m for m in members if m.relation == "head"), None)
    household.groups = encode_groups(groups)
    household.primary_group = primary
    household.member_count = len(members)
    household.head_name = head.name if head else ""
    Household.objects.filter(pk=household.pk).update(
        groups=household.groups,
        primary_group=primary,
        member_count=household.member_count,
        head_name=household.head_name,
    )
    return household


def _street_and_district(community: Area) -> tuple[Area, Area]:
    """The street and district a community lies in (the area tree always has both)."""
    street = community.parent
    district = street.parent if street is not None else None
    if street is None or district is None:
        raise ValidationFailed({"community": [_("Choose a community.")]})
    return street, district


@transaction.atomic
def household_create(*, actor: User, community: Area, **data: Any) -> Household:
    """Register a household in a community the actor works in."""
    require_registry_editor(actor)
    community = check_community_in_scope(actor=actor, community=community)
    street, district = _street_and_district(community)
    household = Household(
        community=community,
        street=street,
        district=district,
        **{key: data[key] for key in HOUSEHOLD_FIELDS if key in data},
    )
    household.full_clean()
    household.save()
    record_change(household=household, kind=ChangeKind.REGISTERED, actor=actor)
    audit.record(actor=actor, action=AuditAction.CREATE, obj=household)
    events.publish(HOUSEHOLD_REGISTERED, household_id=household.pk)
    return household


def _comparable(value: Any) -> Any:
    if isinstance(value, (Decimal, int, float)) and not isinstance(value, bool):
        return Decimal(str(value)).normalize()
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, Area):
        return value.pk
    return value


@transaction.atomic
def household_update(
    *, actor: User, household: Household, reason: str = "", **data: Any
) -> Household:
    """Change household fields; each kind of change is recorded once on the history."""
    require_registry_editor(actor)
    household = Household.objects.select_for_update().get(pk=household.pk)
    # Only what actually changed is recorded: a form sends every field, and sending the same
    # community (or the same income written differently, 1500 vs 1500.00) is no change.
    moved = "community" in data and data["community"].pk != household.community_id
    if moved:
        community = check_community_in_scope(actor=actor, community=data["community"])
        household.community = community
        household.street, household.district = _street_and_district(community)
    before = {key: _comparable(getattr(household, key)) for key in HOUSEHOLD_FIELDS}
    for key in HOUSEHOLD_FIELDS:
        if key in data:
            setattr(household, key, data[key])
    household.full_clean()
    household.save()
    after = {key: _comparable(getattr(household, key)) for key in HOUSEHOLD_FIELDS}
    changed = [key for key in HOUSEHOLD_FIELDS if before[key] != after[key]]
    if moved:
        changed.append("community")
    kinds = sorted({FIELD_CHANGE_KIND[key] for key in changed if key in FIELD_CHANGE_KIND})
    for kind in kinds:
        fields = [key for key in changed if FIELD_CHANGE_KIND.get(key) == kind]
        record_change(
            household=household, kind=kind, actor=actor, reason=reason, detail={"fields": fields}
        )
    if changed:
        audit.record(
            actor=actor, action=AuditAction.UPDATE, obj=household, detail={"fields": changed}
        )
    return household


@transaction.atomic
def household_exit(
    *, actor: User, household: Household, reason: str, on: dt.date | None = None
) -> Household:
    require_registry_editor(actor)
    if not reason.strip():
        raise ValidationFailed({"exit_reason": [_("Say why the household exits.")]})
    household = Household.objects.select_for_update().get(pk=household.pk)
    household.status = HouseholdStatus.EXITED
    household.exit_reason = reason.strip()
    household.exited_on = on or timezone.localdate()
    household.save(update_fields=["status", "exit_reason", "exited_on", "updated_at"])
    record_change(
        household=household, kind=ChangeKind.EXITED, actor=actor, reason=reason, occurred_on=on
    )
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=household, detail={"exit": True})
    return household


@transaction.atomic
def household_reactivate(*, actor: User, household: Household, reason: str) -> Household:
    require_registry_editor(actor)
    household = Household.objects.select_for_update().get(pk=household.pk)
    household.status = HouseholdStatus.ACTIVE
    household.exit_reason = ""
    household.exited_on = None
    household.save(update_fields=["status", "exit_reason", "exited_on", "updated_at"])
    record_change(household=household, kind=ChangeKind.REACTIVATED, actor=actor, reason=reason)
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=household, detail={"exit": False})
    return household


def household_get_for(*, actor: User, household_id: int, audit_view: bool = True) -> Household:
    """A household the actor may see, with its page view audited (read access to sensitive
    data); otherwise NotFound — never a hint that it exists."""
    household: Household | None = (
        visible(actor, Household.objects.all())
        .select_related("community", "street", "district")
        .filter(pk=household_id)
        .first()
    )
    if household is None:
        raise NotFound("household")
    if audit_view:
        audit.record(actor=actor, action=AuditAction.VIEW, obj=household)
    return household


@transaction.atomic
def household_set_urgency(*, household: Household, urgency_tag: str, actor: User | None) -> None:
    """Write the urgency tag an assessment arrived at, and refresh the groups from the members
    (the same classification the assessment used). Called by the assessment on submit."""
    Household.objects.filter(pk=household.pk).update(
        urgency_tag=urgency_tag, updated_at=timezone.now()
    )
    household.urgency_tag = urgency_tag
    household_refresh_groups(household=household)
    audit.record(
        actor=actor, action=AuditAction.UPDATE, obj=household, detail={"urgency_tag": urgency_tag}
    )
