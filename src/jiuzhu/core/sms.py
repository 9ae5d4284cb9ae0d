"""Pluggable SMS delivery. ``console`` prints, ``file`` appends JSON lines to an outbox (used by
the end-to-end tests and by operators who hand the file to an SMS gateway); a dotted path loads a
custom backend class with a ``send(mobile, text)`` method."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime

from django.conf import settings
from django.utils.module_loading import import_string


class ConsoleBackend:
    def send(self, mobile: str, text: str) -> None:
        print(f"[SMS to {mobile}] {text}", file=sys.stderr, flush=True)


class FileBackend:
    def send(self, mobile: str, text: str) -> None:
        settings.SMS_OUTBOX.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(
            {"at": datetime.now(UTC).isoformat(), "to": mobile, "text": text},
            ensure_ascii=False,
        )
        with settings.SMS_OUTBOX.open("a", encoding="utf-8") as outbox:
            outbox.write(line + "\n")


def get_backend():
    name = settings.SMS_BACKEND
    if name == "console":
        return ConsoleBackend()
    if name == "file":
        return FileBackend()
    return import_string(name)()


def send_sms(mobile: str, text: str) -> None:
    get_backend().send(mobile, text)
