"""Helpers the fault tests (``tests/faults/``) share: a deployed product on a file database,
its server started and killed as a whole process group, JSON calls to its API, a script run in
a fresh ``jiuzhu manage shell`` (a new process: what a restarted server would read), and waiting
for an observable state instead of sleeping a fixed time.

Every test in ``tests/faults/`` uses one deployment per test process (session scope, one xdist
group): preparing the demo database costs minutes on this machine, and each test checks only
the objects it wrote plus invariants that hold over the whole database.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

#: Households the demo generates for the fault tests (enough for a burst of distinct orders).
HOUSEHOLDS = 40


def jiuzhu() -> str:
    """The ``jiuzhu`` console script of the running interpreter's environment."""
    return str(Path(sys.executable).with_name("jiuzhu"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Deployment:
    """The product as deployed: its environment (file database, demo data) and a work folder."""

    env: dict[str, str]
    work: Path
    hotline_token: str


def deploy(work: Path) -> Iterator[Deployment]:
    """Prepare a deployment in ``work``: SQLite in a folder of its own, or a fresh PostgreSQL
    database when DATABASE_URL points at PostgreSQL (dropped afterwards)."""
    env = {
        **os.environ,
        "JIUZHU_DEMO": "1",
        "JIUZHU_VAR_DIR": str(work / "var"),
        "JIUZHU_SMS_BACKEND": "file",
        "DJANGO_SETTINGS_MODULE": "jiuzhu.settings",
    }
    env.pop("JIUZHU_TESTING", None)
    url = os.environ.get("DATABASE_URL", "")
    database = admin = None
    if url.startswith(("postgres://", "postgresql://")):
        import psycopg

        database = f"jiuzhu_fault_{os.getpid()}"
        admin = url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{database}"')
        env["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + database
    try:
        prepared = subprocess.run(
            [jiuzhu(), "manage", "demo", "--no-serve", "--households", str(HOUSEHOLDS)],
            env=env, capture_output=True, text=True, timeout=900, check=False,
        )  # fmt: skip
        assert prepared.returncode == 0, prepared.stderr[-3000:]
        token = subprocess.run(
            [jiuzhu(), "token", "create", "qixia_hotline"],
            env=env, capture_output=True, text=True, timeout=120, check=True,
        ).stdout.strip()  # fmt: skip
        yield Deployment(env=env, work=work, hotline_token=token)
    finally:
        if database and admin:
            import psycopg

            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def start_server(env: dict[str, str], log: Path) -> tuple[subprocess.Popen, str]:
    """``jiuzhu serve`` with two workers in a session of its own (so that ``os.killpg`` kills
    the master and every worker at once); returns it once it answers."""
    port = free_port()
    server = subprocess.Popen(
        [jiuzhu(), "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        env=env, stdout=log.open("a"), stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(base + "/login/", timeout=2):  # noqa: S310
                return server, base
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(log.read_text()[-3000:]) from None
            time.sleep(0.3)


def call(base: str, token: str, method: str, path: str, body=None, key: str | None = None):
    """One API call: (status, decoded JSON body). Connection errors propagate (OSError)."""
    request = urllib.request.Request(  # noqa: S310 - loopback only
        base + path,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            **({"Idempotency-Key": key} if key else {}),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def shell(env: dict[str, str], script: str, *, timeout: float = 300) -> dict:
    """Run ``script`` in a fresh ``jiuzhu manage shell`` and return the JSON object it prints
    on its last line."""
    done = subprocess.run(
        [jiuzhu(), "manage", "shell", "--no-imports", "-c", script],
        env=env, capture_output=True, text=True, timeout=timeout, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def wait_until(
    condition: Callable[[], bool],
    *,
    timeout: float,
    process: subprocess.Popen,
    log: Path,
    what: str,
) -> None:
    """Poll ``condition`` every 50 ms until it holds; fail if ``process`` dies or ``timeout``
    seconds pass (generous: the machine may be loaded, the state is what we wait for)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if process.poll() is not None:
            raise AssertionError(f"died before {what}:\n{log.read_text()[-3000:]}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}:\n{log.read_text()[-3000:]}")
        time.sleep(0.05)
