"""The analytics page: figures, filters in the query string, htmx partial, chart data with the
page's language, the Excel export (audited) and refusals."""

import io
import json
import re

import pytest
from django.test import RequestFactory
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from analytics_cast import build_world
from assets import external_assets
from jiuzhu.assessment.views.analytics import analytics_page
from jiuzhu.core.models import AuditEntry
from jiuzhu.registry.models import Tier

pytestmark = pytest.mark.django_db

URL = "/assessment/analytics/"


@pytest.fixture
def world(actors, areas):
    return build_world(actors, areas)


@pytest.fixture
def page(client):
    """The page in English (figures and structure); test_the_chinese_page reads it in Chinese."""

    def call(user, headers=None, language="en", **params):
        client.force_login(user)
        client.cookies["django_language"] = language
        return client.get(URL, params, headers=headers or {})

    return call


def chart(response, name: str) -> dict:
    match = re.search(
        rf'<script id="analytics-chart-{name}" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.DOTALL,
    )
    assert match, f"no {name} chart"
    return json.loads(match.group(1))


def test_a_district_manager_sees_the_figures_by_street(world, actors, page):
    response = page(actors["qixia_manager"], language="zh-hans")
    assert response.status_code == 200
    html = response.content.decode()
    assert "75.0%" in html  # H = 3/4
    assert "58.3%" in html  # A = 7/12
    assert "0.438" in html  # M0 = 7/16 = 0.4375
    assert "echarts.min.js" in html and "analytics.js" in html
    assert external_assets(html) == []
    assert "尧化街道" in html and "马群街道" in html  # the default decomposition is by street
    groups = chart(response, "groups")
    assert groups["categories"] == ["尧化街道", "马群街道"]
    assert groups["series"][1]["data"] == [71.43, 28.57]  # 5/7 and 2/7
    indicators = chart(response, "indicators")
    assert indicators["categories"] == ["收入低", "缺食物", "患病未治", "孤立"]
    assert indicators["series"][1]["data"] == [50.0, 25.0, 50.0, 50.0]
    assert chart(response, "dimensions")["categories"] == ["生活", "健康", "社会融入"]
    distribution = chart(response, "distribution")
    assert distribution["categories"] == ["0.25", "0.50", "0.75"]
    assert [s["data"] for s in distribution["series"]] == [[1, None, None], [None, 2, 1]]
    # One household under another version, one never assessed: said on the page.
    assert "v1: 1" in html
    # The selects show what the figures use: the published version, by street.
    assert '<option value="2" selected>' in html
    assert '<option value="street" selected>' in html


def test_filters_stay_in_the_query_string_and_htmx_gets_the_partial(world, actors, page, areas):
    response = page(
        actors["city_admin"],
        headers={"HX-Request": "true"},
        district=str(areas["qixia"].pk),
        by="group",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="analytics-results"' in html
    assert 'hx-swap-oob="true"' in html  # the filters follow (streets of the chosen district)
    assert "马群街道" in html and "沙洲街道" not in html
    assert chart(response, "groups")["categories"] == ["Elderly", "Disability", "No group"]
    assert "Vary" in response and "HX-Request" in response["Vary"]


def test_the_chinese_page_has_chinese_chart_labels(world, actors, page):
    response = page(actors["qixia_manager"], language="zh-hans", by="tier")
    assert response.status_code == 200
    with translation.override("zh-hans"):
        expected = {
            "uncensored": _("Uncensored headcount ratio"),
            "contribution": _("Contribution to M0"),
            "severe": _("Severe"),
            "tier": str(Tier.DIBAO.label),
        }
    assert expected["uncensored"] != "Uncensored headcount ratio"  # translated, not the msgid
    assert chart(response, "indicators")["series"][0]["name"] == expected["uncensored"]
    assert chart(response, "indicators")["categories"][0] == "收入低"
    assert chart(response, "dimensions")["series"][0]["name"] == expected["contribution"]
    assert expected["severe"] in [s["name"] for s in chart(response, "distribution")["series"]]
    assert chart(response, "groups")["categories"][0] == expected["tier"]
    assert '<html lang="zh-hans">' in response.content.decode()


def test_the_page_follows_the_language(world, actors, page):
    response = page(actors["qixia_manager"])
    assert response.status_code == 200
    assert chart(response, "indicators")["categories"] == [
        "Low income",
        "Short of food",
        "Untreated",
        "Isolated",
    ]
    assert chart(response, "indicators")["series"][0]["name"] == "Uncensored headcount ratio"


def test_a_street_caseworker_sees_their_street_only(world, actors, page, areas):
    response = page(actors["yaohua_caseworker"], street=str(areas["maqun"].pk), by="street")
    assert response.status_code == 200
    html = response.content.decode()
    assert "100.0%" in html  # H over A and B only
    assert "马群街道" not in html
    assert 'name="street"' not in html  # nothing to choose below a street


@pytest.mark.parametrize(
    "params",
    [
        {"framework": "abc"},
        {"framework": "99"},
        {"by": "income"},
        {"district": "x"},
        {"street": "-1"},
        {"source": "rescored"},
        {"format": "pdf"},
    ],
)
def test_bad_query_strings_still_show_the_page(world, actors, page, params):
    response = page(actors["qixia_manager"], **params)
    assert response.status_code == 200
    assert "0.438" in response.content.decode()


def test_the_export_is_a_workbook_and_is_audited(world, actors, page):
    response = page(actors["qixia_manager"], by="tier", format="xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheetnames == [
        "Summary",
        "Indicators",
        "Dimensions",
        "Subgroups",
        "Distribution",
    ]
    summary = {row[0]: row[1] for row in workbook["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["Multidimensional poverty index (M0) = H × A"] == 0.4375
    assert summary["Households measured"] == 4
    subgroups = list(workbook["Subgroups"].iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in subgroups] == ["Dibao recipient (低保)", "Near-dibao (低保边缘)"]
    entry = AuditEntry.objects.get(action="export", object_type="assessment.analytics")
    assert entry.actor == actors["qixia_manager"]
    assert entry.detail["by"] == "tier" and entry.detail["households"] == 4


@pytest.mark.parametrize("role", ["assessor", "provider_staff", "department", "audit_admin"])
def test_roles_without_analytics_get_403(world, actors, page, role):
    assert page(actors[role]).status_code == 403
    assert page(actors[role], format="xlsx").status_code == 403
    assert not AuditEntry.objects.filter(action="export").exists()


def test_anonymous_visitors_are_sent_to_sign_in(world, client):
    response = client.get(URL)
    assert response.status_code == 302


def test_without_a_framework_the_page_says_so(actors, page):
    response = page(actors["city_admin"])
    assert response.status_code == 200
    assert "No indicator framework" in response.content.decode()


def test_with_nobody_assessed_every_figure_is_zero(world, actors, page, areas):
    from jiuzhu.assessment.models import Assessment

    Assessment.objects.all().delete()
    response = page(actors["qixia_manager"])
    assert response.status_code == 200
    html = response.content.decode()
    assert "every figure is zero" in html
    assert chart(response, "distribution")["series"] == []


def test_the_view_through_a_request_factory(world, actors):
    request = RequestFactory().get(URL, {"by": "tier"})
    request.user = actors["city_admin"]
    with translation.override("en"):
        response = analytics_page(request)
    assert response.status_code == 200
    assert "Near-dibao" in response.content.decode()
