"""The household (or its community worker) confirms or disputes that a service took place."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiuzhu.core.errors import DomainError
from jiuzhu.core.views.common import domain_errors
from jiuzhu.orders import policy
from jiuzhu.orders.forms import DisputeForm
from jiuzhu.orders.selectors.orders import order_get_for
from jiuzhu.orders.services.evidence import delivery_confirm, delivery_dispute


@login_required
@require_POST
@domain_errors
def confirm(request: HttpRequest, order_id: int) -> HttpResponse:
    order = order_get_for(user=request.user, order_id=order_id)
    try:
        delivery_confirm(actor=request.user, order=order)
    except DomainError as error:
        if error.status == 403:
            raise
        messages.error(request, error.message)
    else:
        messages.success(request, _("Thank you: the service is confirmed."))
    return redirect("orders:order_detail", order_id=order.pk)


@login_required
@require_POST
@domain_errors
def dispute(request: HttpRequest, order_id: int) -> HttpResponse:
    order = order_get_for(user=request.user, order_id=order_id)
    policy.require_confirmer(request.user)
    form = DisputeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say what did not happen as recorded."))
        return redirect("orders:order_detail", order_id=order.pk)
    try:
        delivery_dispute(actor=request.user, order=order, reason=form.cleaned_data["reason"])
    except DomainError as error:
        if error.status == 403:
            raise
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Your dispute is recorded; the district will look into the service.")
        )
    return redirect("orders:order_detail", order_id=order.pk)
