"""评·摸·问·开 as users meet it, in headless Chromium against a real server.

An assessor on a phone takes a household from their queue, checks the pre-filled answers,
answers every question (each change saves itself), reloads and finds the answers kept by the
server, submits and reads the urgency tag, the needs and the drafted plan. The street
caseworker then approves the plan on a desktop, and the household's assistance chain shows both.
"""

from __future__ import annotations

import re

import pytest

from browser_support import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
PASSWORD = "Jiuzhu-Demo-2026"
URGENCY_TAGS = ("紧急干预", "纳入兜底", "需要关爱", "持续关注")

#: The answers given on the visit (default framework): some deprivations, none critical.
YES = ("food_shortage", "unsafe_housing", "lacks_skills", "psychological_distress")
NUMBERS = {"living_area": "12"}  # deprived below 15 m² per person
WISHES = "希望有人每周上门帮忙做饭、打扫卫生。"


def sign_in(page, username: str) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")


def wait_until_saved(page, assessment_id: str) -> None:
    """Every change made on this page has reached the server: no save is on its way and the
    phone's local copy of unsaved answers has been cleared (assessment.js clears it only when
    the server confirmed the latest change)."""
    page.wait_for_function(
        """id => {
            const form = document.getElementById("assessment-form");
            const status = document.getElementById("save-status");
            const kept = Object.keys(localStorage)
                .filter(k => k.startsWith("jiuzhu:assessment:" + id + ":"));
            return !form.classList.contains("htmx-request")
                && status.dataset.state === "saved" && kept.length === 0;
        }""",
        arg=assessment_id,
    )


