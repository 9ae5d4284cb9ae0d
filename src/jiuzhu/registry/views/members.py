"""Member pages: add, edit, record leaving or death, and the audited identity-number reveal."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from jiuzhu.core.errors import DomainError
from jiuzhu.core.views.common import add_domain_errors, domain_errors, is_htmx
from jiuzhu.registry.forms import MemberForm, MemberLeaveForm
from jiuzhu.registry.models import Member
from jiuzhu.registry.policy import require_registry_editor
from jiuzhu.registry.selectors.households import member_get_for
from jiuzhu.registry.services import households as household_services
from jiuzhu.registry.services import members as member_services

REVEAL_SECONDS = 30


@login_required
@domain_errors
def member_add(request, household_id: int):
    household = household_services.household_get_for(
        actor=request.user, household_id=household_id, audit_view=False
    )
    require_registry_editor(request.user)
    form = MemberForm(request.POST or None, household=household)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        reason = data.pop("reason", "")
        try:
            member = member_services.member_add(
                actor=request.user, household=household, reason=reason, **data
            )
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("%(name)s has been added.") % {"name": member.name})
            if "add_another" in request.POST:
                return redirect("registry:member_add", household_id=household.pk)
            return redirect("registry:household_detail", household_id=household.pk)
    return render(
        request,
        "registry/member_form.html",
        {"form": form, "household": household, "member": None},
    )


def _member_initial(member: Member) -> dict:
    return {
        "name": member.name,
        "mobile": member.mobile,
        "relation": member.relation,
        "disability_type": member.disability_type,
        "disability_grade": member.disability_grade,
        "illness": member.illness,
        "illness_note": member.illness_note,
        "employment": member.employment,
        "schooling": member.schooling,
        "guardian": member.guardian_id,
    }


@login_required
@domain_errors
def member_edit(request, member_id: int):
    member = member_get_for(user=request.user, member_id=member_id)
    require_registry_editor(request.user)
    if not member.is_active:
        messages.info(request, _("Former members cannot be edited."))
        return redirect("registry:household_detail", household_id=member.household_id)
    form = MemberForm(
        request.POST or None,
        household=member.household,
        editing=True,
        initial=_member_initial(member),
    )
    form.fields["guardian"].queryset = form.fields["guardian"].queryset.exclude(pk=member.pk)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        reason = data.pop("reason", "")
        id_number = data.pop("id_number", "") or None
        try:
            member_services.member_update(
                actor=request.user, member=member, reason=reason, id_number=id_number, **data
            )
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("%(name)s has been updated.") % {"name": member.name})
            return redirect("registry:household_detail", household_id=member.household_id)
    return render(
        request,
        "registry/member_form.html",
        {"form": form, "household": member.household, "member": member},
    )


@login_required
@domain_errors
def member_leave(request, member_id: int):
    member = member_get_for(user=request.user, member_id=member_id)
    require_registry_editor(request.user)
    form = MemberLeaveForm(
        request.POST or None, initial={"died": "0", "occurred_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            member_services.member_leave(actor=request.user, member=member, **form.cleaned_data)
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(
                request, _("The change for %(name)s has been recorded.") % {"name": member.name}
            )
            return redirect("registry:household_detail", household_id=member.household_id)
    return render(
        request,
        "registry/member_leave.html",
        {"form": form, "household": member.household, "member": member},
    )


@never_cache
@login_required
@require_POST
@domain_errors
def member_reveal(request, member_id: int):
    """The full identity number for a role that may see it; the service audits the reveal and
    the refusal. htmx swaps it in place for 30 seconds; without JavaScript a page shows it."""
    member = member_get_for(user=request.user, member_id=member_id)
    number = member_services.member_reveal_identity(actor=request.user, member=member)
    context = {
        "member": member,
        "number": number,
        "masked": member_services.masked_identity_number(member),
        "seconds": REVEAL_SECONDS,
    }
    template = "registry/_revealed.html" if is_htmx(request) else "registry/member_revealed.html"
    return render(request, template, context)
