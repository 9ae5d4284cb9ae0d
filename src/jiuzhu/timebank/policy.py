"""What each role may do in the time bank (seeing accounts and deposits is ``scopes.py``'s)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from jiuzhu.core.errors import PermissionDenied
from jiuzhu.core.models import Role, User

#: Who holds an account and moves its hours (transfer to family, donate).
HOLDER_ROLES = frozenset({Role.VOLUNTEER})
#: Who confirms that a volunteer's task took place: the household, its community worker, the
#: provider (always allowed; the only one once a deposit waited too long).
CONFIRMING_ROLES = frozenset({Role.BENEFICIARY, Role.COMMUNITY_WORKER, Role.PROVIDER_STAFF})
#: Who manages the bank's accounts and reads the whole ledger of their area.
MANAGER_ROLES = frozenset({Role.DISTRICT_MANAGER, Role.CITY_ADMIN})
#: Who records a group activity (deposits to every participant at once): the organising
#: provider's staff, and managers.
ACTIVITY_ROLES = frozenset({Role.PROVIDER_STAFF, Role.DISTRICT_MANAGER, Role.CITY_ADMIN})
#: Who opens which kind of account (besides a volunteer's automatic opening at a first task):
#: managers open volunteers' (individual, group) and households' accounts (which receive hours
#: from the donation pool). The holder's side is checked by the service (a volunteer; a household
#: the manager sees).
OPENING_ROLES: dict[str, frozenset[str]] = {
    "individual": MANAGER_ROLES,
    "group": MANAGER_ROLES,
    "household": MANAGER_ROLES,
}
#: Who redeems hours at a provider's counter (for the provider they work for).
COUNTER_ROLES = frozenset({Role.PROVIDER_STAFF})
#: Who grants hours from the donation pool.
POOL_ROLES = MANAGER_ROLES


def can_hold(user: User) -> bool:
    return user.is_authenticated and user.role in HOLDER_ROLES


def require_holder(user: User) -> None:
    if not can_hold(user):
        raise PermissionDenied(_("Only volunteers hold time-bank accounts."))


def can_manage(user: User) -> bool:
    return user.is_authenticated and user.role in MANAGER_ROLES


def require_manager(user: User) -> None:
    if not can_manage(user):
        raise PermissionDenied(_("Only district and city managers manage the time bank."))


def can_confirm(user: User) -> bool:
    return user.is_authenticated and user.role in CONFIRMING_ROLES


def require_confirmer(user: User) -> None:
    if not can_confirm(user):
        raise PermissionDenied(_("Your role may not confirm time-bank deposits."))


def can_list_accounts(user: User) -> bool:
    return user.is_authenticated and user.role in MANAGER_ROLES | HOLDER_ROLES


def require_activity_recorder(user: User) -> None:
    if not can_record_activity(user):
        raise PermissionDenied(_("Your role may not record group activities."))


def can_record_activity(user: User) -> bool:
    return user.is_authenticated and user.role in ACTIVITY_ROLES


def can_open(user: User, kind: str = "") -> bool:
    """May ``user`` open an account of ``kind`` (any kind when not given)?"""
    if not user.is_authenticated:
        return False
    if kind:
        return user.role in OPENING_ROLES.get(kind, frozenset())
    return any(user.role in roles for roles in OPENING_ROLES.values())


def require_opener(user: User, kind: str = "") -> None:
    if not can_open(user, kind):
        raise PermissionDenied(_("Your role may not open this kind of time-bank account."))


def can_redeem_at_counter(user: User) -> bool:
    return user.is_authenticated and user.role in COUNTER_ROLES


def require_counter(user: User) -> None:
    if not can_redeem_at_counter(user):
        raise PermissionDenied(_("Only a provider's staff redeem hours at its counter."))


def can_grant_from_pool(user: User) -> bool:
    return user.is_authenticated and user.role in POOL_ROLES


def require_pool_granter(user: User) -> None:
    if not can_grant_from_pool(user):
        raise PermissionDenied(_("Only district and city managers grant hours from the pool."))
