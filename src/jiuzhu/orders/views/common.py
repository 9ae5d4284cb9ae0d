"""What the cloud supermarket's pages share: who may use which page (from the services' own
role sets), the scoped look-ups that turn "not visible" into 404, and small view models."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jiuzhu.core.errors import NotFound, PermissionDenied
from jiuzhu.core.models import Role, User
from jiuzhu.core.scoping import AREA_ROLES, visible
from jiuzhu.orders import states
from jiuzhu.orders.models import Order, OrderStatus
from jiuzhu.orders.scopes import provider_of
from jiuzhu.orders.selectors.orders import order_get_for
from jiuzhu.orders.services.providers import EDITORS as PROVIDER_EDITORS
from jiuzhu.registry.models import Household
from jiuzhu.registry.services.households import household_get_for

#: Staff who place orders for a household (the beneficiary orders for their own).
ON_BEHALF_ROLES = states.ORDERING_ROLES - {states.BENEFICIARY}
#: Roles that work from the filtered order list and may export it.
LIST_ROLES = frozenset(AREA_ROLES)
OPEN_STATUSES = (OrderStatus.WAITING, OrderStatus.ACCEPTED, OrderStatus.ASSIGNED)

#: How each event on the timeline reads.
EVENT_LABELS = {
    "create": _("Order placed"),
    "accept": _("Accepted"),
    "decline": _("Declined by a provider"),
    "assign": _("Worker assigned"),
    "start": _("Service started"),
    "complete": _("Service completed"),
    "cancel": _("Cancelled"),
    "rate": _("Rated"),
    "complain": _("Complaint"),
}


def can_order_for_households(user: User) -> bool:
    return user.is_authenticated and user.role in ON_BEHALF_ROLES


def can_list(user: User) -> bool:
    return user.is_authenticated and user.role in LIST_ROLES


def can_edit_providers(user: User) -> bool:
    return user.is_authenticated and user.role in PROVIDER_EDITORS


def can_rate(user: User, order: Order, rated: bool) -> bool:
    return user.role in states.RATING_ROLES and order.status == OrderStatus.COMPLETED and not rated


def can_complain(user: User) -> bool:
    return user.role in states.COMPLAINING_ROLES


def order_or_404(user: User, order_id: int) -> Order:
    order = order_get_for(user=user, order_id=order_id)
    if order is None:
        raise NotFound("order")
    return order


def own_household(user: User) -> Household:
    """A beneficiary's household (the one their sign-in is linked to)."""
    account = getattr(user, "beneficiary", None) if user.role == Role.BENEFICIARY else None
    if account is None:
        raise NotFound("household")
    return household_get_for(actor=user, household_id=account.household_id, audit_view=False)


def ordering_household(user: User, household_id: int | None) -> Household:
    """The household an order page is for: the beneficiary's own (no id), or one the staff
    user may see and order for (an id)."""
    if household_id is None:
        return own_household(user)
    household = household_get_for(actor=user, household_id=household_id, audit_view=False)
    if user.role == Role.BENEFICIARY:
        return household
    if not can_order_for_households(user):
        raise PermissionDenied(_("Your role may not place orders."))
    return household


def household_visible(user: User, household_id: int) -> bool:
    return visible(user, Household.objects.filter(pk=household_id)).exists()


def provider_home(user: User) -> str:
    """Where a user's order work starts (to return to after an order leaves their view)."""
    if user.role == Role.PROVIDER_STAFF and provider_of(user) is not None:
        return "orders:inbox"
    if user.role == Role.VOLUNTEER:
        return "orders:tasks"
    if user.role == Role.BENEFICIARY:
        return "orders:my_orders"
    return "orders:order_list"
