"""The demo step gives the demo volunteer a few months of history and a consistent ledger."""

import pytest

from factories import UserFactory
from jiuzhu.core.demo import DemoContext
from jiuzhu.core.models import Role
from jiuzhu.timebank.demo import time_bank
from jiuzhu.timebank.models import Movement
from jiuzhu.timebank.selectors.accounts import ledger_verify

pytestmark = pytest.mark.django_db


def test_the_demo_step_builds_a_consistent_ledger_once():
    UserFactory(role=Role.VOLUNTEER, is_demo=True)
    context = DemoContext(households=0, seed=1, say=lambda _: None, out=lambda _: None)
    time_bank(context)
    kinds = set(Movement.objects.values_list("kind", flat=True))
    assert kinds == {"deposit", "transfer", "donation", "redemption"}
    assert ledger_verify().ok
    count = Movement.objects.count()
    time_bank(context)
    assert Movement.objects.count() == count
