"""What the cloud supermarket's pages share: the household an order page is for, where a user's
order work starts, and how the timeline reads. Who may do what is ``orders/policy.py``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jiuzhu.core.errors import NotFound, PermissionDenied
from jiuzhu.core.models import Role, User
from jiuzhu.orders import policy
from jiuzhu.orders.models import OrderStatus
from jiuzhu.orders.scopes import provider_of
from jiuzhu.registry.models import Household
from jiuzhu.registry.policy import require_beneficiary
from jiuzhu.registry.services.households import household_get_for

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
    "confirm": _("Service confirmed by the household"),
    "dispute": _("Service disputed by the household"),
}


def own_household(user: User) -> Household:
    """A beneficiary's household (the one their sign-in is linked to)."""
    require_beneficiary(user)
    account = getattr(user, "beneficiary", None)
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
    if not policy.can_order_for_households(user):
        raise PermissionDenied(_("Your role may not place orders."))
    return household


def provider_home(user: User) -> str:
    """Where a user's order work starts (to return to after an order leaves their view)."""
    if user.role == Role.PROVIDER_STAFF and provider_of(user) is not None:
        return "orders:inbox"
    if user.role == Role.VOLUNTEER:
        return "orders:tasks"
    if user.role == Role.BENEFICIARY:
        return "orders:my_orders"
    return "orders:order_list"
