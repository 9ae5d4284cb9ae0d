"""Forms of applications and screening: the public application form, the filters, a review's
scores, the decisions and the district's scorecard. Input is checked here at the edge; the
services check again and raise ``DomainError``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jiuzhu.catalog.forms import local_name
from jiuzhu.catalog.models import ServiceItem
from jiuzhu.core.errors import ValidationFailed
from jiuzhu.core.forms import Form
from jiuzhu.core.models import Area, AreaLevel
from jiuzhu.evaluation.models import ApplicationStatus, DocumentKind
from jiuzhu.evaluation.selectors.applications import SORTS
from jiuzhu.evaluation.services.applications import (
    DOCUMENT_MAX_BYTES,
    DOCUMENTS_MAX,
    CardRow,
    document_kind,
)
from jiuzhu.orders.models import SupplyType
from jiuzhu.orders.services.providers import clean_uscc


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class ItemsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return local_name(obj)


def street_choices() -> list:
    """Streets grouped by district (the address's street decides the district applied to)."""
    groups: dict[str, list] = {}
    streets = Area.objects.filter(level=AreaLevel.STREET).select_related("parent")
    for street in streets.order_by("code"):
        district = street.parent.name if street.parent else ""
        groups.setdefault(district, []).append((street.pk, street.name))
    return [("", "—"), *groups.items()]


def _check_documents(files, kind: str) -> list[tuple[str, object]]:
    checked = []
    for upload in files:
        if upload.size > DOCUMENT_MAX_BYTES:
            raise forms.ValidationError(_("Each document may be at most 5 MB."))
        head = upload.read(16)
        upload.seek(0)
        if document_kind(head) is None:
            raise forms.ValidationError(
                _("Upload documents as PDF, JPEG or PNG files (%(name)s is not).")
                % {"name": upload.name[:60]}
            )
        checked.append((kind, upload))
    return checked


class ApplicationForm(Form):
    name = forms.CharField(label=_("Organisation's registered name"), max_length=128)
    uscc = forms.CharField(
        label=_("Unified social credit code"),
        max_length=24,
        help_text=_("18 characters, as on the registration certificate (统一社会信用代码)."),
    )
    supply_type = forms.ChoiceField(label=_("Supply type"), choices=SupplyType.choices)
    staff_count = forms.IntegerField(label=_("Staff"), min_value=0, max_value=100_000)
    social_workers = forms.IntegerField(
        label=_("Qualified social workers"), min_value=0, max_value=100_000
    )
    signature_projects = forms.CharField(
        label=_("Signature projects"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What they did, for whom, how many people, with what results."),
    )
    past_projects = forms.CharField(
        label=_("References of past projects"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Who commissioned them, when, and whom we may ask."),
    )
    street = forms.TypedChoiceField(
        label=_("Street of the organisation's address"), coerce=int, choices=()
    )
    address = forms.CharField(label=_("Address"), max_length=200)
    items = ItemsField(
        label=_("Services it would offer"),
        queryset=ServiceItem.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    contact_name = forms.CharField(label=_("Contact"), max_length=40)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=20)
    contact_email = forms.EmailField(label=_("Contact e-mail"), required=False)
    licence = MultipleFileField(
        label=_("Registration certificate or licence"),
        required=False,
        help_text=_("PDF, JPEG or PNG, at most 5 MB each."),
    )
    qualifications = MultipleFileField(
        label=_("Qualifications and certificates"),
        required=False,
        help_text=_("PDF, JPEG or PNG, at most 5 MB each."),
    )
    #: Left empty by people; filled by form-filling robots.
    website = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["street"].choices = street_choices()
        self.fields["items"].queryset = ServiceItem.objects.filter(active=True).order_by("code")

    def clean_uscc(self):
        try:
            return clean_uscc(self.cleaned_data["uscc"].strip().upper())
        except ValidationFailed as error:
            raise forms.ValidationError(error.fields["uscc"]) from None

    def clean_licence(self):
        return _check_documents(self.cleaned_data.get("licence") or [], DocumentKind.LICENCE)

    def clean_qualifications(self):
        return _check_documents(
            self.cleaned_data.get("qualifications") or [], DocumentKind.QUALIFICATION
        )

    def clean(self):
        data = super().clean()
        staff, workers = data.get("staff_count"), data.get("social_workers")
        if staff is not None and workers is not None and workers > staff:
            self.add_error(
                "social_workers", _("Qualified social workers are counted among the staff.")
            )
        if len(data.get("licence") or []) + len(data.get("qualifications") or []) > DOCUMENTS_MAX:
            self.add_error("qualifications", _("At most %(n)d documents.") % {"n": DOCUMENTS_MAX})
        return data

    def documents(self) -> list:
        return [*self.cleaned_data["licence"], *self.cleaned_data["qualifications"]]


class ApplicationFilterForm(Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=60)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *ApplicationStatus.choices]
    )
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[
            ("newest", _("Newest first")),
            ("oldest", _("Oldest first")),
            ("name", _("Name")),
            ("status", _("Status")),
        ],
    )

    def clean_sort(self):
        sort = self.cleaned_data.get("sort") or "newest"
        return sort if sort in SORTS else "newest"


