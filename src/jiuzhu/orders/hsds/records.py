"""Reading the directory as HSDS 3.0 records: stable identifiers, the organizations (providers)
and the services (a provider offering a catalogue item), with the querysets behind them.

Identifiers are UUIDs derived (uuid5) from the unified social credit code and the item and area
codes under one fixed namespace, so they never change and need no stored column. Fields of a
provider that HSDS has no place for travel in each record's ``x_jiuzhu`` object (HSDS records
allow extra properties), so an import rebuilds the provider exactly.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from jiuzhu.core.models import User
from jiuzhu.core.scoping import visible
from jiuzhu.orders.models import Provider

#: Never change: every identifier ever published is derived from it.
NAMESPACE = uuid.UUID("6f1c7a52-3b0e-5d7e-9a41-2c8e5f0b9d13")
#: The identifier scheme of the unified social credit code (GB 32100-2015).
USCC_SCHEME = "CN-USCC"
USCC_TYPE = "unified social credit code (统一社会信用代码)"
#: A service area's ``uri``: the area's statistical division code, which extends GB/T 2260.
AREA_URI = "urn:gbt2260:{code}"
EXTENSION = "x_jiuzhu"

ProviderItem = Provider.items.through


def _uuid(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, ":".join(parts)))


def organization_id(uscc: str) -> str:
    return _uuid("organization", uscc)


def service_id(uscc: str, item_code: str) -> str:
    return _uuid("service", uscc, item_code)


def directory_providers(*, user: User | None) -> QuerySet[Provider]:
    """The providers the directory publishes: those ``user`` sees, or, read without signing in
    where the deployment publishes the directory (``HSDS_PUBLIC``), every provider (the
    directory holds no personal data)."""
    providers = Provider.objects.all()
    if user is not None:
        providers = visible(user, providers)
    return (
        providers.select_related("organisation", "base")
        .prefetch_related("streets", "communities", "items")
        .order_by("uscc")
    )


def directory_services(*, user: User | None) -> QuerySet[Any]:
    """Every (provider, item) pair the directory publishes as a service, in a stable order."""
    return (
        ProviderItem.objects.filter(provider__in=directory_providers(user=user).values("pk"))
        .select_related("provider__organisation", "serviceitem")
        .prefetch_related("provider__streets", "provider__communities")
        .order_by("provider__uscc", "serviceitem__code")
    )


def _codes(areas: Iterable[Any]) -> list[str]:
    return sorted(area.code for area in areas)


def organization_record(provider: Provider) -> dict[str, Any]:
    org_id = organization_id(provider.uscc)
    return {
        "id": org_id,
        "name": provider.organisation.name,
        "description": provider.signature_projects,
        "organization_identifiers": [
            {
                "id": _uuid("organization_identifier", provider.uscc),
                "organization_id": org_id,
                "identifier_scheme": USCC_SCHEME,
                "identifier_type": USCC_TYPE,
                "identifier": provider.uscc,
            }
        ],
        EXTENSION: {
            "supply_type": provider.supply_type,
            "staff_count": provider.staff_count,
            "social_workers": provider.social_workers,
            "daily_capacity": provider.daily_capacity,
            "contact_name": provider.contact_name,
            "contact_phone": provider.contact_phone,
            "active": provider.active,
            "base_area_code": provider.base.code,
            "latitude": str(provider.latitude),
            "longitude": str(provider.longitude),
            "street_codes": _codes(provider.streets.all()),
            "community_codes": _codes(provider.communities.all()),
        },
    }


def service_record(link: Any) -> dict[str, Any]:
    provider, item = link.provider, link.serviceitem
    sid = service_id(provider.uscc, item.code)
    areas = sorted([*provider.streets.all(), *provider.communities.all()], key=lambda a: a.code)
    return {
        "id": sid,
        "organization_id": organization_id(provider.uscc),
        "name": item.name,
        "alternate_name": item.name_en,
        "description": item.description,
        "status": "active" if provider.active and item.active else "inactive",
        "service_areas": [
            {
                "id": _uuid("service_area", provider.uscc, item.code, area.code),
                "service_id": sid,
                "name": area.name,
                "uri": AREA_URI.format(code=area.code),
            }
            for area in areas
        ],
        EXTENSION: {"item_code": item.code},
    }
