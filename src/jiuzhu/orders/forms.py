"""The cloud supermarket's web forms: input checked at the edge, then handed to the services
(which check everything again and raise ``DomainError``)."""

from __future__ import annotations

import datetime as dt
import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiuzhu.catalog.forms import local_name
from jiuzhu.catalog.models import ServiceItem
from jiuzhu.core.forms import Form
from jiuzhu.core.models import Area, AreaLevel, Role, User
from jiuzhu.orders.models import Channel, OrderStatus, SupplyType
from jiuzhu.orders.selectors.orders import SORTS

MAX_QUANTITY = 20
PHOTO_MAX_BYTES = 5 * 1024 * 1024
#: What a photo's first bytes must look like, and the content type it is served with.
PHOTO_SIGNATURES = (
    (b"\xff\xd8\xff", "jpg", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "png", "image/png"),
    (b"GIF87a", "gif", "image/gif"),
    (b"GIF89a", "gif", "image/gif"),
)


def photo_kind(head: bytes) -> tuple[str, str] | None:
    """(extension, content type) of a JPEG, PNG, GIF or WebP by its first bytes, else None."""
    for signature, extension, content_type in PHOTO_SIGNATURES:
        if head.startswith(signature):
            return extension, content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp", "image/webp"
    return None


# ---------------------------------------------------------------- placing an order


