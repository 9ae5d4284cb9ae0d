"""The order page and everything done from it: accept and decline (providers), assign, check in
and check out with a photo (providers and volunteers), cancel, rate and complain (households and
the staff who ordered for them). Thin: a form at the edge, one service call, redirect after
POST; a refused form comes back with what was typed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jiuzhu.core.errors import DomainError, PermissionDenied, ValidationFailed
from jiuzhu.core.models import User
from jiuzhu.core.views.common import add_domain_errors, domain_errors
from jiuzhu.orders import policy
from jiuzhu.orders.followups import complaint_receipt
from jiuzhu.orders.forms import (
    AssignForm,
    CancelForm,
    CheckInForm,
    ComplaintForm,
    CompleteForm,
    DeclineForm,
    RateForm,
    photo_kind,
)
from jiuzhu.orders.models import Complaint, DeliveryRecord, Order, Rating
from jiuzhu.orders.scopes import provider_of
from jiuzhu.orders.selectors.orders import order_get_for, order_visible
from jiuzhu.orders.services import evidence
from jiuzhu.orders.services import transitions as services
from jiuzhu.orders.services.transitions import order_actions, order_check
from jiuzhu.orders.views.common import EVENT_LABELS, provider_home


def _shown(user: User, order: Order, actions: list[str], rated: bool) -> set[str]:
    """The forms the order page offers this user now."""
    shown = {name for name in ("decline", "assign", "complete", "cancel") if name in actions}
    if policy.can_rate(user, order, rated=rated):
        shown.add("rate")
    if policy.can_complain(user):
        shown.add("complain")
    return shown


def _assign_form(user: User, data=None) -> AssignForm:
    provider = provider_of(user)
    return AssignForm(data, organisation_id=provider.organisation_id if provider else None)


def _page(
    request: HttpRequest,
    order: Order,
    *,
    bound: dict[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The order page; ``bound`` holds a refused form to show again with what was typed."""
    user = request.user
    bound = bound or {}
    actions = order_actions(user=user, order=order)
    rating = Rating.objects.filter(order=order).select_related("by").first()
    delivery = DeliveryRecord.objects.filter(order=order).select_related("recorded_by").first()
    shown = _shown(user, order, actions, rated=rating is not None)

    def form(name: str, make: Callable[[], forms.Form]) -> forms.Form:
        return bound.get(name) or make()

    context: dict[str, Any] = {
        "order": order,
        "actions": actions,
        "events": [
            {"event": event, "label": EVENT_LABELS.get(event.action, event.action)}
            for event in order.events.select_related("actor")
        ],
        "rating": rating,
        "delivery": delivery,
        "complaints": Complaint.objects.filter(order=order).select_related("by"),
        "household_link": policy.may_act_for_household(user, order),
        "show_address": policy.delivers(user, order),
        "decline_form": form("decline", DeclineForm) if "decline" in shown else None,
        "assign_form": form("assign", lambda: _assign_form(user)) if "assign" in shown else None,
        "complete_form": form("complete", CompleteForm) if "complete" in shown else None,
        "cancel_form": form("cancel", CancelForm) if "cancel" in shown else None,
        "rate_form": form("rate", RateForm) if "rate" in shown else None,
        "complaint_form": form("complain", ComplaintForm) if "complain" in shown else None,
        "open_form": next(iter(bound), ""),
        "has_primary": bool(shown - {"cancel", "complain"})
        or "accept" in actions
        or "start" in actions,
        "has_extra": bool(shown & {"cancel", "complain"}),
    }
    return render(request, "orders/order_detail.html", context, status=status)


@login_required
@require_GET
@domain_errors
def order_detail(request: HttpRequest, order_id: int) -> HttpResponse:
    return _page(request, order_get_for(user=request.user, order_id=order_id))


def _after_refusal(request: HttpRequest, order_id: int, message: str) -> HttpResponse:
    """Say why, and go back to the order, or to the user's list if it has left their view."""
    messages.error(request, message)
    if not order_visible(user=request.user, order_id=order_id):
        return redirect(provider_home(request.user))
    return redirect("orders:order_detail", order_id=order_id)


def _act(
    request: HttpRequest,
    order_id: int,
    *,
    run: Callable[[Order, dict[str, Any]], object],
    done: str,
    name: str = "",
    form: forms.Form | None = None,
    then: str = "",
) -> HttpResponse:
    """Validate ``form`` (if any), call the service, and redirect. The service decides every
    rule; a form that does not validate is shown again only if the service would take it
    (``order_check``), and a refusal comes back on the page with what was typed."""
    order = order_get_for(user=request.user, order_id=order_id)
    if form is not None and not form.is_valid():
        try:
            order_check(user=request.user, order=order, action=name)
        except PermissionDenied:
            raise
        except DomainError as error:
            return _after_refusal(request, order_id, error.message)
        return _page(request, order, bound={name: form}, status=422)
    try:
        run(order, form.cleaned_data if form is not None else {})
    except PermissionDenied:
        raise
    except DomainError as error:
        if form is None or not order_visible(user=request.user, order_id=order_id):
            return _after_refusal(request, order_id, error.message)
        if isinstance(error, ValidationFailed):
            add_domain_errors(form, error)
        else:
            messages.error(request, error.message)
        current = order_get_for(user=request.user, order_id=order_id)
        return _page(request, current, bound={name: form}, status=error.status)
    messages.success(request, done)
    if then:
        return redirect(then)
    return redirect("orders:order_detail", order_id=order_id)


