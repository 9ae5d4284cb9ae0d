"""Writes to members: add, update, leave or die, and the audited reveal of an identity number."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiuzhu.core import audit, crypto
from jiuzhu.core.errors import PermissionDenied, ValidationFailed
from jiuzhu.core.identity import (
    InvalidIdentityNumber,
    parse_identity_number,
    validate_mobile,
)
from jiuzhu.core.models import AuditAction, AuditResult, User
from jiuzhu.registry.groups import age_on
from jiuzhu.registry.models import ChangeKind, Household, Member, Relation
from jiuzhu.registry.policy import can_reveal_identity, require_registry_editor
from jiuzhu.registry.services.households import household_refresh_groups, record_change

MEMBER_FIELDS = (
    "name",
    "mobile",
    "relation",
    "disability_type",
    "disability_grade",
    "illness",
    "illness_note",
    "employment",
    "schooling",
    "guardian",
)
#: Which change kind an edited member field records on the household's history.
FIELD_CHANGE_KIND = {
    "illness": ChangeKind.ILLNESS,
    "illness_note": ChangeKind.ILLNESS,
    "disability_type": ChangeKind.DISABILITY,
    "disability_grade": ChangeKind.DISABILITY,
    "employment": ChangeKind.EMPLOYMENT,
}


NULLABLE_FIELDS = ("guardian", "disability_grade")


def _normalise(values: dict[str, Any]) -> dict[str, Any]:
    """Blank text fields are stored as empty strings, not NULL."""
    return {
        key: ("" if value is None and key not in NULLABLE_FIELDS else value)
        for key, value in values.items()
    }


def _identity_errors(raw: str, *, exclude_member: Member | None = None) -> tuple[Any, list[str]]:
    try:
        facts = parse_identity_number(raw)
    except InvalidIdentityNumber as error:
        return None, [str(error)]
    duplicates = Member.objects.filter(
        id_number_hash__in=crypto.lookup_hashes(facts.number), is_active=True
    )
    if exclude_member is not None:
        duplicates = duplicates.exclude(pk=exclude_member.pk)
    if duplicates.exists():
        return None, [
            _(
                "This person is already a current member of another household. Record them "
                "as having left that household first."
            )
        ]
    return facts, []


def _cross_field_errors(
    household: Household, values: dict[str, Any], birth: dt.date | None
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if values.get("disability_type") and not values.get("disability_grade"):
        errors["disability_grade"] = [_("Give the disability grade (1 to 4).")]
    if values.get("disability_grade") and not values.get("disability_type"):
        errors["disability_type"] = [_("A disability grade needs a disability type.")]
    if values.get("mobile"):
        try:
            values["mobile"] = validate_mobile(values["mobile"])
        except ValueError as error:
            errors["mobile"] = [str(error)]
    guardian = values.get("guardian")
    if guardian is not None:
        if guardian.household_id != household.pk or not guardian.is_active:
            errors["guardian"] = [_("The guardian must be a current member of this household.")]
        elif age_on(guardian.birth_date, timezone.localdate()) < 18:
            errors["guardian"] = [_("The guardian must be an adult.")]
    return errors


def _check_single_head(
    household: Household, relation: str, member: Member | None
) -> dict[str, list[str]]:
    if relation != Relation.HEAD:
        return {}
    heads = household.members.filter(is_active=True, relation=Relation.HEAD)
    if member is not None:
        heads = heads.exclude(pk=member.pk)
    if heads.exists():
        return {"relation": [_("This household already has a head.")]}
    return {}


@transaction.atomic
def member_add(
    *,
    actor: User,
    household: Household,
    id_number: str,
    occurred_on: dt.date | None = None,
    reason: str = "",
    record: bool = True,
    **data: Any,
) -> Member:
    """Add a member; birth date and sex come from the identity number."""
    require_registry_editor(actor)
    household = Household.objects.select_for_update().get(pk=household.pk)
    facts, id_errors = _identity_errors(id_number)
    errors: dict[str, list[str]] = {}
    if id_errors:
        errors["id_number"] = id_errors
    values = {key: data.get(key) for key in MEMBER_FIELDS if key in data}
    errors.update(_cross_field_errors(household, values, facts.birth_date if facts else None))
    errors.update(_check_single_head(household, values.get("relation") or "", None))
    if errors:
        raise ValidationFailed(errors)
    member = Member(
        household=household,
        id_number_encrypted=crypto.encrypt(facts.number),
        id_number_hash=crypto.lookup_hash(facts.number),
        id_last4=facts.number[-4:],
        birth_date=facts.birth_date,
        sex=facts.sex,
        **_normalise(values),
    )
    # The one-household rule is the database's to enforce: a check here would race a parallel add
    # and surface as an unexplained constraint error instead of the field error below.
    member.full_clean(exclude=["guardian", "id_number_hash"])
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError:
        raise ValidationFailed(
            {"id_number": [_("This person is already a current member of another household.")]}
        ) from None
    if record:
        record_change(
            household=household,
            kind=ChangeKind.MEMBER_ADDED,
            actor=actor,
            member=member,
            occurred_on=occurred_on,
            reason=reason,
        )
    household_refresh_groups(household=household)
    audit.record(actor=actor, action=AuditAction.CREATE, obj=member)
    return member


@transaction.atomic
def member_update(
    *,
    actor: User,
    member: Member,
    reason: str = "",
    occurred_on: dt.date | None = None,
    id_number: str | None = None,
    **data: Any,
) -> Member:
    """Change a member's facts; illness, disability and employment changes are recorded as
    household changes (they can trigger a re-assessment)."""
    require_registry_editor(actor)
    member = Member.objects.select_for_update().select_related("household").get(pk=member.pk)
    household = member.household
    errors: dict[str, list[str]] = {}
    values = {key: data[key] for key in MEMBER_FIELDS if key in data}
    merged = {key: getattr(member, key) for key in MEMBER_FIELDS} | values
    facts = None
    if id_number:
        facts, id_errors = _identity_errors(id_number, exclude_member=member)
        if id_errors:
            errors["id_number"] = id_errors
    errors.update(_cross_field_errors(household, merged, member.birth_date))
    errors.update(_check_single_head(household, merged.get("relation", ""), member))
    if values.get("guardian") is not None and values["guardian"].pk == member.pk:
        errors["guardian"] = [_("A member cannot be their own guardian.")]
    if errors:
        raise ValidationFailed(errors)
    before = {key: getattr(member, key) for key in MEMBER_FIELDS}
    for key, value in _normalise(values).items():
        setattr(member, key, value)
    if "mobile" in merged and merged.get("mobile"):
        member.mobile = merged["mobile"]
    changed = [key for key in MEMBER_FIELDS if before[key] != getattr(member, key)]
    if facts is not None and member.id_number_hash not in crypto.lookup_hashes(facts.number):
        member.id_number_encrypted = crypto.encrypt(facts.number)
        member.id_number_hash = crypto.lookup_hash(facts.number)
        member.id_last4 = facts.number[-4:]
        member.birth_date = facts.birth_date
        member.sex = facts.sex
        changed.append("id_number")
    member.full_clean(exclude=["guardian"])
    member.save()
    kinds = sorted({FIELD_CHANGE_KIND[key] for key in changed if key in FIELD_CHANGE_KIND})
    for kind in kinds:
        record_change(
            household=household,
            kind=kind,
            actor=actor,
            member=member,
            reason=reason,
            occurred_on=occurred_on,
            detail={"fields": [k for k in changed if FIELD_CHANGE_KIND.get(k) == kind]},
        )
    household_refresh_groups(household=household)
    if changed:
        audit.record(actor=actor, action=AuditAction.UPDATE, obj=member, detail={"fields": changed})
    return member


@transaction.atomic
def member_leave(
    *, actor: User, member: Member, died: bool, reason: str, occurred_on: dt.date | None = None
) -> Member:
    """A member leaves the household or has died; the record stays for the history."""
    require_registry_editor(actor)
    member = Member.objects.select_for_update().select_related("household").get(pk=member.pk)
    if not member.is_active:
        raise ValidationFailed({"member": [_("This person is no longer a current member.")]})
    on = occurred_on or timezone.localdate()
    member.is_active = False
    member.left_on = on
    member.left_reason = reason or (_("Died") if died else _("Left the household"))
    member.save(update_fields=["is_active", "left_on", "left_reason", "updated_at"])
    Member.objects.filter(guardian=member).update(guardian=None)
    record_change(
        household=member.household,
        kind=ChangeKind.MEMBER_DIED if died else ChangeKind.MEMBER_LEFT,
        actor=actor,
        member=member,
        occurred_on=on,
        reason=reason,
    )
    household_refresh_groups(household=member.household)
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=member, detail={"left": True})
    return member


def masked_identity_number(member: Member) -> str:
    """What every page, API response and export shows: only the last four characters, which
    need no decryption (so lists and exports never touch the key)."""
    return "*" * 14 + member.id_last4


def member_reveal_identity(*, actor: User, member: Member) -> str:
    """The full identity number, for a role that may see it; every reveal is audited, and so is
    every refusal (not in a transaction: a refusal's record must survive the error it raises)."""
    if not can_reveal_identity(actor):
        audit.record(
            actor=actor,
            action=AuditAction.REVEAL,
            obj=member,
            result=AuditResult.DENIED,
            detail={"field": "id_number"},
        )
        raise PermissionDenied(_("Your role may not see full identity numbers."))
    number = crypto.decrypt(member.id_number_encrypted)
    audit.record(actor=actor, action=AuditAction.REVEAL, obj=member, detail={"field": "id_number"})
    return number
