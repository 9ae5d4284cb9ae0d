"""Form plumbing every app shares: the base form (labels without a trailing colon), filter
values that never fail, partial updates, and feeding an API body through a web form so the API
and the pages validate with the same rules and the same (translated) messages."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django import forms

from jiuzhu.core.errors import ValidationFailed

F = TypeVar("F", bound=forms.Form)


class Form(forms.Form):
    """The project's base form: labels without Django's ":" suffix."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

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
