"""The plans' periodic job (``jiuzhu worker`` or Celery beat): place the orders of approved
plans a few days ahead (``services/schedules.py``)."""

from jiuzhu.assessment.services.schedules import occurrences_generate
from jiuzhu.core.jobs import periodic


@periodic("plans.schedule", every_seconds=3600)
def run_plan_schedule() -> dict:
    return occurrences_generate()
