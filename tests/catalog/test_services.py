"""Catalogue edits: only city administrators, always audited, field problems in the project
shape."""

from __future__ import annotations

from decimal import Decimal

import pytest

from factories_registry import add_member, make_household
from jiuzhu.catalog import services
from jiuzhu.catalog.models import Need, NeedCategory, ServiceCategory, ServiceItem
from jiuzhu.catalog.selectors import catalog_items_for_household, catalog_needs_met_by
from jiuzhu.core.errors import PermissionDenied, ValidationFailed
from jiuzhu.core.models import AuditEntry

pytestmark = pytest.mark.django_db

NOT_CITY_ADMINS = [
    "qixia_manager",
    "yaohua_caseworker",
    "yaohua_a_worker",
    "qixia_hotline",
    "assessor",
    "provider_staff",
    "volunteer",
    "department",
    "security_admin",
    "audit_admin",
]


def new_item(actor, **extra):
    values = {
        "code": "haircut_help",
        "name": "助理发",
        "name_en": "Haircut help",
        "category": ServiceCategory.objects.get(code="living_care"),
        "unit": "session",
        "price": Decimal("25.00"),
        "sla_class": "scheduled",
        "groups": ["elderly"],
        "needs": [Need.objects.get(code="personal_care")],
    }
    return services.item_create(actor=actor, **{**values, **extra})


def test_a_city_admin_adds_an_item_and_it_is_audited(actors, catalogue):
    item = new_item(actors["city_admin"], max_per_month=2)
    assert item.groups == "|elderly|"
    assert list(item.needs.values_list("code", flat=True)) == ["personal_care"]
    entry = AuditEntry.objects.get(object_type="catalog.serviceitem", object_id=str(item.pk))
    assert (entry.action, entry.result, entry.actor) == ("create", "success", actors["city_admin"])


@pytest.mark.parametrize("who", NOT_CITY_ADMINS)
def test_nobody_else_may_add_edit_or_deactivate_and_refusals_are_audited(actors, catalogue, who):
    actor = actors[who]
    item = ServiceItem.objects.get(code="meal_help")
    with pytest.raises(PermissionDenied):
        new_item(actor)
    with pytest.raises(PermissionDenied):
        services.item_update(actor=actor, item=item, price=Decimal("1"))
    with pytest.raises(PermissionDenied):
        services.item_set_active(actor=actor, item=item, active=False)
    with pytest.raises(PermissionDenied):
        services.need_update(actor=actor, need=Need.objects.first(), name="x")
    item.refresh_from_db()
    assert (item.price, item.active) == (Decimal("12.00"), True)
    assert not ServiceItem.objects.filter(code="haircut_help").exists()
    assert AuditEntry.objects.filter(actor=actor, result="denied").count() == 4


def test_a_duplicate_code_is_a_field_error(actors, catalogue):
    with pytest.raises(ValidationFailed) as caught:
        new_item(actors["city_admin"], code="meal_help")
    assert set(caught.value.fields) == {"code"}


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"price": Decimal("-1")}, "price"),
        ({"max_per_week": 3, "max_per_month": 2}, "max_per_week"),
        ({"max_per_month": 0}, "max_per_month"),
        ({"groups": ["martians"]}, "groups"),
        ({"tiers": ["rich"]}, "tiers"),
        ({"code": "Bad Code"}, "code"),
        ({"unit": "fortnight"}, "unit"),
    ],
)
def test_bad_values_are_refused_field_by_field(actors, catalogue, extra, field):
    with pytest.raises(ValidationFailed) as caught:
        new_item(actors["city_admin"], **extra)
    assert field in caught.value.fields
    assert not ServiceItem.objects.filter(name="助理发").exists()


def test_an_update_records_which_fields_changed(actors, catalogue):
    item = ServiceItem.objects.get(code="bath_help")
    services.item_update(
        actor=actors["city_admin"],
        item=item,
        price=Decimal("65"),
        groups=["elderly", "disability", "serious_illness"],
        needs=list(Need.objects.filter(code__in=["personal_care", "housekeeping"])),
        name="助浴",  # unchanged
    )
    entry = AuditEntry.objects.filter(object_id=str(item.pk), action="update").get()
    assert entry.detail["fields"] == ["groups", "needs", "price"]
    item.refresh_from_db()
    assert item.price == Decimal("65.00")


