"""The demo step makes a second reviewer and applications through the services, once."""

from __future__ import annotations

import pytest

from jiuzhu.core.demo import DemoContext
from jiuzhu.core.models import Role, User
from jiuzhu.evaluation.demo_applications import applications, demo_code
from jiuzhu.evaluation.models import Application

pytestmark = pytest.mark.django_db


def test_the_demo_step_adds_a_reviewer_and_applications_once(actors):
    said: list[str] = []
    context = DemoContext(households=0, seed=1, say=said.append, out=said.append)
    applications(context)
    reviewer = User.objects.get(username="qixia_reviewer")
    assert reviewer.role == Role.DISTRICT_MANAGER and reviewer.is_demo
    # The cast's Qixia has Yaohua and Maqun: the Maqun applicant is the one made.
    made = list(Application.objects.values_list("uscc", "status"))
    assert made == [(demo_code(4), "submitted")]
    applications(context)
    assert Application.objects.count() == 1


def test_demo_codes_are_valid():
    from stdnum.cn import uscc

    from jiuzhu.orders.demo import demo_uscc
    from jiuzhu.orders.demo_bulk import bulk_uscc

    assert all(uscc.is_valid(demo_code(n)) for n in range(1, 20))
    assert all(uscc.is_valid(demo_uscc(n)) and len(demo_uscc(n)) == 18 for n in range(1, 20))
    assert all(uscc.is_valid(bulk_uscc("320113001000", 4711, k)) for k in range(3))
