"""The provider directory and its administration, the order export, the navigation and start
pages of the cloud supermarket's roles."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from jiuzhu.core.models import AuditEntry
from jiuzhu.orders.models import Provider
from jiuzhu.orders.services.orders import order_accept, order_create, order_rate

pytestmark = pytest.mark.django_db

NEW_USCC = "91320113MA1MWX8B3U"


def provider_form(market, areas, **extra):
    return {
        "name": "尧化助老服务社",
        "uscc": NEW_USCC,
        "supply_type": "mutual_aid",
        "base": areas["yaohua_b"].pk,
        "streets": [areas["yaohua"].pk],
        "communities": [],
        "items": [market["meal"].pk, market["cleaning"].pk],
        "daily_capacity": "10",
        "staff_count": "6",
        "social_workers": "2",
        "signature_projects": "邻里小饭桌",
        "contact_name": "李四",
        "contact_phone": "025-85550001",
        **extra,
    }


# ---------------------------------------------------------------- the directory


def test_everyone_signed_in_reads_the_directory(client, market, actors):
    for user in (market["beneficiary"], actors["volunteer"], actors["assessor"]):
        client.force_login(user)
        page = client.get(reverse("orders:provider_list")).content.decode()
        assert "服务机构乙" in page and "Register a provider" not in page
        detail = client.get(reverse("orders:provider_detail", args=[market["provider_b"].pk]))
        assert detail.status_code == 200
        assert "Staff accounts" not in detail.content.decode()


def test_the_directory_filters(client, market, actors, areas):
    client.force_login(actors["qixia_manager"])
    url = reverse("orders:provider_list")
    page = client.get(url, {"street": areas["maqun"].pk}).content.decode()
    assert "服务机构丙" in page and "服务机构乙" not in page
    page = client.get(url, {"q": "乙"}).content.decode()
    assert "服务机构乙" in page and "服务机构丙" not in page
    page = client.get(url, {"supply_type": "charity"}).content.decode()
    assert "服务机构乙" not in page
    market["provider_b"].active = False
    market["provider_b"].save()
    page = client.get(url, {"active": "1"}).content.decode()
    assert "服务机构乙" not in page and "服务机构甲" in page


def test_the_provider_page_shows_ratings_and_staff_to_managers_and_own_staff(
    client, market, actors
):
    order = order_create(
        actor=market["beneficiary"], household=market["household"], item=market["meal"]
    )
    from jiuzhu.orders.services.orders import order_complete, order_start

    order_accept(actor=market["staff_a"], order=order)
    order_start(actor=market["staff_a"], order=order)
    order_complete(actor=market["staff_a"], order=order, summary="送餐", duration_minutes=20)
    order_rate(actor=market["beneficiary"], order=order, score=4)
    url = reverse("orders:provider_detail", args=[market["provider_a"].pk])
    for user in (actors["qixia_manager"], market["staff_a"]):
        client.force_login(user)
        page = client.get(url).content.decode()
        assert "4.0" in page and "Staff accounts" in page and str(market["staff_a"]) in page
    client.force_login(market["staff_b"])
    assert "Staff accounts" not in client.get(url).content.decode()
    assert client.get(reverse("orders:provider_detail", args=[999999])).status_code == 404


# ---------------------------------------------------------------- registering and editing


def test_a_district_manager_registers_a_provider(client, market, actors, areas):
    client.force_login(actors["qixia_manager"])
    page = client.get(reverse("orders:provider_create")).content.decode()
    assert "Daily living care" in page  # items grouped by category
    assert "沙洲社区" not in page  # another district's areas are not offered
    response = client.post(reverse("orders:provider_create"), provider_form(market, areas))
    provider = Provider.objects.get(uscc=NEW_USCC)
    assert response.status_code == 302
    assert response["Location"] == reverse("orders:provider_detail", args=[provider.pk])
    assert provider.organisation.name == "尧化助老服务社"
    assert set(provider.items.all()) == {market["meal"], market["cleaning"]}
    assert list(provider.streets.all()) == [areas["yaohua"]]


def test_a_wrong_check_character_is_explained_and_nothing_typed_is_lost(
    client, market, actors, areas
):
    client.force_login(actors["qixia_manager"])
    response = client.post(
        reverse("orders:provider_create"), provider_form(market, areas, uscc="91320113MA1MWX8B3X")
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "The check character is wrong: it should be U." in page
    assert "尧化助老服务社" in page and "邻里小饭桌" in page
    assert not Provider.objects.filter(organisation__name="尧化助老服务社").exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"uscc": "123"}, "Ensure this value has at least 18 characters"),
        ({"uscc": "91110108551385082Q"}, "A provider with this code is registered already."),
        ({"streets": [], "communities": []}, "Choose at least one street or community"),
        ({"social_workers": "9"}, "Cannot exceed the number of staff."),
        ({"base": "abc"}, "Select a valid choice."),
        ({"daily_capacity": "-1"}, "Ensure this value is greater than or equal to 1."),
        ({"items": ["999999"]}, "Select a valid choice."),
    ],
)
def test_bad_provider_input_is_refused_on_the_form(client, market, actors, areas, change, message):
    client.force_login(actors["qixia_manager"])
    response = client.post(
        reverse("orders:provider_create"), provider_form(market, areas, **change)
    )
    assert response.status_code == 200
    assert message in response.content.decode()


def test_areas_outside_the_managers_district_are_refused(client, market, actors, areas):
    client.force_login(actors["qixia_manager"])
    data = provider_form(market, areas, base=areas["shazhou_a"].pk, streets=[areas["shazhou"].pk])
    response = client.post(reverse("orders:provider_create"), data)
    assert response.status_code == 200
    assert not Provider.objects.filter(uscc=NEW_USCC).exists()


def test_only_district_managers_and_city_admins_manage_providers(client, market, actors, areas):
    url = reverse("orders:provider_create")
    edit = reverse("orders:provider_edit", args=[market["provider_a"].pk])
    for who in ("yaohua_caseworker", "yaohua_a_worker", "qixia_hotline", "provider_staff"):
        client.force_login(actors[who])
        assert client.get(url).status_code == 403, who
        assert client.post(url, provider_form(market, areas)).status_code == 403, who
        assert client.get(edit).status_code == 403, who
    client.force_login(actors["city_admin"])
    assert client.get(url).status_code == 200
    client.force_login(actors["jianye_manager"])
    assert client.get(edit).status_code == 403  # based in Qixia
    assert not Provider.objects.filter(uscc=NEW_USCC).exists()


def test_a_manager_edits_a_provider(client, market, actors, areas):
    provider = market["provider_b"]
    client.force_login(actors["qixia_manager"])
    url = reverse("orders:provider_edit", args=[provider.pk])
    page = client.get(url).content.decode()
    assert "服务机构乙" in page and provider.uscc in page
    data = provider_form(market, areas, name="服务机构乙（新）", daily_capacity="30")
    data.pop("uscc")
    data["active"] = ""
    response = client.post(url, data)
    assert response.status_code == 302
    provider.refresh_from_db()
    assert provider.organisation.name == "服务机构乙（新）"
    assert provider.daily_capacity == 30 and provider.active is False


# ---------------------------------------------------------------- the export


def test_the_export_holds_the_filtered_list_and_is_audited(client, market, actors):
    first = order_create(
        actor=market["beneficiary"], household=market["household"], item=market["meal"]
    )
    second = order_create(
        actor=market["beneficiary"], household=market["household"], item=market["cleaning"]
    )
    order_accept(actor=market["staff_a"], order=second)
    client.force_login(actors["yaohua_caseworker"])
    response = client.get(reverse("orders:order_export"), {"status": "accepted"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    numbers = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert numbers == [second.number]
    assert first.number not in numbers
    entry = AuditEntry.objects.filter(action="export", object_type="orders.order").get()
    assert entry.actor == actors["yaohua_caseworker"]
    assert entry.detail["rows"] == 1 and entry.detail["filters"]["status"] == "accepted"


def test_the_export_is_refused_to_other_roles_and_large_exports(client, market, actors, settings):
    order_create(actor=market["beneficiary"], household=market["household"], item=market["meal"])
    for user in (market["beneficiary"], market["staff_a"], actors["volunteer"]):
        client.force_login(user)
        assert client.get(reverse("orders:order_export")).status_code == 403
    settings.EXPORT_MAX_ROWS = 0
    client.force_login(actors["qixia_manager"])
    response = client.get(reverse("orders:order_export"), follow=True)
    assert "narrow the filters" in response.content.decode()
    # No export happened; the three refusals are on the trail as denied (like the registry's).
    assert not AuditEntry.objects.filter(action="export", result="success").exists()
    denied = AuditEntry.objects.filter(action="export", result="denied", object_type="orders.order")
    assert denied.count() == 3


# ---------------------------------------------------------------- navigation


def test_each_role_finds_its_pages(client, market, actors):
    client.force_login(market["beneficiary"])
    page = client.get(reverse("orders:market")).content.decode()
    assert reverse("orders:market") in page and reverse("orders:my_orders") in page
    client.force_login(market["staff_a"])
    assert client.get(reverse("core:home"))["Location"] == reverse("core:workspace")
    page = client.get(reverse("orders:inbox")).content.decode()
    assert reverse("orders:my_orders") in page and reverse("orders:provider_list") in page
    client.force_login(actors["volunteer"])
    assert client.get(reverse("core:home"))["Location"] == reverse("core:workspace")
    client.force_login(actors["qixia_manager"])
    page = client.get(reverse("orders:provider_list")).content.decode()
    assert f'href="{reverse("orders:order_list")}"' in page
