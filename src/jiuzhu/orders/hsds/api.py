"""``GET /api/v1/hsds/organizations`` and ``/services``: the directory as HSDS 3.0 records, in
the HSDS API's page shape. Signed in (session or token) always; without signing in only where
``JIUZHU_HSDS_PUBLIC`` is on."""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.security import SessionAuth

from jiuzhu.core.api import BearerToken, ErrorOut
from jiuzhu.core.api import paginate as api_paginate
from jiuzhu.orders.hsds.records import (
    directory_providers,
    directory_services,
    organization_record,
    service_record,
)


class SessionOrPublic(SessionAuth):
    """The session, or nobody at all when the deployment publishes the directory."""

    def __call__(self, request: HttpRequest) -> Any:
        if settings.HSDS_PUBLIC:
            return super().__call__(request) or "public"
        return super().__call__(request)


router = Router(tags=["hsds"], auth=[BearerToken(), SessionOrPublic()])
ERRORS = {401: ErrorOut, 403: ErrorOut, 422: ErrorOut}


class HsdsPage(Schema):
    """A page as the HSDS 3.0 API returns it."""

    total_items: int
    total_pages: int
    page_number: int
    size: int
    first_page: bool
    last_page: bool
    empty: bool
    contents: list[dict[str, Any]]


def _page(request, queryset, to_record, page: int, per_page: int) -> dict[str, Any]:
    per_page = max(1, min(per_page, 200))
    page = max(1, page)
    items, count = api_paginate(queryset, limit=per_page, offset=(page - 1) * per_page)
    pages = max(1, math.ceil(count / per_page))
    return {
        "total_items": count,
        "total_pages": pages,
        "page_number": page,
        "size": len(items),
        "first_page": page == 1,
        "last_page": page >= pages,
        "empty": not items,
        "contents": [to_record(item) for item in items],
    }


def _user(request):
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


@router.get("/organizations", response={200: HsdsPage, **ERRORS})
def hsds_organizations(request, page: int = Query(1, ge=1), per_page: int = Query(50, ge=1)):
    """Providers as HSDS organizations (the unified social credit code is their identifier)."""
    providers = directory_providers(user=_user(request))
    return _page(request, providers, organization_record, page, per_page)


@router.get("/services", response={200: HsdsPage, **ERRORS})
def hsds_services(request, page: int = Query(1, ge=1), per_page: int = Query(50, ge=1)):
    """Each catalogue item a provider offers as an HSDS service, with its service areas."""
    services = directory_services(user=_user(request))
    return _page(request, services, service_record, page, per_page)
