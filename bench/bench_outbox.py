"""What the transactional outbox costs (issue 8 item 5): publishing an event, delivering it at
once after the commit, and the worker's drain throughput.

Runs against a throw-away SQLite database in a temporary folder (or the PostgreSQL database
DATABASE_URL names, which it must be allowed to write test rows into):

    .venv/bin/python bench/bench_outbox.py [--events 2000]

One test event with one handler that writes one audit entry (a typical reaction: a few
queries). Each figure is per event, over ``--events`` events, each published in its own
transaction as a service would.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from results import load_note, machine, write_section


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--write", type=Path, help="update this section of RESULTS.md")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="jz-bench-outbox-")
    os.environ.update(
        JIUZHU_DEMO="1", JIUZHU_VAR_DIR=folder, DJANGO_SETTINGS_MODULE="jiuzhu.settings"
    )
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction

    from jiuzhu.core import audit, events, outbox
    from jiuzhu.core.models import OutboxDelivery, OutboxEvent

    call_command("migrate", verbosity=0)
    name = events.declare("bench.outbox", "benchmark event")

    @events.on(name)
    def react(event) -> None:
        audit.record(actor=None, action="update", object_type="bench.outbox", object_id=1)

    def publish_all(inline: bool) -> float:
        settings.EVENTS_INLINE = inline
        begin = time.perf_counter()
        for n in range(args.events):
            with transaction.atomic():
                events.publish(name, n=n)
        return (time.perf_counter() - begin) / args.events * 1000

    def baseline() -> float:
        begin = time.perf_counter()
        for _ in range(args.events):
            with transaction.atomic():
                react(None)
        return (time.perf_counter() - begin) / args.events * 1000

    plain = baseline()
    written = publish_all(inline=False)
    begin = time.perf_counter()
    drained = 0
    while True:
        done = outbox.drain(limit=500).get(outbox.DELIVERED, 0)
        if not done:
            break
        drained += done
    drain_s = time.perf_counter() - begin
    assert drained == args.events, drained
    inline = publish_all(inline=True)
    assert not OutboxDelivery.objects.exclude(status="done").exists()
    assert OutboxEvent.objects.count() == 2 * args.events

    lines = [
        f"## Event outbox (issue 8 item 5) on {connection.vendor}",
        "",
        f"Run {time.strftime('%Y-%m-%d')} on {machine()}. "
        f"Command: `.venv/bin/python bench/bench_outbox.py --events {args.events}`. "
        f"{load_note()}",
        "",
        "| what (one handler writing one audit entry) | per event |",
        "|---|---:|",
        f"| the handler's work alone, in its own transaction (no outbox) | {plain:.2f} ms |",
        f"| publish only (event + delivery rows in the caller's transaction) | {written:.2f} ms |",
        f"| worker drain, one transaction per delivery | {drain_s / drained * 1000:.2f} ms "
        f"({drained / drain_s:,.0f} deliveries/s) |",
        f"| publish + inline delivery after commit (the default) | {inline:.2f} ms |",
        "",
    ]
    report = "\n".join(lines)
    print(report)
    if args.write:
        write_section(args.write, lines[0], report)


if __name__ == "__main__":
    main()
