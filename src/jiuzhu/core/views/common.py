"""Small helpers every web view shares: turning domain errors into pages and form errors,
pagination that never fails on bad input, and htmx awareness."""

from __future__ import annotations

import functools
from collections.abc import Callable

from django import forms
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Page, Paginator
from django.http import FileResponse, Http404, HttpRequest
from django.utils.cache import patch_vary_headers

from jiuzhu.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed

PAGE_SIZE = 25


def domain_errors(view: Callable) -> Callable:
    """Turn ``NotFound`` into the 404 page and ``PermissionDenied`` into the 403 page."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound as error:
            raise Http404(error.message) from None
        except PermissionDenied as error:
            raise DjangoPermissionDenied(error.message) from None

    return wrapper


def add_domain_errors(
    form: forms.Form, error: DomainError, *, renames: dict[str, str] | None = None
) -> None:
    """Show a service's refusal on the form: field problems under their fields, anything
    else at the top. ``renames`` maps a service field name to the form's."""
    renames = renames or {}
    if isinstance(error, ValidationFailed):
        for name, messages in error.fields.items():
            target = renames.get(name, name)
            for message in messages:
                form.add_error(target if target in form.fields else None, message)
        return
    form.add_error(None, error.message)


def paginate(
    request: HttpRequest, queryset, *, per_page: int = PAGE_SIZE, count: int | None = None
) -> Page:
    """The requested page; a missing, non-numeric or out-of-range ``page`` gives the first or
    last page instead of an error. ``count``: the list's length when a selector knows a cheaper
    way to it than counting the queryset."""
    paginator = Paginator(queryset, per_page)
    if count is not None:
        paginator.count = count  # Paginator.count is a cached property: this is its value
    return paginator.get_page(request.GET.get("page"))


def is_htmx(request: HttpRequest) -> bool:
    """An htmx request that wants a fragment (not a history restore, which wants the page)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def vary_on_htmx(response):
    patch_vary_headers(response, ["HX-Request"])
    return response


def xlsx_response(output, *, stem: str) -> FileResponse:
    """An Excel download that no cache keeps."""
    from jiuzhu.core.services.exports import XLSX_CONTENT_TYPE, export_filename

    response = FileResponse(
        output, as_attachment=True, filename=export_filename(stem), content_type=XLSX_CONTENT_TYPE
    )
    response["Cache-Control"] = "no-store"
    return response
