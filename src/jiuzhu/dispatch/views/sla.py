"""The district's SLA policies: what is set, the built-in defaults, and what applies to each
urgency tag and SLA class (the most specific rule wins)."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from jiuzhu.catalog.models import SlaClass
from jiuzhu.core.errors import DomainError
from jiuzhu.core.views.common import add_domain_errors, domain_errors
from jiuzhu.dispatch import sla
from jiuzhu.dispatch.forms import SlaPolicyForm
from jiuzhu.dispatch.models import SlaPolicy
from jiuzhu.dispatch.policy import require_sla_editor
from jiuzhu.dispatch.services.sla import sla_policy_set
from jiuzhu.dispatch.views.common import tabs
from jiuzhu.registry.models import UrgencyTag


def _label(choices, value: str, anything: str) -> str:
    return str(choices(value).label) if value else anything


def _keys(tag: str, sla_class: str) -> list[tuple[str, str]]:
    """The keys ``sla.choose`` tries, most specific first."""
    return [(tag, sla_class), (tag, ""), ("", sla_class), ("", "")]


def effective(policies: dict, tag: str, sla_class: str) -> dict:
    """What applies to an order of ``sla_class`` for a household tagged ``tag``, and where
    it comes from (the district's own rule or the built-in default)."""
    accept, complete = sla.choose(policies, urgency_tag=tag, sla_class=sla_class)
    own = next((key for key in _keys(tag, sla_class) if key in policies), None)
    return {"accept": _hours(accept), "complete": _hours(complete), "district": own is not None}


def _hours(value: Decimal) -> str:
    return f"{value.normalize():f}"


@login_required
@domain_errors
def sla_policies(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_sla_editor(user)
    district = user.area
    form = SlaPolicyForm(
        request.POST if request.method == "POST" else None, initial=_initial(request)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sla_policy_set(
                actor=user,
                district=district,
                urgency_tag=data["urgency_tag"],
                sla_class=data["sla_class"],
                accept_hours=data["accept_hours"],
                complete_hours=data["complete_hours"],
            )
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("SLA policy saved. Orders placed from now on use it."))
            return redirect("dispatch:sla")
    rows = SlaPolicy.objects.filter(district=district).order_by("urgency_tag", "sla_class")
    policies = {(p.urgency_tag, p.sla_class): (p.accept_hours, p.complete_hours) for p in rows}
    tags = [("", _("No tag")), *UrgencyTag.choices]
    classes = list(SlaClass.choices)
    matrix = [
        {"tag": label, "cells": [effective(policies, tag, cls) for cls, _c in classes]}
        for tag, label in tags
    ]
    return render(
        request,
        "dispatch/sla.html",
        {
            "form": form,
            "policies": [
                {
                    "policy": p,
                    "tag": _label(UrgencyTag, p.urgency_tag, _("Any tag")),
                    "class": _label(SlaClass, p.sla_class, _("Any class")),
                    "accept": _hours(p.accept_hours),
                    "complete": _hours(p.complete_hours),
                    "edit_query": f"urgency_tag={p.urgency_tag}&sla_class={p.sla_class}",
                }
                for p in rows
            ],
            "defaults": [
                {
                    "tag": _label(UrgencyTag, tag, _("Any tag")),
                    "class": _label(SlaClass, cls, _("Any class")),
                    "accept": _hours(accept),
                    "complete": _hours(complete),
                }
                for (tag, cls), (accept, complete) in sla.DEFAULTS.items()
            ],
            "classes": [label for _v, label in classes],
            "matrix": matrix,
            "window_hours": int(sla.PREFERRED_WINDOW.total_seconds() // 3600),
            "editing": bool(request.GET.get("urgency_tag") or request.GET.get("sla_class")),
            "tabs": tabs(user, "dispatch:sla"),
        },
    )


def _initial(request: HttpRequest) -> dict:
    """Editing an existing policy: the form starts from it."""
    tag = request.GET.get("urgency_tag", "")
    cls = request.GET.get("sla_class", "")
    if tag not in ("", *UrgencyTag.values) or cls not in ("", *SlaClass.values):
        return {}
    policy = SlaPolicy.objects.filter(
        district=request.user.area, urgency_tag=tag, sla_class=cls
    ).first()
    initial = {"urgency_tag": tag, "sla_class": cls}
    if policy is not None:
        initial |= {"accept_hours": policy.accept_hours, "complete_hours": policy.complete_hours}
    return initial
