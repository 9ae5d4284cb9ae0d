"""Casework pages: the household page's boxes (notes and visits, consent, transfer), writing a
note or visit, recording and withdrawing consent, transfers, and one's due follow-ups."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from jiuzhu.core.errors import DomainError, PermissionDenied
from jiuzhu.core.models import Area, AreaLevel
from jiuzhu.core.scoping import require_granted
from jiuzhu.core.views.common import add_domain_errors, domain_errors, paginate
from jiuzhu.core.views.list_export import ListExport, col, export_list, wants_export
from jiuzhu.registry import policy
from jiuzhu.registry.forms import (
    CaseNoteForm,
    ConsentForm,
    ConsentWithdrawForm,
    TransferDecisionForm,
    TransferForm,
)
from jiuzhu.registry.models import CaseNote, HouseholdStatus, Transfer, TransferStatus
from jiuzhu.registry.selectors.casework import (
    TRANSFER_DIRECTIONS,
    consent_get_for,
    followups_due_for,
    household_consents,
    household_has_sharing_consent,
    household_notes,
    note_get_for,
    transfer_get_for,
    transfer_list,
)
from jiuzhu.registry.services import consents as consent_services
from jiuzhu.registry.services import notes as note_services
from jiuzhu.registry.services import transfers as transfer_services
from jiuzhu.registry.services.households import household_get_for

BOX_LIMIT = 8


def _household(request, household_id: int):
    return household_get_for(actor=request.user, household_id=household_id, audit_view=False)


# --- Notes and visits ------------------------------------------------------------------------


@login_required
@domain_errors
def notes_box(request, household_id: int):
    """The household page's case notes and visits (loaded by htmx); reading is audited."""
    household = _household(request, household_id)
    require_granted(request.user, CaseNote)
    notes = household_notes(user=request.user, household=household)
    shown = note_services.notes_read(
        actor=request.user, household=household, notes=list(notes[:BOX_LIMIT])
    )
    return render(
        request,
        "registry/_notes_box.html",
        {
            "household": household,
            "notes": shown,
            "total": notes.count(),
            "can_write": policy.can_write_notes(request.user)
            and household.status == HouseholdStatus.ACTIVE,
        },
    )


@login_required
@domain_errors
def note_list(request, household_id: int):
    household = _household(request, household_id)
    require_granted(request.user, CaseNote)
    page = paginate(request, household_notes(user=request.user, household=household))
    note_services.notes_read(actor=request.user, household=household, notes=list(page))
    return render(
        request,
        "registry/note_list.html",
        {
            "household": household,
            "page_obj": page,
            "can_write": policy.can_write_notes(request.user),
        },
    )


@login_required
@domain_errors
def note_add(request, household_id: int):
    household = _household(request, household_id)
    policy.require_note_writer(request.user)
    initial = {"kind": request.GET.get("kind") or "home_visit", "occurred_on": timezone.localdate()}
    form = CaseNoteForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            note_services.note_create(actor=request.user, household=household, **form.cleaned_data)
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("The note has been saved."))
            return redirect("registry:household_detail", household_id=household.pk)
    return render(request, "registry/note_form.html", {"form": form, "household": household})


@login_required
@require_POST
@domain_errors
def note_follow_up_done(request, note_id: int):
    note = note_get_for(user=request.user, note_id=note_id)
    policy.require_note_writer(request.user)
    try:
        note_services.note_follow_up_done(actor=request.user, note=note)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Follow-up marked as done."))
    target = request.POST.get("next", "")
    if target == "followups":
        return redirect("registry:followup_list")
    return redirect("registry:household_detail", household_id=note.household_id)


@login_required
@domain_errors
def followup_list(request):
    """The signed-in worker's follow-ups that are due, earliest first; overdue ones flagged."""
    policy.require_note_writer(request.user)
    rows = followups_due_for(request.user)
    if wants_export(request):
        return export_list(request, rows, FOLLOWUPS_EXPORT)
    page = paginate(request, rows)
    return render(request, "registry/followup_list.html", {"page_obj": page})


# --- Consent -------------------------------------------------------------------------------


@login_required
@domain_errors
def consent_box(request, household_id: int):
    household = _household(request, household_id)
    consents = list(household_consents(user=request.user, household=household)[:BOX_LIMIT])
    return render(
        request,
        "registry/_consent_box.html",
        {
            "household": household,
            "consents": consents,
            "sharing": household_has_sharing_consent(household),
            "can_record": policy.can_record_consent(request.user),
        },
    )


@login_required
@domain_errors
def consent_add(request, household_id: int):
    household = _household(request, household_id)
    policy.require_consent_recorder(request.user)
    form = ConsentForm(
        request.POST or None, request.FILES or None, initial={"given_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            consent_services.consent_record(
                actor=request.user, household=household, **form.cleaned_data
            )
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("The consent has been recorded."))
            return redirect("registry:household_detail", household_id=household.pk)
    return render(request, "registry/consent_form.html", {"form": form, "household": household})


@login_required
@domain_errors
def consent_withdraw(request, consent_id: int):
    consent = consent_get_for(user=request.user, consent_id=consent_id)
    policy.require_consent_recorder(request.user)
    household = consent.household
    if not consent.active:
        return redirect("registry:household_detail", household_id=household.pk)
    form = ConsentWithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            consent_services.consent_withdraw(
                actor=request.user,
                consent=consent,
                reason=form.cleaned_data["reason"],
                on=form.cleaned_data.get("on"),
            )
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("The withdrawal has been recorded."))
            return redirect("registry:household_detail", household_id=household.pk)
    return render(
        request,
        "registry/consent_withdraw.html",
        {"form": form, "consent": consent, "household": household},
    )


