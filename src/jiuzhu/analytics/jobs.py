"""The dashboards' periodic jobs (``jiuzhu worker`` or Celery beat): every few minutes the
figures the pages read (stocks, flows, provider ranking: a handful of grouped queries); every
hour also the poverty measures and the supply gap, and last month's snapshot when missing."""

from jiuzhu.analytics.services.snapshots import analytics_cycle, figures_refresh
from jiuzhu.core.jobs import periodic

#: How often the dashboards' figures are refreshed; the page says when they were computed.
LIVE_EVERY_SECONDS = 300


@periodic("analytics.snapshots", 3600)
def snapshots() -> dict[str, int]:
    return analytics_cycle()


@periodic("analytics.figures", LIVE_EVERY_SECONDS)
def live_figures() -> dict[str, int]:
    return {"current": figures_refresh(slow=False)}
