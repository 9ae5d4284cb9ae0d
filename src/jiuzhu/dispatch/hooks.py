"""What the dispatch centre tells the cloud supermarket: a waiting order's deadline (its
acceptance deadline, for the providers' inbox) and the hotline ticket a complaint became."""

from __future__ import annotations

from django.db.models import F

from jiuzhu.dispatch.models import Ticket
from jiuzhu.orders.followups import Receipt, register_complaint_receipt
from jiuzhu.orders.selectors.inbox import register_deadline

register_deadline(lambda orders: orders.annotate(deadline=F("sla__accept_by")))


def _receipt(complaint) -> Receipt | None:
    ticket = Ticket.objects.filter(complaint=complaint).only("number", "respond_by").first()
    return Receipt(ticket.number, ticket.respond_by) if ticket else None


register_complaint_receipt(_receipt)
