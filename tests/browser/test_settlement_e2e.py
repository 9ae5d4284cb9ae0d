"""Settlement as a district manager does it, against a real server with the demo data: record a
spot check on a project, draft this month's statement, approve it and open its A4 print view."""

from __future__ import annotations

import datetime as dt

import pytest

from browser_support import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
PASSWORD = "Jiuzhu-Demo-2026"


def sign_in(page, username: str) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_a_manager_records_a_spot_check_drafts_approves_and_prints(desktop_page):
    page = desktop_page
    sign_in(page, "qixia_manager")
    page.goto("/evaluation/projects/")
    page.locator("table.data tbody tr td.card-title a").first.click()
    page.wait_for_load_state("networkidle")
    page.fill("#findings", "上门抽查两户，服务属实")
    page.fill("#score", "92")
    page.click("#spot-checks form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "上门抽查两户，服务属实" in page.locator("#spot-checks").inner_text()
    page.fill("#period", dt.date.today().strftime("%Y-%m"))
    page.click("form.inline-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/evaluation/statements/" in page.url
    page.click("text=审核并锁定")
    page.wait_for_load_state("networkidle")
    assert "已审核锁定" in page.content()
    screenshot(page, "settlement-statement")
    page.click("text=打印（A4）")
    page.wait_for_load_state("networkidle")
    assert "政府购买服务结算单" in page.content()
    screenshot(page, "settlement-print")
