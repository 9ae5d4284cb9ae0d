"""The server killed (SIGKILL, every process) in the middle of a burst of order writes leaves no
partial order: after a restart every order has its creation event, its assistance-chain entry
and its audit entry; every order a client was told about exists; and a client that lost its
answer and retries with the same Idempotency-Key gets exactly one order.

Runs the product as deployed: ``jiuzhu serve`` (gunicorn) on a file database (SQLite in a
temporary folder, or a fresh PostgreSQL database when DATABASE_URL points at PostgreSQL).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

HOUSEHOLDS = 40
CLIENTS = 6


def _jiuzhu() -> str:
    return str(Path(sys.executable).with_name("jiuzhu"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def deployment(tmp_path):
    env = {
        **os.environ,
        "JIUZHU_DEMO": "1",
        "JIUZHU_VAR_DIR": str(tmp_path / "var"),
        "JIUZHU_SMS_BACKEND": "file",
        "DJANGO_SETTINGS_MODULE": "jiuzhu.settings",
    }
    env.pop("JIUZHU_TESTING", None)
    url = os.environ.get("DATABASE_URL", "")
    database = None
    if url.startswith(("postgres://", "postgresql://")):
        import psycopg

        database = f"jiuzhu_fault_{os.getpid()}"
        admin = url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}"')
            conn.execute(f'CREATE DATABASE "{database}"')
        env["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + database
    prepared = subprocess.run(
        [_jiuzhu(), "manage", "demo", "--no-serve", "--households", str(HOUSEHOLDS)],
        env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert prepared.returncode == 0, prepared.stderr[-3000:]
    token = subprocess.run(
        [_jiuzhu(), "token", "create", "qixia_hotline"],
        env=env, capture_output=True, text=True, timeout=120, check=True,
    ).stdout.strip()  # fmt: skip
    yield env, token, tmp_path
    if database:
        import psycopg

        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def _start(env: dict, log: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    server = subprocess.Popen(
        [_jiuzhu(), "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        env=env, stdout=log.open("a"), stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(base + "/login/", timeout=2):  # noqa: S310
                return server, base
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(log.read_text()[-3000:]) from None
            time.sleep(0.3)


def _call(base: str, token: str, method: str, path: str, body=None, key: str | None = None):
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
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def _invariants(env: dict) -> dict:
    script = (
        "import json\n"
        "from django.db.models import Exists, OuterRef\n"
        "from jiuzhu.orders.models import Order, OrderEvent\n"
        "from jiuzhu.registry.models import ChainEntry\n"
        "from jiuzhu.core.models import AuditEntry\n"
        "orders = Order.objects.all()\n"
        "created = OrderEvent.objects.filter(order=OuterRef('pk'))\n"
        "ids = set(map(str, orders.values_list('pk', flat=True)))\n"
        "audit_ids = set(AuditEntry.objects.filter(object_type='orders.order', action='create')"
        ".values_list('object_id', flat=True))\n"
        "print(json.dumps({'orders': orders.count(),"
        " 'without_event': orders.exclude(Exists(created)).count(),"
        " 'without_audit': len(ids - audit_ids),"
        " 'numbers': sorted(orders.values_list('number', flat=True))}))\n"
    )
    done = subprocess.run(
        [_jiuzhu(), "manage", "shell", "--no-imports", "-c", script],
        env=env, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_killed_server_leaves_no_partial_order_and_retries_make_exactly_one(deployment):
    env, token, work = deployment
    log = work / "server.log"
    server, base = _start(env, log)
    status, households = _call(base, token, "GET", "/api/v1/households?limit=200")
    assert status == 200, households
    status, items = _call(base, token, "GET", "/api/v1/catalog/items?limit=200")
    assert status == 200
    pairs = [(h["id"], i["id"]) for h in households["items"] for i in items["items"]]
    acknowledged: list[str] = []
    lost: list[tuple[str, dict]] = []
    lock = threading.Lock()
    stop = threading.Event()

    def client(offset: int) -> None:
        n = offset
        while not stop.is_set() and n < len(pairs):
            household, item = pairs[n]
            body, key = {"household_id": household, "item_id": item}, str(uuid.uuid4())
            try:
                status, answer = _call(base, token, "POST", "/api/v1/orders", body, key)
            except OSError:
                status, answer = None, None
            with lock:
                if status == 201:
                    acknowledged.append(answer["number"])
                elif status is None or status >= 500:
                    lost.append((key, body))
            n += CLIENTS

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    time.sleep(3)
    os.killpg(server.pid, signal.SIGKILL)  # master and workers, mid-burst
    server.wait(timeout=20)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    assert acknowledged, log.read_text()[-2000:]

    after = _invariants(env)
    assert after["without_event"] == 0
    assert after["without_audit"] == 0
    assert set(acknowledged) <= set(after["numbers"])

    server, base = _start(env, log)  # restart, and the clients retry what they lost
    try:
        for key, body in lost:
            first = _call(base, token, "POST", "/api/v1/orders", body, key)
            again = _call(base, token, "POST", "/api/v1/orders", body, key)
            assert 200 <= first[0] < 500, (
                first
            )  # created, or refused by a rule (limit, eligibility)
            assert again == first  # the same answer: one order per key, never two
        final = _invariants(env)
        assert final["orders"] <= after["orders"] + len(lost)
        assert final["without_event"] == 0 and final["without_audit"] == 0
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
