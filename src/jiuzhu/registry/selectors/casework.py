"""Reading case notes, visits, follow-ups, consents and transfers, always through scoping."""

from __future__ import annotations

import datetime as dt

from django.db.models import BooleanField, Case, Q, QuerySet, Value, When
from django.utils import timezone

from jiuzhu.core.errors import NotFound
from jiuzhu.core.models import User
from jiuzhu.core.scoping import visible
from jiuzhu.registry.models import (
    VISIT_KINDS,
    CaseNote,
    Consent,
    ConsentScope,
    Household,
    Transfer,
    TransferStatus,
)


def household_notes(*, user: User, household: Household, visits_only: bool = False) -> QuerySet:
    """The household's notes (or only its visits) that ``user`` may read, newest first."""
    notes = visible(user, CaseNote.objects.filter(household=household)).select_related(
        "author", "follow_up_done_by"
    )
    if visits_only:
        notes = notes.filter(kind__in=VISIT_KINDS)
    return with_overdue(notes).order_by("-occurred_on", "-id")


def note_get_for(*, user: User, note_id: int) -> CaseNote:
    note = (
        visible(user, CaseNote.objects.all())
        .select_related("household", "author")
        .filter(pk=note_id)
        .first()
    )
    if note is None:
        raise NotFound("case_note")
    return note


def with_overdue(notes: QuerySet, on: dt.date | None = None) -> QuerySet:
    """Annotate ``overdue``: a follow-up not done whose date has passed."""
    on = on or timezone.localdate()
    return notes.annotate(
        overdue=Case(
            When(Q(follow_up_on__lt=on, follow_up_done_at__isnull=True), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def followups_due_for(user: User, *, on: dt.date | None = None) -> QuerySet:
    """The follow-ups that are ``user``'s tasks on ``on`` (default today): notes and visits
    they wrote whose follow-up date has come and that are not done, on households they still
    see, earliest first; ``overdue`` marks those whose date has passed. One query; count it or
    slice it (the workspace registers this as a task source)."""
    on = on or timezone.localdate()
    notes = visible(
        user,
        CaseNote.objects.filter(author=user, follow_up_on__lte=on, follow_up_done_at__isnull=True),
    ).select_related("household", "household__community")
    return with_overdue(notes, on).order_by("follow_up_on", "id")


def household_consents(*, user: User, household: Household) -> QuerySet:
    return visible(user, Consent.objects.filter(household=household)).select_related(
        "taken_by", "withdrawn_by"
    )


def consent_get_for(*, user: User, consent_id: int) -> Consent:
    consent = (
        visible(user, Consent.objects.all()).select_related("household").filter(pk=consent_id)
    ).first()
    if consent is None:
        raise NotFound("consent")
    return consent


def household_has_sharing_consent(household: Household | int) -> bool:
    """Whether the household has a consent to share its information with partner departments
    that has not been withdrawn (discovery checks this before sharing)."""
    household_id = household if isinstance(household, int) else household.pk
    return Consent.objects.filter(
        household_id=household_id, scope=ConsentScope.SHARE, withdrawn_on__isnull=True
    ).exists()


TRANSFER_DIRECTIONS = ("incoming", "outgoing")


def transfer_list(
    *, user: User, direction: str = "", status: str = "", household: int | None = None
) -> QuerySet:
    """Transfers ``user`` sees (sending or receiving side), newest first. ``incoming`` keeps
    those into the user's area, ``outgoing`` those out of it."""
    from jiuzhu.core.selectors.areas import areas_within

    transfers = visible(user, Transfer.objects.all()).select_related(
        "household",
        "from_street",
        "from_community",
        "to_street",
        "to_community",
        "requested_by",
        "decided_by",
    )
    if direction == "incoming":
        transfers = transfers.filter(to_community__in=areas_within(user))
    elif direction == "outgoing":
        transfers = transfers.filter(from_community__in=areas_within(user))
    if status in TransferStatus.values:
        transfers = transfers.filter(status=status)
    if household:
        transfers = transfers.filter(household_id=household)
    return transfers.order_by("-requested_at", "-id")


def transfer_get_for(*, user: User, transfer_id: int) -> Transfer:
    transfer = transfer_list(user=user).filter(pk=transfer_id).first()
    if transfer is None:
        raise NotFound("transfer")
    return transfer
