"""What each role may do to registry records (seeing them is ``scopes.py``'s job)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jiuzhu.core.errors import PermissionDenied
from jiuzhu.core.models import Role, User

REGISTRY_EDITORS = frozenset(
    {Role.COMMUNITY_WORKER, Role.STREET_CASEWORKER, Role.DISTRICT_MANAGER, Role.CITY_ADMIN}
)
IDENTITY_REVEALERS = REGISTRY_EDITORS | {Role.ASSESSOR}
ASSIGNERS = frozenset({Role.STREET_CASEWORKER, Role.DISTRICT_MANAGER})


def can_edit_registry(user: User) -> bool:
    return user.is_authenticated and user.role in REGISTRY_EDITORS


def require_registry_editor(user: User) -> None:
    if not can_edit_registry(user):
        raise PermissionDenied(_("Your role may not change the household registry."))


def can_reveal_identity(user: User) -> bool:
    """Hotline operators work with masked numbers only (DOMAIN.md)."""
    return user.is_authenticated and user.role in IDENTITY_REVEALERS


def can_assign(user: User) -> bool:
    return user.is_authenticated and user.role in ASSIGNERS


def can_export(user: User) -> bool:
    return user.is_authenticated and user.role in REGISTRY_EDITORS


# --- Casework (case notes and visits, consent, transfers, the frontline team) --------------

#: Who writes case notes and visit records (assessors record their home visits too).
NOTE_WRITERS = REGISTRY_EDITORS | {Role.ASSESSOR}
#: Who reads sensitive notes: the street caseworker and above (and each note's author).
SENSITIVE_NOTE_READERS = frozenset({Role.STREET_CASEWORKER, Role.DISTRICT_MANAGER, Role.CITY_ADMIN})
#: Who records a household's consent, or its withdrawal.
CONSENT_RECORDERS = REGISTRY_EDITORS
#: The sending side of a transfer, and the receiving side that accepts or refuses it.
TRANSFER_SENDERS = frozenset({Role.STREET_CASEWORKER, Role.DISTRICT_MANAGER, Role.CITY_ADMIN})
TRANSFER_RECEIVERS = TRANSFER_SENDERS
#: The frontline team (救助小管家) and who looks after it.
FRONTLINE_ROLES = frozenset({Role.COMMUNITY_WORKER, Role.STREET_CASEWORKER})
TEAM_MANAGERS = frozenset({Role.DISTRICT_MANAGER, Role.CITY_ADMIN})


def can_write_notes(user: User) -> bool:
    return user.is_authenticated and user.role in NOTE_WRITERS


def require_note_writer(user: User) -> None:
    if not can_write_notes(user):
        raise PermissionDenied(_("Your role may not write case notes."))


def can_read_sensitive_notes(user: User) -> bool:
    return user.is_authenticated and user.role in SENSITIVE_NOTE_READERS


def can_record_consent(user: User) -> bool:
    return user.is_authenticated and user.role in CONSENT_RECORDERS


def require_consent_recorder(user: User) -> None:
    if not can_record_consent(user):
        raise PermissionDenied(_("Your role may not record consent."))


def can_request_transfer(user: User) -> bool:
    return user.is_authenticated and user.role in TRANSFER_SENDERS


def require_transfer_sender(user: User) -> None:
    if not can_request_transfer(user):
        raise PermissionDenied(_("Your role may not transfer households."))


def can_manage_team(user: User) -> bool:
    return user.is_authenticated and user.role in TEAM_MANAGERS


def require_team_manager(user: User) -> None:
    if not can_manage_team(user):
        raise PermissionDenied(_("Only district managers look after the frontline team."))


def require_beneficiary(user: User) -> None:
    """A household's own pages (my household, my services, the supermarket without a household
    in the address) are for the household's sign-in; staff are refused, not sent to some
    household of their area."""
    if not (user.is_authenticated and user.role == Role.BENEFICIARY):
        raise PermissionDenied(
            _("This page is a household's own. Staff open a household's page from the registry.")
        )


def sees_office_figures(user: User) -> bool:
    """The office's classification of a household (tier, groups, urgency tag) and its money
    figures (income, medical and education spending) are working facts for staff. The household
    itself is never shown them — on its pages or through the API (issue 10: a home that speaks to
    the household, not about it)."""
    return not (user.is_authenticated and user.role == Role.BENEFICIARY)
