"""Polling is not activity.

The live board refreshes itself every 15 seconds. With ``SESSION_SAVE_EVERY_REQUEST`` every
request would push the session's expiry 30 minutes on, so a forgotten caseworker's laptop
showing the board would never lock. Requests that say they are polls (the header
``X-Jiuzhu-Poll: 1``, sent by the board's and the wall screen's htmx polling) are served with
the session as it is, but the session is not saved and its cookie is not re-sent: the idle
clock keeps running, and once it runs out the poll gets 401 and the board says "signed out".

Install right after ``SessionMiddleware`` (its response step then runs just before the session
middleware's, which skips requests without a session).
"""

from __future__ import annotations

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
