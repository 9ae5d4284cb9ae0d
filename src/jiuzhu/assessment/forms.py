"""Forms at the edge of the assessment pages: they parse and check the shape of the input; the
services decide (and raise ``DomainError``, which the views show on these forms)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jiuzhu.assessment.models import DataType, Dimension, Indicator, ReferralStatus
from jiuzhu.assessment.prefill import PREFILLS
from jiuzhu.catalog.models import Need, ServiceItem

ANSWER_PREFIX = "q_"
YES_NO = [("1", _("Yes")), ("0", _("No"))]


def answer_field_name(code: str) -> str:
    return f"{ANSWER_PREFIX}{code}"


class AssessmentForm(forms.Form):
    """One field per indicator (``q_<code>``), the household's wishes (问) and the revision the
    page was built from. Radios that were never touched are not sent and so keep their value;
    an emptied number or choice means "not answered"."""

    revision = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    wishes = forms.CharField(
        label=_("In the household's own words: what do they wish for?"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    wished_needs = forms.ModelMultipleChoiceField(
        label=_("Needs the household names"),
        queryset=Need.objects.filter(active=True),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, indicators: list[Indicator], **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = indicators
        for indicator in indicators:
            name = answer_field_name(indicator.code)
            if indicator.data_type == DataType.BOOLEAN:
                field: forms.Field = forms.ChoiceField(
                    choices=YES_NO, required=False, widget=forms.RadioSelect
                )
            elif indicator.data_type == DataType.NUMBER:
                field = forms.CharField(
                    required=False,
                    max_length=40,
                    widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
                )
            else:
                options = [(str(c), str(c)) for c in indicator.choices or []]
                field = forms.ChoiceField(choices=[("", "—"), *options], required=False)
            field.label = indicator.question
            self.fields[name] = field

    def answers(self) -> dict[str, Any]:
        """The answers sent, by indicator code (blank is None: not answered)."""
        answers: dict[str, Any] = {}
        for indicator in self.indicators:
            name = answer_field_name(indicator.code)
            if name not in self.data:
                continue
            value = self.cleaned_data.get(name)
            answers[indicator.code] = value if value not in ("", None) else None
        return answers

    def wished_needs_sent(self) -> list[Need] | None:
        """The ticked needs, or None when the page did not send the wishes section."""
        if "wishes" not in self.data:
            return None
        return list(self.cleaned_data.get("wished_needs") or [])


class QueueFilterForm(forms.Form):
    """The due queue's query string; a bad value is ignored, never refused."""

    street = forms.TypedChoiceField(label=_("Street"), coerce=int, empty_value=None, required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, data, *, streets):
        super().__init__(data)
        self.fields["street"].choices = [("", _("All streets"))] + [
            (str(area.pk), area.name) for area in streets
        ]
        self.show_streets = len(streets) > 1
        self.is_valid()

    def value(self, name: str):
        return self.cleaned_data.get(name) if name not in self.errors else None


class PlanItemAddForm(forms.Form):
    service_item = forms.ModelChoiceField(
        label=_("Service item"), queryset=ServiceItem.objects.none(), empty_label="—"
    )
    per_month = forms.IntegerField(label=_("Times per month"), min_value=1, max_value=62, initial=2)
    months = forms.IntegerField(label=_("Months"), min_value=1, max_value=24, initial=6)
    need = forms.ModelChoiceField(
        label=_("Need met"),
        queryset=Need.objects.filter(active=True),
        required=False,
        empty_label="—",
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, items: list[ServiceItem], **kwargs):
        kwargs.setdefault("auto_id", "add_%s")  # the plan page also has the approval form
        super().__init__(*args, **kwargs)
        self.fields["service_item"].queryset = ServiceItem.objects.filter(
            pk__in=[item.pk for item in items]
        ).select_related("category")
        self.fields["service_item"].label_from_instance = lambda item: (
            f"{item.category.name} · {item.name}"
        )


