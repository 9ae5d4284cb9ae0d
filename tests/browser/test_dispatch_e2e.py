"""The live dispatch board as a district manager watches it, on a desktop, against a real server.

Qixia's manager opens the board and leaves it open. Meanwhile the Qixia supervision hotline places
an order (through the API, with its browser session) for a Qixia household whose urgency tag is
"urgent" — urgent orders are dispatched at the next cycle — and the dispatch cycle runs once
(``jiuzhu worker --once``, as the periodic worker would). Without anyone reloading the page, the
board's next poll shows the new live offer, and the open waiting order it is for.
"""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from browser_support import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
PASSWORD = "Jiuzhu-Demo-2026"
POLL_WAIT_MS = 40_000  # the board polls every 15 s
#: Items to try first for the urgent household (any other item its providers offer will do).
PREFERRED_ITEMS = ("meal_help", "caring_visit", "cleaning_help", "bath_help")

LIVE_OFFERS = "#board .board-alerts > div.stat .stat-value"  # the one stat that is not a link
WAITING = "#board .board-stats > .stat.stat-warn .stat-value"  # the "waiting" status card
UPDATED = "#board .board-updated"


def sign_in(page, username: str) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")


def number(page, selector: str) -> int:
    return int(page.locator(selector).inner_text().strip())


def provider_offers(page) -> dict[str, int]:
    """Live offers per provider, from the board's provider table."""
    offers = {}
    for row in page.locator("#providers table tbody tr").all():
        cells = [cell.strip() for cell in row.locator("td").all_inner_texts()]
        offers[cells[0]] = int(cells[3])
    return offers


@pytest.fixture
def hotline_page(browser, jiuzhu_server):
    """The hotline operator's own browser (a separate desktop session)."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 860}, locale="zh-CN", base_url=jiuzhu_server["url"]
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def place_urgent_order(page) -> tuple[dict, dict, list[str]]:
    """As the hotline: an order for an urgent Qixia household, for an item a provider serving
    its street offers. Returns (order, household, names of the providers that may be offered)."""
    response = page.request.get("/api/v1/households?urgency=urgent&status=active&limit=200")
    assert response.status == 200, response.text()
    households = response.json()["items"]
    assert households, "the demo has no urgent household in the hotline's district"
    response = page.request.get("/api/v1/providers?limit=200")
    assert response.status == 200, response.text()
    providers = [p for p in response.json()["items"] if p["active"]]
    response = page.request.get("/api/v1/catalog/items")
    assert response.status == 200, response.text()
    item_ids = {item["code"]: item["id"] for item in response.json()["items"]}
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    refusals = []
    for household in households:
        serving = [
            p
            for p in providers
            if household["street_id"] in p["street_ids"]
            or household["community_id"] in p["community_ids"]
        ]
        codes = {code for p in serving for code in p["item_codes"]}
        ordered = [c for c in PREFERRED_ITEMS if c in codes] + sorted(codes - set(PREFERRED_ITEMS))
        for code in ordered:
            response = page.request.post(
                "/api/v1/orders",
                data={
                    "household_id": household["id"],
                    "item_id": item_ids[code],
                    "note": "热线来电：老人独居，请尽快上门。",
                },
                headers={"X-CSRFToken": csrf, "Idempotency-Key": uuid.uuid4().hex},
            )
            if response.status == 201:
                eligible = [p["name"] for p in serving if code in p["item_codes"]]
                return response.json(), household, eligible
            refusals.append((household["id"], code, response.status, response.text()[:200]))
    raise AssertionError(f"no urgent household could be ordered for: {refusals}")


def run_dispatch_cycle(env: dict) -> dict[str, int]:
    """One pass of the periodic jobs, as ``jiuzhu worker`` runs them."""
    jiuzhu = str(Path(sys.executable).with_name("jiuzhu"))
    done = subprocess.run(
        [jiuzhu, "worker", "--once"], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("dispatch.cycle:")), "")
    figures = dict(re.findall(r"'(\w+)': (\d+)", line))
    assert figures, (
        f"the dispatch cycle did not report: {done.stdout[-2000:]} {done.stderr[-2000:]}"
    )
    return {key: int(value) for key, value in figures.items()}


def test_the_manager_watches_an_urgent_order_get_offered_without_reloading(
    desktop_page, hotline_page, jiuzhu_server
):
    board = desktop_page
    errors: list[str] = []
    board.on("pageerror", lambda error: errors.append(str(error)))
    navigations: list[str] = []
    board.on(
        "framenavigated",
        lambda frame: navigations.append(frame.url) if frame == board.main_frame else None,
    )
    sign_in(board, "qixia_manager")
    board.goto("/dispatch/board/")
    board.wait_for_load_state("networkidle")
    assert board.locator("#board[data-board-poll]").count() == 1
    assert board.locator("h1").inner_text().strip() == "调度看板"
    dispatch_now = board.locator("form[action='/dispatch/board/dispatch-now/'] button")
    assert dispatch_now.inner_text().strip() == "立即调度"  # managers have the button
    live_label = board.locator("#board .board-alerts > div.stat .stat-label")
    assert live_label.inner_text().strip() == "派单中"
    waiting_label = board.locator("#board .board-stats > .stat.stat-warn .stat-label")
    assert waiting_label.inner_text().strip() == "待接单"
    offers_before = number(board, LIVE_OFFERS)
    waiting_before = number(board, WAITING)
    by_provider_before = provider_offers(board)
    updated_before = board.locator(UPDATED).inner_text()
    board.evaluate("window.__marker = 1")
    navigations.clear()
    screenshot(board, "dispatch-01-board-before")

    # The hotline places an order for an urgent household; the cycle runs once.
    sign_in(hotline_page, "qixia_hotline")
    order, household, eligible = place_urgent_order(hotline_page)
    assert order["status"] == "waiting"
    assert eligible, "no provider may be offered the order"
    cycle = run_dispatch_cycle(jiuzhu_server["env"])
    assert cycle["offered"] >= 1, cycle

    # The board's own poll brings the offer in; the page is never reloaded.
    board.wait_for_function(
        "([selector, before]) => {"
        "  const el = document.querySelector(selector);"
        "  return el !== null && parseInt(el.textContent, 10) > before;"
        "}",
        arg=[LIVE_OFFERS, offers_before],
        timeout=POLL_WAIT_MS,
    )
    board.wait_for_load_state("networkidle")
    assert board.evaluate("window.__marker") == 1, "the board was reloaded"
    assert navigations == [], f"the board navigated: {navigations}"
    updated_after = board.locator(UPDATED).inner_text()
    assert updated_after.startswith("更新于") and updated_after != updated_before
    offers_after = number(board, LIVE_OFFERS)
    assert offers_before < offers_after <= offers_before + cycle["offered"]
    # The new order is still open and waiting (an offer waits for the provider's answer) …
    assert number(board, WAITING) >= waiting_before + 1
    # … and one of the providers that serve the household's street holds a new live offer.
    by_provider_after = provider_offers(board)
    before = sum(by_provider_before.get(name, 0) for name in eligible)
    after = sum(by_provider_after.get(name, 0) for name in eligible)
    assert after >= before + 1, (eligible, by_provider_before, by_provider_after)
    assert errors == [], errors
    screenshot(board, "dispatch-02-board-after")

    # The order itself: still waiting for the provider to accept (the hotline's view).
    response = hotline_page.request.get(f"/api/v1/orders/{order['id']}")
    assert response.json()["status"] == "waiting"
