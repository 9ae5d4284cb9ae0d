"""What each role may do in provider evaluation and settlement (seeing rows is ``scopes.py``'s).

The ``require_*`` checks raise ``core.errors.PermissionDenied`` (403)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from jiuzhu.core.errors import PermissionDenied
from jiuzhu.core.models import Role, User


def _has(user: User, roles: frozenset[str]) -> bool:
    return bool(user.is_authenticated and user.role in roles)


# Projects and settlement
#: Who reads projects, statements and rankings (rows by ``scopes.py``).
PROJECT_READERS = frozenset({Role.DISTRICT_MANAGER, Role.CITY_ADMIN, Role.PROVIDER_STAFF})
#: Who records spot checks, drafts statements and resolves disputes (their district's).
PROJECT_MANAGERS = frozenset({Role.DISTRICT_MANAGER})
#: Who submits a draft statement and disputes its lines (their provider's).
STATEMENT_SUBMITTERS = frozenset({Role.PROVIDER_STAFF})
STATEMENT_APPROVERS = frozenset({Role.DISTRICT_MANAGER})
#: Who sets their district's quality tiers (the district configures them: issue 11).
TIER_EDITORS = frozenset({Role.DISTRICT_MANAGER})
#: Who reads a district's tiers (district managers their own, the city every district's).
TIER_READERS = frozenset({Role.DISTRICT_MANAGER, Role.CITY_ADMIN})
#: Spot checks are the managers' record (providers see their effect in the statement's score).
SPOT_CHECK_READERS = frozenset({Role.DISTRICT_MANAGER, Role.CITY_ADMIN})
#: Rankings and spending figures (district and city).
RANKING_READERS = frozenset({Role.DISTRICT_MANAGER, Role.CITY_ADMIN})


def can_read_projects(user: User) -> bool:
    return _has(user, PROJECT_READERS)


def can_manage_projects(user: User) -> bool:
    return _has(user, PROJECT_MANAGERS)


def can_edit_tiers(user: User) -> bool:
    return _has(user, TIER_EDITORS)


def require_tier_editor(user: User) -> None:
    if not can_edit_tiers(user):
        raise PermissionDenied(_("Only the district's managers set its settlement tiers."))


def can_read_tiers(user: User) -> bool:
    return _has(user, TIER_READERS)


def can_dispute(user: User) -> bool:
    return _has(user, STATEMENT_SUBMITTERS)


def can_read_rankings(user: User) -> bool:
    return _has(user, RANKING_READERS)


def require_project_reader(user: User) -> None:
    if not can_read_projects(user):
        raise PermissionDenied(_("Projects are for district managers and their providers."))


def require_project_manager(user: User) -> None:
    if not can_manage_projects(user):
        raise PermissionDenied(_("Only the district's managers may do this."))


def require_disputer(user: User) -> None:
    if not can_dispute(user):
        raise PermissionDenied(_("Only the provider may dispute its statement."))


def require_ranking_reader(user: User) -> None:
    if not can_read_rankings(user):
        raise PermissionDenied(_("Rankings are for district and city managers."))


def can_read_spot_checks(user: User) -> bool:
    return _has(user, SPOT_CHECK_READERS)


def require_spot_check_reader(user: User) -> None:
    if not can_read_spot_checks(user):
        raise PermissionDenied(_("Spot checks are for district and city managers."))


# Applications and screening
#: Who reads applications to join the alliance (their district's; the city all).
APPLICATION_READERS = frozenset({Role.DISTRICT_MANAGER, Role.CITY_ADMIN})
#: Who scores applications (each independently, once).
REVIEWERS = frozenset({Role.DISTRICT_MANAGER})
#: Who shortlists, approves and rejects applications.
APPLICATION_DECIDERS = frozenset({Role.DISTRICT_MANAGER})
#: Who sets their district's scorecard (criteria and weights).
SCORECARD_EDITORS = frozenset({Role.DISTRICT_MANAGER})


def _application_role(user: User, roles: frozenset[str]) -> bool:
    return bool(user.is_authenticated and user.role in roles)


def can_read_applications(user: User) -> bool:
    return _application_role(user, APPLICATION_READERS)


def can_review_applications(user: User) -> bool:
    return _application_role(user, REVIEWERS)


def can_decide_applications(user: User) -> bool:
    return _application_role(user, APPLICATION_DECIDERS)


def can_edit_scorecard(user: User) -> bool:
    return _application_role(user, SCORECARD_EDITORS)


def require_application_reader(user: User) -> None:
    if not can_read_applications(user):
        raise PermissionDenied(
            _("Only district managers and city administrators see applications.")
        )


def require_reviewer(user: User) -> None:
    if not can_review_applications(user):
        raise PermissionDenied(_("Only district managers review applications."))


def require_scorecard_editor(user: User) -> None:
    if not can_edit_scorecard(user):
        raise PermissionDenied(_("Only district managers set their district's scorecard."))


def require_application_decider(user: User) -> None:
    if not can_decide_applications(user):
        raise PermissionDenied(_("Only district managers decide on applications."))


def require_application_district(user: User, district_id: int) -> None:
    """A district manager acts on their own district's applications and scorecard only."""
    if user.area_id != district_id:
        raise PermissionDenied(_("This application belongs to another district."))


# The monthly district report (evaluation/selectors/monthly.py)
REPORT_READERS = frozenset({Role.DISTRICT_MANAGER, Role.CITY_ADMIN})


def can_read_monthly_report(user: User) -> bool:
    return _has(user, REPORT_READERS)


def require_monthly_report_reader(user: User) -> None:
    if not can_read_monthly_report(user):
        raise PermissionDenied(_("The monthly report is for district and city managers."))
