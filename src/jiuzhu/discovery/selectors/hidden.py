"""The hidden-poverty list (隐性贫困): households and potential cases that the evidence says are
in hardship but that no assistance tier or service covers, per street, each with its evidence.

Evidence comes from *sources* registered with :func:`register_evidence_source` (from an app's
``AppConfig.ready``), so other capabilities add theirs without this module knowing them: this app
registers the assessment's (deprived under the current framework, ``discovery/hooks.py``); the
department data and early warnings (issue 12, items 1–4) register theirs, which may also name
potential cases not yet in the registry.

A household is *covered* when any of these holds (then it is not hidden, whatever the evidence):
its tier is dibao (低保) or extremely poor (特困); it has a live plan with services; it has had an
order in the last :data:`COVERED_ORDER_DAYS` days; or material assistance was granted to it (a
plan's recommendation marked granted, by hand or by a department's referral).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jiuzhu.assessment.models import (
    LIVE_PLAN_STATUSES,
    Assessment,
    AssessmentStatus,
    MaterialRecommendation,
    PlanItem,
    ReferralStatus,
    Rescore,
)
from jiuzhu.assessment.selectors.analytics import published_or_latest
from jiuzhu.core.models import Area, User
from jiuzhu.core.scoping import visible
from jiuzhu.orders.models import Order
from jiuzhu.registry.models import Household, HouseholdStatus, Tier

#: Tiers that are themselves assistance (a monthly allowance).
COVERED_TIERS = (Tier.DIBAO, Tier.TEKUN)
#: An order this recent means the household is served.
COVERED_ORDER_DAYS = 90


@dataclass(frozen=True)
class Evidence:
    """One finding about one subject: a registered household (``household_id``) or a potential
    case not in the registry (``case_key`` and ``case_label``, e.g. a department record)."""

    source: str  # the code of the source that found it
    text: str  # what was found: the record, the rule and its threshold
    household_id: int | None = None
    case_key: str = ""
    case_label: str = ""
    street_id: int | None = None  # a potential case's street (households have their own)
    url: str = ""  # where the evidence can be read
    at: dt.datetime | None = None


#: ``collect(user, street)``: the source's evidence that ``user`` may see (the source applies
#: scoping), within ``street`` when given.
Collect = Callable[[User, Area | None], Iterable[Evidence]]


@dataclass(frozen=True)
class EvidenceSource:
    code: str
    label: str
    collect: Collect


_sources: dict[str, EvidenceSource] = {}


def register_evidence_source(code: str, label: str, collect: Collect) -> None:
    """Add (or replace) an evidence source for the hidden-poverty list."""
    _sources[code] = EvidenceSource(code=code, label=label, collect=collect)


def evidence_sources() -> list[EvidenceSource]:
    return sorted(_sources.values(), key=lambda source: source.code)


@dataclass
class HiddenRow:
    """One subject of the list and all its evidence."""

    key: str
    street: Area | None
    household: Household | None = None
    case_label: str = ""
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def sources(self) -> list[str]:
        return sorted({e.source for e in self.evidence})


def covered_households(households: QuerySet[Household], *, now: dt.datetime | None = None):
    """The households of ``households`` that an assistance tier or a service covers."""
    since = (now or timezone.now()) - dt.timedelta(days=COVERED_ORDER_DAYS)
    live_plan = PlanItem.objects.filter(
        plan__household=OuterRef("pk"), plan__status__in=LIVE_PLAN_STATUSES
    )
    recent_order = Order.objects.filter(household=OuterRef("pk"), created_at__gte=since)
    granted = MaterialRecommendation.objects.filter(
        plan__household=OuterRef("pk"), referral_status=ReferralStatus.GRANTED
    ).exclude(plan__status="superseded")
    return households.filter(tier__in=COVERED_TIERS) | households.filter(
        Exists(live_plan) | Exists(recent_order) | Exists(granted)
    )


def hidden_poverty(
    *, user: User, street: Area | None = None, source: str = "", now: dt.datetime | None = None
) -> list[HiddenRow]:
    """The list for ``user``: every registered source's evidence, grouped by subject, without
    covered or exited households and households ``user`` may not see; by street, then subject."""
    found: dict[str, HiddenRow] = {}
    household_ids: set[int] = set()
    for spec in evidence_sources():
        if source and spec.code != source:
            continue
        for evidence in spec.collect(user, street):
            if evidence.household_id is not None:
                key = f"household:{evidence.household_id}"
                household_ids.add(evidence.household_id)
            else:
                key = f"case:{evidence.source}:{evidence.case_key}"
            row = found.setdefault(
                key, HiddenRow(key=key, street=None, case_label=evidence.case_label)
            )
            row.evidence.append(evidence)
    seen = visible(
        user, Household.objects.filter(pk__in=household_ids, status=HouseholdStatus.ACTIVE)
    )
    if street is not None:
        seen = seen.filter(street=street)
    covered = set(covered_households(seen, now=now).values_list("pk", flat=True))
    households = {
        h.pk: h for h in seen.exclude(pk__in=covered).select_related("street", "community")
    }
    streets = {
        a.pk: a
        for a in Area.objects.filter(
            pk__in={e.street_id for r in found.values() for e in r.evidence if e.street_id}
        )
    }
    rows: list[HiddenRow] = []
    for key, row in found.items():
        if key.startswith("household:"):
            household = households.get(int(key.split(":", 1)[1]))
            if household is None:
                continue
            row.household, row.street = household, household.street
        else:
            street_id = next((e.street_id for e in row.evidence if e.street_id), None)
            row.street = streets.get(street_id) if street_id else None
            if street is not None and (row.street is None or row.street.pk != street.pk):
                continue
        rows.append(row)
    rows.sort(key=lambda r: (r.street.code if r.street else "~", r.key))
    return rows


def deprived_under_current_framework(user: User, street: Area | None) -> Iterable[Evidence]:
    """The assessment's evidence: households whose newest submitted assessment is poor under
    the published framework (scored under it, or rescored under it)."""
    framework = published_or_latest()
    if framework is None:
        return []
    households = visible(user, Household.objects.filter(status=HouseholdStatus.ACTIVE))
    if street is not None:
        households = households.filter(street=street)
    newest = (
        Assessment.objects.filter(household__in=households, status=AssessmentStatus.SUBMITTED)
        .order_by("household_id", "-submitted_at", "-id")
        .values_list("pk", "household_id", "framework_id", "poor", "score", "submitted_at")
    )
    latest: dict[int, tuple] = {}
    for row in newest:
        latest.setdefault(row[1], row)
    rescored = {
        r.assessment_id: r
        for r in Rescore.objects.filter(
            framework=framework, assessment_id__in=[row[0] for row in latest.values()]
        )
    }
    evidence: list[Evidence] = []
    k = framework.poverty_cutoff
    for assessment_id, household_id, framework_id, poor, score, at in latest.values():
        if framework_id != framework.pk:
            rescore = rescored.get(assessment_id)
            if rescore is None:
                continue
            poor, score = rescore.poor, rescore.score
        if not poor:
            continue
        evidence.append(
            Evidence(
                source="assessment",
                household_id=household_id,
                text=_(
                    "Deprived under framework v%(version)s: deprivation score %(score)s at or "
                    "above the cut-off k = %(k)s (assessment)."
                )
                % {"score": f"{float(score or 0):.0%}", "k": k, "version": framework.version},
                url=reverse("assessment:result", args=[assessment_id]),
                at=at,
            )
        )
    return evidence
