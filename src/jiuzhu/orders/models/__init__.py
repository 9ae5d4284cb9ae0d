from jiuzhu.orders.models.evidence import Confirmation, DeliveryEvidence
from jiuzhu.orders.models.orders import (
    UNFINISHED_STATUSES,
    Channel,
    Complaint,
    ComplaintStatus,
    DeliveryRecord,
    IdempotencyKey,
    Order,
    OrderDecline,
    OrderEvent,
    OrderStatus,
    Rating,
)
from jiuzhu.orders.models.providers import Provider, SupplyType

__all__ = [
    "Channel",
    "Complaint",
    "ComplaintStatus",
    "Confirmation",
    "DeliveryEvidence",
    "DeliveryRecord",
    "IdempotencyKey",
    "Order",
    "OrderDecline",
    "OrderEvent",
    "OrderStatus",
    "UNFINISHED_STATUSES",
    "Provider",
    "Rating",
    "SupplyType",
]
