"""The hidden-poverty list (隐性贫困): households and potential cases that the evidence says are
in hardship but that no assistance tier or service covers, per street, each with its evidence.

:func:`hidden_poverty` is the computation. The pages and the API do not run it per request: the
periodic job ``discovery.hidden_poverty`` (``services/hidden.py``) stores its result for the
whole city in ``HiddenPovertyEntry`` rows, events remove households that became covered or left,
and :func:`hidden_poverty_snapshot` reads the stored rows for a user (scoped like the
computation) with the time of the last refresh.

Evidence comes from *sources* registered with :func:`register_evidence_source` (from an app's
``AppConfig.ready``), so other capabilities add theirs without this module knowing them: this app
registers the assessment's (deprived under the current framework, ``discovery/hooks.py``); the
department data and early warnings (issue 12, items 1–4) register theirs, which may also name
potential cases not yet in the registry.

A household is *covered* when any of these holds (then it is not hidden, whatever the evidence):
its tier is dibao (低保) or extremely poor (特困); it has a live plan with services; it has had an
order in the last :data:`COVERED_ORDER_DAYS` days; or material assistance was granted to it (a
plan's recommendation marked granted, by hand or by a department's referral, or a referral from
the household page completed as granted).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import Exists, F, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
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
from jiuzhu.core.scoping import require_granted, visible
from jiuzhu.discovery.models import (
    DepartmentReferral,
    EarlyWarning,
    HiddenPovertyEntry,
    HiddenPovertyRefresh,
    WarningStatus,
)
from jiuzhu.discovery.models.referrals import DepartmentReferralStatus, ReferralOutcome
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
    district_id: int | None = None  # a potential case's district (who may read it)
    url: str = ""  # where the evidence can be read
    at: dt.datetime | None = None


#: ``collect(user, street)``: the source's evidence that ``user`` may see (the source applies
#: scoping), within ``street`` when given. ``user`` None is the snapshot's computation: all
#: the evidence (the snapshot is scoped when it is read).
Collect = Callable[[User | None, Area | None], Iterable[Evidence]]


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
    district_id: int | None = None
    community_id: int | None = None

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
    # A referral from the household page (no plan) that the department completed as granted.
    granted_directly = DepartmentReferral.objects.filter(
        household=OuterRef("pk"),
        recommendation__isnull=True,
        status=DepartmentReferralStatus.COMPLETED,
        outcome=ReferralOutcome.GRANTED,
    )
    return households.filter(tier__in=COVERED_TIERS) | households.filter(
        Exists(live_plan) | Exists(recent_order) | Exists(granted) | Exists(granted_directly)
    )


def _scoped(user: User | None, queryset: QuerySet) -> QuerySet:
    """``visible`` for a user; everything for the snapshot's computation (``user`` None)."""
    return queryset if user is None else visible(user, queryset)


def sort_key(row: HiddenRow) -> tuple:
    """By street (unknown last), households (by number) before potential cases (by key); the
    stored snapshot is read in the same order (:func:`hidden_poverty_snapshot`)."""
    household_id = row.household.pk if row.household else None
    return (
        row.street.code if row.street else "~",
        household_id is None,
        household_id or 0,
        row.key if household_id is None else "",
    )


