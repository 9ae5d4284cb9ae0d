"""A plan becomes a schedule, in headless Chromium against a real server.

The demo household of 李秀英 (尧化门社区; elderly, disabled son, grandchild) is assessed by the
street caseworker, who then edits the drafted plan — 助餐 8 times a month for 3 months, served in
尧化 by the demo provider 乐龄 — and approves it. Only the first week is ordered: the provider
sees those orders, nothing further ahead; the household sees its services in plain words on its
phone. Screenshots: the assessment form, the plan page, the household's services on a phone.
"""

from __future__ import annotations

import re

import pytest

from browser_support import screenshot, sign_in_by_sms

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
MEAL = "助餐"
PASSWORD = "Jiuzhu-Demo-2026"
BENEFICIARY_MOBILE = "13800000001"
PHONE = {"width": 390, "height": 844}


def sign_in(page, username: str) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")


@pytest.fixture
def provider_phone(browser, jiuzhu_server):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", base_url=jiuzhu_server["url"])
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def _answer_everything(page) -> None:
    """Confirm the pre-filled answers and answer the rest "no" (numbers: 20)."""
    for question in page.locator("fieldset.q:has(input[type=radio])").all():
        if not question.locator("input[type=radio]:checked").count():
            question.locator("input[type=radio][value='0']").check()
    for question in page.locator("div.q:has(input[type=number])").all():
        field = question.locator("input[type=number]")
        if not field.input_value():
            field.fill("20")
            field.press("Tab")
    page.wait_for_function(
        """() => {
            const form = document.getElementById("assessment-form");
            const status = document.getElementById("save-status");
            return !form.classList.contains("htmx-request") && status.dataset.state === "saved";
        }"""
    )


def _meal_row(page):
    return page.locator("#plan-items tbody tr", has_text=MEAL).first


