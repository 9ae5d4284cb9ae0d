"""Casework as the frontline meets it (issue 10): a community worker on a phone records a home
visit with a follow-up from the household page; the district manager looks at the team."""

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


def test_a_community_worker_adds_a_visit_note_on_a_phone(phone_page):
    page = phone_page
    sign_in(page, "yaohua_worker")
    page.goto("/households/")
    page.locator("td.card-title a").first.click()
    page.wait_for_load_state("networkidle")
    box = page.locator("section.panel", has_text="个案记录与走访")
    box.get_by_role("link", name="添加记录或走访").click()
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
    page.select_option("select[name=kind]", "home_visit")
    page.fill("textarea[name=findings]", "老人独居，冰箱空了，行动不便")
    page.fill("input[name=next_step]", "联系助餐服务")
    follow_up = dt.date.today() + dt.timedelta(days=3)
    page.fill("input[name=follow_up_on]", follow_up.isoformat())
    screenshot(page, "casework-visit-form-phone")
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")
    box = page.locator("section.panel", has_text="个案记录与走访")
    box.locator("text=老人独居").wait_for()
    assert "联系助餐服务" in box.inner_text()
    assert follow_up.isoformat() in box.inner_text()
    # The visit is on the household's assistance chain too.
    assert "入户走访" in page.locator("#chain").inner_text()
    screenshot(page, "casework-household-phone")


def test_the_district_manager_sees_the_frontline_team(desktop_page):
    page = desktop_page
    sign_in(page, "qixia_manager")
    page.goto("/team/")
    assert "孙丽" in page.content()
    screenshot(page, "casework-team-desktop")
    page.get_by_role("link", name="孙丽（尧化门社区）").click()
    page.wait_for_load_state("networkidle")
    page.fill("#training input[name=course]", "社会救助政策解读")
    page.fill("#training input[name=completed_on]", dt.date.today().isoformat())
    page.fill("#training input[name=hours]", "4")
    page.click("#training button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "社会救助政策解读" in page.locator("#training").inner_text()
    screenshot(page, "casework-team-member-desktop")
