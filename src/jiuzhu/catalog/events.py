"""Events the catalogue publishes (see ``jiuzhu.core.events``)."""

from jiuzhu.core.events import declare

ITEM_CHANGED = declare(
    "catalogue.item_changed",
    "A service item was created, edited, deactivated or reactivated. "
    "Payload: item_id, code, fields (names of the fields that changed), active.",
)
