"""My work (工作台) as people meet it: a street caseworker signs in on a phone and sees what
waits for them, opens a list, and every staff role's workspace is captured at phone and desktop
sizes for a person to look at."""

from __future__ import annotations

import pytest

from browser_support import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
PASSWORD = "Jiuzhu-Demo-2026"
ROLES = [
    "yaohua_caseworker",
    "yaohua_worker",
    "qixia_manager",
    "qixia_hotline",
    "assessor",
    "provider_staff",
    "volunteer",
]


def sign_in(page, username: str) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_a_caseworker_signs_in_on_a_phone_and_sees_their_tasks(phone_page):
    page = phone_page
    sign_in(page, "yaohua_caseworker")
    assert page.url.endswith("/workspace/"), page.url
    assert page.locator("h1").inner_text().strip() == "我的工作台"
    boxes = page.locator(".work-box")
    assert boxes.count() >= 4
    labels = page.locator(".work-label").all_inner_texts()
    assert "待评估、待走访" in labels and "待审批的救助方案" in labels
    counts = [int(text) for text in page.locator(".work-count").all_inner_texts()]
    assert sum(counts) > 0, counts
    # Nothing is wider than the phone.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    screenshot(page, "workspace-caseworker-phone")
    # The first list with something in it opens, sorted by deadline.
    first = next(i for i, n in enumerate(counts) if n)
    boxes.nth(first).locator(".work-head").click()
    page.wait_for_load_state("networkidle")
    assert "/tasks/" in page.url
    rows = page.locator("main .work-rows li")
    assert rows.count() == min(counts[first], 25)
    screenshot(page, "workspace-caseworker-list-phone")


@pytest.mark.parametrize("username", ROLES)
def test_every_roles_workspace_at_phone_and_desktop_sizes(phone_page, desktop_page, username):
    for size, page in (("phone", phone_page), ("desktop", desktop_page)):
        sign_in(page, username)
        assert page.url.endswith("/workspace/"), (username, page.url)
        assert page.locator(".work-box").count() >= 1
        screenshot(page, f"workspace-{username}-{size}")


FITS = """(select) => {
  const probe = document.createElement('span');
  probe.style.font = getComputedStyle(select).font;
  probe.style.whiteSpace = 'nowrap';
  probe.style.position = 'absolute';
  probe.style.display = 'inline-block';
  probe.textContent = select.options[select.selectedIndex].text;
  document.body.appendChild(probe);
  const text = probe.getBoundingClientRect().width;
  probe.remove();
  return [text, select.clientWidth];
}"""


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_analytics_say_h_a_m0_and_show_the_whole_framework_version(
    phone_page, desktop_page, size
):
    page = phone_page if size == "phone" else desktop_page
    sign_in(page, "qixia_manager")
    page.goto("/assessment/analytics/")
    page.wait_for_load_state("networkidle")
    labels = page.locator(".analytics-stats .stat-label").all_inner_texts()
    assert labels[:3] == ["贫困发生率 (H)", "平均剥夺份额 (A)", "多维贫困指数 (M0)"], labels
    text, box = page.locator("select[name=framework]").evaluate(FITS)
    assert text + 24 <= box, (text, box)  # the chosen version and the arrow fit
    screenshot(page, f"analytics-headings-{size}")
    # The top of the page as the reader first sees it (the full page is long).
    page.screenshot(path=str(screenshot(page, f"analytics-top-{size}")), full_page=False)


def test_notifications_are_grouped_by_subject(phone_page):
    page = phone_page
    sign_in(page, "provider_staff")
    page.goto("/notifications/")
    screenshot(page, "notifications-grouped-phone")
    assert page.locator(".notice-list li").count() >= 1
