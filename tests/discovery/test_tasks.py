"""The workspace rows of warnings to verify say what raised each warning."""

import pytest
from django.utils import translation

from factories import EarlyWarningFactory, HouseholdFactory, WarningRuleFactory
from jiuzhu.discovery.tasks import _warning_row

pytestmark = pytest.mark.django_db


def test_two_warnings_about_one_household_read_as_two_different_reasons(areas):
    household = HouseholdFactory(community=areas["yaohua_a"], head_name="蔡蕾")
    medical = WarningRuleFactory(title="医保个人自付超额")
    by_rule = EarlyWarningFactory(household=household, rule=medical)
    by_neighbour = EarlyWarningFactory(household=household, origin="referral", rule=None)
    with translation.override("zh-hans"):
        rows = [_warning_row(by_rule), _warning_row(by_neighbour)]
    assert rows[0].title == rows[1].title == f"#{household.pk} 蔡蕾"
    assert "医保个人自付超额" in rows[0].detail
    assert "医保个人自付超额" not in rows[1].detail
    assert rows[0].detail != rows[1].detail
