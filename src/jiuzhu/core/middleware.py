"""Per-request context (the client address and channel for the audit trail), polls that are not
activity, domain errors turned into the 404 and 403 pages, and the structured request log."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Callable

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

from jiuzhu.core.errors import NotFound, PermissionDenied
from jiuzhu.core.request_context import (
    RequestInfo,
    client_ip,
    reset_request_id,
    reset_request_info,
    set_request_id,
    set_request_info,
)


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        channel = "api" if request.path.startswith("/api/") else "web"
        token = set_request_info(RequestInfo(ip_address=client_ip(request), channel=channel))
        try:
            return self.get_response(request)
        finally:
            reset_request_info(token)


# Polling is not activity -------------------------------------------------------------
# Polling is not activity.
#
# The live board refreshes itself every 15 seconds. With ``SESSION_SAVE_EVERY_REQUEST`` every
# request would push the session's expiry 30 minutes on, so a forgotten caseworker's laptop
# showing the board would never lock. Requests that say they are polls (the header
# ``X-Jiuzhu-Poll: 1``, sent by the board's and the wall screen's htmx polling) are served with
# the session as it is, but the session is not saved and its cookie is not re-sent: the idle
# clock keeps running, and once it runs out the poll gets 401 and the board says "signed out".
#
# Install right after ``SessionMiddleware`` (its response step then runs just before the session
# middleware's, which skips requests without a session).

POLL_HEADER = "X-Jiuzhu-Poll"


def is_poll(request) -> bool:
    return request.method in ("GET", "HEAD") and request.headers.get(POLL_HEADER) == "1"


class PollIsNotActivityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and is_poll(request) and not session.modified:
            # SessionMiddleware saves (and re-sends the cookie with a fresh expiry) on every
            # request unless the request has no session; a poll that changed nothing has none.
            del request.session
        return response


# Structured request log --------------------------------------------------------------
# One JSON line per request on the ``jiuzhu.request`` logger: request id, method, path, the
# route pattern, the names (never the values) of the query parameters, status, duration and
# the signed-in user's id. Values are left out because a search box carries names and
# identity-number digits; a path segment named ``token`` (the wall screens' secret URLs) is
# replaced by ``…``. The request id comes from ``X-Request-ID`` when the proxy sent a sane one,
# else a new one; it is returned in the response's ``X-Request-ID`` and is available to other
# log lines through ``current_request_id()``.

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:@/+=-]{1,128}$")
_SECRET_KWARGS = {"token"}

request_log = logging.getLogger("jiuzhu.request")


def _request_id(request) -> str:
    given = request.headers.get(REQUEST_ID_HEADER, "")
    if given and _SANE_REQUEST_ID.match(given):
        return given
    return uuid.uuid4().hex


def _logged_path(request) -> tuple[str, str | None]:
    path = request.path
    match = getattr(request, "resolver_match", None)
    if match is None:
        return path, None
    for name, value in match.kwargs.items():
        if name in _SECRET_KWARGS and isinstance(value, str) and value:
            path = path.replace(value, "…")
    return path, match.route


def _user_id(request) -> int | None:
    user = getattr(request, "user", None)
    if user is None:
        return None
    try:
        return user.pk if user.is_authenticated else None
    except Exception:  # a broken session must not break the log line
        return None


class RequestLogMiddleware:
    """Outermost middleware: times the whole request and writes its log line."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        request_id = _request_id(request)
        request.request_id = request_id
        token = set_request_id(request_id)
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
            response[REQUEST_ID_HEADER] = request_id
            return response
        finally:
            if request_log.isEnabledFor(logging.INFO):
                path, route = _logged_path(request)
                line = {
                    "request_id": request_id,
                    "method": request.method,
                    "path": path,
                    "route": route,
                    "query": sorted(set(request.GET.keys())),
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "user_id": _user_id(request),
                }
                request_log.info(json.dumps(line, ensure_ascii=False))
            reset_request_id(token)


# Domain errors on the web -----------------------------------------------------------------
# A view (or anything it calls) that raises ``core.errors.NotFound`` answers with the 404 page,
# ``core.errors.PermissionDenied`` with the 403 page: one place, so views call
# ``<entity>_get_for`` and the policy's ``require_*`` checks without wrapping them. The API maps
# the same errors to JSON itself (``core/api.py``); other domain errors are the view's to show
# on its form.


class DomainErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, NotFound):
            raise Http404(exception.message) from exception
        if isinstance(exception, PermissionDenied):
            raise DjangoPermissionDenied(exception.message) from exception
        return None
