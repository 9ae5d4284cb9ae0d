"""The assistance chain: any capability records what a household received here."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from jiuzhu.core.models import User
from jiuzhu.registry.models import ChainEntry, Household


def chain_add(
    *,
    household: Household,
    source: str,
    title: str,
    detail: str = "",
    source_id: str | int = "",
    url: str = "",
    actor: User | None = None,
    at: dt.datetime | None = None,
) -> ChainEntry:
    """Append an entry; ``source`` names the capability (registry, assessment, plan, order…)."""
    return ChainEntry.objects.create(
        household=household,
        at=at or timezone.now(),
        source=source,
        source_id=str(source_id),
        title=title[:200],
        detail=detail[:500],
        url=url,
        actor=actor if actor is not None and actor.is_authenticated else None,
    )
