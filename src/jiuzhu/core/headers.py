"""The Content-Security-Policy every response carries.

Scripts come only from the site's own static files: no inline script, no ``eval`` (htmx is told
so through its ``htmx-config`` meta tag, and its indicator styles live in app.css), no other
origin (everything is vendored; government intranets have none). Inline *styles* stay allowed:
templates use ``style`` attributes for layout, and a style cannot run code. Framing is refused.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse

POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response: HttpResponse = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", POLICY)
        return response
