"""Every page works under the Content-Security-Policy (no inline script, no eval): the pages of
each role, the charts and the API docs load in Chromium without a single policy violation."""

from __future__ import annotations

import pytest

from browser_support import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
PASSWORD = "Jiuzhu-Demo-2026"

PAGES = {
    "qixia_manager": [
        "/",
        "/households/",
        "/dispatch/board/",
        "/dispatch/backlog/",
        "/dispatch/supply/",
        "/assessment/analytics/",
        "/orders/",
    ],
    "yaohua_caseworker": ["/", "/assessment/queue/"],
    "provider_staff": ["/orders/inbox/"],
    "security_admin": ["/accounts/"],
    "audit_admin": ["/audit/"],
}


def _sign_in(page, username: str) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("username", sorted(PAGES))
def test_pages_run_under_the_policy(browser, jiuzhu_server, username):
    context = browser.new_context(locale="zh-CN", base_url=jiuzhu_server["url"])
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda m: "Content Security Policy" in m.text and violations.append(m.text))
    page.on("pageerror", lambda error: violations.append(str(error)))
    try:
        _sign_in(page, username)
        for path in PAGES[username]:
            response = page.goto(path)
            page.wait_for_load_state("networkidle")
            assert response.status < 400, path
            assert "script-src 'self'" in response.headers["content-security-policy"]
            assert page.evaluate("document.documentElement.classList.contains('js')")
        if username == "qixia_manager":
            page.goto("/assessment/analytics/")
            page.wait_for_selector("[data-analytics-chart] svg", timeout=15_000)  # ECharts drew
            screenshot(page, "csp-analytics")
    finally:
        context.close()
    assert violations == []


def test_the_api_docs_run_under_the_policy(browser, jiuzhu_server):
    context = browser.new_context(locale="zh-CN", base_url=jiuzhu_server["url"])
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda m: "Content Security Policy" in m.text and violations.append(m.text))
    try:
        _sign_in(page, "qixia_manager")
        page.goto("/api/v1/docs")
        page.wait_for_selector(".swagger-ui .opblock", timeout=20_000)
        screenshot(page, "csp-api-docs")
    finally:
        context.close()
    assert violations == []