class ReviewForm(Form):
    """One score (0–100) and one reason per criterion of the district's scorecard."""

    comment = forms.CharField(
        label=_("Overall comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, card: list[CardRow], **kwargs):
        super().__init__(*args, **kwargs)
        self.card = card
        for row in card:
            self.fields[f"score_{row.code}"] = forms.IntegerField(
                label=row.label, min_value=0, max_value=100
            )
            self.fields[f"reason_{row.code}"] = forms.CharField(
                label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
            )

    def rows(self):
        return [(row, self[f"score_{row.code}"], self[f"reason_{row.code}"]) for row in self.card]

    def scores(self) -> dict[str, tuple[int, str]]:
        data = self.cleaned_data
        return {
            row.code: (data[f"score_{row.code}"], data[f"reason_{row.code}"]) for row in self.card
        }


class NoteForm(Form):
    note = forms.CharField(
        label=_("Note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class RejectForm(Form):
    reason = forms.CharField(
        label=_("Reason for the rejection"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The organisation is told this reason."),
    )


class LocalAreaMultiple(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


class ApproveForm(Form):
    """Where the new provider is based and what it serves (the manager decides; the
    application's street and services are proposed)."""

    base = forms.ModelChoiceField(label=_("Base community"), queryset=Area.objects.none())
    streets = LocalAreaMultiple(
        label=_("Service streets"),
        queryset=Area.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    items = ItemsField(
        label=_("Services it offers"),
        queryset=ServiceItem.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    daily_capacity = forms.IntegerField(
        label=_("Orders per day"), min_value=1, max_value=10_000, initial=20
    )
    reason = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, district: Area, **kwargs):
        super().__init__(*args, **kwargs)
        streets = Area.objects.filter(parent=district, level=AreaLevel.STREET).order_by("code")
        self.fields["base"].queryset = Area.objects.filter(
            parent__in=streets, level=AreaLevel.COMMUNITY
        ).order_by("code")
        self.fields["base"].label_from_instance = lambda a: a.name
        self.fields["streets"].queryset = streets
        self.fields["items"].queryset = ServiceItem.objects.filter(active=True).order_by("code")


class ScorecardForm(Form):
    def __init__(self, *args, card: list[CardRow], **kwargs):
        super().__init__(*args, **kwargs)
        self.card = card
        for row in card:
            self.fields[f"weight_{row.code}"] = forms.IntegerField(
                label=row.label, min_value=0, max_value=100, initial=row.weight
            )
            self.fields[f"guidance_{row.code}"] = forms.CharField(
                label=_("What reviewers look at"),
                max_length=300,
                required=False,
                initial=row.guidance,
            )

    def rows(self):
        return [
            (row, self[f"weight_{row.code}"], self[f"guidance_{row.code}"]) for row in self.card
        ]

    def clean(self):
        data = super().clean()
        weights = [data.get(f"weight_{row.code}") for row in self.card]
        if all(w is not None for w in weights) and sum(weights) <= 0:
            raise forms.ValidationError(_("At least one criterion needs a weight above 0."))
        return data
