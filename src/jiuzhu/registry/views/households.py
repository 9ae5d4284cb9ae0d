"""Household pages: the list (search, filters, sorting, export), the detail page with its
members, history and assistance chain, and the household-level actions."""

from __future__ import annotations

import re

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiuzhu.core.errors import DomainError, NotFound, PermissionDenied
from jiuzhu.core.forms import Form
from jiuzhu.core.models import Area, AreaLevel
from jiuzhu.core.scoping import require_granted
from jiuzhu.core.selectors.areas import areas_within
from jiuzhu.core.services.accounts import assessor_list
from jiuzhu.core.services.exports import XLSX_CONTENT_TYPE, export_filename
from jiuzhu.core.views.common import (
    add_domain_errors,
    domain_errors,
    is_htmx,
    paginate,
    vary_on_htmx,
)
from jiuzhu.registry.forms import ExitForm, HouseholdForm
from jiuzhu.registry.models import Group, Household, HouseholdStatus, Tier, UrgencyTag
from jiuzhu.registry.panels import household_panels
from jiuzhu.registry.policy import (
    can_assign,
    can_edit_registry,
    can_export,
    can_reveal_identity,
    require_beneficiary,
    require_registry_editor,
    sees_office_figures,
)
from jiuzhu.registry.selectors.households import (
    DEFAULT_SORT,
    SORTS,
    HouseholdFilters,
    household_chain,
    household_changes,
    household_count,
    household_list,
    household_members,
)
from jiuzhu.registry.services import households as household_services
from jiuzhu.registry.services.assignments import assignment_create
from jiuzhu.registry.services.exports import household_export

#: The area filters shown below each level of the user's own area.
LEVELS_BELOW = {
    AreaLevel.CITY: (AreaLevel.DISTRICT, AreaLevel.STREET, AreaLevel.COMMUNITY),
    AreaLevel.DISTRICT: (AreaLevel.STREET, AreaLevel.COMMUNITY),
    AreaLevel.STREET: (AreaLevel.COMMUNITY,),
    AreaLevel.COMMUNITY: (),
}
AREA_FIELDS = {
    AreaLevel.DISTRICT: "district",
    AreaLevel.STREET: "street",
    AreaLevel.COMMUNITY: "community",
}
HISTORY_LIMIT = 200


def _all(label) -> list:
    return [("", label)]


class HouseholdFilterForm(Form):
    """The list's query string. A value that is not valid (an unknown area, tier or sort key)
    is ignored rather than refused, so a stale or edited link still shows a list."""

    q = forms.CharField(
        label=gettext_lazy("Search"),
        max_length=64,
        required=False,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": gettext_lazy("Name, whole phone number or last 4 of ID number"),
                "autocomplete": "off",
            }
        ),
    )
    district = forms.TypedChoiceField(
        label=gettext_lazy("District"), coerce=int, empty_value=None, required=False
    )
    street = forms.TypedChoiceField(
        label=gettext_lazy("Street"), coerce=int, empty_value=None, required=False
    )
    community = forms.TypedChoiceField(
        label=gettext_lazy("Community"), coerce=int, empty_value=None, required=False
    )
    tier = forms.ChoiceField(
        label=gettext_lazy("Assistance tier"),
        required=False,
        choices=_all(gettext_lazy("All tiers")) + Tier.choices,
    )
    group = forms.ChoiceField(
        label=gettext_lazy("Group"),
        required=False,
        choices=_all(gettext_lazy("All groups")) + Group.choices,
    )
    urgency = forms.ChoiceField(
        label=gettext_lazy("Urgency"),
        required=False,
        choices=_all(gettext_lazy("All urgency tags")) + UrgencyTag.choices,
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=_all(gettext_lazy("Active and exited")) + HouseholdStatus.choices,
    )
    sort = forms.ChoiceField(
        required=False, choices=[(key, key) for key in SORTS], widget=forms.HiddenInput
    )

    def __init__(self, data, *, user):
        super().__init__(data)
        own_level = user.area.level if getattr(user, "area", None) else None
        self.area_levels = LEVELS_BELOW.get(own_level, ())
        self._areas: dict[str, list[tuple[int, str, str]]] = {level: [] for level in AREA_FIELDS}
        if self.area_levels:
            rows = (
                areas_within(user)
                .filter(level__in=self.area_levels)
                .values_list("pk", "name", "code", "level")
            )
            for pk, name, code, level in rows:
                self._areas[level].append((pk, name, code))
        for level, name in AREA_FIELDS.items():
            if level in self.area_levels:
                self.fields[name].choices = [("", gettext_lazy("All"))] + [
                    (str(pk), area_name) for pk, area_name, _code in self._areas[level]
                ]
            else:
                del self.fields[name]
        self.is_valid()
        self._narrow_area_choices()

    def _code_of(self, level: str, pk: int | None) -> str | None:
        return next((code for p, _n, code in self._areas[level] if p == pk), None)

    def _narrow_area_choices(self) -> None:
        """Drop a street or community that is not inside the chosen district or street, and
        offer only the streets of the chosen district and the communities of the chosen street
        (a city-wide list of every community would be too long to use)."""
        data = self.cleaned_data
        district = self._code_of(AreaLevel.DISTRICT, data.get("district"))
        prefix = district[:6] if district else ""
        street = self._code_of(AreaLevel.STREET, data.get("street"))
        if street and not street.startswith(prefix):
            data["street"], street = None, None
        if street:
            prefix = street[:9]
        community = self._code_of(AreaLevel.COMMUNITY, data.get("community"))
        if community and not community.startswith(prefix):
            data["community"] = None
        for level, name in ((AreaLevel.STREET, "street"), (AreaLevel.COMMUNITY, "community")):
            if name not in self.fields:
                continue
            level_prefix = prefix if level == AreaLevel.COMMUNITY else prefix[:6]
            choices = [
                (str(pk), area_name)
                for pk, area_name, code in self._areas[level]
                if code.startswith(level_prefix)
            ]
            if level == AreaLevel.COMMUNITY and not level_prefix and len(choices) > 300:
                choices = [(pk, n) for pk, n in choices if int(pk) == data.get("community")]
            self.fields[name].widget.choices = [("", _("All")), *choices]

    def area_fields(self) -> list:
        return [self[name] for name in ("district", "street", "community") if name in self.fields]

    def filters(self) -> HouseholdFilters:
        data = self.cleaned_data
        return HouseholdFilters(
            q=(data.get("q") or "").strip(),
            district=data.get("district"),
            street=data.get("street"),
            community=data.get("community"),
            tier=data.get("tier") or "",
            group=data.get("group") or "",
            status=data.get("status") or "",
            urgency=data.get("urgency") or "",
            sort=data.get("sort") or DEFAULT_SORT,
        )


