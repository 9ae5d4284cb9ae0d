"""Idempotent creation: a retried request with the same Idempotency-Key (per user) gets the
first response back and never creates a second order.

The key row is inserted before the work, in the same transaction: a parallel retry blocks on the
unique index until the first commits, then finds the stored response. A key reused with a
different body is refused (422), as is a retry while the first request is still running (409).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from jiuzhu.core.errors import Conflict, DomainError
from jiuzhu.core.models import User
from jiuzhu.orders.models import IdempotencyKey


def request_hash(body: Any) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def run_once(
    *, user: User, key: str, body: Any, work: Callable[[], tuple[int, Any]]
) -> tuple[int, Any]:
    """Run ``work`` (returning status and JSON-able body) once per (user, key)."""
    if not key or len(key) > 100:
        raise DomainError(
            "bad_idempotency_key", _("The Idempotency-Key must be 1–100 characters."), status=422
        )
    digest = request_hash(body)
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyKey.objects.create(user=user, key=key, request_hash=digest)
        except IntegrityError:
            record = None
        if record is not None:
            status, response = work()
            record.status_code, record.response = status, response
            record.save(update_fields=["status_code", "response"])
            return status, response
    record = IdempotencyKey.objects.get(user=user, key=key)
    if record.request_hash != digest:
        raise DomainError(
            "idempotency_key_reused",
            _("This Idempotency-Key was used for a different request."),
            status=422,
        )
    if record.status_code is None:
        raise Conflict(
            "request_in_progress", _("The first request with this key is still running.")
        )
    return record.status_code, record.response