class PlanItemUpdateForm(forms.Form):
    per_month = forms.IntegerField(label=_("Times per month"), min_value=1, max_value=62)
    months = forms.IntegerField(label=_("Months"), min_value=1, max_value=24)


class PlanReasonForm(forms.Form):
    """Pausing or ending a running plan: why (kept on the chain)."""

    reason = forms.CharField(label=_("Why"), max_length=200, required=False)


class PlanApproveForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "approve_%s")  # the add-a-service form has a note too
        super().__init__(*args, **kwargs)

    note = forms.CharField(
        label=_("Note for the record"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MaterialStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Referral status"), choices=ReferralStatus.choices)


class FrameworkSettingsForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("framework", "Name"), max_length=80)
    poverty_cutoff = forms.CharField(
        label=_("Poverty cutoff k"),
        max_length=20,
        help_text=_("A household is poor when its score reaches k, e.g. 1/3."),
    )
    urgent_at = forms.CharField(label=_("Urgent intervention from score"), max_length=20)
    safety_net_at = forms.CharField(label=_("Include in the safety net from score"), max_length=20)
    care_at = forms.CharField(label=_("Needs care from score"), max_length=20)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


def _prefill_choices() -> list[tuple[str, str]]:
    return [("", _("None: the assessor answers"))] + [(code, code) for code in PREFILLS]


class IndicatorForm(forms.Form):
    dimension = forms.ModelChoiceField(
        label=_("Dimension"), queryset=Dimension.objects.none(), empty_label=None
    )
    code = forms.SlugField(
        label=_("Code"),
        max_length=40,
        help_text=_("Letters, digits and underscores; the key of the answer."),
    )
    question = forms.CharField(label=_("Question (Chinese)"), max_length=200)
    question_en = forms.CharField(label=_("Question (English)"), max_length=240, required=False)
    help_text = forms.CharField(
        label=_("Guidance for the assessor"), max_length=300, required=False
    )
    data_type = forms.ChoiceField(label=_("Answer type"), choices=DataType.choices)
    choices = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For a choice: one option per line."),
    )
    deprived_if = forms.CharField(
        label=_("Deprived if"),
        max_length=120,
        help_text=_('A rule such as "true", "< 1.5" or "in [\\"none\\", \\"partial\\"]".'),
    )
    weight = forms.CharField(
        label=_("Weight"),
        max_length=20,
        required=False,
        help_text=_("Blank: an equal share of its dimension."),
    )
    critical = forms.BooleanField(
        label=_("Critical: a deprivation here alone means urgent intervention"), required=False
    )
    prefill = forms.ChoiceField(label=_("Pre-filled from the registry"), required=False)
    needs = forms.ModelMultipleChoiceField(
        label=_("Needs behind a deprivation"),
        queryset=Need.objects.all(),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, framework, indicator: Indicator | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.framework = framework
        self.indicator = indicator
        self.fields["dimension"].queryset = framework.dimensions.all()
        self.fields["prefill"].choices = _prefill_choices()
        if indicator is not None:
            del self.fields["dimension"]

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        taken = Indicator.objects.filter(dimension__framework=self.framework, code=code)
        if self.indicator is not None:
            taken = taken.exclude(pk=self.indicator.pk)
        if taken.exists():
            raise forms.ValidationError(_("Another indicator of this framework has this code."))
        return code

    def clean_choices(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data.get("choices", "").splitlines()]
        return [line for line in lines if line]

    def clean(self):
        data = super().clean()
        if data.get("data_type") == DataType.CHOICE and len(data.get("choices") or []) < 2:
            self.add_error("choices", _("A choice needs at least two options."))
        if data.get("data_type") != DataType.CHOICE:
            data["choices"] = []
        return data

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("dimension", None)
        data.pop("needs", None)
        return data


class FrameworkImportForm(forms.Form):
    file = forms.FileField(
        label=_("Framework file (YAML or JSON)"),
        help_text=_("The format of an exported framework; it becomes a new draft version."),
    )

    MAX_BYTES = 1_000_000

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 1 MB."))
        return upload
