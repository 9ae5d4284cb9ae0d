"""API plumbing shared by every capability: authentication, the error shape, pagination.

Errors are always JSON ``{"code", "message", "extra"}``; validation problems are 422 with
``extra.fields`` mapping each field to its messages, replacing django-ninja's default shape.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, django_auth

from jiuzhu.core.errors import DomainError, ValidationFailed
from jiuzhu.core.services.tokens import token_authenticate


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        user = token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class ErrorOut(Schema):
    code: str
    message: str
    extra: dict[str, Any] = {}


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"code": code, "message": str(message), "extra": extra}


def _field_errors(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for error in errors:
        loc = [str(part) for part in error.get("loc", []) if part not in ("body", "payload")]
        if loc and loc[0] in ("query", "path"):
            loc = loc[1:]
        name = ".".join(loc) or "__all__"
        fields.setdefault(name, []).append(str(error.get("msg", _("Not valid."))))
    return fields


def build_api() -> NinjaAPI:
    api = NinjaAPI(
        title="jiuzhu API",
        version="1",
        urls_namespace="api",
        auth=[BearerToken(), django_auth],
        docs_url="/docs",
    )

    @api.exception_handler(DomainError)
    def domain_error(request, exc: DomainError):
        return api.create_response(request, exc.as_dict(), status=exc.status)

    @api.exception_handler(NinjaValidationError)
    def validation_error(request, exc: NinjaValidationError):
        failed = ValidationFailed(_field_errors(exc.errors))
        return api.create_response(request, failed.as_dict(), status=422)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        body = error_body("unauthenticated", _("Sign in or send a valid bearer token."))
        return api.create_response(request, body, status=401)

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        return api.create_response(
            request, error_body("http_error", str(exc)), status=exc.status_code
        )

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return api.create_response(request, error_body("not_found", _("Not found.")), status=404)

    return api


class Page(Schema):
    count: int
    items: list[Any]


def paginate(queryset, *, limit: int, offset: int) -> tuple[list, int]:
    """One page of a queryset and the total count; limit 1–200."""
    limit = max(1, min(limit, 200))
    offset = max(0, offset)
    return list(queryset[offset : offset + limit]), queryset.count()
