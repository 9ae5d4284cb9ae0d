"""The dispatch centre's web forms: input checked at the edge, then handed to the services
(which check everything again and raise ``DomainError``)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jiuzhu.catalog.models import SlaClass
from jiuzhu.core.forms import Form
from jiuzhu.dispatch.models import TicketKind, TicketStatus
from jiuzhu.registry.models import UrgencyTag

PHONE = re.compile(r"^\+?[0-9][0-9 \-]{4,18}[0-9]$")
#: The longest period the monitoring page computes in one go.
MAX_PERIOD_DAYS = 366
PERIODS = (
    ("7", _("Last 7 days")),
    ("30", _("Last 30 days")),
    ("90", _("Last 90 days")),
    ("custom", _("From – to")),
)


# ---------------------------------------------------------------- SLA policies


class SlaPolicyForm(Form):
    urgency_tag = forms.ChoiceField(
        label=_("Urgency tag"),
        required=False,
        choices=[("", _("Any tag")), *UrgencyTag.choices],
    )
    sla_class = forms.ChoiceField(
        label=_("SLA class"), required=False, choices=[("", _("Any class")), *SlaClass.choices]
    )
    accept_hours = forms.DecimalField(
        label=_("Accept within (hours)"),
        min_value=Decimal("0.25"),
        max_value=Decimal(720),
        decimal_places=2,
        max_digits=6,
    )
    complete_hours = forms.DecimalField(
        label=_("Complete within (hours)"),
        min_value=Decimal("0.25"),
        max_value=Decimal(8760),
        decimal_places=2,
        max_digits=7,
    )

    def clean(self):
        data = super().clean()
        accept, complete = data.get("accept_hours"), data.get("complete_hours")
        if accept is not None and complete is not None and complete < accept:
            self.add_error("complete_hours", _("Completion cannot be due before acceptance."))
        return data


# ---------------------------------------------------------------- board and displays


class BoardFilterForm(Form):
    district = forms.ModelChoiceField(
        label=_("District"), queryset=None, required=False, empty_label=_("All districts")
    )
    street = forms.ModelChoiceField(
        label=_("Street"), queryset=None, required=False, empty_label=_("All streets")
    )

    def __init__(self, *args, streets=None, districts=None, **kwargs):
        from jiuzhu.core.models import Area

        super().__init__(*args, **kwargs)
        self.fields["street"].queryset = streets
        self.fields["street"].label_from_instance = lambda area: area.name
        self.fields["district"].queryset = (
            districts if districts is not None else Area.objects.none()
        )
        self.fields["district"].label_from_instance = lambda area: area.name


class DisplayTokenForm(Form):
    name = forms.CharField(
        label=_("Screen name"),
        max_length=60,
        help_text=_("Where the screen hangs, e.g. “Dispatch centre, left wall”."),
    )


class EscalationResolveForm(Form):
    note = forms.CharField(label=_("What was done"), max_length=300)


# ---------------------------------------------------------------- hotline tickets


class TicketFilterForm(Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=60,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Ticket or order number, caller")}
        ),
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *TicketStatus.choices]
    )
    kind = forms.ChoiceField(
        label=pgettext_lazy("ticket", "Kind"),
        required=False,
        choices=[("", _("Any kind")), *TicketKind.choices],
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    household = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    order = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class TicketForm(Form):
    kind = forms.ChoiceField(label=_("Kind of call"), choices=TicketKind.choices)
    caller_name = forms.CharField(label=_("Caller"), max_length=40, required=False)
    caller_phone = forms.CharField(
        label=_("Caller's phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    description = forms.CharField(
        label=_("What the caller said"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    household = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    order_number = forms.CharField(
        label=_("Order number"),
        max_length=24,
        required=False,
        help_text=_("If the call is about an order, e.g. JZ20260101000001."),
    )
    provider = forms.ModelChoiceField(
        label=_("Provider"), queryset=None, required=False, empty_label=_("No provider")
    )

    def __init__(self, *args, providers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers
        self.fields["provider"].label_from_instance = lambda p: p.organisation.name

    def clean_caller_phone(self) -> str:
        phone = self.cleaned_data["caller_phone"].strip()
        if phone and not PHONE.match(phone):
            raise forms.ValidationError(_("Enter a phone number of digits (and dashes)."))
        return phone

    def clean_order_number(self) -> str:
        return self.cleaned_data["order_number"].strip().upper()


class AssignForm(Form):
    assignee = forms.ModelChoiceField(label=_("Give it to"), queryset=None)

    def __init__(self, *args, assignees=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignees
        self.fields["assignee"].label_from_instance = lambda user: (
            f"{user} · {user.get_role_display()}"
        )


class HandleForm(Form):
    note = forms.CharField(
        label=_("How it was handled"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


class VerdictForm(Form):
    """Whether the complaint behind a ticket is upheld (only upheld ones count in settlement)."""

    verdict = forms.ChoiceField(
        label=_("Verdict"),
        choices=[("upheld", _("Upheld")), ("rejected", _("Not upheld"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Why"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class CallBackForm(Form):
    note = forms.CharField(
        label=_("What the caller said on the call-back or visit"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CloseForm(Form):
    satisfaction = forms.TypedChoiceField(
        label=_("Caller's satisfaction"),
        coerce=int,
        choices=[(n, str(n)) for n in range(5, 0, -1)],
        widget=forms.RadioSelect,
        help_text=_("5 very satisfied … 1 very dissatisfied"),
    )


# ---------------------------------------------------------------- provider monitoring


class PeriodForm(Form):
    period = forms.ChoiceField(label=_("Period"), choices=PERIODS, required=False)
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        if data.get("period") != "custom":
            return data
        start, end = data.get("start"), data.get("end")
        if start is None or end is None:
            raise forms.ValidationError(_("Choose both dates."))
        if end < start:
            raise forms.ValidationError(_("The period ends before it starts."))
        if (end - start).days >= MAX_PERIOD_DAYS:
            raise forms.ValidationError(_("Choose at most a year."))
        return data

    def span(self, today: dt.date | None = None) -> tuple[dt.datetime, dt.datetime, str]:
        """(start, end) as aware datetimes (end exclusive) and the period's key; invalid
        input falls back to the last 30 days."""
        today = today or timezone.localdate()
        valid = self.is_valid()
        period = (self.cleaned_data.get("period") if valid else "") or "30"
        if period == "custom":
            first, last = self.cleaned_data["start"], self.cleaned_data["end"]
        else:
            if not valid:
                period = "30"
            first, last = today - dt.timedelta(days=int(period) - 1), today
        tz = timezone.get_current_timezone()
        start = dt.datetime.combine(first, dt.time.min, tzinfo=tz)
        end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        return start, end, period


# ---------------------------------------------------------------- the backlog and supply gap


class BacklogFilterForm(Form):
    """The backlog's filters; district only for city users, street for district and city."""

    list = forms.ChoiceField(label=_("List"), required=False)
    district = forms.ModelChoiceField(
        label=_("District"), queryset=None, required=False, empty_label=_("All districts")
    )
    street = forms.ModelChoiceField(
        label=_("Street"), queryset=None, required=False, empty_label=_("All streets")
    )
    item = forms.ModelChoiceField(
        label=_("Service"), queryset=None, required=False, empty_label=_("All services")
    )
    reason = forms.ChoiceField(label=_("Why still waiting"), required=False)
    q = forms.CharField(label=_("Order number"), required=False, max_length=30)

    def __init__(self, *args, districts=None, streets=None, items=None, **kwargs):
        from jiuzhu.dispatch.selectors.backlog import BacklogList, WaitingReason

        super().__init__(*args, **kwargs)
        self.fields["list"].choices = BacklogList.choices
        self.fields["reason"].choices = [("", _("Any reason")), *WaitingReason.choices]
        for name, queryset in (("district", districts), ("street", streets), ("item", items)):
            self.fields[name].queryset = queryset
            self.fields[name].label_from_instance = lambda obj: obj.name