def test_an_assessor_assesses_on_a_phone_and_the_caseworker_approves_the_plan(
    phone_page, desktop_page
):
    page = phone_page
    sign_in(page, "assessor")
    assert page.url.endswith("/workspace/")  # the assessor starts at their workspace
    page.goto("/assessment/queue/")
    screenshot(page, "assessor-queue-phone")

    # 评: an assigned household never assessed yet (a new application, 实时评).
    start = page.locator("#queue-results form:has(input[name=reason][value=new])").first
    household_id = re.search(r"/households/(\d+)/start/", start.get_attribute("action")).group(1)
    start.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/assessment/\d+/$"))
    assessment_id = re.search(r"/assessment/(\d+)/$", page.url).group(1)
    assert page.locator("h1").inner_text() == "六维评估"

    # 摸: the registry's baseline, and answers pre-filled from it.
    assert page.locator("#baseline .baseline-facts").is_visible()
    assert page.locator(".q .prefilled").count() >= 3
    assert page.locator(".q .prefilled").first.inner_text() == "已从家庭档案预填，请核实"
    income_ratio = page.input_value("input[name=q_income_ratio]")
    assert income_ratio, "the income ratio is pre-filled from the registry"
    assert page.locator("#save-status").inner_text() == "修改会自动保存。"
    screenshot(page, "assessor-form-prefilled-phone")

    # Answer every question the registry could not (pre-filled answers are confirmed as they
    # are): yes/no radios and numbers; each change saves the draft.
    answers = {}
    for question in page.locator("fieldset.q:has(input[type=radio])").all():
        code = question.get_attribute("id").removeprefix("q-")
        checked = question.locator("input[type=radio]:checked")
        if checked.count():
            answers[code] = checked.get_attribute("value")
            continue
        answers[code] = "1" if code in YES else "0"
        question.locator(f"input[type=radio][value='{answers[code]}']").check()
    for question in page.locator("div.q:has(input[type=number])").all():
        field = question.locator("input[type=number]")
        code = question.get_attribute("id").removeprefix("q-")
        if code in NUMBERS:
            field.fill(NUMBERS[code])
        elif not field.input_value():
            field.fill("0")
        field.press("Tab")  # leaving the field is the change that saves it
    # 问: the household's own words and a need they name.
    page.fill("#id_wishes", WISHES)
    page.locator("#id_wishes").press("Tab")
    page.locator("details.wish-group summary").first.click()
    wished = page.locator("details.wish-group input[name=wished_needs]").first
    wished_code = wished.get_attribute("value")
    wished.check()

    wait_until_saved(page, assessment_id)
    status = page.locator("#save-status").inner_text()
    assert re.fullmatch(r"已于 \d\d:\d\d:\d\d 保存", status), status
    panel = page.locator("#result-panel")
    assert panel.locator("details").count() == 0, "every question is answered"
    assert panel.locator(".tag").inner_text() in URGENCY_TAGS
    screenshot(page, "assessor-form-answered-phone")

    # Reload with the phone's own copy gone: the answers come back from the server.
    page.evaluate("localStorage.clear()")
    page.reload()
    page.wait_for_load_state("networkidle")
    for code, value in answers.items():
        assert page.locator(f"input[name=q_{code}][value='{value}']").is_checked(), code
    assert page.input_value("input[name=q_living_area]") == "12"
    assert page.input_value("input[name=q_income_ratio]") == income_ratio
    assert page.input_value("#id_wishes") == WISHES
    assert page.locator(f"input[name=wished_needs][value='{wished_code}']").is_checked()
    assert page.locator("#result-panel details").count() == 0
    screenshot(page, "assessor-form-reloaded-phone")

    # Submit (the page asks for confirmation first).
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button[formaction$='/submit/']")
    page.wait_for_url(re.compile(rf"/assessment/{assessment_id}/result/$"))
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "评估结果与救助方案"
    tag = page.locator("#result .score-line .tag").inner_text()
    assert tag in URGENCY_TAGS
    needs = page.locator("#needs .tag").all_inner_texts()
    assert needs, "the needs identified from the deprivations and the wishes"
    assert WISHES in page.locator("#needs").inner_text()
    plan = page.locator("#plan")
    assert "开：救助方案（一户一策）" in plan.locator("h2").inner_text()
    assert "待审批" in plan.locator(".card-head").inner_text()
    assert plan.locator("table").nth(1).locator("tbody tr td.card-title").count() >= 1
    assert page.locator("#approve").count() == 0  # only the street caseworker approves
    screenshot(page, "assessor-result-phone")

    # 开: the street caseworker approves the plan on a desktop.
    desk = desktop_page
    sign_in(desk, "yaohua_caseworker")
    desk.goto("/assessment/queue/")
    awaiting = "#awaiting a[href^='/assessment/plans/']"
    link = desk.locator(f"{awaiting}:text-matches('^#{household_id} ')")
    plan_url = link.first.get_attribute("href")
    link.first.click()
    desk.wait_for_url(f"**{plan_url}")
    desk.wait_for_load_state("networkidle")
    assert desk.locator("#result .score-line .tag").inner_text() == tag
    assert desk.locator("#needs .tag").all_inner_texts() == needs
    screenshot(desk, "caseworker-plan-review")
    desk.fill("#approve textarea[name=note]", "已电话核实，同意。")
    desk.click("#approve button[type=submit]")
    desk.wait_for_load_state("networkidle")
    approved = "救助方案已审批，已记入该户救助链；第一周的服务已下单。"
    assert approved in desk.locator(".messages").inner_text()
    assert "已审批" in desk.locator("#plan .card-head").inner_text()
    assert desk.locator("#approve").count() == 0  # an approved plan is no longer edited
    screenshot(desk, "caseworker-plan-approved")

    # One household, one assistance chain: the assessment and the approved plan are on it.
    desk.goto(f"/households/{household_id}/")
    desk.wait_for_load_state("networkidle")
    chain = desk.locator("#chain")
    assessment_entry = chain.locator("li.source-assessment").first.inner_text()
    assert f"评估已提交：{tag}" in assessment_entry, assessment_entry
    plan_entry = chain.locator("li.source-plan").first.inner_text()
    assert f"救助方案已审批（{tag}）" in plan_entry, plan_entry
    box = desk.locator(f"a[href='{plan_url}']").first
    box.wait_for()  # the "assessment and plan" box, loaded by htmx
    screenshot(desk, "caseworker-household-chain")
