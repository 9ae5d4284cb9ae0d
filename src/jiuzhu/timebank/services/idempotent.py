"""Running a time-bank request once per Idempotency-Key, refusals included.

``orders.services.idempotency.run_once`` stores the answer of the first request and rolls the
key back when the work raises. A refused transfer or counter redemption raises *after* its
service has audited the refusal as denied — inside ``run_once``'s transaction, so the roll-back
took the "denied" entry with it, and a replay ran the refused request again (and lost its entry
again). Here a refusal is the stored answer: the key, the answer and the denied entry commit
together, and a replay gets the same refusal without running anything.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jiuzhu.core.errors import DomainError
from jiuzhu.core.models import User
from jiuzhu.orders.services.idempotency import run_once


def run_refusals_stored(
    *, user: User, key: str | None, body: Any, work: Callable[[], tuple[int, Any]]
) -> tuple[int, Any]:
    """``work``'s (status, body), or a refusal's (status, {code, message, extra}); with a
    ``key``, once per (user, key). Without a key a refusal is answered the same way."""

    def guarded() -> tuple[int, Any]:
        try:
            return work()
        except DomainError as error:
            return error.status, error.as_dict()

    if key is None:
        return guarded()
    return run_once(user=user, key=key, body=body, work=guarded)
