"""A household's consent (PIPL) to collect and share its information, and its withdrawal."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiuzhu.core import audit
from jiuzhu.core.errors import Conflict, ValidationFailed
from jiuzhu.core.models import AuditAction, User
from jiuzhu.registry import policy
from jiuzhu.registry.models import Consent, ConsentScope, Household
from jiuzhu.registry.services.chain import chain_add

MAX_PHOTO_BYTES = 5 * 1024 * 1024


@transaction.atomic
def consent_record(
    *,
    actor: User,
    household: Household,
    scope: str,
    given_on: dt.date,
    signed_by: str,
    note: str = "",
    form_photo: UploadedFile | None = None,
) -> Consent:
    """Record consent given (on the household's chain and in the audit trail)."""
    policy.require_consent_recorder(actor)
    errors: dict[str, list[str]] = {}
    if scope not in ConsentScope.values:
        errors["scope"] = [_("Choose what the household agreed to.")]
    if not signed_by.strip():
        errors["signed_by"] = [_("Name the person who signed.")]
    if given_on > timezone.localdate():
        errors["given_on"] = [_("The date cannot be in the future.")]
    if errors:
        raise ValidationFailed(errors)
    check_photo(form_photo, field="form_photo")
    consent = Consent(
        household=household,
        scope=scope,
        given_on=given_on,
        signed_by=signed_by.strip(),
        taken_by=actor,
        note=note.strip(),
    )
    if form_photo is not None:
        consent.form_photo = form_photo
    consent.full_clean()
    consent.save()
    chain_add(
        household=household,
        source="consent",
        source_id=consent.pk,
        title=_("Consent recorded: %(scope)s") % {"scope": consent.get_scope_display()},
        detail=consent.signed_by,
        actor=actor,
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=consent,
        detail={"household": household.pk, "scope": scope, "photo": bool(form_photo)},
    )
    return consent


@transaction.atomic
def consent_withdraw(
    *, actor: User, consent: Consent, reason: str, on: dt.date | None = None
) -> Consent:
    """Record that the household withdrew a consent; sharing stops from then on."""
    policy.require_consent_recorder(actor)
    if not reason.strip():
        raise ValidationFailed({"reason": [_("Say why the consent is withdrawn.")]})
    on = on or timezone.localdate()
    if on > timezone.localdate() or on < consent.given_on:
        raise ValidationFailed({"on": [_("Choose a date between the consent and today.")]})
    matched = Consent.objects.filter(pk=consent.pk, withdrawn_on__isnull=True).update(
        withdrawn_on=on, withdrawn_by=actor, withdrawal_reason=reason.strip()[:200]
    )
    if matched != 1:
        raise Conflict("already_withdrawn", _("This consent has already been withdrawn."))
    consent.refresh_from_db()
    chain_add(
        household=consent.household,
        source="consent",
        source_id=consent.pk,
        title=_("Consent withdrawn: %(scope)s") % {"scope": consent.get_scope_display()},
        detail=consent.withdrawal_reason,
        actor=actor,
    )
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=consent,
        detail={"withdrawn": True, "household": consent.household_id},
    )
    return consent


def photo_kind(head: bytes) -> tuple[str, str] | None:
    """(extension, content type) of a JPEG, PNG or WebP image; None otherwise."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg", "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png", "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp", "image/webp"
    return None


def check_photo(
    photo: UploadedFile | None, *, field: str, max_bytes: int = MAX_PHOTO_BYTES
) -> None:
    if photo is None:
        return
    head = photo.read(16)
    photo.seek(0)
    if photo_kind(head) is None:
        raise ValidationFailed({field: [_("Upload a JPEG, PNG or WebP photo.")]})
    if (photo.size or 0) > max_bytes:
        raise ValidationFailed({field: [_("The photo is larger than 5 MB.")]})
