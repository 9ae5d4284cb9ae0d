"""Bulk demo early warnings for ``jiuzhu demo-data --warnings N`` (issue 15 item 3): N warnings
over the households just generated, spread over the last year, raised mostly by department rules
(and some by urgent assessments), with the rule's explanation and verification deadline, and
verified or still open by their age (``OPEN_BY_AGE``), stored with ``bulk_create`` in large
batches.

This is a benchmark and demo path, not the service path: no department records, notifications,
audit entries, chain entries or assessments due; each warning gets its history (raised,
escalated, verified) as ``WarningEvent`` rows. The rules that raise bulk warnings are demo rules
kept *retired*, so an import never runs them (``rules_in_force`` reads the published ones)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.utils import timezone

from jiuzhu.core.demo import BulkContext, bulk_actor, bulk_step, dated
from jiuzhu.core.models import Role
from jiuzhu.discovery.engine.rules import KIND_SOURCE, Hit
from jiuzhu.discovery.models import (
    EarlyWarning,
    Grade,
    Indicator,
    RuleStatus,
    WarningEvent,
    WarningEventAction,
    WarningOrigin,
    WarningRule,
    WarningStatus,
)
from jiuzhu.discovery.services.signals import URGENT_VERIFY_DAYS
from jiuzhu.discovery.services.warnings import REESCALATE_HOURS
from jiuzhu.registry.models import Household, UrgencyTag

BATCH = 10_000
VERIFIER = "bulk_demo_community_worker"
#: The demo rules (code, kind, title, thresholds, grade, days to verify, indicator, weight): the
#: default rules' kinds and settings (discovery migration 0003), and a blue "watch" rule.
BULK_RULES = [
    (
        "bulk_medical_12m",
        "medical_out_of_pocket",
        "医保个人自付12个月超额（批量演示）",
        {"amount": "20000", "share": "0.4", "months": 12},
        "orange",
        7,
        "health",
        22,
    ),
    (
        "bulk_medical_watch",
        "medical_out_of_pocket",
        "医保个人自付12个月偏高（批量演示）",
        {"amount": "10000", "months": 12},
        "blue",
        30,
        "health",
        12,
    ),
    (
        "bulk_unemployed_6m",
        "long_unemployment",
        "低保边缘家庭成员失业超6个月（批量演示）",
        {"months": 6, "tiers": ["near_dibao"]},
        "yellow",
        14,
        "employment",
        18,
    ),
    (
        "bulk_disability_severe",
        "severe_disability",
        "新增重度残疾（批量演示）",
        {"max_grade": 2, "days": 90},
        "orange",
        7,
        "health",
        10,
    ),
    (
        "bulk_earner_death",
        "main_earner_death",
        "主要劳动力死亡（批量演示）",
        {"days": 90},
        "red",
        3,
        "employment",
        3,
    ),
    (
        "bulk_disaster",
        "disaster_damage",
        "受灾损失（批量演示）",
        {"min_loss": "5000", "days": 90},
        "red",
        3,
        "housing",
        4,
    ),
    (
        "bulk_school_leaving",
        "school_leaving",
        "未成年人辍学（批量演示）",
        {"max_age": 18, "days": 180},
        "orange",
        7,
        "education",
        5,
    ),
    (
        "bulk_serious_illness",
        "serious_illness",
        "新确诊大病（批量演示）",
        {"days": 180},
        "orange",
        7,
        "health",
        14,
    ),
    (
        "bulk_unsafe_housing",
        "unsafe_housing",
        "C/D级危房（批量演示）",
        {"levels": ["C", "D"], "days": 365},
        "yellow",
        14,
        "housing",
        12,
    ),
]
#: Share of the warnings raised by an urgent assessment (the rest by a department rule).
ASSESSMENT_SHARE = 0.08
#: (share of warnings still open, by how old a warning is: at most so many days). A warning is
#: verified within days (a red one in three, a blue one in a month), so only recent warnings are
#: open: with warnings spread evenly over a year, about 2 % are open.
OPEN_BY_AGE = [(3, 0.75), (14, 0.35), (45, 0.08), (366, 0.0)]
#: How the visits ended (closed warnings): the outcome, its share and the visit's note.
OUTCOMES = [
    ("dismissed", 0.50, "dismiss", "入户核实：家庭收入和照护已有着落，暂不需要救助"),
    ("reassessment", 0.42, "reassess", "入户核实情况属实，已申请重新评估"),
    ("registered", 0.08, "register", "入户核实后为新增困难成员登记建档"),
]
#: Share of the closed warnings verified after their deadline (escalated meanwhile).
LATE_SHARE = 0.12
#: A warning's history rows: (action, actor's id, note, time).
History = list[tuple[str, int | None, str, dt.datetime]]


def open_share(age: dt.timedelta) -> float:
    """The share of warnings of ``age`` still open (``OPEN_BY_AGE``)."""
    return next((share for days, share in OPEN_BY_AGE if age <= dt.timedelta(days=days)), 0.0)


def _rules() -> list[tuple[WarningRule, int]]:
    """The demo rules with their weights, made on first use (retired: never in force)."""
    rules = []
    for code, kind, title, params, grade, days, indicator, weight in BULK_RULES:
        rule, _ = WarningRule.objects.get_or_create(
            code=code,
            version=1,
            defaults={
                "kind": kind,
                "title": title,
                "params": params,
                "grade": grade,
                "verify_days": days,
                "indicator": indicator,
                "status": RuleStatus.RETIRED,
            },
        )
        rules.append((rule, weight))
    return rules


def _hit_values(
    rng: random.Random, rule: WarningRule, on: dt.date
) -> tuple[str, str, dict[str, Any]]:
    """A plausible (value, threshold, detail) of a hit of ``rule``'s kind, as the rule engine
    words them (``engine/rules.py``)."""
    params = rule.params
    kind = rule.kind
    if kind == "medical_out_of_pocket":
        threshold = params.get("amount", "20000")
        total = int(threshold) + rng.randrange(200, 30_000)
        return f"{total}.00", threshold, {"basis": "amount", "records": rng.randint(1, 9)}
    if kind == "long_unemployment":
        months = int(params.get("months", 6))
        registered = on - dt.timedelta(days=months * 31 + rng.randrange(1, 200))
        return registered.isoformat(), (on - dt.timedelta(days=months * 30)).isoformat(), {}
    if kind == "severe_disability":
        return str(rng.randint(1, int(params.get("max_grade", 2)))), str(params["max_grade"]), {}
    if kind == "main_earner_death":
        return rng.choice(["head", "spouse", "child"]), "head/earner", {}
    if kind == "disaster_damage":
        return str(rng.randrange(5_000, 80_000, 100)), params.get("min_loss", "0"), {}
    if kind == "school_leaving":
        return str(rng.randint(13, 17)), str(params.get("max_age", 18)), {}
    if kind == "serious_illness":
        return "是", "是", {}
    return rng.choice(params.get("levels", ["C", "D"])), "/".join(params.get("levels", [])), {}


def _explanation(rng: random.Random, rule: WarningRule, on: dt.date) -> dict[str, Any]:
    """An explanation shaped like the rule engine's (``Hit.explanation``); no department record
    is stored for a bulk warning, so ``record`` is empty."""
    value, threshold, detail = _hit_values(rng, rule, on)
    hit = Hit(rule.code, rule.version, 0, value, threshold, rule.indicator, rule.grade, detail)
    return {**hit.explanation(KIND_SOURCE[rule.kind]), "record": None}


def _verification(
    rng: random.Random, created: dt.datetime, days: int, now: dt.datetime
) -> dt.datetime:
    """When a closed warning was verified: within its days to verify, or (``LATE_SHARE``) up to
    as long again after them; never ahead of now (a recent warning was verified quickly)."""
    span = dt.timedelta(days=days)
    delay = span * rng.uniform(0.05, 1.0)
    if rng.random() < LATE_SHARE:
        delay = span + span * rng.uniform(0.05, 1.0)
    return created + min(delay, (now - created) * 0.99)


def _escalate(warning: EarlyWarning, due: dt.datetime, until: dt.datetime) -> History:
    """Escalate ``warning`` as the periodic job would have while it stayed open until ``until``:
    at its deadline, then every ``REESCALATE_HOURS``; returns the history rows."""
    if until <= due:
        return []
    again = dt.timedelta(hours=REESCALATE_HOURS)
    level = 1 + int((until - due) / again)
    warning.escalation_level = level
    warning.escalated_at = due + (level - 1) * again
    return [
        (WarningEventAction.ESCALATE, None, f"level {k + 1}", due + k * again) for k in range(level)
    ]


@bulk_step(50, "warnings")
def bulk_warnings(context: BulkContext) -> int:
    wanted = context.sizes.get("warnings", 0)
    if not wanted:
        return 0
    households = list(
        Household.objects.filter(
            pk__range=(context.first_household_id, context.last_household_id)
        ).values_list("id", "district_id", "street_id", "community_id")
    )
    if not households:
        return 0
    verifier = bulk_actor(VERIFIER, Role.COMMUNITY_WORKER)
    rules = _rules()
    rule_list = [rule for rule, _ in rules]
    weights = [weight for _, weight in rules]
    outcomes = [(status, action, note) for status, _, action, note in OUTCOMES]
    outcome_weights = [share for _, share, _, _ in OUTCOMES]
    prefix = f"bulk-{context.seed}-"
    first = EarlyWarning.objects.filter(dedupe_key__startswith=prefix).count()
    rng = random.Random(f"warnings-{context.seed}")
    now = timezone.now()
    year = 365 * 24 * 3600
    done = 0
    with dated(EarlyWarning, "created_at"), dated(WarningEvent, "created_at"):
        while done < wanted:
            size = min(BATCH, wanted - done)
            warnings, histories = [], []
            for _ in range(size):
                household_id, district_id, street_id, community_id = households[
                    rng.randrange(len(households))
                ]
                age = dt.timedelta(seconds=rng.randrange(60, year))
                created = now - age
                rule: WarningRule | None = None
                if rng.random() < ASSESSMENT_SHARE:
                    origin, grade, days = WarningOrigin.ASSESSMENT, Grade.RED, URGENT_VERIFY_DAYS
                    indicator = Indicator.DAILY_LIVING
                    explanation: dict[str, Any] = {
                        "assessment": None,
                        "urgency_tag": UrgencyTag.URGENT,
                    }
                else:
                    rule = rng.choices(rule_list, weights)[0]
                    origin, grade, days = WarningOrigin.DEPARTMENT, rule.grade, rule.verify_days
                    indicator = rule.indicator
                    explanation = _explanation(rng, rule, timezone.localdate(created))
                due = created + dt.timedelta(days=days)
                history: History = [(WarningEventAction.RAISE, None, "", created)]
                warning = EarlyWarning(
                    origin=origin,
                    rule=rule,
                    household_id=household_id,
                    district_id=district_id,
                    street_id=street_id,
                    community_id=community_id,
                    grade=grade,
                    indicator=indicator,
                    explanation=explanation,
                    dedupe_key=f"{prefix}{first + done + len(warnings)}",
                    status=WarningStatus.OPEN,
                    due_at=due,
                    created_at=created,
                )
                if rng.random() < open_share(age):
                    # Open: escalated at the deadline and every REESCALATE_HOURS since, as the
                    # periodic job does; half of them handed to a community worker for the visit.
                    history += _escalate(warning, due, now)
                    if rng.random() < 0.5:
                        warning.assignee_id = verifier.pk
                else:
                    status, action, note = rng.choices(outcomes, outcome_weights)[0]
                    verified = _verification(rng, created, days, now)
                    history += _escalate(warning, due, verified)
                    warning.status = status
                    warning.assignee_id = warning.verified_by_id = verifier.pk
                    warning.verified_at = verified
                    warning.outcome_note = note
                    history.append((action, verifier.pk, note, verified))
                warnings.append(warning)
                histories.append(history)
            EarlyWarning.objects.bulk_create(warnings)
            WarningEvent.objects.bulk_create(
                WarningEvent(
                    warning_id=warning.pk,
                    action=action,
                    actor_id=actor_id,
                    note=note,
                    created_at=at,
                )
                for warning, history in zip(warnings, histories, strict=True)
                for action, actor_id, note, at in history
            )
            done += size
            context.progress("warnings", done, wanted)
    return done
