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
