"""Events the cloud supermarket publishes (see ``jiuzhu.core.events``). Payload: order_id,
household_id, and for accepted/completed the provider_id."""

from jiuzhu.core.events import declare

ORDER_CREATED = declare("order.created", "An order was placed.")
ORDER_ACCEPTED = declare("order.accepted", "A provider accepted an order.")
ORDER_DECLINED = declare("order.declined", "A provider declined a waiting order.")
ORDER_STARTED = declare("order.started", "Service on an order started (check-in).")
ORDER_COMPLETED = declare("order.completed", "An order was completed (check-out).")
ORDER_CANCELLED = declare("order.cancelled", "An order was cancelled.")
ORDER_CONFIRMED = declare(
    "order.confirmed",
    "The household (or its community worker) confirmed that a completed service took place "
    "(payload adds confirmed_by).",
)
ORDER_RATED = declare("order.rated", "A household rated a completed order.")
ORDER_COMPLAINED = declare("order.complained", "A complaint was made about an order.")