class OfferToForm(Form):
    provider = forms.ModelChoiceField(label=_("Provider"), queryset=None)
    reason = forms.CharField(
        label=_("Why this provider"),
        max_length=300,
        help_text=_("E.g. “agreed by phone with the centre's director”."),
    )

    def __init__(self, *args, providers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers
        self.fields["provider"].label_from_instance = lambda p: p.organisation.name


class EscalateForm(Form):
    note = forms.CharField(label=_("Why escalate"), max_length=300)


class BulkForm(Form):
    action = forms.ChoiceField(
        label=_("Action"),
        choices=[
            ("reoffer", _("Offer again to the best available provider")),
            ("offer", _("Offer to a chosen provider")),
            ("escalate", _("Escalate to the district's managers")),
        ],
    )
    orders = forms.TypedMultipleChoiceField(label=_("Orders"), coerce=int, choices=())
    provider = forms.ModelChoiceField(label=_("Provider"), queryset=None, required=False)
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)

    def __init__(self, *args, providers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers
        self.fields["provider"].label_from_instance = lambda p: p.organisation.name
        self.fields["orders"].choices = [
            (value, value) for value in (self.data.getlist("orders") if self.data else [])
        ]


class SupplyGapFilterForm(Form):
    days = forms.TypedChoiceField(
        label=_("Period"),
        coerce=int,
        required=False,
        choices=[("7", _("Last 7 days")), ("30", _("Last 30 days")), ("90", _("Last 90 days"))],
    )
    district = forms.ModelChoiceField(
        label=_("District"), queryset=None, required=False, empty_label=_("All districts")
    )
    street = forms.ModelChoiceField(
        label=_("Street"), queryset=None, required=False, empty_label=_("All streets")
    )

    def __init__(self, *args, districts=None, streets=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name, queryset in (("district", districts), ("street", streets)):
            self.fields[name].queryset = queryset
            self.fields[name].label_from_instance = lambda obj: obj.name
