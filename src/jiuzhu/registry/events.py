"""Events the registry publishes (see ``jiuzhu.core.events``)."""

from jiuzhu.core.events import declare

HOUSEHOLD_CHANGED = declare(
    "household.changed",
    "A household's circumstances changed (member added, left or died; income, illness, "
    "disability or employment changed). Payload: household_id, change_id, kind.",
)
HOUSEHOLD_REGISTERED = declare(
    "household.registered", "A household was registered. Payload: household_id."
)
HOUSEHOLD_TRANSFERRED = declare(
    "household.transferred",
    "A household was transferred to another street and accepted there (its areas changed). "
    "Payload: transfer_id, household_id, from_street_id, to_street_id.",
)
