"""Case notes and visit records on a household, and their follow-ups."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiuzhu.core import audit
from jiuzhu.core.errors import Conflict, ValidationFailed
from jiuzhu.core.models import AuditAction, User
from jiuzhu.registry import policy
from jiuzhu.registry.models import VISIT_KINDS, CaseNote, Household, HouseholdStatus, NoteKind
from jiuzhu.registry.services.chain import chain_add

#: How far back a note may be dated, and how far ahead a follow-up may be set.
MAX_BACKDATE_DAYS = 366
MAX_FOLLOW_UP_DAYS = 366


@transaction.atomic
def note_create(
    *,
    actor: User,
    household: Household,
    kind: str,
    occurred_on: dt.date,
    findings: str,
    next_step: str = "",
    follow_up_on: dt.date | None = None,
    sensitive: bool = False,
    visits_only: bool = False,
) -> CaseNote:
    """Write a case note or a visit record; a visit goes on the assistance chain (a sensitive
    one without its content). ``visits_only`` refuses a plain note (the visits endpoint)."""
    policy.require_note_writer(actor)
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    if kind not in NoteKind.values or (visits_only and kind not in VISIT_KINDS):
        errors["kind"] = [_("Choose the kind of contact.")]
    if not findings.strip():
        errors["findings"] = [_("Write down what was found.")]
    if occurred_on > today:
        errors["occurred_on"] = [_("The date cannot be in the future.")]
    elif occurred_on < today - dt.timedelta(days=MAX_BACKDATE_DAYS):
        errors["occurred_on"] = [_("The date is more than a year ago.")]
    if follow_up_on is not None and not (
        occurred_on <= follow_up_on <= today + dt.timedelta(days=MAX_FOLLOW_UP_DAYS)
    ):
        errors["follow_up_on"] = [_("Choose a follow-up date after the contact, within a year.")]
    if household.status != HouseholdStatus.ACTIVE and follow_up_on is not None:
        errors["follow_up_on"] = [_("The household has exited: no follow-up can be set.")]
    if errors:
        raise ValidationFailed(errors)
    note = CaseNote(
        household=household,
        kind=kind,
        occurred_on=occurred_on,
        author=actor,
        findings=findings.strip(),
        next_step=next_step.strip(),
        follow_up_on=follow_up_on,
        sensitive=sensitive,
    )
    note.full_clean()
    note.save()
    if note.kind in VISIT_KINDS:
        chain_add(
            household=household,
            source="casework",
            source_id=note.pk,
            title=str(note.get_kind_display()),
            detail="" if sensitive else note.next_step,
            actor=actor,
        )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=note,
        detail={"household": household.pk, "kind": kind, "sensitive": sensitive},
    )
    return note


@transaction.atomic
def note_follow_up_done(*, actor: User, note: CaseNote) -> CaseNote:
    """Mark a note's follow-up as done (its task disappears)."""
    policy.require_note_writer(actor)
    if note.follow_up_on is None:
        raise ValidationFailed({"follow_up_on": [_("This note has no follow-up.")]})
    now = timezone.now()
    matched = CaseNote.objects.filter(pk=note.pk, follow_up_done_at__isnull=True).update(
        follow_up_done_at=now, follow_up_done_by=actor
    )
    if matched != 1:
        raise Conflict("already_done", _("This follow-up is already done."))
    note.refresh_from_db()
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=note, detail={"follow_up": "done"})
    return note


def notes_read(*, actor: User, household: Household, notes: list[CaseNote]) -> list[CaseNote]:
    """Audit that ``actor`` read the household's notes (as the household page view is)."""
    if notes:
        audit.record(
            actor=actor,
            action=AuditAction.VIEW,
            obj=household,
            detail={
                "case_notes": len(notes),
                "sensitive": sum(1 for note in notes if note.sensitive),
            },
        )
    return notes
