"""The foundation as users meet it, in headless Chromium against a real server."""

from __future__ import annotations

import json
import re

import pytest

from browser_support import screenshot
from jiuzhu.core.identity import complete_identity_number

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
PASSWORD = "Jiuzhu-Demo-2026"


def sign_in(page, username: str) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_a_caseworker_finds_a_household_and_adds_a_member(desktop_page):
    page = desktop_page
    sign_in(page, "yaohua_caseworker")
    page.goto("/households/")
    head_name = page.locator("td.card-title a").first.inner_text().strip()
    page.fill("input[name=q]", head_name)
    page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")
    screenshot(page, "caseworker-household-list")
    page.locator("td.card-title a", has_text=head_name).first.click()
    page.wait_for_load_state("networkidle")
    assert head_name in page.content()
    page.locator("a[href$='/members/new/']").first.click()
    valid = complete_identity_number("32011320150612002")
    wrong = valid[:-1] + ("0" if valid[-1] != "0" else "1")
    page.fill("input[name=name]", "测试儿童")
    page.fill("input[name=id_number]", wrong)
    page.select_option("select[name=relation]", "child")
    page.select_option("select[name=employment]", "student")
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")
    screenshot(page, "caseworker-member-wrong-id")
    error = page.locator(".has-error .error").first.inner_text()
    assert "校验码" in error, error
    assert page.input_value("input[name=name]") == "测试儿童"  # nothing typed is lost
    page.fill("input[name=id_number]", valid)
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "测试儿童" in page.content()
    assert valid not in page.content()  # shown masked
    screenshot(page, "caseworker-household-detail")


def test_a_beneficiary_signs_in_by_sms_and_sees_only_their_household(phone_page, jiuzhu_server):
    page = phone_page
    page.goto("/login/sms/")
    page.fill("input[name=mobile]", "13800000001")
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")
    lines = jiuzhu_server["outbox"].read_text(encoding="utf-8").splitlines()
    message = [json.loads(line) for line in lines if json.loads(line)["to"] == "13800000001"][-1]
    code = re.search(r"\d{6}", message["text"]).group(0)
    page.fill("input[name=code]", code)
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/assessment/my-home/")  # the household's own home first
    page.goto("/my-household/")
    page.wait_for_load_state("networkidle")
    screenshot(page, "beneficiary-my-household")
    assert "/my-household/" in page.url or "/households/" in page.url
    own = re.search(r"/households/(\d+)/", page.url)
    shown = page.locator("body").inner_text()
    assert "李秀英" in shown  # their own household (its head)
    # Identity numbers are shown masked, even to the household itself. (Their own contact
    # phone is theirs to see.)
    assert "*" * 14 in shown
    assert not re.search(r"\d{17}[\dX]", shown), "a full identity number is on the page"
    for other in (1, 2, 3):
        if own and int(own.group(1)) == other:
            continue
        response = page.goto(f"/households/{other}/")
        assert response.status == 404
    response = page.goto("/api/v1/households")
    items = response.json()["items"]
    assert len(items) == 1
