"""The household's own home on a 360 px phone (issue 10): the demo beneficiary (李秀英, elderly)
turns the elderly-friendly mode on from the home, books a service from the home's first button,
and finds it under "coming up"; the provider's staff member then sees it as a field task card
(call, copy the address, open the map). Screenshots: the home in normal and elderly mode, and
the task cards, all at phone size."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest

from browser_support import screenshot, sign_in_by_sms

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
PASSWORD = "Jiuzhu-Demo-2026"
NARROW = {"width": 360, "height": 780}
BENEFICIARY_MOBILE = "13800000001"
STAFF_NAME = "郑红"
#: Items the demo provider offers (orders/demo.py).
PROVIDER_ITEMS = ("助餐", "助浴", "助洁", "助行", "助医", "探访关爱", "健康监测", "助聊")


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= NARROW["width"], f"{page.url} is {width}px wide on a 360px phone"


@pytest.fixture
def narrow_pages(browser, jiuzhu_server):
    contexts = [
        browser.new_context(viewport=NARROW, locale="zh-CN", base_url=jiuzhu_server["url"])
        for _ in range(2)
    ]
    pages = [context.new_page() for context in contexts]
    for page in pages:
        page.set_default_timeout(15_000)
    yield pages
    for context in contexts:
        context.close()


def test_an_elderly_household_books_from_its_home_and_the_provider_gets_a_task_card(
    narrow_pages, jiuzhu_server
):
    home, staff = narrow_pages
    sign_in_by_sms(home, jiuzhu_server["outbox"], BENEFICIARY_MOBILE)
    assert home.url.endswith("/assessment/my-home/")
    main = home.locator("main")
    first_button = main.locator("a.btn, button").first
    assert first_button.inner_text().strip() == "预约服务"
    text = main.inner_text()
    hidden = ("紧急干预", "纳入兜底", "需要关爱", "持续关注", "困难老人", "月收入", "医疗支出")
    for word in hidden:
        assert word not in text, word
    assert "服务监督热线" in text
    _fits(home)
    screenshot(home, "home-01-beneficiary-home-phone")

    try:
        # Elderly-friendly mode, from the home; kept on the account.
        home.click("#elderly-mode button[type=submit]")
        home.wait_for_load_state("networkidle")
        assert "elderly" in (home.locator("body").get_attribute("class") or "")
        assert home.locator(".site-nav li").count() == 1  # fewer choices
        _fits(home)
        screenshot(home, "home-02-elderly-home-phone")

        # Book a service from the home's first button.
        home.click("#book-service")
        home.wait_for_url("**/orders/market/")
        listed = [n.strip() for n in home.locator("article.item-card h4 a").all_inner_texts()]
        item_name = next(name for name in listed if name in PROVIDER_ITEMS)
        card = home.locator("article.item-card").filter(
            has=home.locator("h4 a", has_text=re.compile(rf"^{item_name}$"))
        )
        card.locator("a.btn").click()
        home.wait_for_url(re.compile(r"/orders/market/\d+/$"))
        day = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date() + dt.timedelta(days=3)
        home.fill("input[name=preferred_date]", day.isoformat())
        home.fill("input[name=preferred_clock]", "09:30")
        _fits(home)
        home.click("section.order-form form button[type=submit]")
        home.wait_for_url(re.compile(r"/orders/\d+/$"))
        order_url = re.search(r"/orders/\d+/$", home.url).group(0)
        home.goto("/")
        home.wait_for_load_state("networkidle")
        assert item_name in home.locator("#coming").inner_text()
    finally:
        home.goto("/assessment/my-home/")
        if home.locator("#elderly-mode input[name=on][value='0']").count():
            home.click("#elderly-mode button[type=submit]")
            home.wait_for_load_state("networkidle")

    # The provider accepts it and assigns it to the staff member; the task card follows.
    staff.goto("/login/")
    staff.fill("input[name=username]", "provider_staff")
    staff.fill("input[name=password]", PASSWORD)
    staff.click("main form button[type=submit]")
    staff.wait_for_load_state("networkidle")
    staff.goto(order_url)
    staff.click(f"form[action='{order_url}accept/'] button[type=submit]")
    staff.wait_for_load_state("networkidle")
    option = staff.locator("select[name=assignee] option", has_text=STAFF_NAME).first
    staff.select_option("select[name=assignee]", option.get_attribute("value"))
    staff.click(f"form[action='{order_url}assign/'] button[type=submit]")
    staff.wait_for_load_state("networkidle")
    staff.goto("/orders/tasks/")
    staff.wait_for_load_state("networkidle")
    card = staff.locator("li.order-card").filter(has=staff.locator(f"a[href='{order_url}']"))
    assert card.count() == 1
    assert card.locator("a[href^='tel:']").count() == 1
    assert card.locator("a[href^='geo:0,0?q=']").count() == 1
    copy = card.locator("button[data-copy]")
    assert copy.is_visible()
    from playwright.sync_api import expect

    copy.click()
    # The label changes when the clipboard answers (a promise) and reverts after two seconds.
    expect(copy).to_have_text("地址已复制", timeout=10_000)
    _fits(staff)
    card.scroll_into_view_if_needed()
    screenshot(staff, "home-03-provider-task-cards-phone")
