"""The dashboards in a browser, against the demo server: the district manager's dashboard on a
desktop and a 360 px phone, charts drawn by the vendored ECharts, every chart with its table,
the trend between two monthly snapshots; a street caseworker's dashboard lists only their
street. Screenshots: artifacts/screenshots/dashboards-*.png."""

from __future__ import annotations

import pytest

from browser_support import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
PASSWORD = "Jiuzhu-Demo-2026"
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 360, "height": 780}


def sign_in(page, username: str) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_the_dashboards_at_desktop_and_phone_width(browser, jiuzhu_server):
    server = jiuzhu_server
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        context = browser.new_context(viewport=viewport, locale="zh-CN", base_url=server["url"])
        page = context.new_page()
        page.set_default_timeout(15_000)
        sign_in(page, "qixia_manager")
        page.goto("/dashboards/?days=365")
        page.wait_for_load_state("networkidle")
        assert page.locator("h1").inner_text() == "数据看板"
        assert page.locator("[data-analytics-chart] svg").count() >= 8  # ECharts drew them
        assert page.locator("table.data").count() >= 10
        assert "多维贫困指数" in page.content()
        screenshot(page, f"dashboards-district-{name}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"] + 1, f"{name}: the page scrolls sideways ({width}px)"
        context.close()
    context = browser.new_context(viewport=PHONE, locale="zh-CN", base_url=server["url"])
    page = context.new_page()
    sign_in(page, "yaohua_caseworker")
    page.goto("/dashboards/")
    page.wait_for_load_state("networkidle")
    options = page.locator("#dash-area option").all_inner_texts()
    assert options == ["尧化街道"]
    screenshot(page, "dashboards-street-phone")
    context.close()
