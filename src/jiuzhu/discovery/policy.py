"""What each role may do in active discovery (seeing records is ``scopes.py``'s job).

The one place for the discovery app's role sets and ``can_*`` / ``require_*`` checks: services
enforce them; views, the API and navigation import them.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from jiuzhu.core.errors import PermissionDenied
from jiuzhu.core.models import Role, User

# Department referrals
#: Who refers a plan's material assistance to a department, and withdraws it (the street
#: caseworker, who approves plans: assessment.policy.APPROVERS).
REFERRAL_SENDERS = frozenset({Role.STREET_CASEWORKER})
#: Who answers referrals: the staff of the department they were sent to.
REFERRAL_ANSWERERS = frozenset({Role.DEPARTMENT})
#: Who reads referrals to departments (departments their own, area staff their area's).
REFERRAL_READERS = frozenset(
    {
        Role.DEPARTMENT,
        Role.COMMUNITY_WORKER,
        Role.STREET_CASEWORKER,
        Role.DISTRICT_MANAGER,
        Role.CITY_ADMIN,
    }
)
#: Who reads the hidden-poverty list (street, district and city; it names households).
HIDDEN_POVERTY_READERS = frozenset({Role.STREET_CASEWORKER, Role.DISTRICT_MANAGER, Role.CITY_ADMIN})


#: Who says which department receives which kind of assistance (city: all districts; district
#: managers: their own).
DESK_EDITORS = frozenset({Role.CITY_ADMIN, Role.DISTRICT_MANAGER})


def _has(user: User, roles: frozenset[str]) -> bool:
    return bool(user.is_authenticated and user.role in roles)


def can_read_referrals(user: User) -> bool:
    return _has(user, REFERRAL_READERS)


def can_send_referrals(user: User) -> bool:
    return _has(user, REFERRAL_SENDERS)


def can_answer_referral(user: User, referral) -> bool:
    """A department's staff answer the referrals sent to their own department."""
    return _has(user, REFERRAL_ANSWERERS) and referral.department_id == user.organisation_id


def can_read_hidden_poverty(user: User) -> bool:
    return _has(user, HIDDEN_POVERTY_READERS)


def require_referral_reader(user: User) -> None:
    if not can_read_referrals(user):
        raise PermissionDenied(_("Referrals to departments are for departments and area staff."))


def require_referral_sender(user: User) -> None:
    if not can_send_referrals(user):
        raise PermissionDenied(_("Referrals to departments are sent by the street caseworker."))


def require_referral_answerer(user: User, referral) -> None:
    if not can_answer_referral(user, referral):
        raise PermissionDenied(_("Only the department a referral was sent to answers it."))


def require_hidden_poverty_reader(user: User) -> None:
    if not can_read_hidden_poverty(user):
        raise PermissionDenied(
            _("The hidden-poverty list is for street caseworkers and civil-affairs managers.")
        )


def can_edit_desks(user: User) -> bool:
    return _has(user, DESK_EDITORS)


def require_desk_editor(user: User, district=None) -> None:
    """The city administrator for any district; a district manager for their own."""
    if not can_edit_desks(user):
        raise PermissionDenied(_("Departments' desks are set by civil-affairs managers."))
    if district is not None and user.role == Role.DISTRICT_MANAGER and district.pk != user.area_id:
        raise PermissionDenied(_("You set the desks of your own district only."))


# Imports and warnings
#: Who imports department files (by the page, the command or the API) and reads the batches.
IMPORTERS = frozenset({Role.DEPARTMENT, Role.DISTRICT_MANAGER, Role.CITY_ADMIN})
#: Who reads the verification queue (each their area's warnings, or those assigned to them).
WARNING_READERS = frozenset(
    {
        Role.COMMUNITY_WORKER,
        Role.STREET_CASEWORKER,
        Role.DISTRICT_MANAGER,
        Role.CITY_ADMIN,
        Role.VOLUNTEER,
    }
)
#: Who visits and records the outcome (a volunteer or an insurer's surveyor only when assigned).
VERIFIERS = frozenset(
    {Role.COMMUNITY_WORKER, Role.STREET_CASEWORKER, Role.DISTRICT_MANAGER, Role.VOLUNTEER}
)
#: Who hands a warning to a community worker, volunteer or surveyor.
ASSIGNERS = frozenset({Role.STREET_CASEWORKER, Role.DISTRICT_MANAGER})
#: Who configures the early-warning rules (new versions); who reads them.
RULE_EDITORS = frozenset({Role.CITY_ADMIN})
RULE_READERS = frozenset({Role.CITY_ADMIN, Role.DISTRICT_MANAGER, Role.STREET_CASEWORKER})
#: Who refers a neighbour ("帮邻居报一下").
REFERRERS = frozenset(
    {
        Role.BENEFICIARY,
        Role.VOLUNTEER,
        Role.COMMUNITY_WORKER,
        Role.STREET_CASEWORKER,
        Role.HOTLINE_OPERATOR,
    }
)
#: Who sees the discovery boxes on the household page (area staff who see households; the
#: volunteer and the department see no household page).
HOUSEHOLD_BOX_ROLES = frozenset(
    {Role.COMMUNITY_WORKER, Role.STREET_CASEWORKER, Role.DISTRICT_MANAGER, Role.CITY_ADMIN}
)
#: Who sees the referral network (who refers, conversion): the district office.
NETWORK_VIEWERS = frozenset({Role.DISTRICT_MANAGER, Role.CITY_ADMIN})


def _require(user: User, roles: frozenset[str], message: str) -> None:
    if getattr(user, "role", None) not in roles:
        raise PermissionDenied(message)


def can_import(user: User) -> bool:
    return user.role in IMPORTERS


def require_importer(user: User) -> None:
    _require(user, IMPORTERS, _("Only partner departments and civil-affairs managers import data."))


def require_warning_reader(user: User) -> None:
    _require(user, WARNING_READERS, _("Your role has no verification queue."))


def can_verify(user: User, warning) -> bool:  # type: ignore[no-untyped-def]
    if user.role not in VERIFIERS:
        return False
    return user.role != Role.VOLUNTEER or warning.assignee_id == user.pk


def require_verifier(user: User, warning) -> None:  # type: ignore[no-untyped-def]
    if not can_verify(user, warning):
        raise PermissionDenied(_("You may not record the outcome of this warning."))


def can_assign(user: User) -> bool:
    return user.role in ASSIGNERS


def require_assigner(user: User) -> None:
    _require(user, ASSIGNERS, _("Only street caseworkers and district managers assign warnings."))


def require_rule_reader(user: User) -> None:
    _require(user, RULE_READERS, _("Your role does not see the early-warning rules."))


def can_edit_rules(user: User) -> bool:
    return user.role in RULE_EDITORS


def require_rule_editor(user: User) -> None:
    _require(user, RULE_EDITORS, _("Only the city administrator configures warning rules."))


def can_refer(user: User) -> bool:
    return user.role in REFERRERS


def require_referrer(user: User) -> None:
    _require(user, REFERRERS, _("Your role does not refer neighbours."))


def require_network_viewer(user: User) -> None:
    _require(user, NETWORK_VIEWERS, _("Only the district office sees the referral network."))
