"""The service directory in HSDS 3.0: records validate against the vendored schema, identifiers
are stable, the API pages and is public only when configured, and export → import into an empty
directory → export gives the same files."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import translation
from stdnum.cn import uscc as uscc_number

from factories import OrganisationFactory, ProviderFactory
from jiuzhu.catalog.models import ServiceItem
from jiuzhu.catalog.services import catalogue_load_defaults
from jiuzhu.core.models import Organisation
from jiuzhu.orders.hsds.imports import hsds_import
from jiuzhu.orders.hsds.records import organization_id, service_id
from jiuzhu.orders.hsds.schema import record_errors
from jiuzhu.orders.models import Provider


def valid_uscc(body: str) -> str:
    return body + uscc_number.calc_check_digit(body)


@pytest.fixture
def directory(areas):
    catalogue_load_defaults()
    meal, cleaning = ServiceItem.objects.filter(code__in=["meal_help", "cleaning_help"])
    first = ProviderFactory(
        organisation=OrganisationFactory(name="栖霞助老服务中心"),
        uscc=valid_uscc("52320113MJ5000001"),
        base=areas["yaohua_a"],
        latitude=Decimal("32.123456"),
        signature_projects="邻里小饭桌",
        streets=[areas["yaohua"]],
        communities=[areas["maqun_a"]],
        items=[meal, cleaning],
        staff_count=12,
        social_workers=3,
    )
    second = ProviderFactory(
        organisation=OrganisationFactory(name="沙洲社工站"),
        uscc=valid_uscc("52320105MJ5000002"),
        base=areas["shazhou_a"],
        streets=[areas["shazhou"]],
        items=[meal],
        active=False,
    )
    return first, second


def _export(tmp_path, name):
    call_command("hsds", "export", str(tmp_path / name))
    return {
        kind: (tmp_path / name / f"{kind}s.json").read_text(encoding="utf-8")
        for kind in ("organization", "service")
    }


def test_export_validates_and_round_trips_through_an_empty_directory(directory, actors, tmp_path):
    first, _second = directory
    files = _export(tmp_path, "one")
    organizations = json.loads(files["organization"])
    services = json.loads(files["service"])
    assert len(organizations) == 2 and len(services) == 3
    for kind, records in (("organization", organizations), ("service", services)):
        for record in records:
            assert record_errors(kind, record) == []
            uuid.UUID(record["id"])
    by_id = {o["id"]: o for o in organizations}
    mine = by_id[organization_id(first.uscc)]
    assert mine["organization_identifiers"][0]["identifier"] == first.uscc
    meal = next(s for s in services if s["id"] == service_id(first.uscc, "meal_help"))
    assert [a["uri"] for a in meal["service_areas"]] == [
        "urn:gbt2260:320113001000",
        "urn:gbt2260:320113002001",
    ]

    organisations = list(Provider.objects.values_list("organisation_id", flat=True))
    Provider.objects.all().delete()
    Organisation.objects.filter(pk__in=organisations).delete()
    call_command(
        "hsds",
        "import",
        str(tmp_path / "one" / "services.json"),
        str(tmp_path / "one" / "organizations.json"),
        "--user",
        actors["city_admin"].username,
    )
    assert _export(tmp_path, "two") == files


def test_import_keeps_good_records_and_reports_bad_ones_in_chinese(directory, actors, tmp_path):
    files = _export(tmp_path, "one")
    good, other = json.loads(files["organization"])
    Provider.objects.filter(uscc=other["organization_identifiers"][0]["identifier"]).delete()
    broken = {**other, "x_jiuzhu": {**other["x_jiuzhu"], "base_area_code": "999999999999"}}
    no_description = {key: value for key, value in other.items() if key != "description"}
    with translation.override("zh-hans"):
        report = hsds_import(
            actor=actors["city_admin"], kind="organization", records=[broken, no_description, other]
        )
    assert report.imported == 1
    assert len(report.errors) == 2
    assert report.errors[0].startswith("第 1 条记录") and "999999999999" in report.errors[0]
    assert "description" in report.errors[1]
    assert Provider.objects.count() == 2
    with translation.override("en"):
        again = hsds_import(actor=actors["city_admin"], kind="organization", records=[good])
    assert again.imported == 0 and "already" in again.errors[0]


def test_api_pages_and_is_public_only_when_configured(directory, actors):
    client = Client()
    assert client.get("/api/v1/hsds/organizations").status_code == 401
    with override_settings(HSDS_PUBLIC=True):
        page = client.get("/api/v1/hsds/services?per_page=2&page=2").json()
    assert page["total_items"] == 3 and page["total_pages"] == 2
    assert page["size"] == 1 and page["last_page"] and not page["first_page"]
    assert record_errors("service", page["contents"][0]) == []
    client.force_login(actors["provider_staff"])
    signed_in = client.get("/api/v1/hsds/organizations").json()
    assert [o["name"] for o in signed_in["contents"]] == ["沙洲社工站", "栖霞助老服务中心"]
