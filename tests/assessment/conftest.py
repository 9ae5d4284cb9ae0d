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
