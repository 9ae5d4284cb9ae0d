"""The dispatcher's backlog and the provider's check-in, in headless Chromium against a real
server built from the demo.

Qixia's manager follows the board to the backlog, sees why each untaken order waits, opens one
and offers it by hand to a provider with a reason. The provider's staff, on a phone that shares
its location, finds the order at the top of the inbox (newest first is not needed: it is the
order offered to them), accepts it and checks in; the order page shows the distance from the
service address.
"""

from __future__ import annotations

import re

import pytest

from browser_support import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
PASSWORD = "Jiuzhu-Demo-2026"
PHONE = {"width": 390, "height": 844}
REASONS = {
    "已派给服务机构，等待答复",
    "不在任何服务机构的服务范围内",
    "本街道没有服务机构提供此项服务",
    "所有可接单机构均已拒单",
    "今日服务能力已用完",
    "有机构可接：待派单",
}


def sign_in(page, username: str) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_a_manager_offers_an_order_by_hand_and_the_provider_checks_in_on_a_phone(
    desktop_page, browser, jiuzhu_server
):
    page = desktop_page
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, "qixia_manager")
    page.goto("/dispatch/board/")
    page.wait_for_load_state("networkidle")
    chips = page.locator("#reasons .chip").all_inner_texts()
    assert {re.sub(r"\s*\d+$", "", chip.strip()) for chip in chips} == REASONS
    page.click("#reasons a[href^='/dispatch/backlog/']:not(.chip)")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text().strip() == "待办订单"

    # Only the orders nobody has taken yet; each says why it waits.
    page.select_option("#id_list", "waiting")
    page.click("#backlog-filters button[type=submit]")
    page.wait_for_load_state("networkidle")
    rows = page.locator(".backlog-table tbody tr")
    assert rows.count() > 0
    for text in page.locator(".backlog-table tbody .reason").all_inner_texts():
        assert text.strip() in REASONS
    screenshot(page, "backlog-01-waiting")

    # Open a waiting order that a provider with room could take, and offer it by hand.
    page.select_option("#id_reason", "pending")
    page.click("#backlog-filters button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.locator(".backlog-table tbody a").first.click()
    page.wait_for_load_state("networkidle")
    number = page.locator("h1 .mono").inner_text().strip()
    provider_name = page.locator("#id_provider option").nth(1).inner_text().strip()
    page.select_option("#id_provider", index=1)
    page.fill("#id_reason", "已与机构负责人电话确认可以接单")
    page.click("form[action$='/offer/'] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert f"已派给{provider_name}" in page.locator(".messages").inner_text()
    assert "人工派单" in page.inner_text("main")
    screenshot(page, "backlog-02-offered-by-hand")
    order_url = page.url.replace("/dispatch/orders/", "/orders/")
    assert errors == []

    # The provider's staff, on a phone that shares its location.
    staff = _staff_for(page, provider_name)
    phone = browser.new_context(
        viewport=PHONE,
        locale="zh-CN",
        base_url=jiuzhu_server["url"],
        geolocation={"latitude": 32.1, "longitude": 118.9},
        permissions=["geolocation"],
    )
    try:
        mobile = phone.new_page()
        mobile.set_default_timeout(15_000)
        sign_in(mobile, staff)
        mobile.goto(f"/orders/inbox/?q={number}")
        mobile.wait_for_load_state("networkidle")
        assert number in mobile.inner_text("main")
        mobile.goto(order_url)
        mobile.click("form[action$='/accept/'] button[type=submit]")
        mobile.wait_for_load_state("networkidle")
        with mobile.expect_navigation():  # sent once the phone has answered with its location
            mobile.click("form[data-geolocate] button[type=submit]")
        mobile.wait_for_load_state("networkidle")
        evidence = mobile.locator("#evidence").inner_text()
        assert re.search(r"距服务地址 \d+ 米", evidence), evidence
        screenshot(mobile, "evidence-01-checked-in-on-a-phone")
    finally:
        phone.close()


def _staff_for(page, provider_name: str) -> str:
    """The demo username of the provider's staff (provider1…8; the demo provider account for
    the first provider)."""
    response = page.request.get("/api/v1/providers?limit=200")
    names = [p["name"] for p in response.json()["items"]]
    from jiuzhu.orders.demo import PROVIDERS

    demo = [name for name, *_ in PROVIDERS]
    n = demo.index(provider_name) + 1 if provider_name in demo else None
    assert n is not None, (provider_name, names)
    return "provider_staff" if n == 1 else f"provider{n}"
