"""The order page's delivery-evidence box: check-in and check-out, the distance of the phone
from the service address, a short-visit flag, and the household's confirmation."""

from __future__ import annotations

from django import template

from jiuzhu.orders.followups import complaint_receipt
from jiuzhu.orders.forms import DisputeForm
from jiuzhu.orders.models import DeliveryEvidence
from jiuzhu.orders.services.evidence import may_confirm

register = template.Library()


@register.inclusion_tag("orders/_evidence.html", takes_context=True)
def delivery_evidence(context, order):
    user = context["request"].user
    return {
        "order": order,
        "evidence": DeliveryEvidence.objects.filter(order=order).first(),
        "may_confirm": may_confirm(user, order),
        "dispute_form": DisputeForm(),
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def receipt(complaint):
    """The hotline ticket (number, reply deadline) a complaint became, or None."""
    return complaint_receipt(complaint)