@login_required
def household_list_view(request):
    require_granted(request.user, Household)
    form = HouseholdFilterForm(request.GET, user=request.user)
    filters = form.filters()
    page = paginate(
        request,
        household_list(user=request.user, filters=filters),
        count=household_count(user=request.user, filters=filters),
    )
    export_query = request.GET.copy()
    export_query.pop("page", None)
    context = {
        "form": form,
        "page_obj": page,
        "sort": filters.sort,
        "export_query": export_query.urlencode(),
        "can_export": can_export(request.user),
        "can_edit": can_edit_registry(request.user),
        "filtered": any(
            getattr(filters, name)
            for name in (
                "q",
                "district",
                "street",
                "community",
                "tier",
                "group",
                "status",
                "urgency",
            )
        ),
    }
    partial = is_htmx(request)
    context["partial"] = partial
    template = "registry/_household_results.html" if partial else "registry/household_list.html"
    return vary_on_htmx(render(request, template, context))


@login_required
@domain_errors
def household_export_view(request):
    form = HouseholdFilterForm(request.GET, user=request.user)
    try:
        result = household_export(actor=request.user, filters=form.filters())
    except (PermissionDenied, NotFound):
        raise  # the error pages (domain_errors)
    except DomainError as error:
        messages.error(request, error.message)
        query = request.GET.urlencode()
        return redirect(reverse("registry:household_list") + (f"?{query}" if query else ""))
    response = FileResponse(
        result.file,
        as_attachment=True,
        filename=export_filename("households"),
        content_type=XLSX_CONTENT_TYPE,
    )
    response["Cache-Control"] = "no-store"
    return response


class AssessorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        """ "Name (organisation)", once: a display name that already carries an organisation in
        brackets, such as 吴昊（心桥评估中心）, is shortened to the name."""
        if not obj.organisation_id:
            return str(obj)
        name = re.split(r"\s*[（(]", str(obj), maxsplit=1)[0] or str(obj)
        return f"{name} · {obj.organisation}"


class AssignForm(forms.Form):
    assignee = AssessorChoiceField(
        label=gettext_lazy("Assessor"), queryset=assessor_list(), empty_label="—"
    )


