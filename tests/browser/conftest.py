"""End-to-end tests in headless Chromium against a real server process.

The server is the product as a user runs it: ``jiuzhu manage demo --no-serve`` prepares a fresh
database (SQLite in a temporary folder, or a fresh PostgreSQL database when DATABASE_URL points
at PostgreSQL), then ``jiuzhu serve`` (gunicorn) answers on a free local port. SMS go to a file
outbox that the tests read, as an operator's gateway would.

Without Chromium these tests skip and say so loudly; under CI (CI=true) that is a failure.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 860}


def _unavailable(reason: str):
    message = f"BROWSER TESTS NOT RUN: {reason}"
    if os.environ.get("CI") == "true":
        pytest.fail(message + " (a skip is a failure under CI)", pytrace=False)
    sys.stderr.write(f"\n\n!!! {message} !!!\n\n")
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _jiuzhu() -> str:
    return str(Path(sys.executable).with_name("jiuzhu"))


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium")
    if path is None:
        _unavailable("chromium is not installed (apt-get install chromium fonts-wqy-microhei)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _unavailable("the playwright package is missing")
    return path


@pytest.fixture(scope="session")
def live_server_env(tmp_path_factory, chromium_path):
    work = tmp_path_factory.mktemp("e2e")
    env = {
        **os.environ,
        "JIUZHU_DEMO": "1",
        "JIUZHU_VAR_DIR": str(work / "var"),
        "JIUZHU_SMS_BACKEND": "file",
        "JIUZHU_SMS_OUTBOX": str(work / "sms.jsonl"),
        "DJANGO_SETTINGS_MODULE": "jiuzhu.settings",
        "JIUZHU_TESTING": "",
    }
    env.pop("JIUZHU_TESTING")
    database = None
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        import psycopg

        database = f"jiuzhu_e2e_{os.getpid()}"
        admin_url = url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}"')
            conn.execute(f'CREATE DATABASE "{database}"')
        env["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + database
    yield env, work
    if database:
        import psycopg

        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


@pytest.fixture(scope="session")
def jiuzhu_server(live_server_env):
    env, work = live_server_env
    prepare = subprocess.run(
        [_jiuzhu(), "manage", "demo", "--no-serve", "--households", "120"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert prepare.returncode == 0, prepare.stdout[-2000:] + prepare.stderr[-4000:]
    port = _free_port()
    log = (work / "server.log").open("w")
    server = subprocess.Popen(
        [_jiuzhu(), "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(base + "/login/", timeout=2):  # noqa: S310
                break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                raise RuntimeError((work / "server.log").read_text()[-4000:]) from None
            time.sleep(0.3)
    yield {"url": base, "outbox": work / "sms.jsonl", "env": env}
    server.terminate()
    server.wait(timeout=20)


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_FLAGS
        )
        yield browser
        browser.close()


@pytest.fixture
def phone_page(browser, jiuzhu_server):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", base_url=jiuzhu_server["url"])
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def desktop_page(browser, jiuzhu_server):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", base_url=jiuzhu_server["url"])
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
