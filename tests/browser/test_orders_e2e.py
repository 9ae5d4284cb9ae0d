"""The cloud supermarket (救助云超市) as its users meet it, on phones, against a real server.

The demo beneficiary household (李秀英, 尧化门社区) signs in with an SMS code, orders 助餐 with a
preferred time and a note, and sees the order waiting. The demo provider's staff member (乐龄居家
养老服务中心, which serves Yaohua with 助餐) finds it in the order inbox on their phone, accepts it,
assigns it to themselves, checks in and checks out with what was done and how long it took. The
household rates it 5 stars with a comment, and the household's assistance chain shows every step,
on the household's own page and on the street caseworker's desktop.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import warnings
from zoneinfo import ZoneInfo

import pytest

from browser_support import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
PASSWORD = "Jiuzhu-Demo-2026"
PHONE = {"width": 390, "height": 844}
BENEFICIARY_MOBILE = "13800000001"
PROVIDER = "栖霞区乐龄居家养老服务中心"
STAFF_NAME = "郑红"  # provider_staff's display name: 郑红（乐龄养老服务中心）
#: The demo provider's items as the supermarket names them (orders/demo.py, in its order).
PROVIDER_ITEMS = ("助餐", "助浴", "助洁", "助行", "助医", "探访关爱", "健康监测", "助聊")
WANTED = "助餐"
NOTE = "少盐少油，中午送到，请按两次门铃。"
SUMMARY = "送餐上门一份（两荤一素），协助老人用餐并清理餐具。"
COMMENT = "饭菜热乎，工作人员很耐心。"


def sign_in(page, username: str) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")


def sign_in_by_sms(page, outbox, mobile: str) -> None:
    page.goto("/login/sms/")
    for _attempt in range(4):
        page.fill("input[name=mobile]", mobile)
        page.click("main form button[type=submit]")
        page.wait_for_load_state("networkidle")
        if page.locator("input[name=code]").count():
            break
        # One code per number every 30 seconds (another test may just have asked for one).
        assert "验证码发送不足 30 秒，请稍后再试。" in page.locator("main").inner_text()
        page.wait_for_timeout(10_000)
    lines = outbox.read_text(encoding="utf-8").splitlines()
    message = [json.loads(line) for line in lines if json.loads(line)["to"] == mobile][-1]
    page.fill("input[name=code]", re.search(r"\d{6}", message["text"]).group(0))
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")


def flash(page) -> str:
    return page.locator(".messages").inner_text()


def status_tag(page) -> str:
    return page.locator(".page-head .tag").inner_text().strip()


@pytest.fixture
def second_phone(browser, jiuzhu_server):
    """Another phone (the provider's), alongside the household's."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN", base_url=jiuzhu_server["url"])
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def find_in_inbox(page, number: str):
    """The inbox card of order ``number`` (the inbox lists the oldest first, 25 to a page)."""
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


