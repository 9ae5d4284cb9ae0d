"""The scale generator's early warnings (``jiuzhu demo-data --warnings N``) at a tiny size:
about the new households, open or verified by their age, with their rule's deadline and
history, never dated ahead of now, and counted by the dashboards."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from jiuzhu.analytics.models import CurrentFigure
from jiuzhu.analytics.services.snapshots import figures_refresh
from jiuzhu.discovery.demo_bulk import BULK_RULES, OPEN_BY_AGE, VERIFIER, open_share
from jiuzhu.discovery.models import EarlyWarning, WarningEvent, WarningRule
from jiuzhu.discovery.services.warnings import REESCALATE_HOURS, rules_in_force
from jiuzhu.registry.models import Household

pytestmark = pytest.mark.django_db

CLOSED = {"dismissed": "dismiss", "registered": "register", "reassessment": "reassess"}
#: The keys of a rule engine's explanation (``engine.rules.Hit.explanation``).
HIT_KEYS = {"rule", "version", "record", "source", "value", "threshold", "indicator"}


def generate(warnings: int, seed: int = 5) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "demo_data",
        "--households=30",
        f"--warnings={warnings}",
        f"--seed={seed}",
        "--streets=320113001000",
        stdout=out,
        stderr=err,
    )
    return out.getvalue(), err.getvalue()


def test_demo_data_raises_warnings_verified_by_their_age(actors):
    out, err = generate(1500)
    assert "Created 1,500 warnings" in out
    assert "1,500 / 1,500 warnings" in err  # progress
    now = timezone.now()
    warnings = list(EarlyWarning.objects.select_related("household", "rule", "verified_by"))
    assert len(warnings) == 1500
    assert len({w.dedupe_key for w in warnings}) == 1500
    assert all(w.dedupe_key.startswith("bulk-5-") for w in warnings)
    new = set(Household.objects.values_list("pk", flat=True))
    events: dict[int, list[WarningEvent]] = {}
    for event in WarningEvent.objects.order_by("id"):
        events.setdefault(event.warning_id, []).append(event)
    for w in warnings:
        household = w.household
        assert household.pk in new
        assert (w.district_id, w.street_id, w.community_id) == (
            household.district_id,
            household.street_id,
            household.community_id,
        )
        assert w.created_at <= now
        if w.rule is not None:
            assert w.origin == "department"
            assert (w.grade, w.indicator) == (w.rule.grade, w.rule.indicator)
            assert w.due_at == w.created_at + dt.timedelta(days=w.rule.verify_days)
            assert set(w.explanation) >= HIT_KEYS
            assert (w.explanation["rule"], w.explanation["indicator"]) == (w.rule.code, w.indicator)
        else:
            assert (w.origin, w.grade) == ("assessment", "red")
            assert w.due_at == w.created_at + dt.timedelta(days=2)
        history = events[w.pk]
        assert (history[0].action, history[0].created_at) == ("raise", w.created_at)
        times = [event.created_at for event in history]
        assert times == sorted(times) and times[-1] <= now
        escalations = [e for e in history if e.action == "escalate"]
        assert len(escalations) == w.escalation_level
        if w.escalation_level:
            assert w.due_at <= w.escalated_at == escalations[-1].created_at <= now
        else:
            assert w.escalated_at is None
        if w.status == "open":
            assert w.verified_at is None and w.verified_by is None and not w.outcome_note
            assert now - w.created_at <= dt.timedelta(days=OPEN_BY_AGE[-2][0])
            # Escalated at the deadline, again every REESCALATE_HOURS, as the job would.
            if w.due_at < now:
                level = 1 + int((now - w.due_at) / dt.timedelta(hours=REESCALATE_HOURS))
                assert w.escalation_level == level
            else:
                assert w.escalation_level == 0
        else:
            assert w.status in CLOSED
            assert w.created_at < w.verified_at <= now
            assert w.verified_by.username == VERIFIER and w.outcome_note
            assert (w.escalation_level > 0) == (w.verified_at > w.due_at)
            assert (history[-1].action, history[-1].created_at) == (
                CLOSED[w.status],
                w.verified_at,
            )
            assert history[-1].actor_id == w.verified_by_id
    # The mixes: every grade, most indicators, both origins, every outcome; a few open.
    statuses = dict(EarlyWarning.objects.values_list("status").annotate(n=Count("id")))
    assert set(statuses) == {"open", *CLOSED}
    assert 0 < statuses["open"] < 150
    assert {w.grade for w in warnings} == {"red", "orange", "yellow", "blue"}
    assert len({w.indicator for w in warnings}) >= 4
    assert sum(w.origin == "department" for w in warnings) > 1300
    created = sorted(w.created_at for w in warnings)
    assert (created[-1] - created[0]).days > 300  # spread over the year
    # The demo rules are never in force: an import does not run them.
    assert WarningRule.objects.filter(code__startswith="bulk_").count() == len(BULK_RULES)
    assert not [r for r in rules_in_force() if r.code.startswith("bulk_")]

    # The dashboards count them by the street.
    figures_refresh(slow=False)
    street = warnings[0].street
    start = timezone.localdate() - dt.timedelta(days=89)
    recent = [
        w for w in warnings if timezone.localdate(w.created_at) >= start and w.street == street
    ]
    figure = CurrentFigure.objects.get(area=street, key="p90.warnings.raised")
    assert figure.value == len(recent) > 0
    verified = CurrentFigure.objects.get(area=street, key="p90.warnings.verified")
    assert verified.value == sum(w.verified_at is not None for w in recent)


def test_a_second_run_adds_warnings_with_new_keys(actors):
    generate(20)
    generate(30)
    assert EarlyWarning.objects.count() == 50
    assert EarlyWarning.objects.values("dedupe_key").distinct().count() == 50
    assert WarningRule.objects.filter(code__startswith="bulk_").count() == len(BULK_RULES)


def test_no_warnings_unless_asked(actors):
    out, _ = generate(0)
    assert "warnings" not in out
    assert not EarlyWarning.objects.exists()


def test_only_recent_warnings_are_open():
    shares = [open_share(dt.timedelta(days=days)) for days in range(400)]
    assert shares == sorted(shares, reverse=True)
    assert shares[1] > 0.5 and shares[10] < shares[1]
    assert not any(shares[OPEN_BY_AGE[-2][0] + 1 :])
