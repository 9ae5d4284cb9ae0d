"""The dispatch centre's periodic job (``jiuzhu worker`` or Celery beat)."""

from jiuzhu.core.jobs import periodic
from jiuzhu.dispatch.services.cycle import dispatch_cycle


@periodic("dispatch.cycle", every_seconds=60)
def run_dispatch_cycle() -> dict:
    return dispatch_cycle()
