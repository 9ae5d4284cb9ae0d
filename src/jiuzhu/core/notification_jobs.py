"""The daily digest of notifications and waiting work (``core/services/notifications.py``):
checked hourly, sent once a day per person from the morning on."""

from __future__ import annotations

from jiuzhu.core.jobs import periodic


@periodic("core.notification_digest", every_seconds=3600)
def notification_digest() -> str:
    from jiuzhu.core.services.notifications import notification_digest_send

    return f"{notification_digest_send()} digests sent"
