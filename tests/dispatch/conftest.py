import pytest

from jiuzhu.orders.models import Order
from jiuzhu.orders.services.orders import order_create
from market_cast import market  # noqa: F401  (the shared cloud-supermarket fixture)


@pytest.fixture
def place(market, django_capture_on_commit_callbacks):  # noqa: F811
    """Place an order (the market's household and 助餐 unless told otherwise: an item is a key
    of the market or a ServiceItem); its deadlines are set by the order.created handler after
    commit, as in production. Returns the order with its clock, household and item loaded."""

    def place(item="meal", household=None, actor=None):
        with django_capture_on_commit_callbacks(execute=True):
            order = order_create(
                actor=actor or market["beneficiary"],
                household=household or market["household"],
                item=market[item] if isinstance(item, str) else item,
            )
        return Order.objects.select_related("sla", "household", "item").get(pk=order.pk)

    return place
