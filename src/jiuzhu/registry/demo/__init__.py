"""Demo data: generated households (``generate``), the demo accounts (``accounts``) and the
reset (``reset``). Only the demo and the test suite use this package; the management commands
refuse to run it against a database outside demo mode."""

from __future__ import annotations

from django.conf import settings


def demo_allowed() -> bool:
    """Demo data and demo accounts belong in demo, development and test databases only: the
    accounts' password is published, and a reset deletes every household."""
    return bool(settings.DEMO_MODE or settings.DEBUG or getattr(settings, "TESTING", False))


DEMO_REFUSED = (
    "Refusing: demo data and demo accounts are only for demo databases. Run with JIUZHU_DEMO=1 "
    "(jiuzhu demo sets it) against a database you can throw away."
)
