"""Forms of department referrals: field validation only (the services decide)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jiuzhu.assessment.models import MaterialKind
from jiuzhu.core.forms import Form
from jiuzhu.discovery.models.referrals import DepartmentReferralStatus, ReferralOutcome
from jiuzhu.discovery.selectors.referrals import REFERRAL_SORTS

SORT_LABELS = {"deadline": _("Deadline first"), "new": _("Newest first"), "old": _("Oldest first")}


class ReferralFilterForm(Form):
    q = forms.CharField(
        label=_("Referral number"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "R000123"}),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), ("open", _("Open")), *DepartmentReferralStatus.choices],
    )
    kind = forms.ChoiceField(
        label=_("Kind of assistance"),
        required=False,
        choices=[("", _("Any kind")), *MaterialKind.choices],
    )
    street = forms.ChoiceField(label=_("Street"), required=False, choices=[("", _("Any street"))])
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort"), required=False, choices=[(s, SORT_LABELS[s]) for s in REFERRAL_SORTS]
    )

    def __init__(self, *args, streets=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["street"].choices = [("", _("Any street")), *((a.pk, a.name) for a in streets)]


class ReferralSendForm(Form):
    note = forms.CharField(
        label=_("Note to the department"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class HouseholdReferralForm(Form):
    """Refer one kind of assistance from the household page (the kinds a department on the
    platform handles in the household's district)."""

    kind = forms.ChoiceField(label=_("Kind of assistance"), choices=MaterialKind.choices)
    note = forms.CharField(
        label=_("Note to the department"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, desks=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if desks is not None:
            self.fields["kind"].choices = [
                (desk.kind, f"{desk.get_kind_display()} → {desk.department.name}") for desk in desks
            ]


class ReferralAcceptForm(Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class ReferralDeclineForm(Form):
    reason = forms.CharField(
        label=_("Why the department declines"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReferralCompleteForm(Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=ReferralOutcome.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Details (amount, period, next steps)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReferralWithdrawForm(Form):
    reason = forms.CharField(
        label=_("Why the referral is withdrawn"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class HiddenFilterForm(Form):
    street = forms.ChoiceField(label=_("Street"), required=False, choices=[("", _("Any street"))])
    source = forms.ChoiceField(
        label=_("Evidence"), required=False, choices=[("", _("Any evidence"))]
    )

    def __init__(self, *args, streets=(), sources=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["street"].choices = [("", _("Any street")), *((a.pk, a.name) for a in streets)]
        self.fields["source"].choices = [
            ("", _("Any evidence")),
            *((s.code, s.label) for s in sources),
        ]


class DeskForm(Form):
    district = forms.ModelChoiceField(label=_("District"), queryset=None)
    kind = forms.ChoiceField(label=_("Kind of assistance"), choices=MaterialKind.choices)
    department = forms.ModelChoiceField(label=_("Department"), queryset=None)
    respond_days = forms.IntegerField(label=_("days to answer"), min_value=1, max_value=90)
    complete_days = forms.IntegerField(label=_("days to complete"), min_value=1, max_value=365)

    def __init__(self, *args, districts, departments, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts
        self.fields["department"].queryset = departments
        self.fields["respond_days"].initial = 5
        self.fields["complete_days"].initial = 30
