"""The Nanjing area file and its idempotent loader."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest

from jiuzhu.core.models import Area, AreaLevel, AuditEntry, DibaoLine
from jiuzhu.core.services.areas import load_areas, load_default_areas, read_area_file

DISTRICTS = {
    "320102": "玄武区",
    "320104": "秦淮区",
    "320105": "建邺区",
    "320106": "鼓楼区",
    "320111": "浦口区",
    "320113": "栖霞区",
    "320114": "雨花台区",
    "320115": "江宁区",
    "320116": "六合区",
    "320117": "溧水区",
    "320118": "高淳区",
}
STREETS = {
    "320105001000": "莫愁湖街道",
    "320105002000": "沙洲街道",
    "320105003000": "双闸街道",
    "320105004000": "江心洲街道",
    "320105006000": "兴隆街道",
    "320105007000": "南苑街道",
    "320113001000": "尧化街道",
    "320113002000": "马群街道",
    "320113003000": "迈皋桥街道",
    "320113004000": "燕子矶街道",
    "320113005000": "栖霞街道",
    "320113006000": "龙潭街道",
    "320113007000": "仙林街道",
    "320113009000": "八卦洲街道",
    "320113010000": "西岗街道",
}
#: Rough boxes the illustrative coordinates must stay in (lat min, lat max, lon min, lon max).
BOXES = {"320105": (31.98, 32.05, 118.68, 118.77), "320113": (32.08, 32.20, 118.80, 119.10)}


@pytest.fixture(scope="module")
def data():
    return read_area_file()


def streets_of(data):
    for district in data["city"]["districts"]:
        for street in district.get("streets", []):
            yield district, street


def test_the_file_has_nanjing_and_its_eleven_districts(data):
    assert (data["city"]["code"], data["city"]["name"]) == ("320100", "南京市")
    assert {d["code"]: d["name"] for d in data["city"]["districts"]} == DISTRICTS


def test_the_file_has_the_fifteen_streets_of_jianye_and_qixia(data):
    assert {s["code"]: s["name"] for _, s in streets_of(data)} == STREETS
    assert all(s["code"][:6] == d["code"] for d, s in streets_of(data))


def test_every_community_extends_its_street_code_and_has_coordinates_near_it(data):
    for district, street in streets_of(data):
        communities = street["communities"]
        assert 3 <= len(communities) <= 5
        for number, community in enumerate(communities, 1):
            assert community["code"] == f"{street['code'][:9]}{number:03d}"
            assert community["name"].endswith("社区")
            lat_min, lat_max, lon_min, lon_max = BOXES[district["code"]]
            assert lat_min <= float(community["latitude"]) <= lat_max
            assert lon_min <= float(community["longitude"]) <= lon_max


def test_the_file_says_communities_are_illustrative_and_dibao_is_a_demo_figure(data):
    assert "illustrative" in data["_note"]
    lines = data["dibao_lines"]
    assert {line["district"] for line in lines} == set(DISTRICTS)
    assert all(line["monthly_amount"] == "1100.00" for line in lines)
    assert all(line["effective_from"] == "2024-07-01" for line in lines)
    assert all("demo figure; set the real line per district" in line["note"] for line in lines)


@pytest.mark.django_db
def test_loading_builds_the_tree_with_parents_and_dibao_lines():
    counts = load_default_areas()

    assert counts["areas_created"] == Area.objects.count()
    assert Area.objects.filter(level=AreaLevel.DISTRICT).count() == 11
    assert Area.objects.filter(level=AreaLevel.STREET).count() == 15
    community = Area.objects.get(code="320113001001")
    assert community.parent.code == "320113001000"
    assert community.parent.parent.code == "320113"
    assert community.parent.parent.parent.code == "320100"
    assert community.latitude is not None
    line = DibaoLine.objects.get(district__code="320113")
    assert line.monthly_amount == Decimal("1100.00")
    assert line.effective_from.isoformat() == "2024-07-01"
    assert DibaoLine.objects.count() == 11


@pytest.mark.django_db
def test_loading_twice_changes_nothing_and_audits_once():
    load_default_areas()
    areas, audits = Area.objects.count(), AuditEntry.objects.count()

    counts = load_default_areas()

    assert counts == {
        "areas_created": 0,
        "areas_updated": 0,
        "dibao_lines_created": 0,
        "dibao_lines_seen": 11,
    }
    assert Area.objects.count() == areas
    assert DibaoLine.objects.count() == 11
    assert AuditEntry.objects.count() == audits


@pytest.mark.django_db
def test_loading_a_changed_file_updates_in_place_by_code(data):
    load_default_areas()
    changed = copy.deepcopy(data)
    changed["city"]["districts"][5]["streets"][0]["communities"][0]["name"] = "尧化门新社区"
    changed["dibao_lines"][0]["monthly_amount"] = "1180.00"
    pk = Area.objects.get(code="320113001001").pk

    counts = load_areas(changed)

    assert counts["areas_updated"] == 1
    assert Area.objects.get(pk=pk).name == "尧化门新社区"
    assert DibaoLine.objects.get(district__code="320102").monthly_amount == Decimal("1180.00")
