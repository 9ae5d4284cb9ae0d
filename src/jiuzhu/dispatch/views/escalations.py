"""Escalations: orders the dispatch cycle could not place or that ran past a deadline."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiuzhu.core.errors import DomainError
from jiuzhu.core.views.common import domain_errors, paginate
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
    page = paginate(
        request,
        escalation_list(user=user, resolved=resolved, street=street.pk if street else None),
        per_page=PER_PAGE,
    )
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
