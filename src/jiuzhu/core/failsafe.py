"""Answers for requests that cannot be served, instead of a generic 500.

* Bad input that slipped past validation (a number too large for the database — OverflowError on
  SQLite, DataError on PostgreSQL —, text with a lone surrogate that cannot be encoded) is the
  client's error: 400.
* A database that is locked or unreachable is a temporary condition: 503 with ``Retry-After``,
  a clear page or JSON, and nothing cached. Django closes a connection that failed when the
  request finishes, so the next request connects afresh: the service recovers by itself when the
  database does.
* Everything under ``/api/`` answers in the API's error shape ``{code, message, extra}``, 4xx and
  5xx alike, including the errors Django raises before a view runs (a body over the upload limit).
* Responses that may carry personal data — every page for a signed-in user and every API
  response — are sent with ``Cache-Control: no-store``.
"""

from __future__ import annotations

from typing import Any

from django.db import (
    DatabaseError,
    DataError,
    InterfaceError,
    OperationalError,
)
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext as _

RETRY_AFTER_SECONDS = 30
_UNAVAILABLE_HINTS = ("locked", "connect", "timeout", "timed out", "terminat", "closed", "busy")


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def api_error(status: int, code: str, message: str, **extra: Any) -> JsonResponse:
    return JsonResponse({"code": code, "message": str(message), "extra": extra}, status=status)


def database_unavailable(exc: BaseException) -> bool:
    if isinstance(exc, InterfaceError):
        return True
    if isinstance(exc, OperationalError):
        text = str(exc).lower()
        return any(hint in text for hint in _UNAVAILABLE_HINTS)
    return False


def _unavailable(request: HttpRequest) -> HttpResponse:
    message = _("The database is busy or unreachable. Please try again in a moment.")
    if is_api(request):
        response: HttpResponse = api_error(503, "unavailable", message)
    else:
        try:
            response = render(request, "503.html", {"message": message}, status=503)
        except DatabaseError:  # the layout reads the session or user from the database
            page = f"<!doctype html><meta charset=utf-8><title>503</title><p>{message}</p>"
            response = HttpResponse(page, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


def _bad_input(request: HttpRequest) -> HttpResponse:
    message = _(
        "The request holds a value that cannot be used "
        "(a number out of range or text that is not valid)."
    )
    if is_api(request):
        return api_error(400, "bad_request", message)
    return render(request, "400.html", {"message": message}, status=400)


class FailSafeMiddleware:
    """Install right after ``SecurityMiddleware``, so its answers still get the security headers."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            response: HttpResponse = self.get_response(request)
        except DatabaseError as exc:  # raised outside a view, e.g. by the session middleware
            if not database_unavailable(exc):
                raise
            return _unavailable(request)
        if is_api(request) or getattr(getattr(request, "user", None), "is_authenticated", False):
            patch_cache_control(response, no_store=True, private=True)
        return response

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if database_unavailable(exc):
            return _unavailable(request)
        if isinstance(exc, OverflowError | UnicodeError | DataError):
            return _bad_input(request)
        return None