@login_required
@domain_errors
def consent_photo(request, consent_id: int):
    """The signed form's photo, only to those who see the consent (never a public media URL)."""
    consent = consent_get_for(user=request.user, consent_id=consent_id)
    if not consent.form_photo:
        raise Http404
    try:
        handle = consent.form_photo.storage.open(consent.form_photo.name, "rb")
    except OSError:
        raise Http404 from None
    kind = consent_services.photo_kind(handle.read(16))
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


# --- Transfers -----------------------------------------------------------------------------


def _communities():
    return (
        Area.objects.filter(level=AreaLevel.COMMUNITY)
        .select_related("parent", "parent__parent")
        .order_by("code")
    )


@login_required
@domain_errors
def transfer_box(request, household_id: int):
    household = _household(request, household_id)
    require_granted(request.user, Transfer)
    transfers = list(transfer_list(user=request.user, household=household.pk)[:BOX_LIMIT])
    open_transfer = next((t for t in transfers if t.status == TransferStatus.REQUESTED), None)
    return render(
        request,
        "registry/_transfer_box.html",
        {
            "household": household,
            "transfers": transfers,
            "open_transfer": open_transfer,
            "can_request": policy.can_request_transfer(request.user)
            and household.status == HouseholdStatus.ACTIVE
            and open_transfer is None,
        },
    )


@login_required
@domain_errors
def transfer_request(request, household_id: int):
    household = _household(request, household_id)
    policy.require_transfer_sender(request.user)
    form = TransferForm(request.POST or None)
    form.fields["to_community"].queryset = _communities().exclude(parent_id=household.street_id)
    form.fields["to_community"].label_from_instance = lambda area: (
        f"{area.parent.parent.name} · {area.parent.name} · {area.name}"
        if area.parent and area.parent.parent
        else area.name
    )
    if request.method == "POST" and form.is_valid():
        try:
            transfer = transfer_services.transfer_request(
                actor=request.user, household=household, **form.cleaned_data
            )
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("The transfer has been sent to the receiving street."))
            return redirect("registry:transfer_detail", transfer_id=transfer.pk)
    return render(request, "registry/transfer_form.html", {"form": form, "household": household})


@login_required
def transfer_list_view(request):
    require_granted(request.user, Transfer)
    direction = request.GET.get("direction", "")
    direction = direction if direction in TRANSFER_DIRECTIONS else ""
    status = request.GET.get("status", "")
    status = status if status in TransferStatus.values else ""
    rows = transfer_list(user=request.user, direction=direction, status=status)
    if wants_export(request):
        return export_list(request, rows, TRANSFERS_EXPORT)
    page = paginate(request, rows)
    return render(
        request,
        "registry/transfer_list.html",
        {
            "page_obj": page,
            "direction": direction,
            "status": status,
            "statuses": TransferStatus.choices,
        },
    )


@login_required
@domain_errors
def transfer_detail(request, transfer_id: int):
    transfer = transfer_get_for(user=request.user, transfer_id=transfer_id)
    return render(
        request,
        "registry/transfer_detail.html",
        {
            "transfer": transfer,
            "actions": transfer_services.transfer_actions(transfer, request.user),
            "form": TransferDecisionForm(),
        },
    )


ACTIONS = {
    "accept": transfer_services.transfer_accept,
    "refuse": transfer_services.transfer_refuse,
    "cancel": transfer_services.transfer_cancel,
}


@login_required
@require_POST
@domain_errors
def transfer_act(request, transfer_id: int, action: str):
    transfer = transfer_get_for(user=request.user, transfer_id=transfer_id)
    if action not in ACTIONS:
        raise Http404
    transfer_services.TRANSFER_FLOW.require(action, obj=transfer, actor=request.user)
    form = TransferDecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        ACTIONS[action](actor=request.user, transfer=transfer, note=note)
    except DomainError as error:
        if isinstance(error, PermissionDenied):
            raise
        messages.error(request, error.message)
    else:
        messages.success(request, _("Done."))
    return redirect("registry:transfer_detail", transfer_id=transfer.pk)


FOLLOWUPS_EXPORT = ListExport(
    key="registry.followups",
    title=gettext_lazy("My follow-ups"),
    object_type="registry.casenote",
    columns=(
        col(gettext_lazy("Follow up on"), "follow_up_on", 12),
        col(gettext_lazy("Household"), "household_id", 10),
        col(gettext_lazy("Head of household"), "household.head_name"),
        col(gettext_lazy("Community"), "household.community.name"),
        col(gettext_lazy("Type of record"), "get_kind_display"),
        col(gettext_lazy("Date"), "occurred_on", 12),
        col(gettext_lazy("Next step"), "next_step", 40),
    ),
)
TRANSFERS_EXPORT = ListExport(
    key="registry.transfers",
    title=gettext_lazy("Transfers"),
    object_type="registry.transfer",
    columns=(
        col(gettext_lazy("Requested"), lambda t: t.requested_at.date(), 12),
        col(gettext_lazy("Household"), "household_id", 10),
        col(gettext_lazy("Head of household"), "household.head_name"),
        col(gettext_lazy("From street"), "from_street.name"),
        col(gettext_lazy("From community"), "from_community.name"),
        col(gettext_lazy("To street"), "to_street.name"),
        col(gettext_lazy("To community"), "to_community.name"),
        col(gettext_lazy("Status"), "get_status_display"),
    ),
)
