import datetime as dt

import pytest

from factories import UserFactory
from jiuzhu.core.models import Role
from jiuzhu.orders.services.evidence import order_check_in, order_check_out
from jiuzhu.orders.services.orders import order_accept, order_assign, order_create
from jiuzhu.timebank.services.ledger import account_for_volunteer, post_deposit
from market_cast import market  # noqa: F401  (the shared cloud-supermarket fixture)


@pytest.fixture
def inline(django_capture_on_commit_callbacks):
    """``inline(fn, ...)`` runs a service and delivers its events (handlers run on commit)."""

    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


@pytest.fixture
def completed(market, actors, inline):  # noqa: F811 (the fixture imported above)
    """A meal-help order delivered by the actors' volunteer in 90 minutes (not yet confirmed)."""

    def make(volunteer=None, minutes=90):
        volunteer = volunteer or actors["volunteer"]
        order = order_create(
            actor=market["beneficiary"], household=market["household"], item=market["meal"]
        )
        order = order_accept(actor=market["staff_a"], order=order)
        order = order_assign(actor=market["staff_a"], order=order, assignee=volunteer)
        order = order_check_in(actor=volunteer, order=order)
        return inline(
            order_check_out, actor=volunteer, order=order, summary="送餐", duration_minutes=minutes
        )

    return make


@pytest.fixture
def funded(db):
    """An account of a volunteer born ``age`` years ago holding ``minutes``."""

    def make(minutes=600, age=40, username=None):
        today = dt.date.today()
        volunteer = (
            UserFactory(role=Role.VOLUNTEER, username=username)
            if username
            else UserFactory(role=Role.VOLUNTEER)
        )
        account = account_for_volunteer(
            volunteer=volunteer, birth_date=today.replace(year=today.year - age)
        )
        if minutes:
            post_deposit(account=account, minutes=minutes, note="seed", actor=None)
        account.refresh_from_db()
        return account

    return make
