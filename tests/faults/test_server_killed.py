"""The server killed (SIGKILL, every process) in the middle of a burst of order writes leaves no
partial order: after a restart every order has its creation event, its assistance-chain entry
and its audit entry; every order a client was told about exists; and a client that lost its
answer and retries with the same Idempotency-Key gets exactly one order.

Runs the product as deployed: ``jiuzhu serve`` (gunicorn) on a file database (SQLite in a
temporary folder, or a fresh PostgreSQL database when DATABASE_URL points at PostgreSQL).
"""

from __future__ import annotations

import os
import signal
import threading
import uuid

import pytest

from fault_support import call as _call
from fault_support import shell, start_server, wait_until

pytestmark = pytest.mark.xdist_group("faults")

CLIENTS = 6
#: Orders acknowledged before the kill: the burst is under way, whatever the machine's load.
ACKNOWLEDGED_BEFORE_KILL = 5


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
    return shell(env, script)


def test_a_killed_server_leaves_no_partial_order_and_retries_make_exactly_one(deployment, tmp_path):
    env, token = deployment.env, deployment.hotline_token
    log = tmp_path / "server.log"
    server, base = start_server(env, log)
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
    try:
        wait_until(
            lambda: len(acknowledged) >= ACKNOWLEDGED_BEFORE_KILL,
            timeout=180,
            process=server,
            log=log,
            what=f"{ACKNOWLEDGED_BEFORE_KILL} acknowledged orders",
        )
    finally:
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

    server, base = start_server(env, log)  # restart, and the clients retry what they lost
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