def hidden_poverty(
    *,
    user: User | None,
    street: Area | None = None,
    source: str = "",
    now: dt.datetime | None = None,
) -> list[HiddenRow]:
    """The list for ``user`` (None: everyone's, for the snapshot): every registered source's
    evidence, grouped by subject, without covered or exited households and households ``user``
    may not see; by street, then subject."""
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
    seen = _scoped(
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
            row.district_id, row.community_id = household.district_id, household.community_id
        else:
            street_id = next((e.street_id for e in row.evidence if e.street_id), None)
            row.street = streets.get(street_id) if street_id else None
            row.district_id = next((e.district_id for e in row.evidence if e.district_id), None)
            if row.district_id is None and row.street is not None:
                row.district_id = row.street.parent_id
            if street is not None and (row.street is None or row.street.pk != street.pk):
                continue
        rows.append(row)
    rows.sort(key=sort_key)
    return rows


def deprived_under_current_framework(user: User | None, street: Area | None) -> Iterable[Evidence]:
    """The assessment's evidence: households whose newest submitted assessment is poor under
    the published framework (scored under it, or rescored under it)."""
    framework = published_or_latest()
    if framework is None:
        return []
    households = _scoped(user, Household.objects.filter(status=HouseholdStatus.ACTIVE))
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


def open_warnings(user: User | None, street: Area | None) -> Iterable[Evidence]:
    """The early warnings' evidence: every open warning (department data, an urgent assessment,
    the hotline, a neighbour's referral) about a household or a person not in the registry."""
    warnings = _scoped(user, EarlyWarning.objects.filter(status=WarningStatus.OPEN))
    if street is not None:
        warnings = warnings.filter(street=street)
    evidence: list[Evidence] = []
    for warning in warnings.select_related("rule", "potential_case", "referral").order_by("id"):
        what = warning.rule.title if warning.rule else warning.get_origin_display()
        text = _("Early warning #%(number)s: %(what)s (%(grade)s), to verify by %(due)s.") % {
            "number": warning.pk,
            "what": what,
            "grade": warning.get_grade_display(),
            "due": timezone.localtime(warning.due_at).date().isoformat(),
        }
        subject: dict = {"household_id": warning.household_id}
        if warning.household_id is None:
            if warning.potential_case is not None:
                key, label = f"p{warning.potential_case_id}", str(warning.potential_case)
            else:
                referral = warning.referral
                key = f"w{warning.pk}"
                label = (referral.name or referral.address) if referral else f"#{warning.pk}"
            subject = {
                "case_key": key,
                "case_label": label,
                "street_id": warning.street_id,
                "district_id": warning.district_id,
            }
        evidence.append(
            Evidence(
                source="warnings",
                text=text,
                url=reverse("discovery:warning_detail", args=[warning.pk]),
                at=warning.created_at,
                **subject,
            )
        )
    return evidence


# ------------------------------------------------------------------ the stored snapshot


def evidence_to_json(evidence: Evidence) -> dict:
    return {
        "source": evidence.source,
        "text": evidence.text,
        "url": evidence.url,
        "at": evidence.at.isoformat() if evidence.at else None,
    }


def entry_row(entry: HiddenPovertyEntry, source: str = "") -> HiddenRow:
    """A stored entry as the list shows it (only ``source``'s evidence when given)."""
    evidence = [
        Evidence(
            source=item["source"],
            text=item["text"],
            url=item.get("url", ""),
            at=parse_datetime(item["at"]) if item.get("at") else None,
            household_id=entry.household_id,
            case_label=entry.case_label,
            street_id=entry.street_id,
        )
        for item in entry.evidence
        if not source or item["source"] == source
    ]
    return HiddenRow(
        key=entry.key,
        street=entry.street,
        household=entry.household,
        case_label=entry.case_label,
        evidence=evidence,
        district_id=entry.district_id,
        community_id=entry.community_id,
    )


def last_refresh() -> HiddenPovertyRefresh | None:
    """The last computation of the whole list (what the page's "updated at" says)."""
    return HiddenPovertyRefresh.objects.filter(street__isnull=True).first()


def hidden_poverty_snapshot(
    *, user: User, street: Area | None = None, source: str = ""
) -> QuerySet[HiddenPovertyEntry]:
    """The stored list for ``user``: the entries of households they may see and of potential
    cases in their area (``scopes.py``), within ``street`` and with evidence from ``source``
    when given; in the order of :func:`sort_key`. Turn each into a row with :func:`entry_row`."""
    require_granted(user, HiddenPovertyEntry)
    entries = visible(user, HiddenPovertyEntry.objects.all()).select_related(
        "household__street", "household__community", "street"
    )
    if street is not None:
        entries = entries.filter(street=street)
    if source:
        entries = entries.filter(sources__contains=f",{source},")
    return entries.order_by(
        F("street__code").asc(nulls_last=True),
        F("household_id").asc(nulls_last=True),
        "key",
    )
