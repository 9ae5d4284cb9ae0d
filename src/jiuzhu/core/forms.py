"""Form plumbing every app shares: the base form (labels without a trailing colon), filter
values that never fail, partial updates, and feeding an API body through a web form so the API
and the pages validate with the same rules and the same (translated) messages."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jiuzhu.core.errors import ValidationFailed

F = TypeVar("F", bound=forms.Form)


def _bounded_date(value: Any) -> None:
    """Dates are bounded where they enter (issue 16 item 4): a year past 2100 stored from a form
    broke every page and export that showed it, as it did through the API."""
    from jiuzhu.core.api_input import EARLIEST_YEAR, LATEST_YEAR

    if value is not None and not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValidationError(
            _("A date between %(first)d and %(last)d.")
            % {"first": EARLIEST_YEAR, "last": LATEST_YEAR},
            code="date_range",
        )


class Form(forms.Form):
    """The project's base form: labels without Django's ":" suffix; every date and date-time
    field between 1900 and 2100, like the API."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.DateField | forms.DateTimeField):
                field.validators = [*field.validators, _bounded_date]

    def values(self) -> dict[str, Any]:
        """Cleaned values of a filter form; invalid fields count as empty."""
        self.is_valid()
        return {name: self.cleaned_data.get(name) for name in self.fields}


def restrict_to(form: F, names: Iterable[str]) -> F:
    """Keep only the named fields (partial updates through the API)."""
    keep = set(names)
    for name in list(form.fields):
        if name not in keep:
            del form.fields[name]
    return form


def validated(form: forms.Form) -> dict[str, Any]:
    """The form's cleaned data, or ``ValidationFailed`` (422 in the API) with its messages."""
    if not form.is_valid():
        raise ValidationFailed({name: list(errors) for name, errors in form.errors.items()})
    return form.cleaned_data
