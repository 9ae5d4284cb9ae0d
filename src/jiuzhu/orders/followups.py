"""What later apps tell the cloud supermarket about its orders, without being imported by it:
the hotline ticket a complaint became (number and reply deadline). The dispatch centre
registers the look-up (``dispatch/hooks.py``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from jiuzhu.orders.models import Complaint


@dataclass(frozen=True)
class Receipt:
    number: str
    respond_by: dt.datetime


_receipts: list[Callable[[Complaint], Receipt | None]] = []


def register_complaint_receipt(find: Callable[[Complaint], Receipt | None]) -> None:
    _receipts[:] = [find]


def complaint_receipt(complaint: Complaint) -> Receipt | None:
    """The ticket number and reply deadline of the complaint's follow-up, if any."""
    return _receipts[0](complaint) if _receipts else None
