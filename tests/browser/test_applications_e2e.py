"""Joining the alliance, end to end against a real server with the demo data: a social
organisation applies on the public form (at 360 px), the district's two managers score it
independently, one shortlists and approves it; the applicant gets an SMS and looks the decision
up on the public status page. Screenshots at desktop width and at 360 px."""

from __future__ import annotations

import json

import pytest
from stdnum.cn import uscc as _uscc

from browser_support import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
PASSWORD = "Jiuzhu-Demo-2026"
NARROW = {"width": 360, "height": 780}
DESKTOP = {"width": 1280, "height": 860}
MOBILE = "13912340777"


def _page(browser, server, viewport):
    context = browser.new_context(viewport=viewport, locale="zh-CN", base_url=server["url"])
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def _sign_in(page, username: str) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")


def _review(browser, server, username: str, number: str, score: int) -> str:
    context, page = _page(browser, server, DESKTOP)
    _sign_in(page, username)
    page.goto(f"/evaluation/applications/?q={number}")
    page.locator(f"a:has-text('{number}'), tr:has-text('{number}') a").first.click()
    page.wait_for_load_state("networkidle")
    url = page.url
    for field in page.locator("input[name^=score_]").all():
        field.fill(str(score))
    for field in page.locator("textarea[name^=reason_]").all():
        field.fill("材料齐全，专业社工占比高")
    page.locator("form[action$='/review/'] button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    context.close()
    return url


def test_an_organisation_applies_and_is_scored_and_approved(browser, jiuzhu_server):
    server = jiuzhu_server
    body = "52320113MK0000777"
    code = body + _uscc.calc_check_digit(body)

    # The public form at 360 px, nobody signed in.
    context, page = _page(browser, server, NARROW)
    page.goto("/evaluation/apply/")
    page.fill("input[name=name]", "南京暖心社会工作服务中心")
    page.fill("input[name=uscc]", code)
    page.select_option("select[name=supply_type]", index=1)
    page.fill("input[name=staff_count]", "20")
    page.fill("input[name=social_workers]", "12")
    page.select_option("select[name=street]", label="尧化街道")
    page.fill("input[name=address]", "尧化街道幸福路 8 号")
    page.fill("textarea[name=signature_projects]", "独居老人关爱探访项目，年服务 3000 人次")
    page.fill("input[name=contact_name]", "王老师")
    page.fill("input[name=contact_phone]", MOBILE)
    screenshot(page, "applications-apply-360")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state("networkidle")
    number = page.locator("strong.mono").inner_text().strip()
    assert number.startswith("AP")
    context.close()

    # Two managers score it independently; the first shortlists and approves it.
    url = _review(browser, server, "qixia_manager", number, 85)
    _review(browser, server, "qixia_reviewer", number, 80)
    context, page = _page(browser, server, DESKTOP)
    _sign_in(page, "qixia_manager")
    page.goto(url)
    page.locator("form[action$='/shortlist/'] button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    approve = page.locator("form[action$='/approve/']")
    approve.locator("select[name=base]").select_option(index=1)
    approve.locator("input[name=streets]").first.check()
    approve.locator("summary").click()
    approve.locator("input[name=items]").first.check()
    approve.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    screenshot(page, "applications-approved-desktop")
    assert "准入为服务机构" in page.content()
    context.close()

    # The same manager's settlement configuration at 360 px: a new project, the tiers.
    context, page = _page(browser, server, NARROW)
    _sign_in(page, "qixia_manager")
    page.goto("/evaluation/projects/new/")
    screenshot(page, "settlement-project-form-360")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.goto("/evaluation/projects/")
    page.click("text=结算档次")
    page.wait_for_load_state("networkidle")
    page.fill("input[name=minimum_0]", "95")
    page.fill("input[name=percent_0]", "100")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state("networkidle")
    assert "结算档次已保存" in page.content()
    screenshot(page, "settlement-tiers-360")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    context.close()

    # The applicant has no account: an SMS, and the public status page.
    texts = [
        json.loads(line)
        for line in server["outbox"].read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    assert any(t["to"] == MOBILE and number in t["text"] for t in texts)
    context, page = _page(browser, server, NARROW)
    page.goto("/evaluation/apply/status/")
    page.fill("input[name=number]", number)
    page.fill("input[name=contact_phone]", MOBILE)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    screenshot(page, "applications-status-360")
    assert "准入为服务机构" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    context.close()
