"""What each role may do in the cloud supermarket (seeing orders is ``scopes.py``'s job).

The one place for the supermarket's role sets and ``can_*`` / ``require_*`` checks: the state
machine (``states.py``) takes its roles from here, the services enforce these checks, and views,
the API, navigation and templates import them to decide what to show.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from jiuzhu.core.errors import PermissionDenied
from jiuzhu.core.models import Role, User
from jiuzhu.core.scoping import AREA_ROLES, visible
from jiuzhu.orders.models import Order, OrderStatus, Provider
from jiuzhu.orders.scopes import provider_of
from jiuzhu.registry.models import Household

#: Who places orders (a beneficiary for their own household, staff on a household's behalf);
#: they may also cancel them.
ORDERING_ROLES = frozenset(
    {Role.BENEFICIARY, Role.COMMUNITY_WORKER, Role.HOTLINE_OPERATOR, Role.STREET_CASEWORKER}
)
#: Staff who place orders for a household (the beneficiary orders for their own).
ON_BEHALF_ROLES = ORDERING_ROLES - {Role.BENEFICIARY}
CANCELLING_ROLES = ORDERING_ROLES
RATING_ROLES = frozenset({Role.BENEFICIARY, Role.COMMUNITY_WORKER, Role.HOTLINE_OPERATOR})
COMPLAINING_ROLES = RATING_ROLES
#: Who accepts, declines and assigns orders for a provider.
PROVIDER_ROLES = frozenset({Role.PROVIDER_STAFF})
#: Who checks in and out of a service visit.
DELIVERING_ROLES = frozenset({Role.PROVIDER_STAFF, Role.VOLUNTEER})
#: Who works from their own task list (orders assigned to them or their provider's).
TASK_ROLES = DELIVERING_ROLES
#: Who has a "my orders" list (a household's orders, or those its provider has taken).
MY_ORDERS_ROLES = frozenset({Role.BENEFICIARY, Role.PROVIDER_STAFF})
#: Roles that work from the filtered order list and may export it.
LIST_ROLES = frozenset(AREA_ROLES)
#: Who confirms or disputes that a service took place: the household and its community worker.
CONFIRMING_ROLES = frozenset({Role.BENEFICIARY, Role.COMMUNITY_WORKER})
#: Who decides whether a complaint is upheld: those who handle the hotline's tickets (the
#: dispatch centre's ``TICKET_HANDLERS``; ``tests/orders/test_complaint_verdicts.py`` keeps the two
#: sets equal). Only upheld complaints count against a provider's quality in settlement.
COMPLAINT_JUDGES = frozenset({Role.HOTLINE_OPERATOR, Role.DISTRICT_MANAGER, Role.STREET_CASEWORKER})
#: Who registers and edits providers.
PROVIDER_EDITORS = frozenset({Role.DISTRICT_MANAGER, Role.CITY_ADMIN})


def can_see_tasks(user: User) -> bool:
    return user.is_authenticated and user.role in TASK_ROLES


def require_task_role(user: User) -> None:
    if not can_see_tasks(user):
        raise PermissionDenied(_("Tasks are for volunteers and provider staff."))


def can_order(user: User) -> bool:
    return user.is_authenticated and user.role in ORDERING_ROLES


def can_order_for_households(user: User) -> bool:
    return user.is_authenticated and user.role in ON_BEHALF_ROLES


def can_list(user: User) -> bool:
    return user.is_authenticated and user.role in LIST_ROLES


def can_edit_providers(user: User) -> bool:
    return user.is_authenticated and user.role in PROVIDER_EDITORS


def can_rate(user: User, order: Order, rated: bool) -> bool:
    return user.role in RATING_ROLES and order.status == OrderStatus.COMPLETED and not rated


def can_complain(user: User) -> bool:
    return user.role in COMPLAINING_ROLES


def may_order_for(user: User, household: Household) -> bool:
    """The user sees the household (its own, for a beneficiary)."""
    return visible(user, Household.objects.filter(pk=household.pk)).exists()


def may_act_for_household(user: User, order: Order) -> bool:
    """The user sees the order's household (cancel, rate, complain; and the household link)."""
    return visible(user, Household.objects.filter(pk=order.household_id)).exists()


def delivers(user: User, order: Order) -> bool:
    """The provider holding the order, or the worker assigned to it, gets the address and phone
    (what delivery needs) — not the household record."""
    if user.role == Role.VOLUNTEER:
        return order.assignee_id == user.pk
    provider = provider_of(user) if user.role == Role.PROVIDER_STAFF else None
    return provider is not None and order.provider_id == provider.pk


def require_ordering_role(user: User) -> None:
    if not can_order(user):
        raise PermissionDenied(_("Your role may not place orders."))


def require_provider_editor(user: User) -> None:
    if not can_edit_providers(user):
        raise PermissionDenied(
            _("Only district managers and city administrators manage providers.")
        )


def require_own_provider(user: User, order: Order) -> Provider:
    """The user's provider, which must hold the order."""
    provider = provider_of(user)
    if provider is None or order.provider_id != provider.pk:
        raise PermissionDenied(_("This order belongs to another provider."))
    return provider


def require_deliverer(user: User, order: Order) -> None:
    """A volunteer assigned to the order, or staff of the provider holding it."""
    if user.role == Role.VOLUNTEER:
        if order.assignee_id != user.pk:
            raise PermissionDenied(_("This task is assigned to someone else."))
    else:
        require_own_provider(user, order)


def can_confirm_delivery(user: User) -> bool:
    return user.is_authenticated and user.role in CONFIRMING_ROLES


def require_confirmer(user: User) -> None:
    if not can_confirm_delivery(user):
        raise PermissionDenied(_("Only the household or its community worker confirms a service."))


def can_judge_complaints(user: User) -> bool:
    return bool(user.is_authenticated and user.role in COMPLAINT_JUDGES)