def test_a_caseworker_edits_and_approves_a_plan_that_runs_as_a_schedule(
    phone_page, desktop_page, provider_phone, jiuzhu_server
):
    # The household's phone: which household is it?
    home = phone_page
    sign_in_by_sms(home, jiuzhu_server["outbox"], BENEFICIARY_MOBILE)
    home.goto("/my-household/")
    home.wait_for_load_state("networkidle")
    household_id = re.search(r"/households/(\d+)/", home.url).group(1)

    # The street caseworker assesses the household (评·摸·问).
    desk = desktop_page
    sign_in(desk, "yaohua_caseworker")
    desk.goto(f"/households/{household_id}/")
    desk.wait_for_load_state("networkidle")
    # In the page, not the header (the header's menus hold assessment links too).
    box = desk.locator("main").locator(
        "form[action$='/start/'] button, a[href^='/assessment/'][href$='/']"
    )
    box.first.wait_for()
    start = desk.locator(f"form[action='/assessment/households/{household_id}/start/'] button")
    if start.count():
        start.first.click()
    else:
        desk.locator("a:text('继续评估')").first.click()
    desk.wait_for_url(re.compile(r"/assessment/\d+/$"))
    desk.wait_for_load_state("networkidle")
    _answer_everything(desk)
    # The counters follow the saved answers: every dimension is complete.
    for counter in desk.locator("legend .progress").all():
        done, total = counter.inner_text().split("/")
        assert done == total, counter.inner_text()
    score = desk.locator("#score-percent")
    assert re.fullmatch(r"\d+\.\d%", score.inner_text()), score.inner_text()
    assert re.fullmatch(r"\d+/\d+ = \d\.\d{6}", score.get_attribute("title"))
    screenshot(desk, "plans-assessment-form")
    desk.once("dialog", lambda dialog: dialog.accept())
    desk.click("button[formaction$='/submit/']")
    desk.wait_for_url(re.compile(r"/assessment/\d+/result/$"))
    desk.wait_for_load_state("networkidle")

    # 开: every proposed service says why it is there.
    rows = desk.locator("#plan-items tbody tr")
    assert rows.count() >= 1
    for row in rows.all():
        assert row.locator(".plan-why").inner_text().strip(), row.inner_text()
    # One meal service only: 助餐 rather than 邻里小饭桌 (the provider here serves 助餐).
    dining = desk.locator("#plan-items tbody tr", has_text="邻里小饭桌")
    if dining.count():
        desk.once("dialog", lambda dialog: dialog.accept())
        dining.locator("button:text('移除')").click()
        desk.wait_for_load_state("networkidle")
    if not _meal_row(desk).count():
        desk.select_option("#add_service_item", label=re.compile(f"· {MEAL}$"))
        desk.fill("#add_per_month", "8")
        desk.fill("#add_months", "3")
        desk.click("#add-item button[type=submit]")
        desk.wait_for_load_state("networkidle")
    row = _meal_row(desk)
    row.locator("input[name=per_month]").fill("8")
    row.locator("input[name=months]").fill("3")
    row.locator(".freq-form button[type=submit]").click()
    desk.wait_for_load_state("networkidle")
    assert "频次和期限已保存。" in desk.locator(".messages").inner_text()
    assert _meal_row(desk).locator("input[name=per_month]").input_value() == "8"
    plan_url = desk.url if "/plans/" in desk.url else None
    # The same draft on a phone: the frequency fields stay usable.
    desk.set_viewport_size(PHONE)
    screenshot(desk, "plans-plan-draft-phone")
    desk.set_viewport_size({"width": 1280, "height": 860})
    desk.fill("#approve textarea[name=note]", "已电话核实，同意。")
    desk.click("#approve button[type=submit]")
    desk.wait_for_load_state("networkidle")
    assert "第一周的服务已下单" in desk.locator(".messages").inner_text()
    plan_url = plan_url or desk.url
    # The next two weeks: 8 meals a month are days 0, 3, 7, … of the plan month from tomorrow,
    # so two are ordered (the first week) and the next ones wait their turn.
    schedule = desk.locator("#plan .upcoming-list")
    meals = schedule.locator("li.upcoming-row", has_text=MEAL)
    ordered = meals.filter(has_text="已下单，等待服务机构确认")
    assert ordered.count() == 2, schedule.inner_text()
    assert meals.filter(has_text="将提前一周下单").count() >= 1
    order_links = [a.get_attribute("href") for a in ordered.locator("a").all()]
    screenshot(desk, "plans-plan-approved")

    # The provider sees the first week's orders, and only those.
    provider = provider_phone
    sign_in(provider, "provider_staff")
    for href in order_links:
        provider.goto(href)
        provider.wait_for_load_state("networkidle")
        assert MEAL in provider.locator("main").inner_text()
        assert "等待接单" in provider.locator("main").inner_text() or "待接单" in (
            provider.locator("main").inner_text()
        )
    provider.goto("/orders/inbox/")
    provider.wait_for_load_state("networkidle")
    screenshot(provider, "plans-provider-inbox-phone")

    # The household sees its services in plain words on its phone.
    home.goto("/assessment/my-services/")
    home.wait_for_load_state("networkidle")
    text = home.locator("main").inner_text()
    assert f"{MEAL}：每月 8 次，至" in text, text
    assert "未来两周" in text and "已下单，等待服务机构确认" in text
    assert "将提前一周下单" in text
    screenshot(home, "plans-household-services-phone")


def test_english_analytics_labels_wrap_rather_than_being_cut(desktop_page):
    """On the English page the indicator names are long: the chart wraps them, never "…"."""
    page = desktop_page
    sign_in(page, "qixia_manager")
    page.locator("button[name=language][value=en]").first.click()
    page.wait_for_load_state("networkidle")
    page.goto("/assessment/analytics/")
    page.wait_for_load_state("networkidle")
    page.wait_for_selector("[data-analytics-chart] svg")
    labels = page.locator("[data-analytics-chart] svg text").all_text_contents()
    assert labels, "the charts are drawn"
    assert not [text for text in labels if text.endswith(("...", "…"))], labels
    assert any(re.search(r"[A-Za-z]{4,}", text) for text in labels)
    screenshot(page, "plans-analytics-english")
