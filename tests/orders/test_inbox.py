"""The provider's inbox for real volumes: search, filters (item, street, urgency, due), sorted
by deadline, the newest order findable at once, paginated."""

import datetime as dt

import pytest
from django.utils import timezone

from jiuzhu.catalog.models import ServiceItem
from jiuzhu.dispatch.models import OrderSla
from jiuzhu.orders.models import Order
from jiuzhu.orders.selectors.inbox import InboxFilters, provider_inbox_filtered
from jiuzhu.orders.services.orders import order_create
from jiuzhu.orders.views.lists import PER_PAGE
from jiuzhu.registry.models import Household

pytestmark = pytest.mark.django_db


@pytest.fixture
def inbox(market, django_capture_on_commit_callbacks):
    """Three waiting orders for provider A: a meal due in 20 hours, a cleaning order due in
    1 hour, a meal overdue by 2 hours (deadlines set by hand)."""
    ServiceItem.objects.update(max_per_week=None, max_per_month=None)
    meal = ServiceItem.objects.get(pk=market["meal"].pk)
    cleaning = ServiceItem.objects.get(pk=market["cleaning"].pk)
    now = timezone.now()
    made = {}
    plan = (("later", meal, 20), ("soon", cleaning, 1), ("late", meal, -2))
    with django_capture_on_commit_callbacks(execute=True):  # deadlines are set on commit
        for name, item, _hours in plan:
            made[name] = order_create(
                actor=market["beneficiary"], household=market["household"], item=item
            )
    for name, _item, hours in plan:
        OrderSla.objects.filter(order=made[name]).update(accept_by=now + dt.timedelta(hours=hours))
    return made


def _numbers(user, **filters):
    return [o.number for o in provider_inbox_filtered(user=user, filters=InboxFilters(**filters))]


def test_the_nearest_deadline_comes_first_and_newest_on_request(inbox, market):
    staff = market["staff_a"]
    assert _numbers(staff) == [inbox["late"].number, inbox["soon"].number, inbox["later"].number]
    assert _numbers(staff, sort="new")[0] == inbox["late"].number  # placed last
    assert _numbers(staff, sort="old")[0] == inbox["later"].number


def test_filters_by_due_item_and_search(inbox, market):
    staff = market["staff_a"]
    assert _numbers(staff, due="overdue") == [inbox["late"].number]
    assert _numbers(staff, due="2h") == [inbox["soon"].number]
    assert _numbers(staff, item=market["cleaning"].pk) == [inbox["soon"].number]
    assert _numbers(staff, q=inbox["later"].number[-7:]) == [inbox["later"].number]
    assert len(_numbers(staff, q="助餐")) == 2
    assert len(_numbers(staff, q="尧化门")) == 3
    assert _numbers(staff, street=market["provider_c"].streets.get().pk) == []


def test_urgency_filter(inbox, market):
    staff = market["staff_a"]
    assert _numbers(staff, urgency="urgent") == []
    Household.objects.filter(pk=market["household"].pk).update(urgency_tag="urgent")
    assert len(_numbers(staff, urgency="urgent")) == 3
    assert len(_numbers(staff, urgency="tagged")) == 3


def test_the_inbox_page_filters_pages_and_marks_new_and_overdue(client, inbox, market):
    client.force_login(market["staff_a"])
    page = client.get("/orders/inbox/").content.decode()
    first = page.index(inbox["late"].number)
    assert first < page.index(inbox["soon"].number) < page.index(inbox["later"].number)
    assert "Overdue: was due by" in page and 'class="tag tag-new"' in page
    page = client.get("/orders/inbox/?due=2h").content.decode()
    assert inbox["soon"].number in page and inbox["late"].number not in page
    page = client.get("/orders/inbox/?q=nothing-like-this").content.decode()
    assert "No waiting order matches these filters." in page
    # nonsense never breaks the page
    assert client.get("/orders/inbox/?item=abc&due=x&sort=y&page=-1").status_code == 200


def test_every_order_is_reachable_page_by_page(client, market):
    ServiceItem.objects.update(max_per_week=None, max_per_month=None)
    meal = ServiceItem.objects.get(pk=market["meal"].pk)
    for _ in range(PER_PAGE + 3):
        order_create(actor=market["beneficiary"], household=market["household"], item=meal)
    client.force_login(market["staff_a"])
    seen = set()
    for n in (1, 2):
        page = client.get(f"/orders/inbox/?sort=new&page={n}").content.decode()
        seen |= {o.number for o in Order.objects.all() if o.number in page}
    assert len(seen) == PER_PAGE + 3


def test_other_providers_see_nothing_of_it(inbox, market):
    assert _numbers(market["staff_c"]) == []
