"""Guards on every JSON body the API receives, before any endpoint reads it.

Individual schemas say what each field means; these rules hold for every field of every
endpoint, so that no value can break a page for everyone later (an order "preferred" for the
year 9999 once made the district's order list answer 500):

* text is at most ``MAX_TEXT`` characters and is valid Unicode (a lone surrogate cannot even be
  stored);
* a date or date-time lies between 1900 and 2100;
* a date-time without a UTC offset is read as Beijing time (the platform's time zone) instead of
  failing deep inside a service when compared with an aware one.

A violation answers 422 in the API's error shape, naming the field.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from jiuzhu.core.failsafe import api_error

MAX_TEXT = 10_000
EARLIEST_YEAR, LATEST_YEAR = 1900, 2100
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(?P<zone>Z|[+-]\d{2}:?\d{2})?$"
)
_SURROGATE = re.compile(r"[\ud800-\udfff]")


class _Refused(Exception):
    def __init__(self, field: str, message: str) -> None:
        self.field, self.message = field, message


def _year_ok(text: str) -> bool:
    return EARLIEST_YEAR <= int(text[:4]) <= LATEST_YEAR


def _checked(value: Any, path: str) -> Any:
    if isinstance(value, dict):
        return {
            key: _checked(item, f"{path}.{key}" if path else str(key))
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [
            _checked(item, f"{path}.{index}" if path else str(index))
            for index, item in enumerate(value)
        ]
    if not isinstance(value, str):
        return value
    field = path or "__all__"
    if _SURROGATE.search(value):
        raise _Refused(field, _("This text holds characters that are not valid."))
    if len(value) > MAX_TEXT:
        raise _Refused(field, _("At most %(max)d characters.") % {"max": MAX_TEXT})
    if _DATE.match(value) or (match := _DATETIME.match(value)):
        if not _year_ok(value):
            raise _Refused(
                field,
                _("A date between %(first)d and %(last)d.")
                % {"first": EARLIEST_YEAR, "last": LATEST_YEAR},
            )
        if not _DATE.match(value) and match and not match.group("zone"):
            try:
                naive = dt.datetime.fromisoformat(value)
            except ValueError:
                return value  # not a real date: the schema will say so
            return naive.replace(tzinfo=ZoneInfo(settings.TIME_ZONE)).isoformat()
    return value


class ApiInputGuardMiddleware:
    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.path.startswith("/api/")
            and request.method in ("POST", "PUT", "PATCH")
            and request.content_type == "application/json"
        ):
            refusal = self._guard(request)
            if refusal is not None:
                return refusal
        response: HttpResponse = self.get_response(request)
        return response

    def _guard(self, request: HttpRequest) -> HttpResponse | None:
        try:
            data = json.loads(request.body or b"null")
        except ValueError:
            return None  # the API answers a body it cannot parse itself
        try:
            checked = _checked(data, "")
        except _Refused as refusal:
            return api_error(
                422,
                "validation_error",
                _("Some fields are not valid."),
                fields={refusal.field: [refusal.message]},
            )
        if checked != data:
            request._body = json.dumps(checked).encode()  # noqa: SLF001 - the body Django serves
        return None
