"""The discovery app's periodic jobs (``jiuzhu worker`` or Celery beat)."""

from jiuzhu.core.jobs import periodic

# Department referrals
from jiuzhu.discovery.services.referrals import referrals_escalate_overdue  # noqa: E402


@periodic("discovery.referrals_escalate", every_seconds=900)
def run_referrals_escalate() -> dict:
    return {"escalated": referrals_escalate_overdue()}


# Imports and warnings
from jiuzhu.discovery.services.signals import warnings_from_signals  # noqa: E402
from jiuzhu.discovery.services.warnings import warnings_escalate_overdue  # noqa: E402


@periodic("discovery.escalate_warnings", every_seconds=900)
def escalate_warnings() -> dict:
    return {"escalated": warnings_escalate_overdue()}


@periodic("discovery.signal_warnings", every_seconds=600)
def signal_warnings() -> dict:
    return {"raised": warnings_from_signals()}


# The hidden-poverty list, precomputed
from jiuzhu.discovery.services.hidden import hidden_poverty_refresh  # noqa: E402


@periodic("discovery.hidden_poverty", every_seconds=900)
def refresh_hidden_poverty() -> dict:
    return {"entries": hidden_poverty_refresh(trigger="job").entries}
