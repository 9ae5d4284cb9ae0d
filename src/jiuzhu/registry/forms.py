"""Input validation at the edge, shared by the web pages and the API (the API feeds its JSON
through these same forms, so both give the same field messages). Cross-record checks —
identity-number duplicates, one head per household — live in the services."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from jiuzhu.core.forms import Form
from jiuzhu.core.models import Area, AreaLevel
from jiuzhu.registry.models import (
    ConsentScope,
    DisabilityType,
    Employment,
    Illness,
    Member,
    NoteKind,
    Relation,
    Schooling,
    Tier,
)

MONEY = {"max_digits": 10, "decimal_places": 2, "min_value": Decimal("0")}


class HouseholdForm(forms.Form):
    community = forms.ModelChoiceField(
        label=_("Community"), queryset=Area.objects.filter(level=AreaLevel.COMMUNITY)
    )
    address = forms.CharField(label=_("Address"), max_length=200)
    phone = forms.CharField(
        label=_("Contact phone"),
        max_length=20,
        required=False,
        help_text=_(
            "For contacting the household only. To sign in to the service supermarket by SMS, "
            "a member uses the mobile number recorded on their own member record."
        ),
    )
    tier = forms.ChoiceField(label=_("Assistance tier"), choices=Tier.choices)
    monthly_income = forms.DecimalField(label=_("Monthly household income (yuan)"), **MONEY)
    medical_spending_12m = forms.DecimalField(
        label=_("Medical spending, last 12 months (yuan)"), initial=0, **MONEY
    )
    education_spending_12m = forms.DecimalField(
        label=_("Education spending, last 12 months (yuan)"), initial=0, **MONEY
    )
    reason = forms.CharField(
        label=_("Reason for the change"),
        max_length=200,
        required=False,
        help_text=_("Recorded on the household's history when income, tier or address change."),
    )

    def __init__(self, *args, communities=None, **kwargs):
        super().__init__(*args, **kwargs)
        if communities is not None:
            self.fields["community"].queryset = communities


class MemberForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=64)
    id_number = forms.CharField(
        label=_("Identity number"),
        max_length=24,
        help_text=_("18 characters; birth date and sex are read from it."),
    )
    mobile = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        required=False,
        help_text=_(
            "This member signs in to the service supermarket with this number (an SMS code)."
        ),
    )
    relation = forms.ChoiceField(label=_("Relation to the head"), choices=Relation.choices)
    disability_type = forms.ChoiceField(
        label=_("Disability"), choices=DisabilityType.choices, required=False
    )
    disability_grade = forms.TypedChoiceField(
        label=_("Disability grade"),
        choices=[("", "—"), (1, "1"), (2, "2"), (3, "3"), (4, "4")],
        coerce=int,
        empty_value=None,
        required=False,
    )
    illness = forms.ChoiceField(label=_("Illness"), choices=Illness.choices, required=False)
    illness_note = forms.CharField(label=_("Illness details"), max_length=120, required=False)
    employment = forms.ChoiceField(label=_("Employment status"), choices=Employment.choices)
    schooling = forms.ChoiceField(
        label=_("School enrolment"), choices=Schooling.choices, required=False
    )
    guardian = forms.ModelChoiceField(
        label=_("Guardian (for minors)"), queryset=Member.objects.none(), required=False
    )
    reason = forms.CharField(label=_("Reason for the change"), max_length=200, required=False)

    def __init__(self, *args, household=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if household is not None:
            self.fields["guardian"].queryset = household.members.filter(is_active=True)
        if editing:
            self.fields["id_number"].required = False
            self.fields["id_number"].help_text = _("Leave empty to keep the current number.")


class MemberLeaveForm(Form):
    died = forms.TypedChoiceField(
        label=_("What happened"),
        choices=[("0", _("Left the household")), ("1", _("Died"))],
        coerce=lambda v: v == "1",
    )
    occurred_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class ExitForm(Form):
    reason = forms.CharField(label=_("Reason for exit"), max_length=200)


# --- Casework ------------------------------------------------------------------------------


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CaseNoteForm(Form):
    kind = forms.ChoiceField(label=_("Type of record"), choices=NoteKind.choices)
    occurred_on = forms.DateField(label=_("Date"), widget=_date_input())
    findings = forms.CharField(
        label=_("What was found"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    next_step = forms.CharField(label=_("Next step"), max_length=500, required=False)
    follow_up_on = forms.DateField(
        label=_("Follow up on"),
        required=False,
        help_text=_("On this date the follow-up appears in your tasks."),
        widget=_date_input(),
    )
    sensitive = forms.BooleanField(
        label=_("Sensitive"),
        required=False,
        help_text=_("Only the street caseworker and above (and you) can read a sensitive note."),
    )


class ConsentForm(Form):
    scope = forms.ChoiceField(
        label=_("The household agrees to"), choices=ConsentScope.choices, widget=forms.RadioSelect
    )
    given_on = forms.DateField(label=_("Signed on"), widget=_date_input())
    signed_by = forms.CharField(label=_("Signed by"), max_length=64)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
    form_photo = forms.FileField(
        label=_("Photo of the signed form"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )


class ConsentWithdrawForm(Form):
    reason = forms.CharField(label=_("Reason for withdrawal"), max_length=200)
    on = forms.DateField(label=_("Withdrawn on"), required=False, widget=_date_input())


class TransferForm(forms.Form):
    to_community = forms.ModelChoiceField(
        label=_("Receiving community"), queryset=Area.objects.filter(level=AreaLevel.COMMUNITY)
    )
    to_address = forms.CharField(label=_("New address"), max_length=200, required=False)
    reason = forms.CharField(label=_("Reason"), max_length=200)


class TransferDecisionForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class TrainingForm(Form):
    course = forms.CharField(label=_("Course"), max_length=120)
    completed_on = forms.DateField(label=_("Date"), widget=_date_input())
    hours = forms.DecimalField(
        label=_("Hours"), max_digits=5, decimal_places=1, min_value=Decimal("0.5")
    )
    organiser = forms.CharField(label=_("Organiser"), max_length=120, required=False)


class CommendationForm(Form):
    title = forms.CharField(label=_("Commendation"), max_length=120)
    awarded_on = forms.DateField(label=_("Date"), widget=_date_input())
    awarded_by = forms.CharField(label=_("Awarded by"), max_length=120, required=False)
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)
