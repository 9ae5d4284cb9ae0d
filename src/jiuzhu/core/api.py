"""API plumbing shared by every capability: authentication, the error shape, pagination.

Errors are always JSON ``{"code", "message", "extra"}``; validation problems are 422 with
``extra.fields`` mapping each field to its messages, replacing django-ninja's default shape.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Choices
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Query, Schema
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


#: What each documented error status means; which ones an operation lists follows from its shape
#: (see :func:`document_errors`).
ERROR_DESCRIPTIONS = {
    400: "The request body is not valid JSON.",
    401: "Not signed in: send a session cookie or a valid bearer token.",
    403: "The caller's role may not do this.",
    404: "No such object, or not one the caller may see (the same answer for both).",
    409: "The object's state does not allow this now (e.g. an order already accepted).",
    422: "The input is not valid; extra.fields maps each field to its messages.",
}


def error_statuses(*, method: str, path: str, authenticated: bool, takes_input: bool) -> set[int]:
    """The error answers an operation can give, from its shape: 401/403 when it needs
    credentials, 404 when the path names an object, 422 when it takes input, 409 when it changes
    something, 400 when it reads a body."""
    statuses = {401, 403} if authenticated else set()
    if "{" in path:
        statuses.add(404)
    if takes_input:
        statuses.add(422)
    if method.lower() != "get":
        statuses |= {409, 400}
    return statuses


def document_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the ``{code, message, extra}`` error responses to every operation of an OpenAPI
    document (one place, instead of a ``response={...}`` entry on every handler)."""
    schema.setdefault("components", {}).setdefault("schemas", {}).setdefault(
        "ErrorOut", ErrorOut.model_json_schema()
    )
    reference = {"$ref": "#/components/schemas/ErrorOut"}
    for path, methods in schema.get("paths", {}).items():
        for method, operation in methods.items():
            responses = operation.setdefault("responses", {})
            statuses = error_statuses(
                method=method,
                path=path,
                authenticated=bool(operation.get("security")),
                takes_input=bool(operation.get("parameters") or operation.get("requestBody")),
            )
            for status in sorted(statuses):
                if status in responses or str(status) in responses:
                    continue
                responses[status] = {
                    "description": ERROR_DESCRIPTIONS[status],
                    "content": {"application/json": {"schema": reference}},
                }
    return schema


class JiuzhuAPI(NinjaAPI):
    """The project's NinjaAPI: its OpenAPI document lists every operation's error answers."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        document_errors(schema)
        return schema


def build_api() -> NinjaAPI:
    api = JiuzhuAPI(
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


def choice(
    choices: type[Choices] | Iterable[str],
    default: Any = ...,
    *,
    blank: bool = False,
    null: bool = False,
    query: bool = False,
    **kwargs: Any,
) -> Any:
    """A string field (or query parameter) documented as an enum of a model's choices, so a
    client built from the OpenAPI document knows the valid values. Validation stays with the
    shared forms and services (one set of messages with the web); ``blank`` adds "", ``null``
    adds null (for PATCH fields)."""
    values: list[str | None] = [
        str(value) for value in (choices.values if isinstance(choices, type) else choices)
    ]
    if blank:
        values.append("")
    if null:
        values.append(None)
    extra = {"enum": values}
    if query:
        parameter = Query(default, **kwargs)
        parameter.json_schema_extra = {**(parameter.json_schema_extra or {}), **extra}
        return parameter
    return Field(default, json_schema_extra=extra, **kwargs)


class Page(Schema):
    count: int
    items: list[Any]


#: Beyond any list the platform holds; a larger offset is a client error, not a database one
#: (SQLite cannot even parse an OFFSET past 2**63).
MAX_OFFSET = 1_000_000_000


def paginate(queryset, *, limit: int, offset: int, count: int | None = None) -> tuple[list, int]:
    """One page of a queryset and the total count; limit 1–200, offset up to MAX_OFFSET.
    ``count``: the total when a selector knows a cheaper way to it than counting the queryset."""
    if offset > MAX_OFFSET:
        raise ValidationFailed({"offset": [_("At most %(max)d.") % {"max": MAX_OFFSET}]})
    limit = max(1, min(limit, 200))
    offset = max(0, offset)
    items = list(queryset[offset : offset + limit])
    return items, queryset.count() if count is None else count
