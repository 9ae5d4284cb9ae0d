"""Escalations: orders the dispatch cycle could not place or that ran past a deadline."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from jiuzhu.core.errors import DomainError
from jiuzhu.core.views.common import domain_errors, paginate
from jiuzhu.core.views.list_export import ListExport, col, export_list, wants_export
from jiuzhu.dispatch.forms import BoardFilterForm, EscalationResolveForm
from jiuzhu.dispatch.policy import can_resolve_escalations, require_board
from jiuzhu.dispatch.selectors.escalations import escalation_get_for, escalation_list
from jiuzhu.dispatch.services.escalations import escalation_resolve
from jiuzhu.dispatch.views.common import (
    street_choices,
    tabs,
)

PER_PAGE = 25


@login_required
@domain_errors
def escalations(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_board(user)
    resolved = request.GET.get("resolved") == "1"
    form = BoardFilterForm(request.GET, streets=street_choices(user))
    street = form.values().get("street")
    rows = escalation_list(user=user, resolved=resolved, street=street.pk if street else None)
    if wants_export(request):
        return export_list(request, rows, ESCALATIONS_EXPORT)
    page = paginate(request, rows, per_page=PER_PAGE)
    return render(
        request,
        "dispatch/escalations.html",
        {
            "page_obj": page,
            "form": form,
            "resolved": resolved,
            "street": street,
            "has_streets": form.fields["street"].queryset.exists(),
            "can_resolve": can_resolve_escalations(user) and not resolved,
            "resolve_form": EscalationResolveForm(),
            "tabs": tabs(user, "dispatch:escalations"),
        },
    )


@login_required
@require_POST
@domain_errors
def escalation_resolve_view(request: HttpRequest, escalation_id: int) -> HttpResponse:
    user = request.user
    escalation = escalation_get_for(user=user, escalation_id=escalation_id)
    require_board(user)
    form = EscalationResolveForm(request.POST)
    back = reverse("dispatch:escalations")
    if not form.is_valid():
        messages.error(request, _("Say what was done before resolving."))
        return redirect(back)
    try:
        escalation_resolve(actor=user, escalation=escalation, note=form.cleaned_data["note"])
    except DomainError as error:
        if error.status == 403:
            raise
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Escalation of order %(number)s resolved.") % {"number": escalation.order.number},
        )
    return redirect(back)


ESCALATIONS_EXPORT = ListExport(
    key="dispatch.escalations",
    title=gettext_lazy("Escalations"),
    object_type="dispatch.escalation",
    columns=(
        col(gettext_lazy("Order number"), "order.number", 20),
        col(gettext_lazy("Street"), "order.household.street.name"),
        col(gettext_lazy("Community"), "order.household.community.name"),
        col(gettext_lazy("Service"), "order.item.name", 20),
        col(gettext_lazy("Provider"), "order.provider.organisation.name", 24),
        col(gettext_lazy("Reason"), "get_reason_display"),
        col(gettext_lazy("Note"), "raised_note", 30),
    ),
)
