import datetime as dt
from decimal import Decimal

import pytest

from jiuzhu.assessment.services.defaults import framework_load_default
from jiuzhu.catalog.services import catalogue_load_defaults
from jiuzhu.core.models import DibaoLine


@pytest.fixture
def configured(areas):
    """The default catalogue and framework, and a dibao line of 1,000 yuan in Qixia."""
    catalogue_load_defaults()
    DibaoLine.objects.create(
        district=areas["qixia"],
        monthly_amount=Decimal("1000"),
        effective_from=dt.date(2024, 1, 1),
    )
    return framework_load_default()


@pytest.fixture
def household(configured, areas, actors, caseworker):
    """A couple in 尧化门 living on 1,500 yuan a month: the head (52) out of work, his wife (50)
    seriously ill and out of work; assigned to the assessor."""
    from factories import HouseholdAssignmentFactory
    from factories_registry import add_member, make_household

    household = make_household(actor=caseworker, community=areas["yaohua_a"], income="1500")
    add_member(actor=caseworker, household=household, name="王强", age=52, employment="unemployed")
    add_member(
        actor=caseworker,
        household=household,
        relation="spouse",
        age=50,
        employment="unemployed",
        name="李芳",
        illness="serious",
        illness_note="癌症",
    )
    HouseholdAssignmentFactory(
        household=household, assignee=actors["assessor"], created_by=caseworker
    )
    return household
