"""Per-request context: the client address and channel for the audit trail."""

from __future__ import annotations

from jiuzhu.core.request_context import (
    RequestInfo,
    client_ip,
    reset_request_info,
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
