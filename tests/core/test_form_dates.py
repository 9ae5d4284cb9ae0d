"""Dates are bounded where they enter (issue 16 item 4): every web form of the project that
takes a date is built on ``jiuzhu.core.forms.Form``, which bounds its dates to 1900–2100 as the
API does. A form built on Django's own ``Form`` with a date field fails here, naming it."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from django import forms

import jiuzhu
from jiuzhu.core.forms import Form
from jiuzhu.registry.forms import CaseNoteForm, ConsentForm, MemberLeaveForm


def _all_form_classes() -> set[type[forms.Form]]:
    for module in pkgutil.walk_packages(jiuzhu.__path__, "jiuzhu."):
        name = module.name
        if ".migrations" in name or name.endswith((".celery", ".wsgi", ".asgi")):
            continue
        if name.endswith(("forms", "views")) or ".forms" in name or ".views" in name:
            importlib.import_module(name)
    found: set[type[forms.Form]] = set()
    stack = list(forms.Form.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.__module__.startswith("jiuzhu."):
            found.add(cls)
    return found


def test_every_form_with_a_date_field_bounds_its_dates():
    dated = {
        cls
        for cls in _all_form_classes()
        if any(
            isinstance(field, forms.DateField | forms.DateTimeField)
            for field in cls.base_fields.values()
        )
    }
    assert CaseNoteForm in dated  # the walk found the registry's forms
    unbounded = sorted(
        f"{cls.__module__}.{cls.__qualname__}" for cls in dated if not issubclass(cls, Form)
    )
    assert not unbounded, f"forms whose dates are not bounded to 1900–2100: {unbounded}"


@pytest.mark.parametrize(
    ("form_class", "data", "field"),
    [
        (MemberLeaveForm, {"occurred_on": "9999-12-31"}, "occurred_on"),
        (CaseNoteForm, {"occurred_on": "1899-12-31"}, "occurred_on"),
        (ConsentForm, {"given_on": "2101-01-01"}, "given_on"),
    ],
)
def test_a_registry_date_outside_1900_to_2100_is_refused(form_class, data, field):
    form = form_class(data=data)
    assert not form.is_valid()
    assert [error.code for error in form.errors.as_data()[field]] == ["date_range"]
