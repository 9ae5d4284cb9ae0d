"""The dashboards' periodic job: refresh the current figures, take last month's snapshot."""

from jiuzhu.analytics.services.snapshots import analytics_cycle
from jiuzhu.core.jobs import periodic


@periodic("analytics.snapshots", 3600)
def snapshots() -> dict[str, int]:
    return analytics_cycle()
