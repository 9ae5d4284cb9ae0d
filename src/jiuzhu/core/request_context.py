"""Who is acting and from where, for the audit trail, without threading requests everywhere."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestInfo:
    ip_address: str | None
    channel: str  # "web", "api", "cli"


_current: ContextVar[RequestInfo | None] = ContextVar("jiuzhu_request_info", default=None)


def set_request_info(info: RequestInfo | None):
    return _current.set(info)


def reset_request_info(token) -> None:
    _current.reset(token)


def current_request_info() -> RequestInfo:
    return _current.get() or RequestInfo(ip_address=None, channel="cli")


def client_ip(request) -> str | None:
    """The client address; X-Forwarded-For is trusted only when configured behind a proxy."""
    from django.conf import settings

    if getattr(settings, "TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


_request_id: ContextVar[str | None] = ContextVar("jiuzhu_request_id", default=None)


def set_request_id(request_id: str | None):
    return _request_id.set(request_id)


def reset_request_id(token) -> None:
    _request_id.reset(token)


def current_request_id() -> str | None:
    """The id of the request being served (``X-Request-ID``), for log lines; ``None`` outside a
    request."""
    return _request_id.get()