@login_required
@domain_errors
def household_detail(request, household_id: int):
    household = household_services.household_get_for(actor=request.user, household_id=household_id)
    user = request.user
    context = {
        "household": household,
        "members": household_members(user=user, household=household),
        "changes": household_changes(user=user, household=household)[:HISTORY_LIMIT],
        "chain": household_chain(user=user, household=household)[:HISTORY_LIMIT],
        "can_edit": can_edit_registry(user),
        "office_view": sees_office_figures(user),
        "can_reveal": can_reveal_identity(user),
        "can_assign": can_assign(user),
        "assign_form": AssignForm() if can_assign(user) else None,
        "panels": [
            {"url": reverse(panel.url_name, args=[household.pk]), "title": panel.title}
            for panel in household_panels(user)
        ],
    }
    return render(request, "registry/household_detail.html", context)


@login_required
def my_household(request):
    """A beneficiary's own household (the scoping gives them exactly one)."""
    require_beneficiary(request.user)
    household = household_list(user=request.user).first()
    if household is None:
        raise Http404(_("No household is linked to your account."))
    return redirect("registry:household_detail", household_id=household.pk)


def _community_choices(user):
    return areas_within(user, AreaLevel.COMMUNITY).select_related("parent").order_by("code")


def _household_form(request, **kwargs) -> HouseholdForm:
    form = HouseholdForm(
        request.POST or None, communities=_community_choices(request.user), **kwargs
    )
    community = form.fields["community"]
    community.label_from_instance = lambda area: (
        f"{area.parent.name} · {area.name}" if isinstance(area, Area) and area.parent else str(area)
    )
    return form


@login_required
@domain_errors
def household_create(request):
    require_registry_editor(request.user)
    form = _household_form(request)
    del form.fields["reason"]
    if request.method == "POST" and form.is_valid():
        try:
            household = household_services.household_create(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(
                request, _("Household registered. Now add its members, starting with the head.")
            )
            return redirect("registry:member_add", household_id=household.pk)
    return render(request, "registry/household_form.html", {"form": form, "household": None})


@login_required
@domain_errors
def household_edit(request, household_id: int):
    household = household_services.household_get_for(
        actor=request.user, household_id=household_id, audit_view=False
    )
    require_registry_editor(request.user)
    initial = {
        "community": household.community_id,
        "address": household.address,
        "phone": household.phone,
        "tier": household.tier,
        "monthly_income": household.monthly_income,
        "medical_spending_12m": household.medical_spending_12m,
        "education_spending_12m": household.education_spending_12m,
    }
    form = _household_form(request, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        reason = data.pop("reason", "")
        try:
            household_services.household_update(
                actor=request.user, household=household, reason=reason, **data
            )
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("The household has been updated."))
            return redirect("registry:household_detail", household_id=household.pk)
    return render(request, "registry/household_form.html", {"form": form, "household": household})


@login_required
@domain_errors
def household_exit(request, household_id: int):
    household = household_services.household_get_for(
        actor=request.user, household_id=household_id, audit_view=False
    )
    require_registry_editor(request.user)
    if household.status == HouseholdStatus.EXITED:
        return redirect("registry:household_detail", household_id=household.pk)
    form = ExitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            household_services.household_exit(
                actor=request.user, household=household, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            add_domain_errors(form, error, renames={"exit_reason": "reason"})
        else:
            messages.success(request, _("The household has exited assistance."))
            return redirect("registry:household_detail", household_id=household.pk)
    return render(
        request,
        "registry/household_status_form.html",
        {"form": form, "household": household, "exiting": True},
    )


@login_required
@domain_errors
def household_reactivate(request, household_id: int):
    household = household_services.household_get_for(
        actor=request.user, household_id=household_id, audit_view=False
    )
    require_registry_editor(request.user)
    if household.status == HouseholdStatus.ACTIVE:
        return redirect("registry:household_detail", household_id=household.pk)
    form = ExitForm(request.POST or None)
    form.fields["reason"].label = _("Reason for reactivation")
    if request.method == "POST" and form.is_valid():
        try:
            household_services.household_reactivate(
                actor=request.user, household=household, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("The household is active again."))
            return redirect("registry:household_detail", household_id=household.pk)
    return render(
        request,
        "registry/household_status_form.html",
        {"form": form, "household": household, "exiting": False},
    )


@login_required
@domain_errors
def household_assign(request, household_id: int):
    household = household_services.household_get_for(
        actor=request.user, household_id=household_id, audit_view=False
    )
    if not can_assign(request.user):
        raise DjangoPermissionDenied(_("Your role may not assign households."))
    form = AssignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            assignment_create(
                actor=request.user, household=household, assignee=form.cleaned_data["assignee"]
            )
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(
                request,
                _("Assigned to %(who)s for assessment.") % {"who": form.cleaned_data["assignee"]},
            )
            return redirect("registry:household_detail", household_id=household.pk)
    return render(request, "registry/household_assign.html", {"form": form, "household": household})
