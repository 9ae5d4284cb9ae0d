"""Warnings from elsewhere in the platform: an urgent assessment result (紧急干预) and a hotline
service request. Found by a periodic scan (each raised once: the warning's key names the
assessment or ticket), so neither app needs to know about discovery."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from jiuzhu.assessment.models import Assessment
from jiuzhu.discovery.models import Grade, Indicator, WarningOrigin
from jiuzhu.discovery.services.warnings import _create
from jiuzhu.dispatch.models import Ticket, TicketKind
from jiuzhu.registry.models import UrgencyTag

#: How far back the scan looks (it runs far more often).
LOOKBACK_DAYS = 7
URGENT_VERIFY_DAYS = 2
TICKET_VERIFY_DAYS = 3


def warnings_from_signals(*, now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    since = now - dt.timedelta(days=LOOKBACK_DAYS)
    raised = 0
    urgent = (
        Assessment.objects.filter(urgency_tag=UrgencyTag.URGENT, submitted_at__gte=since)
        .select_related("household")
        .order_by("id")
    )
    for assessment in urgent:
        owner = assessment.household
        with transaction.atomic():
            raised += (
                _create(
                    origin=WarningOrigin.ASSESSMENT,
                    dedupe_key=f"assessment:{assessment.pk}",
                    grade=Grade.RED,
                    due_days=URGENT_VERIFY_DAYS,
                    household=owner,
                    district=owner.district,
                    street=owner.street,
                    community=owner.community,
                    indicator=Indicator.DAILY_LIVING,
                    explanation={"assessment": assessment.pk, "urgency_tag": UrgencyTag.URGENT},
                )
                is not None
            )
    tickets = Ticket.objects.filter(
        kind=TicketKind.SERVICE_REQUEST, household__isnull=False, created_at__gte=since
    ).select_related("household")
    for ticket in tickets.order_by("id"):
        if ticket.household is None:
            continue
        household = ticket.household
        with transaction.atomic():
            raised += (
                _create(
                    origin=WarningOrigin.HOTLINE,
                    dedupe_key=f"ticket:{ticket.pk}",
                    grade=Grade.YELLOW,
                    due_days=TICKET_VERIFY_DAYS,
                    household=household,
                    district=household.district,
                    street=household.street,
                    community=household.community,
                    explanation={"ticket": ticket.pk, "kind": ticket.kind},
                )
                is not None
            )
    return raised
