"""Input validation at the edge, shared by the web pages and the API (the API feeds its JSON
through these same forms, so both give the same field messages). Categories, levels and needs
are referred to by their codes. Cross-record checks (unique codes) live in the services."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from jiuzhu.catalog.models import (
    CODE_PATTERN,
    Need,
    NeedCategory,
    ServiceCategory,
    ServiceLevel,
    SlaClass,
    Unit,
)
from jiuzhu.registry.models import Group, Tier, UrgencyTag

LIMIT = {"min_value": 1, "max_value": 10000, "required": False}


def local_name(obj) -> str:
    """The English name on English pages when there is one, else the Chinese name."""
    if obj.name_en and (get_language() or "").startswith("en"):
        return obj.name_en
    return obj.name


class LocalChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return local_name(obj)


class NeedChoiceField(forms.ModelMultipleChoiceField):
    """Needs labelled "category › need" in the page's language."""

    def label_from_instance(self, obj) -> str:
        return f"{local_name(obj.category)} › {local_name(obj)}"


def _code_field() -> forms.RegexField:
    return forms.RegexField(
        label=_("Code"),
        regex=CODE_PATTERN,
        max_length=40,
        error_messages={
            "invalid": _(
                "Use 2–40 lower-case letters, digits or underscores, starting with a letter."
            )
        },
        help_text=_("A short stable identifier, e.g. meal_help. It cannot be changed later."),
    )


def _choices(choices, label) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        choices=choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked for “any”."),
    )


class NamedForm(forms.Form):
    """Fields every catalogue entry has. ``editing=True`` drops the code (codes never change)."""

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            self.fields.pop("code", None)


class ServiceItemForm(NamedForm):
    code = _code_field()
    name = forms.CharField(label=_("Name (Chinese)"), max_length=64)
    name_en = forms.CharField(label=_("Name (English)"), max_length=120, required=False)
    category = LocalChoiceField(
        label=_("Service category"),
        queryset=ServiceCategory.objects.select_related("level"),
        to_field_name="code",
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    unit = forms.ChoiceField(label=_("Unit"), choices=Unit.choices)
    price = forms.DecimalField(
        label=_("Price to government (yuan)"),
        max_digits=10,
        decimal_places=2,
        min_value=Decimal("0"),
        help_text=_("Per unit, when the government buys the service; 0 for free or volunteer."),
    )
    sla_class = forms.ChoiceField(label=_("SLA class"), choices=SlaClass.choices)
    max_per_week = forms.IntegerField(
        label=_("Limit per household per week"),
        help_text=_("Units; leave empty for no limit."),
        **LIMIT,
    )
    max_per_month = forms.IntegerField(
        label=_("Limit per household per month"),
        help_text=_("Units; leave empty for no limit."),
        **LIMIT,
    )
    usual_minutes = forms.IntegerField(
        label=_("Usual duration (minutes)"),
        help_text=_("How long one visit usually takes; much shorter visits are flagged."),
        min_value=1,
        max_value=1440,
        required=False,
    )
    groups = _choices(Group.choices, _("Eligible groups"))
    tiers = _choices(Tier.choices, _("Eligible tiers"))
    urgency_tags = _choices(UrgencyTag.choices, _("Eligible urgency tags"))
    needs = NeedChoiceField(
        label=_("Needs met"),
        queryset=Need.objects.select_related("category").order_by(
            "category__position", "position", "code"
        ),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    position = forms.IntegerField(
        label=_("Position"),
        min_value=0,
        max_value=32000,
        required=False,
        help_text=_("Lower numbers are listed first."),
    )
    active = forms.BooleanField(label=_("Active (can be ordered)"), required=False, initial=True)

    def clean(self):
        data = super().clean()
        week, month = data.get("max_per_week"), data.get("max_per_month")
        if week and month and week > month:
            self.add_error(
                "max_per_week", _("The weekly limit cannot be larger than the monthly limit.")
            )
        return data


class NeedCategoryForm(NamedForm):
    code = _code_field()
    name = forms.CharField(label=_("Name (Chinese)"), max_length=64)
    name_en = forms.CharField(label=_("Name (English)"), max_length=120, required=False)
    description = forms.CharField(
        label=_("Description"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=32000, required=False)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class NeedForm(NamedForm):
    code = _code_field()
    name = forms.CharField(label=_("Name (Chinese)"), max_length=64)
    name_en = forms.CharField(label=_("Name (English)"), max_length=120, required=False)
    category = LocalChoiceField(
        label=_("Need category"), queryset=NeedCategory.objects.all(), to_field_name="code"
    )
    groups = _choices(Group.choices, _("Typical groups"))
    description = forms.CharField(
        label=_("Description"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=32000, required=False)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class ItemFilterForm(forms.Form):
    """The list's filters. A bad value is simply not applied (see ``views._valid_filters``)."""

    q = forms.CharField(label=_("Search"), max_length=64, required=False)
    level = LocalChoiceField(
        label=_("Service level"),
        queryset=ServiceLevel.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("All levels"),
    )
    category = LocalChoiceField(
        label=_("Service category"),
        queryset=ServiceCategory.objects.select_related("level"),
        to_field_name="code",
        required=False,
        empty_label=_("All categories"),
    )
    group = forms.ChoiceField(
        label=_("Group"), choices=[("", _("All groups")), *Group.choices], required=False
    )
    active = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Any status")), ("1", _("Active")), ("0", _("Inactive"))],
        required=False,
    )

    def __init__(self, *args, show_status: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not show_status:
            del self.fields["active"]