def test_a_household_orders_on_a_phone_and_the_provider_serves_it(
    phone_page, second_phone, desktop_page, jiuzhu_server
):
    home = phone_page
    sign_in_by_sms(home, jiuzhu_server["outbox"], BENEFICIARY_MOBILE)
    assert home.url.endswith("/assessment/my-home/")  # the household lands on its own home
    home.goto("/my-household/")
    home.wait_for_load_state("networkidle")
    own = re.search(r"/households/(\d+)/", home.url)
    assert own, home.url
    household_id = own.group(1)

    # The supermarket, from the household's own page.
    home.locator("a[href='/orders/market/']:visible").first.click()
    home.wait_for_url("**/orders/market/")
    home.wait_for_load_state("networkidle")
    assert home.locator("h1").inner_text() == "救助云超市"
    listed = [name.strip() for name in home.locator("article.item-card h4 a").all_inner_texts()]
    assert listed, "the supermarket lists nothing for the household"
    screenshot(home, "orders-01-market-phone")
    # The household (elderly, disability) may receive 助餐; should it ever not, the first item
    # listed that the demo provider offers is ordered instead.
    offered = [name for name in listed if name in PROVIDER_ITEMS]
    assert offered, f"nothing listed is offered by {PROVIDER}: {listed}"
    item_name = WANTED if WANTED in offered else offered[0]
    if item_name != WANTED:
        warnings.warn(
            f"{WANTED} is not listed for the household; ordering {item_name}", stacklevel=1
        )

    # The item's page: a preferred time two days on, and a note for the provider.
    card = home.locator("article.item-card").filter(
        has=home.locator("h4 a", has_text=re.compile(rf"^{item_name}$"))
    )
    order_now = card.locator("a.btn")
    assert order_now.inner_text().strip() == "立即下单"
    order_now.click()
    home.wait_for_url(re.compile(r"/orders/market/\d+/$"))
    assert home.locator("h1").inner_text().strip() == item_name
    day = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date() + dt.timedelta(days=2)
    home.fill("input[name=preferred_date]", day.isoformat())
    home.fill("input[name=preferred_clock]", "11:30")
    home.fill("textarea[name=note]", NOTE)
    screenshot(home, "orders-02-item-form-phone")
    home.click("section.order-form form button[type=submit]")
    home.wait_for_url(re.compile(r"/orders/\d+/$"))
    home.wait_for_load_state("networkidle")
    order_id = re.search(r"/orders/(\d+)/$", home.url).group(1)
    order_url = f"/orders/{order_id}/"
    assert "下单成功，服务机构将尽快接单。" in flash(home)
    assert status_tag(home) == "待接单"
    number = home.locator(".page-head .sub .mono").inner_text().strip()
    facts = home.locator(".order-main").inner_text()
    assert f"{day.isoformat()} 11:30" in facts
    assert NOTE in facts
    assert "尚未接单" in facts  # no provider yet
    screenshot(home, "orders-03-placed-phone")

    # "My orders": the new order is there, waiting.
    home.goto("/orders/mine/")
    home.wait_for_load_state("networkidle")
    mine = home.locator("li.order-card").filter(has=home.locator(f"a[href='{order_url}']"))
    assert mine.count() == 1
    assert mine.locator(".tag").inner_text().strip() == "待接单"
    screenshot(home, "orders-04-my-orders-waiting-phone")

    # The provider's phone: the order is in the inbox with the household's note.
    staff = second_phone
    sign_in(staff, "provider_staff")
    inbox_card = find_in_inbox(staff, number)
    assert item_name in inbox_card.locator("h2").inner_text()
    assert NOTE in inbox_card.inner_text()
    assert "尧化门社区" in inbox_card.inner_text()
    inbox_card.scroll_into_view_if_needed()
    screenshot(staff, "orders-05-provider-inbox-phone")
    inbox_card.locator(f"form[action='{order_url}accept/'] button[type=submit]").click()
    staff.wait_for_url(f"**{order_url}")
    staff.wait_for_load_state("networkidle")
    assert "已接单。请派工或开始服务。" in flash(staff)
    assert status_tag(staff) == "已接单"
    assert PROVIDER in staff.locator(".order-main").inner_text()
    # Provider staff see the address to serve.
    assert "尧化门新村" in staff.locator(".address-box").inner_text()
    screenshot(staff, "orders-06-accepted-phone")

    # Assign: to themselves (they check in next).
    option = staff.locator("select[name=assignee] option", has_text=STAFF_NAME).first
    staff.select_option("select[name=assignee]", option.get_attribute("value"))
    staff.click(f"form[action='{order_url}assign/'] button[type=submit]")
    staff.wait_for_load_state("networkidle")
    assert "已通知服务人员。" in flash(staff)
    assert status_tag(staff) == "已派工"
    assert STAFF_NAME in staff.locator(".order-main").inner_text()
    screenshot(staff, "orders-07-assigned-phone")

    # Check in at the household. The page first asks the phone for its location (optional; the
    # form is sent on an answer, a refusal or after a few seconds), so wait for the navigation.
    with staff.expect_navigation():
        staff.click(f"form[action='{order_url}start/'] button[type=submit]")
    staff.wait_for_load_state("networkidle")
    assert "已签到，服务开始。" in flash(staff)
    assert status_tag(staff) == "服务中"
    screenshot(staff, "orders-08-checked-in-phone")

    # Check out: what was done and how long it took.
    checkout = staff.locator("#complete")
    checkout.locator("textarea[name=summary]").fill(SUMMARY)
    checkout.locator("input[name=duration_minutes]").fill("45")
    checkout.locator("button[type=submit]").click()
    staff.wait_for_load_state("networkidle")
    assert "已签退，服务已记录为完成。" in flash(staff)
    assert status_tag(staff) == "已完成"
    delivery = staff.locator("#delivery").inner_text()
    assert SUMMARY in delivery
    assert "45 分钟" in delivery
    screenshot(staff, "orders-09-completed-phone")

    # The household rates it: 5 stars and a comment.
    home.goto(order_url)
    home.wait_for_load_state("networkidle")
    assert status_tag(home) == "已完成"
    rate = home.locator("#rate")
    five = rate.locator("input[name=score][value='5']")
    rate.locator(f"label[for='{five.get_attribute('id')}']").click()
    assert five.is_checked()
    rate.locator("textarea[name=comment]").fill(COMMENT)
    screenshot(home, "orders-10-rating-phone")
    rate.locator("button[type=submit]").click()
    home.wait_for_load_state("networkidle")
    assert "感谢您的评价。" in flash(home)
    rating = home.locator("#rating")
    assert rating.locator(".stars-shown").get_attribute("aria-label") == "5 星（满分 5 星）"
    assert COMMENT in rating.inner_text()
    assert home.locator("#rate").count() == 0  # rated once
    screenshot(home, "orders-11-rated-phone")

    # The assistance chain on the household's own page: ordered, accepted, done, rated.
    expected = [
        f"已下单：{item_name}",
        f"{PROVIDER} 已接单：{item_name}",
        f"服务已完成：{item_name}",
        f"评分 5/5：{item_name}",
    ]
    home.goto("/my-household/")
    home.wait_for_load_state("networkidle")
    assert f"/households/{household_id}/" in home.url
    steps = home.locator(f"#chain li.source-order:has(a[href='{order_url}']) .title")
    titles = [text.strip() for text in steps.all_inner_texts()]
    for title in expected:
        assert title in titles, (title, titles)
    chain = home.locator("#chain")
    assert COMMENT in chain.inner_text()
    assert SUMMARY in chain.inner_text()
    chain.scroll_into_view_if_needed()
    screenshot(home, "orders-12-household-chain-phone")

    # The same chain on the street caseworker's desktop, and the orders box shows it done.
    desk = desktop_page
    sign_in(desk, "yaohua_caseworker")
    desk.goto(f"/households/{household_id}/")
    desk.wait_for_load_state("networkidle")
    titles = [
        text.strip()
        for text in desk.locator(
            f"#chain li.source-order:has(a[href='{order_url}']) .title"
        ).all_inner_texts()
    ]
    for title in expected:
        assert title in titles, (title, titles)
    box_entry = desk.locator(f"li:has(> span > a[href='{order_url}'])")
    box_entry.first.wait_for()  # the household's orders box, loaded by htmx
    assert box_entry.first.locator(".tag").inner_text().strip() == "已完成"
    screenshot(desk, "orders-13-caseworker-chain-desktop")
