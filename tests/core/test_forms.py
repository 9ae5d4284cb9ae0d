"""Dates are bounded where they enter through the web forms too (issue 16 item 4): an order
with a preferred date of 9999-12-31 was accepted through the API and broke the order page, the
household's order list and the district's export; the forms now refuse what the API refuses."""

from __future__ import annotations

import pytest
from django import forms

from jiuzhu.core.forms import Form
from jiuzhu.orders.forms import OrderForm


class Dated(Form):
    day = forms.DateField()
    moment = forms.DateTimeField(required=False)


@pytest.mark.parametrize(
    ("day", "valid"),
    [
        ("1899-12-31", False),
        ("1900-01-01", True),
        ("2100-12-31", True),
        ("2101-01-01", False),
        ("9999-12-31", False),
    ],
)
def test_every_date_field_of_a_form_is_between_1900_and_2100(day, valid):
    form = Dated(data={"day": day})
    assert form.is_valid() is valid
    if not valid:
        assert form.errors["day"] == ["A date between 1900 and 2100."]


def test_date_times_are_bounded_too():
    form = Dated(data={"day": "2026-03-03", "moment": "9999-12-31 23:00"})
    assert not form.is_valid()
    assert form.errors["moment"] == ["A date between 1900 and 2100."]


def test_the_order_form_refuses_a_preferred_date_in_year_9999():
    form = OrderForm(data={"quantity": 1, "preferred_date": "9999-12-31", "token": "t"})
    assert not form.is_valid()
    assert form.errors["preferred_date"] == ["A date between 1900 and 2100."]
