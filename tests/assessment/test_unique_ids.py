"""No two elements of a page share an HTML id (labels and scripts would point at the wrong
field): the assessment form, the household page with its panels, and a plan page with both
the add-a-service and the approval forms."""

import re
from collections import Counter

import pytest
from django.urls import reverse

from assessment_cast import NOT_DEPRIVED
from jiuzhu.assessment.services.assessments import (
    assessment_save,
    assessment_start,
    assessment_submit,
)
from jiuzhu.registry.panels import household_panels

pytestmark = pytest.mark.django_db


def repeated_ids(html: str) -> list[str]:
    ids = re.findall(r'\sid="([^"]+)"', html)
    return sorted(i for i, n in Counter(ids).items() if n > 1)


def test_assessment_household_and_plan_pages_have_unique_ids(client, household, caseworker):
    client.force_login(caseworker)
    assessment = assessment_start(actor=caseworker, household=household)
    assert repeated_ids(client.get(f"/assessment/{assessment.pk}/").content.decode()) == []
    page = client.get(f"/households/{household.pk}/").content.decode()
    for panel in household_panels():
        page += client.get(reverse(panel.url_name, args=[household.pk])).content.decode()
    assert repeated_ids(page) == []
    assessment = assessment_save(actor=caseworker, assessment=assessment, answers=NOT_DEPRIVED)
    assessment_submit(actor=caseworker, assessment=assessment)
    html = client.get(f"/assessment/plans/{assessment.plan.pk}/").content.decode()
    assert 'id="add_note"' in html and 'id="approve_note"' in html
    assert repeated_ids(html) == []
