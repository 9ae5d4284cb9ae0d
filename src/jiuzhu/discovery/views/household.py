"""The discovery app's boxes on the household page (``registry.panels``, loaded by htmx): the
household's early warnings, and its referrals to departments with a form to start one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jiuzhu.core.errors import DomainError
from jiuzhu.core.views.common import domain_errors
from jiuzhu.discovery import policy
from jiuzhu.discovery.forms_referrals import HouseholdReferralForm
from jiuzhu.discovery.selectors.referrals import (
    ReferralFilters,
    desks_for_district,
    referral_deadline,
    referral_list,
    referral_overdue,
)
from jiuzhu.discovery.selectors.warnings import HOUSEHOLD_BOX_LIMIT, household_warnings
from jiuzhu.discovery.services import referrals as services
from jiuzhu.registry.models import HouseholdStatus
from jiuzhu.registry.selectors.casework import household_has_sharing_consent
from jiuzhu.registry.services.households import household_get_for

#: At most this many referrals in the household page's box.
REFERRAL_BOX_LIMIT = 8


@login_required
@require_GET
@domain_errors
def household_warnings_box(request: HttpRequest, household_id: int) -> HttpResponse:
    """Open and recent warnings about the household: rule, date, deadline, verification state."""
    user = request.user
    household = household_get_for(actor=user, household_id=household_id, audit_view=False)
    policy.require_warning_reader(user)
    warnings = household_warnings(user=user, household_id=household.pk)
    shown = list(warnings[:HOUSEHOLD_BOX_LIMIT])
    return render(
        request,
        "discovery/_household_warnings.html",
        {
            "household": household,
            "warnings": shown,
            "total": warnings.count() if len(shown) == HOUSEHOLD_BOX_LIMIT else len(shown),
            "now": timezone.now(),
        },
    )


@login_required
@require_GET
@domain_errors
def household_referrals_box(request: HttpRequest, household_id: int) -> HttpResponse:
    """The household's referrals to departments; for the street caseworker, a form to refer one
    kind of assistance (only with the household's consent to share)."""
    user = request.user
    household = household_get_for(actor=user, household_id=household_id, audit_view=False)
    policy.require_referral_reader(user)
    now = timezone.now()
    referrals = list(
        referral_list(user=user, filters=ReferralFilters(household=household.pk, sort="new"))[
            :REFERRAL_BOX_LIMIT
        ]
    )
    can_send = policy.can_send_referrals(user) and household.status == HouseholdStatus.ACTIVE
    desks = desks_for_district(household.district_id) if can_send else []
    return render(
        request,
        "discovery/_household_referrals.html",
        {
            "household": household,
            "rows": [
                {
                    "referral": r,
                    "deadline": referral_deadline(r),
                    "overdue": referral_overdue(r, now),
                }
                for r in referrals
            ],
            "can_send": can_send,
            "desks": desks,
            "consent": household_has_sharing_consent(household) if can_send else None,
            "form": HouseholdReferralForm(desks=desks) if can_send and desks else None,
        },
    )


@login_required
@require_POST
@domain_errors
def household_refer(request: HttpRequest, household_id: int) -> HttpResponse:
    """Refer one kind of assistance for the household to its department; back to the household
    page with a message (refused without the household's consent to share)."""
    household = household_get_for(actor=request.user, household_id=household_id, audit_view=False)
    policy.require_referral_sender(request.user)
    back = reverse("registry:household_detail", args=[household.pk]) + "#referrals"
    form = HouseholdReferralForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    try:
        referral = services.referral_send_for_household(
            actor=request.user,
            household=household,
            kind=form.cleaned_data["kind"],
            note=form.cleaned_data["note"],
        )
    except DomainError as error:
        if error.status in (403, 404):
            raise
        messages.error(request, error.message)
        return redirect(back)
    messages.success(
        request,
        _("Referred to %(department)s (%(number)s).")
        % {"department": referral.department.name, "number": referral.number},
    )
    return redirect(back)
