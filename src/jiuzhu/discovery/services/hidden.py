"""Keeping the stored hidden-poverty list (``HiddenPovertyEntry``) up to date.

The periodic job ``discovery.hidden_poverty`` recomputes the whole list
(:func:`hidden_poverty_refresh`) with every registered evidence source and replaces the stored
rows in one transaction, so a reader sees the old list or the new one, never half. Between runs,
events about a household (its tier changed, it left, a plan was approved, an order placed: see
``handlers.py``) call :func:`hidden_poverty_recheck`, which removes the household's row at once
when it is now covered or gone; new evidence (assessments, imports, warnings) waits for the next
run, whose time the page shows.

The evidence texts are written in the site's language (``LANGUAGE_CODE``) when the list is
computed.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from jiuzhu.discovery.models import HiddenPovertyEntry, HiddenPovertyRefresh
from jiuzhu.discovery.selectors.hidden import (
    covered_households,
    evidence_to_json,
    hidden_poverty,
)
from jiuzhu.registry.models import Household, HouseholdStatus


def hidden_poverty_refresh(
    *, trigger: str = "job", now: dt.datetime | None = None
) -> HiddenPovertyRefresh:
    """Recompute the whole list and store it (replacing the stored rows)."""
    started = timezone.now()
    with translation.override(settings.LANGUAGE_CODE):
        rows = hidden_poverty(user=None, now=now)
        entries = [
            HiddenPovertyEntry(
                key=row.key[:160],
                household=row.household,
                case_label=row.case_label[:120],
                district_id=row.district_id,
                street=row.street,
                community_id=row.community_id,
                sources="," + ",".join(row.sources) + ",",
                evidence=[evidence_to_json(e) for e in row.evidence],
                computed_at=started,
            )
            for row in rows
        ]
    with transaction.atomic():
        HiddenPovertyEntry.objects.all().delete()
        HiddenPovertyEntry.objects.bulk_create(entries, batch_size=1000)
        return HiddenPovertyRefresh.objects.create(
            trigger=trigger[:40],
            entries=len(entries),
            started_at=started,
            finished_at=timezone.now(),
        )


def hidden_poverty_recheck(*, household_id: int, now: dt.datetime | None = None) -> bool:
    """Remove the household's stored row if it is now covered (tier, plan, order, granted
    assistance) or no longer active; True when a row was removed. Idempotent."""
    entries = HiddenPovertyEntry.objects.filter(household_id=household_id)
    if not entries.exists():
        return False
    household = Household.objects.filter(pk=household_id)
    gone = not household.filter(status=HouseholdStatus.ACTIVE).exists()
    if gone or covered_households(household, now=now).exists():
        entries.delete()
        return True
    return False