class OrderForm(Form):
    quantity = forms.IntegerField(
        label=_("Quantity"), min_value=1, max_value=MAX_QUANTITY, initial=1
    )
    preferred_date = forms.DateField(
        label=_("Preferred date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    preferred_clock = forms.TimeField(
        label=_("Preferred time"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    note = forms.CharField(
        label=_("Note for the provider"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: deliver at noon, ring twice, no spicy food."),
    )
    token = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("token", uuid.uuid4().hex)
        elif not self.data.get("token"):
            # A form sent without its token gets one, so a corrected resend still works.
            self.data = self.data.copy()
            self.data["token"] = uuid.uuid4().hex
        self.fields["quantity"].widget.attrs.update({"inputmode": "numeric"})

    def clean(self):
        data = super().clean()
        day, clock = data.get("preferred_date"), data.get("preferred_clock")
        if clock is not None and day is None and "preferred_date" not in self.errors:
            self.add_error("preferred_date", _("Choose a date for this time."))
        if day is not None:
            when = timezone.make_aware(dt.datetime.combine(day, clock or dt.time(9, 0)))
            if when < timezone.now() - dt.timedelta(minutes=5):
                self.add_error("preferred_date", _("The preferred time is in the past."))
            data["preferred_time"] = when
        else:
            data["preferred_time"] = None
        return data


# ---------------------------------------------------------------- acting on an order


class DeclineForm(Form):
    reason = forms.CharField(label=_("Reason for declining"), max_length=200)


class CancelForm(Form):
    reason = forms.CharField(label=_("Reason (optional)"), max_length=200, required=False)


class AssigneeField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        kind = _("volunteer") if obj.role == Role.VOLUNTEER else _("staff")
        return f"{obj} ({kind})"


class AssignForm(Form):
    assignee = AssigneeField(label=_("Worker"), queryset=User.objects.none())

    def __init__(self, *args, organisation_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        staff = User.objects.filter(
            role=Role.PROVIDER_STAFF, organisation_id=organisation_id, is_active=True
        )
        volunteers = User.objects.filter(role=Role.VOLUNTEER, is_active=True)
        field = self.fields["assignee"]
        field.queryset = (staff | volunteers).order_by("role", "display_name", "username")
        field.choices = [
            ("", "—"),
            (_("Our staff"), [(u.pk, str(u)) for u in staff.order_by("display_name", "username")]),
            (
                _("Volunteers"),
                [(u.pk, str(u)) for u in volunteers.order_by("display_name", "username")],
            ),
        ]


class CompleteForm(Form):
    summary = forms.CharField(
        label=_("What was done"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=1, max_value=24 * 60
    )
    notes = forms.CharField(
        label=_("Notes"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    photo = forms.FileField(
        label=_("Photo (optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=_("JPEG, PNG or WebP, at most 5 MB."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["duration_minutes"].widget.attrs.update({"inputmode": "numeric"})

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if not photo:
            return None
        if photo.size > PHOTO_MAX_BYTES:
            raise forms.ValidationError(_("The photo may be at most 5 MB."))
        head = photo.read(16)
        photo.seek(0)
        kind = photo_kind(head)
        if kind is None:
            raise forms.ValidationError(_("Upload a photo (JPEG, PNG or WebP)."))
        extension, content_type = kind
        # The stored name says nothing about the person; the type is the one the bytes show.
        photo.name = f"{uuid.uuid4().hex}.{extension}"
        photo.content_type = content_type
        return photo


class RateForm(Form):
    score = forms.TypedChoiceField(
        label=_("Rating"),
        coerce=int,
        choices=[(n, str(n)) for n in range(5, 0, -1)],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ComplaintForm(Form):
    text = forms.CharField(
        label=_("What went wrong?"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )


# ---------------------------------------------------------------- lists


def _all(label) -> list:
    return [("", label)]


class OrderFilterForm(Form):
    """The staff list's query string; a bad value is ignored, never an error page."""

    q = forms.CharField(
        label=_("Order number"),
        max_length=24,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=_all(_("All statuses")) + OrderStatus.choices
    )
    item = forms.TypedChoiceField(label=_("Service"), required=False, coerce=int, empty_value=None)
    street = forms.TypedChoiceField(label=_("Street"), required=False, coerce=int, empty_value=None)
    channel = forms.ChoiceField(
        label=_("Placed"), required=False, choices=_all(_("All channels")) + Channel.choices
    )
    provider = forms.TypedChoiceField(
        label=_("Provider"), required=False, coerce=int, empty_value=None
    )
    household = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    sort = forms.ChoiceField(
        required=False, choices=[(key, key) for key in SORTS], widget=forms.HiddenInput
    )

    def __init__(self, data, *, items, streets, providers):
        super().__init__(data)
        self.fields["item"].choices = _all(_("All services")) + [
            (str(item.pk), local_name(item)) for item in items
        ]
        self.fields["street"].choices = _all(_("All streets")) + [
            (str(area.pk), area.name) for area in streets
        ]
        self.fields["provider"].choices = _all(_("All providers")) + [
            (str(p.pk), p.organisation.name) for p in providers
        ]
        if not streets:
            del self.fields["street"]


class StatusFilterForm(Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=_all(_("All statuses")) + OrderStatus.choices
    )


class ProviderFilterForm(Form):
    q = forms.CharField(
        label=_("Search"),
        max_length=64,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    supply_type = forms.ChoiceField(
        label=_("Supply type"),
        required=False,
        choices=_all(_("All supply types")) + SupplyType.choices,
    )
    street = forms.TypedChoiceField(
        label=_("Serves street"), required=False, coerce=int, empty_value=None
    )
    active = forms.ChoiceField(
        label=_("Active"),
        required=False,
        choices=[("", _("Active and inactive")), ("1", _("Active")), ("0", _("Inactive"))],
    )

    def __init__(self, data, *, streets):
        super().__init__(data)
        self.fields["street"].choices = _all(_("All streets")) + [
            (str(area.pk), area.name) for area in streets
        ]


# ---------------------------------------------------------------- providers


class GroupedMultipleChoiceField(forms.MultipleChoiceField):
    """Checkboxes (or a list box) grouped under headings; cleans to the chosen objects."""

    def __init__(self, *args, objects=(), group_of=None, label_of=str, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_objects(objects, group_of, label_of)

    def set_objects(self, objects, group_of, label_of) -> None:
        self._objects = {str(obj.pk): obj for obj in objects}
        grouped: dict[str, list] = {}
        for obj in objects:
            heading = group_of(obj) if group_of else ""
            grouped.setdefault(heading, []).append((str(obj.pk), label_of(obj)))
        self.choices = list(grouped.items()) if group_of else grouped.get("", [])

    def clean(self, value):
        chosen = super().clean(value)
        return [self._objects[pk] for pk in chosen if pk in self._objects]


class ProviderForm(Form):
    name = forms.CharField(label=_("Organisation name"), max_length=128)
    uscc = forms.CharField(
        label=_("Unified social credit code"),
        max_length=18,
        min_length=18,
        help_text=_("18 characters, as on the registration certificate."),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}),
    )
    supply_type = forms.ChoiceField(label=_("Supply type"), choices=SupplyType.choices)
    base = forms.ModelChoiceField(
        label=_("Base community"), queryset=Area.objects.none(), empty_label="—"
    )
    streets = GroupedMultipleChoiceField(
        label=_("Streets it serves"), required=False, widget=forms.CheckboxSelectMultiple
    )
    communities = GroupedMultipleChoiceField(
        label=_("Single communities it serves"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Only where it does not serve the whole street."),
    )
    items = GroupedMultipleChoiceField(
        label=_("Services offered"), required=False, widget=forms.CheckboxSelectMultiple
    )
    daily_capacity = forms.IntegerField(
        label=_("Orders per day"), min_value=1, max_value=10_000, initial=20
    )
    staff_count = forms.IntegerField(label=_("Staff"), min_value=0, max_value=100_000, initial=0)
    social_workers = forms.IntegerField(
        label=_("Qualified social workers"), min_value=0, max_value=100_000, initial=0
    )
    signature_projects = forms.CharField(
        label=_("Signature projects"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    contact_name = forms.CharField(label=_("Contact"), max_length=40)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=20)
    active = forms.BooleanField(label=_("Active (takes orders)"), required=False, initial=True)

    def __init__(self, *args, areas, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        communities = list(
            areas.filter(level=AreaLevel.COMMUNITY).select_related("parent").order_by("code")
        )
        streets = list(areas.filter(level=AreaLevel.STREET).order_by("code"))
        self.fields["base"].queryset = areas.filter(level=AreaLevel.COMMUNITY)
        self.fields["base"].label_from_instance = lambda a: (
            f"{a.parent.name} · {a.name}" if a.parent_id else a.name
        )
        self.fields["streets"].set_objects(streets, None, lambda a: a.name)
        self.fields["communities"].set_objects(
            communities, lambda a: a.parent.name if a.parent_id else "", lambda a: a.name
        )
        items = ServiceItem.objects.filter(active=True).select_related("category__level")
        self.fields["items"].set_objects(
            list(items), lambda i: local_name(i.category), lambda i: local_name(i)
        )
        if editing:
            del self.fields["uscc"]
        else:
            del self.fields["active"]  # a new provider is active

    def clean_uscc(self) -> str:
        return (self.cleaned_data.get("uscc") or "").strip().upper()

    def clean(self):
        data = super().clean()
        workers, staff = data.get("social_workers"), data.get("staff_count")
        if workers is not None and staff is not None and workers > staff:
            self.add_error("social_workers", _("Cannot exceed the number of staff."))
        if (
            "streets" in data
            and "communities" in data
            and not data["streets"]
            and not data["communities"]
        ):
            self.add_error("streets", _("Choose at least one street or community it serves."))
        return data


class CheckInForm(Form):
    """The location the phone reported at check-in (all optional, filled by the browser)."""

    latitude = forms.FloatField(required=False, min_value=-90, max_value=90)
    longitude = forms.FloatField(required=False, min_value=-180, max_value=180)
    accuracy = forms.FloatField(required=False, min_value=0, max_value=100_000)

    def location(self) -> dict:
        """The reported location, or nothing when it is missing or malformed (a location is
        never a condition for checking in)."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        if data.get("latitude") is None or data.get("longitude") is None:
            return {}
        return {
            "latitude": data["latitude"],
            "longitude": data["longitude"],
            "accuracy": data.get("accuracy"),
        }


class DisputeForm(Form):
    reason = forms.CharField(
        label=_("What did not happen as recorded?"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class InboxFilterForm(Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=60,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Order number, service or community")}
        ),
    )
    item = forms.ModelChoiceField(
        label=_("Service"), queryset=None, required=False, empty_label=_("All services")
    )
    street = forms.ModelChoiceField(
        label=_("Street"), queryset=None, required=False, empty_label=_("All streets")
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        required=False,
        choices=[
            ("", _("Any")),
            ("urgent", _("Urgent only")),
            ("tagged", _("Households with an urgency tag")),
        ],
    )
    due = forms.ChoiceField(
        label=_("Due"),
        required=False,
        choices=[
            ("", _("Any time")),
            ("overdue", _("Overdue")),
            ("2h", _("Within 2 hours")),
            ("today", _("By the end of today")),
        ],
    )
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[
            ("deadline", _("Deadline first")),
            ("new", _("Newest first")),
            ("old", _("Oldest first")),
        ],
    )

    def __init__(self, *args, items=None, streets=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items
        self.fields["street"].queryset = streets
        self.fields["item"].label_from_instance = lambda item: item.name
        self.fields["street"].label_from_instance = lambda area: area.name
