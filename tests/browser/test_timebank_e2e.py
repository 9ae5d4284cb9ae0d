"""The time bank on a phone, against a real server: a household orders 助餐, the provider
assigns it to the demo volunteer (冯晓东), the volunteer checks in and out (90 minutes) on their
phone, the household confirms the service took place, and the volunteer's "My time bank" page
shows 1.5 more hours and the task that earned them."""

from __future__ import annotations

import re

import pytest

from browser_support import screenshot, sign_in_by_sms

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
PASSWORD = "Jiuzhu-Demo-2026"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 860}
BENEFICIARY_MOBILE = "13800000001"
PROVIDER_ITEMS = ("助餐", "助浴", "助洁", "助行", "助医", "探访关爱", "健康监测", "助聊")
VOLUNTEER_NAME = "冯晓东"


def sign_in(page, username: str) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")


def new_phone(browser, server):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", base_url=server["url"])
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def balance(page) -> float:
    page.goto("/timebank/")
    page.wait_for_load_state("networkidle")
    shown = page.locator("[data-testid=balance]")
    return float(shown.inner_text()) if shown.count() else 0.0


def find_in_inbox(page, number: str):
    page.goto("/orders/inbox/")
    page.wait_for_load_state("networkidle")
    while True:
        card = page.locator("li.order-card").filter(has=page.locator("span.mono", has_text=number))
        if card.count():
            return card
        following = page.locator("nav.pagination a[rel=next]")
        assert following.count(), f"order {number} is not in the provider's inbox"
        following.click()
        page.wait_for_load_state("networkidle")


def test_a_volunteers_task_confirmed_by_the_household_shows_in_their_balance(
    phone_page, browser, jiuzhu_server
):
    home = phone_page
    staff_context, staff = new_phone(browser, jiuzhu_server)
    volunteer_context, volunteer = new_phone(browser, jiuzhu_server)
    try:
        sign_in(volunteer, "volunteer")
        before = balance(volunteer)

        # The household orders a service the demo provider offers.
        sign_in_by_sms(home, jiuzhu_server["outbox"], BENEFICIARY_MOBILE)
        home.goto("/orders/market/")
        home.wait_for_load_state("networkidle")
        listed = [n.strip() for n in home.locator("article.item-card h4 a").all_inner_texts()]
        item_name = next(name for name in listed if name in PROVIDER_ITEMS)
        card = home.locator("article.item-card").filter(
            has=home.locator("h4 a", has_text=re.compile(rf"^{item_name}$"))
        )
        card.locator("a.btn").click()
        home.wait_for_url(re.compile(r"/orders/market/\d+/$"))
        home.click("section.order-form form button[type=submit]")
        home.wait_for_url(re.compile(r"/orders/\d+/$"))
        home.wait_for_load_state("networkidle")
        order_url = re.search(r"/orders/\d+/$", home.url).group(0)
        number = home.locator(".page-head .sub .mono").inner_text().strip()

        # The provider accepts it and assigns it to the volunteer.
        sign_in(staff, "provider_staff")
        inbox_card = find_in_inbox(staff, number)
        inbox_card.locator(f"form[action='{order_url}accept/'] button[type=submit]").click()
        staff.wait_for_url(f"**{order_url}")
        staff.wait_for_load_state("networkidle")
        assert staff.locator("select[name=assignee]").count(), (
            "no assign form after accepting: " + staff.locator("main").inner_text()[:1500]
        )
        option = staff.locator("select[name=assignee] option", has_text=VOLUNTEER_NAME).first
        staff.select_option("select[name=assignee]", option.get_attribute("value"))
        staff.click(f"form[action='{order_url}assign/'] button[type=submit]")
        staff.wait_for_load_state("networkidle")

        # The volunteer checks in and out on their phone: 90 minutes.
        volunteer.goto(order_url)
        volunteer.wait_for_load_state("networkidle")
        with volunteer.expect_navigation():
            volunteer.click(f"form[action='{order_url}start/'] button[type=submit]")
        volunteer.wait_for_load_state("networkidle")
        checkout = volunteer.locator("#complete")
        checkout.locator("textarea[name=summary]").fill("送餐上门，陪老人用餐。")
        checkout.locator("input[name=duration_minutes]").fill("90")
        checkout.locator("button[type=submit]").click()
        volunteer.wait_for_load_state("networkidle")
        assert balance(volunteer) == pytest.approx(before)  # not deposited before confirmation

        # The household confirms the service took place.
        home.goto(order_url)
        home.wait_for_load_state("networkidle")
        home.click(f"form[action='{order_url}confirm/'] button[type=submit]")
        home.wait_for_load_state("networkidle")

        # The volunteer's time bank shows the hours and the task.
        assert balance(volunteer) == pytest.approx(before + 1.5)
        assert item_name in volunteer.locator("main").inner_text()
        screenshot(volunteer, "timebank-01-balance-phone")
    finally:
        staff_context.close()
        volunteer_context.close()


def test_the_account_statement_and_charts_on_a_phone_and_a_desktop(browser, jiuzhu_server):
    """The volunteer opens their statement page from "My time bank": the monthly chart is drawn
    with its table beside it, at 360 px and on a desktop; the Excel statement downloads; the
    district manager's report shows the totals and flows charts."""
    for name, viewport in (("360", {"width": 360, "height": 780}), ("desktop", DESKTOP)):
        context = browser.new_context(
            viewport=viewport, locale="zh-CN", base_url=jiuzhu_server["url"], accept_downloads=True
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        try:
            sign_in(page, "volunteer")
            page.goto("/timebank/")
            page.click("[data-testid=statement-page]")
            page.wait_for_load_state("networkidle")
            page.wait_for_selector("[data-timebank-chart='flow-chart'][data-drawn] svg")
            table = page.locator("[data-testid=flows-table]")
            assert table.locator("tbody tr").count() == 12
            assert "Deposit" not in page.locator("main").inner_text()
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"] + 1, f"page wider than the screen: {width}"
            screenshot(page, f"timebank-02-statement-{name}")
            if name == "desktop":
                with page.expect_download() as download:
                    page.click("[data-testid=statement-link]")
                assert download.value.suggested_filename.endswith(".xlsx")
        finally:
            context.close()
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", base_url=jiuzhu_server["url"])
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in(page, "city_admin")
        page.goto("/timebank/report/")
        page.wait_for_load_state("networkidle")
        page.wait_for_selector("[data-timebank-chart='totals-chart'][data-drawn] svg")
        page.wait_for_selector("[data-timebank-chart='flow-chart'][data-drawn] svg")
        screenshot(page, "timebank-03-report-desktop")
    finally:
        context.close()