@login_required
@require_POST
@domain_errors
def accept(request: HttpRequest, order_id: int) -> HttpResponse:
    return _act(
        request,
        order_id,
        run=lambda order, _data: services.order_accept(actor=request.user, order=order),
        done=_("You accepted the order. Assign a worker or start the service."),
    )


@login_required
@require_POST
@domain_errors
def decline(request: HttpRequest, order_id: int) -> HttpResponse:
    return _act(
        request,
        order_id,
        name="decline",
        form=DeclineForm(request.POST),
        run=lambda order, data: services.order_decline(
            actor=request.user, order=order, reason=data["reason"]
        ),
        done=_("You declined the order; it stays open for other providers."),
        then="orders:inbox",
    )


@login_required
@require_POST
@domain_errors
def assign(request: HttpRequest, order_id: int) -> HttpResponse:
    return _act(
        request,
        order_id,
        name="assign",
        form=_assign_form(request.user, request.POST),
        run=lambda order, data: services.order_assign(
            actor=request.user, order=order, assignee=data["assignee"]
        ),
        done=_("The worker has been told about the task."),
    )


@login_required
@require_POST
@domain_errors
def start(request: HttpRequest, order_id: int) -> HttpResponse:
    location = CheckInForm(request.POST).location()
    return _act(
        request,
        order_id,
        run=lambda order, _data: evidence.order_check_in(
            actor=request.user, order=order, **location
        ),
        done=_("Checked in: the service has started."),
    )


@login_required
@require_POST
@domain_errors
def complete(request: HttpRequest, order_id: int) -> HttpResponse:
    return _act(
        request,
        order_id,
        name="complete",
        form=CompleteForm(request.POST, request.FILES),
        run=lambda order, data: evidence.order_check_out(
            actor=request.user,
            order=order,
            summary=data["summary"],
            duration_minutes=data["duration_minutes"],
            notes=data["notes"],
            photo=data["photo"],
        ),
        done=_("Checked out: the service is recorded as complete."),
    )


@login_required
@require_POST
@domain_errors
def cancel(request: HttpRequest, order_id: int) -> HttpResponse:
    return _act(
        request,
        order_id,
        name="cancel",
        form=CancelForm(request.POST),
        run=lambda order, data: services.order_cancel(
            actor=request.user, order=order, reason=data["reason"]
        ),
        done=_("The order has been cancelled."),
    )


@login_required
@require_POST
@domain_errors
def rate(request: HttpRequest, order_id: int) -> HttpResponse:
    return _act(
        request,
        order_id,
        name="rate",
        form=RateForm(request.POST),
        run=lambda order, data: services.order_rate(
            actor=request.user, order=order, score=data["score"], comment=data["comment"]
        ),
        done=_("Thank you for your rating."),
    )


@login_required
@require_POST
@domain_errors
def complain(request: HttpRequest, order_id: int) -> HttpResponse:
    made: list[Complaint] = []

    def run(order: Order, data: dict) -> None:
        made.append(services.order_complain(actor=request.user, order=order, text=data["text"]))

    response = _act(
        request,
        order_id,
        name="complain",
        form=ComplaintForm(request.POST),
        run=run,
        done=_("Your complaint has been recorded; the supervision hotline will follow it up."),
    )
    receipt = complaint_receipt(made[0]) if made else None
    if receipt is not None:
        messages.info(
            request,
            _("Your ticket number is %(number)s; the hotline will reply by %(when)s.")
            % {
                "number": receipt.number,
                "when": timezone.localtime(receipt.respond_by).strftime("%Y-%m-%d %H:%M"),
            },
        )
    return response


@login_required
@require_GET
@domain_errors
def delivery_photo(request: HttpRequest, order_id: int) -> HttpResponse:
    """The check-out photo, only to those who may see the order (never a public media URL)."""
    order = order_get_for(user=request.user, order_id=order_id)
    delivery = DeliveryRecord.objects.filter(order=order).exclude(photo="").first()
    if delivery is None:
        raise Http404
    try:
        handle = delivery.photo.storage.open(delivery.photo.name, "rb")
    except OSError:
        raise Http404 from None
    kind = photo_kind(handle.read(16))
    handle.seek(0)
    response = FileResponse(
        handle,
        content_type=kind[1] if kind else "application/octet-stream",
        as_attachment=kind is None,
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
