"""Helpers the browser tests share."""

from __future__ import annotations

import json
import re
from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot as a CI artifact (artifacts/screenshots/NAME.png)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in_by_sms(page, outbox: Path, mobile: str) -> None:
    """Sign a household in by mobile number and the code the SMS outbox file received (one
    code per number every 30 seconds: a refused request is retried)."""
    page.goto("/login/sms/")
    for _attempt in range(4):
        page.fill("input[name=mobile]", mobile)
        page.click("main form button[type=submit]")
        page.wait_for_load_state("networkidle")
        if page.locator("input[name=code]").count():
            break
        page.wait_for_timeout(10_000)  # one code per number every 30 seconds
    lines = outbox.read_text(encoding="utf-8").splitlines()
    message = [json.loads(line) for line in lines if json.loads(line)["to"] == mobile][-1]
    page.fill("input[name=code]", re.search(r"\d{6}", message["text"]).group(0))
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")
