"""Input of the time bank's pages and API (the API feeds its JSON through the same forms, so the
messages match). Hours are typed as hours (0.5 steps) and stored as minutes."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jiuzhu.core.forms import Form
from jiuzhu.timebank.engine.ledger import FAMILY_RELATIONS

MAX_HOURS = Decimal(1500)
RELATIONS = [
    ("self", _("Myself")),
    ("spouse", _("Spouse")),
    ("parent", _("Parent")),
    ("child", _("Child")),
    ("grandparent", _("Grandparent")),
    ("grandchild", _("Grandchild")),
]
assert {value for value, _label in RELATIONS} == FAMILY_RELATIONS | {"self"}


def hours_field(label: str, *, required: bool = True, max_hours: Decimal = MAX_HOURS):
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=Decimal("0.5"),
        max_value=max_hours,
        decimal_places=1,
        error_messages={
            "min_value": _("Give at least half an hour."),
            "max_value": _("That is more hours than the storage cap allows."),
        },
    )


def minutes_of(hours: Decimal) -> int:
    return int(round(hours * 60))


class AccountOpenForm(Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            ("individual", _("Individual volunteer")),
            ("group", _("Volunteer group")),
            ("household", _("Household (hours granted from the pool)")),
        ],
    )
    holder = forms.CharField(
        label=_("Volunteer's user name (individual, or the group's leader)"),
        required=False,
        max_length=150,
    )
    name = forms.CharField(
        label=_("Account name (a group: the team)"), required=False, max_length=100
    )
    birth_date = forms.DateField(
        label=_("Volunteer's birth date (for the age rule)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    household_id = forms.IntegerField(
        label=_("Household number (household account)"), required=False, min_value=1
    )

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind in ("individual", "group") and not data.get("holder"):
            self.add_error("holder", _("Give the volunteer's user name."))
        if kind == "household" and not data.get("household_id"):
            self.add_error("household_id", _("Give the household's number."))
        return data


class ActivityForm(Form):
    title = forms.CharField(label=_("Activity"), max_length=120)
    category = forms.CharField(label=_("Service category"), max_length=64, required=False)
    held_on = forms.DateField(label=_("Held on"), widget=forms.DateInput(attrs={"type": "date"}))


class CounterForm(Form):
    account_id = forms.IntegerField(label=_("Account number"), min_value=1)
    hours = hours_field(pgettext_lazy("timebank", "Hours"))
    service = forms.CharField(label=_("Service the hours buy"), max_length=120)
    relation = forms.ChoiceField(
        label=_("Person served (volunteer's account)"), choices=RELATIONS, required=False
    )
    beneficiary_birth_date = forms.DateField(
        label=_("Birth date of the person served (a relative)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    member_id = forms.IntegerField(
        label=_("Member number of the person served (household's account)"),
        required=False,
        min_value=1,
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100, required=False)


class PoolForm(Form):
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
