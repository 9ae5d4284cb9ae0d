"""Importing HSDS 3.0 records: organizations become providers, services link a provider to a
catalogue item. Every record is checked against the schema and imported in its own savepoint, so
a bad record is reported (with its number and identifier) and the good ones are kept."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from jiuzhu.catalog.models import ServiceItem
from jiuzhu.core.errors import DomainError, ValidationFailed
from jiuzhu.core.models import Area, User
from jiuzhu.orders.hsds.records import (
    EXTENSION,
    USCC_SCHEME,
    organization_id,
    service_id,
)
from jiuzhu.orders.hsds.schema import record_errors
from jiuzhu.orders.models import Provider
from jiuzhu.orders.services.providers import PROFILE_FIELDS, provider_create, provider_update


@dataclass
class ImportReport:
    imported: int = 0
    errors: list[str] = field(default_factory=list)


class RecordRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _domain_message(error: DomainError) -> str:
    if isinstance(error, ValidationFailed) and error.fields:
        return "; ".join(
            f"{name}: {' '.join(map(str, msgs))}" for name, msgs in error.fields.items()
        )
    return str(error.message)


def _extension(record: dict[str, Any]) -> dict[str, Any]:
    value = record.get(EXTENSION)
    if not isinstance(value, dict):
        raise RecordRefused(_("the %(key)s object is missing") % {"key": EXTENSION})
    return value


def _area(code: Any) -> Area:
    area = Area.objects.filter(code=str(code)).first()
    if area is None:
        raise RecordRefused(_("unknown area code %(code)s") % {"code": code})
    return area


def _uscc(record: dict[str, Any]) -> str:
    for identifier in record.get("organization_identifiers") or []:
        if identifier.get("identifier_scheme") == USCC_SCHEME:
            return str(identifier.get("identifier", ""))
    raise RecordRefused(
        _("no organization identifier of scheme %(scheme)s (the unified social credit code)")
        % {"scheme": USCC_SCHEME}
    )


def _organization(actor: User, record: dict[str, Any], providers: dict[str, int]) -> None:
    uscc = _uscc(record)
    if record["id"] != organization_id(uscc):
        raise RecordRefused(_("the id does not belong to this unified social credit code"))
    extra = _extension(record)
    try:
        location = (Decimal(str(extra["latitude"])), Decimal(str(extra["longitude"])))
        base = _area(extra["base_area_code"])
        streets = [_area(code) for code in extra.get("street_codes", [])]
        communities = [_area(code) for code in extra.get("community_codes", [])]
        profile = {key: extra[key] for key in PROFILE_FIELDS if key in extra}
    except (KeyError, InvalidOperation) as error:
        raise RecordRefused(_("%(key)s: missing or not valid") % {"key": error}) from None
    provider_create(
        actor=actor,
        name=record["name"],
        uscc=uscc,
        base=base,
        streets=streets,
        communities=communities,
        items=[],
        location=location,
        signature_projects=record.get("description", ""),
        **{k: v for k, v in profile.items() if k != "signature_projects"},
    )


def _service(actor: User, record: dict[str, Any], providers: dict[str, int]) -> None:
    code = str(_extension(record).get("item_code", ""))
    item = ServiceItem.objects.filter(code=code).first()
    if item is None:
        raise RecordRefused(_("unknown service item code %(code)s") % {"code": code})
    provider = Provider.objects.filter(pk=providers.get(str(record.get("organization_id")))).first()
    if provider is None:
        raise RecordRefused(_("its organization is not registered; import the organizations first"))
    if record["id"] != service_id(provider.uscc, code):
        raise RecordRefused(_("the id does not belong to this organization and item"))
    provider_update(actor=actor, provider=provider, items=[*provider.items.all(), item])


IMPORTERS: dict[str, Callable[[User, dict[str, Any], dict[str, int]], None]] = {
    "organization": _organization,
    "service": _service,
}


def hsds_import(*, actor: User, kind: str, records: list[Any]) -> ImportReport:
    """Import ``records`` (HSDS ``kind``: organization or service) as ``actor``; each record
    is validated and written on its own, so one bad record costs only itself."""
    report = ImportReport()
    providers = {
        organization_id(uscc): pk for pk, uscc in Provider.objects.values_list("pk", "uscc")
    }
    for number, record in enumerate(records, start=1):
        label = record.get("id", "?") if isinstance(record, dict) else "?"
        problems = record_errors(kind, record)
        if not problems:
            try:
                with transaction.atomic():
                    IMPORTERS[kind](actor, record, providers)
                report.imported += 1
                continue
            except RecordRefused as error:
                problems = [error.message]
            except DomainError as error:
                problems = [_domain_message(error)]
        report.errors.extend(
            _("Record %(number)d (%(id)s): %(message)s")
            % {"number": number, "id": label, "message": problem}
            for problem in problems
        )
    return report
