"""Loading the default needs list and catalogue."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from jiuzhu.catalog.models import Need, NeedCategory, ServiceCategory, ServiceItem, ServiceLevel
from jiuzhu.catalog.services import CatalogueFileError, catalogue_load_defaults
from jiuzhu.core.models import AuditEntry

pytestmark = pytest.mark.django_db

FOURTEEN_HELPS = [
    "助餐",
    "助浴",
    "助洁",
    "助急",
    "助医",
    "助行",
    "助购",
    "助聊",
    "助学",
    "助残",
    "助困",
    "助乐",
    "助法",
    "助安",
]
NAMED_BY_THE_SOURCE = [
    *FOURTEEN_HELPS,
    # mental care
    "心理咨询",
    "心理辅导",
    "心理干预",
    "情绪疏导",
    # prevention and rehabilitation
    "建立健康档案",
    "家庭医生签约",
    "健康监测",
    "肢体康复",
    "服药训练",
    "器材使用技能培训",
    # life and employment skills
    "就业咨询",
    "就业培训",
    "就业介绍",
    "职业规划",
    # policy and legal, minors, brands
    "政策解读",
    "法律援助",
    "未成年人成长陪伴",
    "邻里小饭桌",
]


def test_the_seed_has_four_levels_eight_categories_and_the_named_items():
    catalogue_load_defaults()
    assert list(ServiceLevel.objects.values_list("name", flat=True)) == [
        "基本生活照料与支持服务",
        "精神关爱与疏导服务",
        "预防保健和康复护理服务",
        "生活与就业能力提升服务",
    ]
    assert ServiceCategory.objects.count() == 8
    assert all(level.categories.count() == 2 for level in ServiceLevel.objects.all())
    names = set(ServiceItem.objects.values_list("name", flat=True))
    assert not set(NAMED_BY_THE_SOURCE) - names
    assert (
        ServiceItem.objects.filter(
            category__level__code="basic_care", name__in=FOURTEEN_HELPS
        ).count()
        == 14
    )


def test_the_seed_has_eight_need_categories_and_25_sub_categories():
    catalogue_load_defaults()
    assert NeedCategory.objects.count() == 8
    assert Need.objects.count() == 25
    assert {c.needs.count() for c in NeedCategory.objects.all()} <= {2, 3, 4}


def test_every_need_is_met_by_some_item_and_every_item_meets_a_need():
    catalogue_load_defaults()
    assert not Need.objects.filter(items__isnull=True).exists()
    assert not ServiceItem.objects.filter(needs__isnull=True).exists()


def test_every_item_has_an_english_name_and_a_description():
    catalogue_load_defaults()
    assert not ServiceItem.objects.filter(name_en="").exists()
    assert not ServiceItem.objects.filter(description="").exists()
    assert not Need.objects.filter(name_en="").exists()


def test_loading_twice_changes_nothing():
    first = catalogue_load_defaults()
    counts = (Need.objects.count(), ServiceItem.objects.count(), ServiceCategory.objects.count())
    audits = AuditEntry.objects.count()
    second = catalogue_load_defaults()
    assert first.created["items"] == ServiceItem.objects.count()
    assert not second.changed
    assert (
        Need.objects.count(),
        ServiceItem.objects.count(),
        ServiceCategory.objects.count(),
    ) == counts
    assert AuditEntry.objects.count() == audits


def test_loading_again_keeps_administrators_edits_unless_asked_to_update():
    catalogue_load_defaults()
    item = ServiceItem.objects.get(code="meal_help")
    ServiceItem.objects.filter(pk=item.pk).update(price="99.00", active=False)
    item.needs.clear()
    assert not catalogue_load_defaults().changed
    item.refresh_from_db()
    assert str(item.price) == "99.00"
    summary = catalogue_load_defaults(update=True)
    item.refresh_from_db()
    assert summary.updated == {"items": 1}
    assert str(item.price) == "12.00"
    assert list(item.needs.values_list("code", flat=True)) == ["meals"]
    assert item.active is False  # the active flag is the administrators' alone


def test_the_load_is_audited_once():
    catalogue_load_defaults()
    entry = AuditEntry.objects.get(object_type="catalog.catalogue")
    assert entry.actor_label == "system:load_catalogue"
    assert entry.detail["created"]["needs"] == 25


def test_the_command_reports_and_is_idempotent():
    out = StringIO()
    call_command("load_catalogue", stdout=out)
    assert "created:" in out.getvalue() and "39 items" in out.getvalue()
    out = StringIO()
    call_command("load_catalogue", stdout=out)
    assert "already up to date" in out.getvalue()


def test_a_broken_file_is_refused_with_a_clear_message(tmp_path):
    bad = tmp_path / "catalogue.yaml"
    bad.write_text(
        "levels:\n  - code: x1\n    name: 级\n    categories:\n"
        "      - code: c1\n        name: 类\n        items:\n"
        "          - code: i1\n            name: 项\n            needs: [nope]\n",
        encoding="utf-8",
    )
    with pytest.raises(CatalogueFileError, match="unknown needs"):
        catalogue_load_defaults(catalogue_path=bad)
    assert not ServiceLevel.objects.exists()  # all or nothing


def test_a_row_the_database_refuses_is_reported_with_its_code(tmp_path):
    """The week limit above the month limit breaks a check constraint the loader leaves to the
    database: the refusal still names the item, and nothing of the file is kept."""
    needs = tmp_path / "needs.yaml"
    needs.write_text("categories: []\n", encoding="utf-8")
    catalogue = tmp_path / "catalogue.yaml"
    catalogue.write_text(
        "levels:\n"
        "  - code: lv9\n    name: 级\n    categories:\n"
        "      - code: cat9\n        name: 类\n        items:\n"
        "          - code: item9\n            name: 项\n            price: 1\n"
        "            max_per_week: 5\n            max_per_month: 2\n",
        encoding="utf-8",
    )
    with pytest.raises(CatalogueFileError, match="items item9"):
        catalogue_load_defaults(catalogue_path=catalogue, needs_path=needs)
    assert not ServiceLevel.objects.filter(code="lv9").exists()


def test_the_default_load_runs_a_handful_of_queries_not_one_per_row(django_assert_max_num_queries):
    """84 rows and 39 items' needs: each table's new rows in one INSERT (SQLite may split a
    long one), not a save, a savepoint and a foreign-key check per row."""
    with django_assert_max_num_queries(30):
        summary = catalogue_load_defaults()
    assert sum(summary.created.values()) == (
        NeedCategory.objects.count()
        + Need.objects.count()
        + ServiceLevel.objects.count()
        + ServiceCategory.objects.count()
        + ServiceItem.objects.count()
    )
    links = ServiceItem.needs.through.objects.count()
    assert links >= ServiceItem.objects.count()  # every item meets at least one need


def test_an_edited_file_is_read_again(tmp_path):
    """The parsed files are kept per process, by path and modification: an edited file (a
    deployment's own catalogue) is not served from the earlier parse."""
    needs = tmp_path / "needs.yaml"
    needs.write_text("categories: []\n", encoding="utf-8")
    catalogue = tmp_path / "catalogue.yaml"

    def write(name):
        catalogue.write_text(
            "levels:\n  - code: lv8\n    name: " + name + "\n    categories: []\n",
            encoding="utf-8",
        )

    write("一级")
    catalogue_load_defaults(catalogue_path=catalogue, needs_path=needs)
    write("第一级")
    summary = catalogue_load_defaults(update=True, catalogue_path=catalogue, needs_path=needs)
    assert summary.updated == {"levels": 1}
    assert ServiceLevel.objects.get(code="lv8").name == "第一级"
