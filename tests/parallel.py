"""Real parallel connections for the PostgreSQL race tests: run each call in its own thread
(each gets its own database connection), released together by a barrier so they truly race."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connections


def in_parallel(*calls: Callable[[], Any], timeout: float = 30) -> list[tuple[str, Any]]:
    """``("ok", result)`` or ``("error", exception)`` for each call, in the order given."""
    barrier = threading.Barrier(len(calls))
    results: list[tuple[str, Any]] = [("error", TimeoutError("did not finish"))] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = ("ok", call())
        except Exception as error:  # noqa: BLE001 - the test inspects what each thread got
            results[index] = ("error", error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results