def test_an_update_that_changes_nothing_is_not_audited(actors, catalogue):
    item = ServiceItem.objects.get(code="bath_help")
    services.item_update(actor=actors["city_admin"], item=item, price=Decimal("60.0"))
    assert not AuditEntry.objects.filter(object_id=str(item.pk), action="update").exists()


def test_the_code_never_changes(actors, catalogue):
    item = ServiceItem.objects.get(code="bath_help")
    with pytest.raises(ValidationFailed):
        services.item_update(actor=actors["city_admin"], item=item, code="bath")


def test_deactivating_and_reactivating_are_audited(actors, catalogue):
    item = ServiceItem.objects.get(code="bath_help")
    services.item_set_active(actor=actors["city_admin"], item=item, active=False, reason="停办")
    services.item_set_active(actor=actors["city_admin"], item=item, active=False)  # no-op
    services.item_set_active(actor=actors["city_admin"], item=item, active=True)
    entries = AuditEntry.objects.filter(object_id=str(item.pk)).order_by("id")
    assert [e.detail["active"] for e in entries] == [False, True]
    assert entries[0].detail["reason"] == "停办"


def test_needs_and_need_categories_are_edited_and_audited(actors, catalogue):
    admin = actors["city_admin"]
    category = services.need_category_create(actor=admin, code="digital", name="数字融入")
    need = services.need_create(
        actor=admin,
        code="smartphone_skills",
        name="智能手机使用",
        category=category,
        groups=["elderly"],
    )
    services.need_update(actor=admin, need=need, name_en="Smartphone skills")
    services.need_set_active(actor=admin, need=need, active=False)
    services.need_category_update(actor=admin, category=category, name_en="Digital inclusion")
    need.refresh_from_db()
    assert (need.name_en, need.active, need.groups) == ("Smartphone skills", False, "|elderly|")
    assert NeedCategory.objects.get(code="digital").name_en == "Digital inclusion"
    actions = list(
        AuditEntry.objects.filter(actor=admin).order_by("id").values_list("object_type", "action")
    )
    assert actions == [
        ("catalog.needcategory", "create"),
        ("catalog.need", "create"),
        ("catalog.need", "update"),
        ("catalog.need", "update"),
        ("catalog.needcategory", "update"),
    ]


def test_a_need_with_a_taken_code_is_refused(actors, catalogue):
    with pytest.raises(ValidationFailed) as caught:
        services.need_create(
            actor=actors["city_admin"],
            code="meals",
            name="重复",
            category=NeedCategory.objects.first(),
        )
    assert list(caught.value.fields) == ["code"]


def test_items_for_a_household_follow_its_groups_tier_and_tag(actors, areas, catalogue):
    worker = actors["yaohua_caseworker"]
    household = make_household(actor=worker, community=areas["yaohua_a"], tier="near_dibao")
    add_member(actor=worker, household=household, name="王奶奶", age=78, employment="retired")
    household.refresh_from_db()
    assert household.group_list == ["elderly"]
    codes = {item.code for item in catalog_items_for_household(household)}
    assert {"meal_help", "bath_help", "neighbourhood_dining", "policy_explanation"} <= codes
    assert "after_school_care" not in codes  # minors only
    assert "home_repair" not in codes  # dibao and tekun only
    assert "hardship_help" not in codes  # needs an urgency tag
    household.urgency_tag = "care"
    household.tier = "dibao"
    codes = {item.code for item in catalog_items_for_household(household)}
    assert {"home_repair", "hardship_help"} <= codes
    ServiceItem.objects.filter(code="meal_help").update(active=False)
    assert "meal_help" not in {i.code for i in catalog_items_for_household(household)}


def test_needs_met_by_items_from_the_database(catalogue):
    items = ServiceItem.objects.filter(code__in=["neighbourhood_dining", "psych_intervention"])
    assert catalog_needs_met_by(items) == {"meals", "mutual_aid", "crisis_intervention"}
