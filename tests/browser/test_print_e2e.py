"""Printable documents in Chromium against the demo server: a district manager opens each A4
print view from its page (打印), sees it as the browser prints it (print media, A4 width), and
downloads its PDF (下载PDF). Screenshots and the PDFs: artifacts/screenshots/print-*.png and
print-*.pdf."""

from __future__ import annotations

import pytest

from browser_support import ARTIFACTS, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
PASSWORD = "Jiuzhu-Demo-2026"
A4 = {"width": 794, "height": 1123}  # 210 × 297 mm at 96 dpi


def sign_in(page, username: str) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")


def look(page, name: str, title: str) -> None:
    """The print view as printed: its title, no English button left on paper, A4 wide."""
    page.wait_for_load_state("networkidle")
    assert title in page.content(), name
    page.emulate_media(media="print")
    assert not page.locator(".print-toolbar").first.is_visible()
    screenshot(page, f"print-{name}")
    page.emulate_media(media="screen")


def download(page, name: str) -> None:
    with page.expect_download() as info:
        page.click("text=下载PDF")
    pdf = info.value
    assert pdf.suggested_filename.endswith(".pdf"), name
    with open(pdf.path(), "rb") as file:
        assert file.read(5) == b"%PDF-", name
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf.save_as(ARTIFACTS / f"print-{name}.pdf")  # kept beside the screenshots


def test_a_manager_prints_and_downloads_each_document(browser, jiuzhu_server):
    context = browser.new_context(
        viewport=A4, locale="zh-CN", base_url=jiuzhu_server["url"], accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, "qixia_manager")

    # (b) the assistance chain, from the household page
    page.goto("/households/")
    page.locator("table.data tbody tr a").first.click()
    page.wait_for_load_state("networkidle")
    page.locator("#chain").get_by_text("打印", exact=True).click()
    look(page, "chain", "救助链")
    download(page, "chain")

    # (a) the assessment report with the plan: the first submitted assessment's result page
    for number in range(1, 60):
        page.goto(f"/assessment/{number}/result/")
        if "/result/" in page.url and page.locator("text=下载PDF").count():
            break
    page.locator(".page-head").get_by_text("打印", exact=True).click()
    look(page, "assessment", "评估报告与救助方案")
    download(page, "assessment")

    # (d) a hotline ticket's record: the demo has none, so the manager records a call
    page.goto("/dispatch/tickets/new/")
    page.select_option("select[name=kind]", index=0)
    page.fill("input[name=caller_name]", "李先生")
    page.fill("textarea[name=description]", "来电反映送餐迟到一小时，饭菜已凉")
    page.click("text=记录工单")
    page.wait_for_load_state("networkidle")
    assert "/dispatch/tickets/" in page.url
    page.locator(".page-head").get_by_text("打印", exact=True).click()
    look(page, "ticket", "监督热线工单记录")
    download(page, "ticket")

    # (c) a settlement statement: its existing print view, now with a PDF
    page.goto("/evaluation/statements/")
    statements = page.locator("table.data tbody tr a")
    if statements.count():
        statements.first.click()
        page.wait_for_load_state("networkidle")
        page.click("text=打印（A4）")
        look(page, "statement", "政府购买服务结算单")
        download(page, "statement")

    # (e) the monthly district report (also Excel)
    page.goto("/evaluation/reports/monthly/")
    look(page, "monthly", "区级救助工作月度报告")
    download(page, "monthly")
    with page.expect_download() as info:
        page.click("text=导出Excel")
    assert info.value.suggested_filename.endswith(".xlsx")

    # The print view on a phone: readable at 360 px.
    page.set_viewport_size({"width": 360, "height": 780})
    page.goto("/evaluation/reports/monthly/")
    screenshot(page, "print-monthly-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 362
    context.close()
