"""The discovery app's domain events."""

from jiuzhu.core.events import declare

# Imports and warnings
WARNING_RAISED = declare("discovery.warning_raised", "An early warning was raised.")
WARNING_VERIFIED = declare(
    "discovery.warning_verified", "A warning was verified (dismissed, registered, re-assessed)."
)
