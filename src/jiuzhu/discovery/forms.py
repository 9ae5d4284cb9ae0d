"""Input of the discovery pages (validation only; the services decide)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jiuzhu.core.forms import Form
from jiuzhu.core.models import Area, AreaLevel

# Imports and warnings
from jiuzhu.discovery.models import DataSource, Grade, ImportStatus, WarningOrigin, WarningStatus


class ImportForm(Form):
    source = forms.ChoiceField(label=_("Data source"), choices=DataSource.choices)
    file = forms.FileField(label=_("File (CSV in UTF-8 or GBK, or XLSX)"))
    valid_rows_only = forms.BooleanField(
        label=_("Import the valid rows only (skip rows with errors)"), required=False
    )
    dry_run = forms.BooleanField(label=_("Check only, import nothing"), required=False)
    token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)


class BatchFilterForm(Form):
    source = forms.ChoiceField(
        label=_("Data source"), choices=[("", _("All"))] + DataSource.choices, required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All"))] + ImportStatus.choices, required=False
    )
    sort = forms.ChoiceField(
        label=_("Sort"),
        choices=[
            ("new", _("Newest first")),
            ("old", _("Oldest first")),
            ("rows", _("Most rows")),
            ("rejected", _("Most rejected")),
        ],
        required=False,
    )


class WarningFilterForm(Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All"))] + WarningStatus.choices, required=False
    )
    grade = forms.ChoiceField(
        label=_("Grade"), choices=[("", _("All"))] + Grade.choices, required=False
    )
    origin = forms.ChoiceField(
        label=_("Origin"), choices=[("", _("All"))] + WarningOrigin.choices, required=False
    )
    overdue = forms.BooleanField(label=_("Escalated only"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort"),
        choices=[("due", _("Deadline")), ("new", _("Newest first")), ("grade", _("Grade"))],
        required=False,
    )


class VerifyForm(Form):
    outcome = forms.ChoiceField(
        label=_("Outcome of the visit"),
        choices=[
            ("dismiss", _("Dismiss (no hardship found)")),
            ("register", _("A new household was registered")),
            ("reassess", _("Re-assess the household (跟进评)")),
        ],
    )
    immediate = forms.BooleanField(label=_("Immediate re-assessment (立即评)"), required=False)
    household = forms.IntegerField(label=_("Household number"), required=False, min_value=1)
    note = forms.CharField(label=_("What the visit found"), max_length=500)


class AssignForm(Form):
    assignee = forms.IntegerField(label=_("Assign to"), min_value=1)


class ReferralForm(Form):
    name = forms.CharField(label=_("Their name (if you know it)"), max_length=64, required=False)
    address = forms.CharField(
        label=_("Address or where to find them"), max_length=200, required=False
    )
    noticed = forms.CharField(
        label=_("What you noticed"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    consent_note = forms.CharField(
        label=_("Do they know you are telling us?"), max_length=200, required=False
    )
    community = forms.ModelChoiceField(
        label=_("Community"),
        queryset=Area.objects.filter(level=AreaLevel.COMMUNITY),
        required=False,
    )


class RuleForm(Form):
    code = forms.CharField(label=_("Code"), max_length=40)
    kind = forms.ChoiceField(label=_("Kind"))
    title = forms.CharField(label=_("Title"), max_length=120)
    params = forms.JSONField(label=_("Thresholds (JSON)"))
    grade = forms.ChoiceField(label=_("Grade"), choices=Grade.choices)
    verify_days = forms.IntegerField(label=_("Days to verify"), min_value=1, max_value=90)
    indicator = forms.ChoiceField(label=_("Indicator"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from jiuzhu.discovery.models import Indicator, RuleKind

        self.fields["kind"].choices = RuleKind.choices
        self.fields["indicator"].choices = Indicator.choices
