"""Analytics from the same engine (Alkire–Foster): H, A, M0, headcounts, contributions, bands,
the score distribution and the decomposition by district, street, group or tier, over the
households a manager may see.

Each visible active household counts once, through its newest submitted assessment. Only
assessments under the chosen framework version are measured (their stored ``deprived`` lists
are that version's deprivations); a household whose newest assessment used another version is
counted as "not included — other framework version", unless the caller asks for the version's
rescored results (``source="rescored"``, from ``jiuzhu rescore``), which then stand in for it.

No per-household queries and no per-household Python objects: one query for the households in
scope, one for their submitted assessments (deprivations read as JSON text), and the g0 matrix
is filled from a small table of distinct deprivation patterns.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import IO, Any

import numpy as np
from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from jiuzhu.assessment import engine
from jiuzhu.assessment.frameworks import engine_framework
from jiuzhu.assessment.models import (
    Assessment,
    AssessmentStatus,
    Dimension,
    FrameworkStatus,
    Indicator,
    IndicatorFramework,
    Rescore,
)
from jiuzhu.assessment.policy import can_view_analytics, require_analytics_access
from jiuzhu.core import audit
from jiuzhu.core.errors import NotFound, PermissionDenied, ValidationFailed
from jiuzhu.core.models import Area, AreaLevel, AuditAction, User
from jiuzhu.core.scoping import visible
from jiuzhu.core.selectors.areas import SUBTREE_PREFIX
from jiuzhu.registry.models import Group, Household, HouseholdStatus, Tier

#: Subgroup columns for the decomposition, by the name the page and the API use.
BY_COLUMNS = {
    "district": "district_id",
    "street": "street_id",
    "group": "primary_group",
    "tier": "tier",
}
SOURCES = ("assessed", "rescored")
_CHUNK = 10_000


def published_or_latest() -> IndicatorFramework | None:
    """The default version: the published one, else the newest retired one."""
    return (
        IndicatorFramework.objects.filter(status=FrameworkStatus.PUBLISHED).first()
        or IndicatorFramework.objects.filter(status=FrameworkStatus.RETIRED).first()
    )


def framework_choices(user: User) -> list[IndicatorFramework]:
    """Versions a manager may analyse, newest first (drafts only once they have been rescored:
    nobody is assessed under a draft)."""
    rescored = set(Rescore.objects.values_list("framework_id", flat=True).distinct())
    return [
        framework
        for framework in visible(user, IndicatorFramework.objects.order_by("-version"))
        if framework.status != FrameworkStatus.DRAFT or framework.pk in rescored
    ]


def has_rescores(framework: IndicatorFramework) -> bool:
    return Rescore.objects.filter(framework=framework).exists()


def _area_filter(user: User, value: Area | int | None, level: str, field: str) -> Area | None:
    """An area of ``level`` that is inside the user's area, or contains it (a no-op then)."""
    if value is None or value == "":
        return None
    pk = value.pk if isinstance(value, Area) else value
    area = Area.objects.filter(pk=pk, level=level).first() if isinstance(pk, int) else None
    own = user.area
    if area is not None and own is not None:
        inside = area.code.startswith(own.code[: SUBTREE_PREFIX[own.level]])
        contains = own.code.startswith(area.code[: SUBTREE_PREFIX[area.level]])
        if inside or contains:
            return area
    messages: dict[str, str] = {
        AreaLevel.DISTRICT: _("Choose a district in your area."),
        AreaLevel.STREET: _("Choose a street in your area."),
    }
    message = messages[level]
    raise ValidationFailed({field: [message]})


def _language_is_english() -> bool:
    return (get_language() or "").lower().startswith("en")


def _labels(framework: IndicatorFramework) -> dict[str, Any]:
    """Indicator questions and dimension names in the current language (English where the
    framework gives it and the page is in English)."""
    english = _language_is_english()
    dimensions = {
        code: (name_en if english and name_en else name)
        for code, name, name_en in Dimension.objects.filter(framework=framework).values_list(
            "code", "name", "name_en"
        )
    }
    indicators = {
        code: (question_en if english and question_en else question)
        for code, question, question_en in Indicator.objects.filter(
            dimension__framework=framework
        ).values_list("code", "question", "question_en")
    }
    return {"framework": framework.name, "dimensions": dimensions, "indicators": indicators}


@dataclass
class _Group:
    """The subgroup column: each household's group index, and each index's key and label."""

    keys: list[Any]
    labels: list[str]
    index: dict[Any, int]


def _group_spec(by: str, households: dict[int, Any]) -> _Group:
    present = set(households.values())
    if by in ("district", "street"):
        areas = Area.objects.filter(pk__in=present).order_by("code").values_list("pk", "name")
        keys: list[Any] = []
        labels: list[str] = []
        for pk, name in areas:
            keys.append(pk)
            labels.append(name)
    else:
        choices = Group.choices if by == "group" else Tier.choices
        keys = [value for value, _label in choices if value in present]
        labels = [str(label) for value, label in choices if value in present]
        unknown = sorted(str(v) for v in present if v not in set(keys))
        for value in unknown:
            keys.append(value)
            labels.append(_("No group") if value == "" else value)
    seen: dict[str, int] = {}
    for i, label in enumerate(labels):  # keep the labels unique: they key the JSON
        if label in seen:
            labels[i] = f"{label} ({keys[i]})"
        seen[labels[i]] = i
    return _Group(keys=keys, labels=labels, index={key: i for i, key in enumerate(keys)})


class _Patterns:
    """Distinct JSON texts of indicator-code lists, each parsed once, and the rows they give.

    ``index(text)`` numbers a text the first time it is seen; ``matrix(indices)`` is the n × d
    boolean matrix with row i set for the codes of text ``indices[i]`` (unknown codes ignored).
    """

    def __init__(self, columns: dict[str, int]) -> None:
        self.columns = columns
        self.ids: dict[str, int] = {}
        self.cells: list[tuple[int, int]] = []  # (pattern, column) pairs that are set

    def index(self, text: str | None) -> int:
        text = text or "[]"
        found = self.ids.get(text)
        if found is None:
            found = self.ids[text] = len(self.ids)
            try:
                codes = json.loads(text)
            except (TypeError, ValueError):
                codes = []
            for code in codes if isinstance(codes, list) else ():
                j = self.columns.get(code) if isinstance(code, str) else None
                if j is not None:
                    self.cells.append((found, j))
        return found

    def matrix(self, indices: list[int]) -> np.ndarray:
        table = np.zeros((max(len(self.ids), 1), len(self.columns)), dtype=bool)
        if self.cells:
            pattern, column = np.asarray(self.cells, dtype=np.intp).T
            table[pattern, column] = True
        return table[np.asarray(indices, dtype=np.intp)]


def _scope_query(user: User, district: Area | None, street: Area | None):
    """Active visible households in the chosen area."""
    households = visible(user, Household.objects.filter(status=HouseholdStatus.ACTIVE))
    if district is not None:
        households = households.filter(district=district)
    if street is not None:
        households = households.filter(street=street)
    return households.order_by()


def _scope(households, column: str | None) -> dict[int, Any]:
    """Household id → subgroup key (None without a subgroup column)."""
    if column is None:
        return dict.fromkeys(households.values_list("pk", flat=True).iterator(_CHUNK))
    return dict(households.values_list("pk", column).iterator(_CHUNK))


def _newest_assessments(user: User, households: dict[int, Any], scope_query):
    """(household, assessment, framework, deprived text, missing text) of each household's
    newest submitted assessment, in household order."""
    rows = (
        visible(user, Assessment.objects.filter(status=AssessmentStatus.SUBMITTED))
        .filter(household__in=scope_query)
        .order_by("household_id", "-submitted_at", "-id")
        .annotate(
            deprived_text=Cast("deprived", TextField()),
            missing_text=Cast("missing", TextField()),
        )
        .values_list("household_id", "id", "framework_id", "deprived_text", "missing_text")
    )
    last = None
    for row in rows.iterator(_CHUNK):
        if row[0] != last and row[0] in households:
            last = row[0]
            yield row


def analytics_for(
    *,
    user: User,
    framework: IndicatorFramework | None = None,
    by: str | None = None,
    street: Area | int | None = None,
    district: Area | int | None = None,
    source: str = "assessed",
) -> dict[str, Any]:
    """The engine's measures (``Measures.to_dict()``, the shape of ``jiuzhu mpi --format json``)
    over the households ``user`` may see, plus ``counts``, ``labels`` and the filters used.

    Raises ``PermissionDenied`` for roles without analytics, ``ValidationFailed`` for an unknown
    ``by`` or ``source`` or an area outside the user's, ``NotFound`` when no version exists."""
    if not can_view_analytics(user):
        raise PermissionDenied(_("Your role may not see the assessment analytics."))
    errors: dict[str, list[str]] = {}
    if by is not None and by not in BY_COLUMNS:
        errors["by"] = [_("Decompose by district, street, group or tier.")]
    if source not in SOURCES:
        errors["source"] = [_("Choose assessed or rescored.")]
    if errors:
        raise ValidationFailed(errors)
    district_area = _area_filter(user, district, AreaLevel.DISTRICT, "district")
    street_area = _area_filter(user, street, AreaLevel.STREET, "street")
    if (
        district_area is not None
        and street_area is not None
        and street_area.code[:6] != district_area.code[:6]
    ):
        raise ValidationFailed({"street": [_("Choose a street in the chosen district.")]})
    if framework is None:
        framework = published_or_latest()
    if framework is None:
        raise NotFound("framework")

    spec = engine_framework(framework)
    names = [indicator.name for indicator in spec.indicators]
    column = BY_COLUMNS.get(by) if by else None
    scope_query = _scope_query(user, district_area, street_area)
    households = _scope(scope_query, column)

    rescored: dict[int, tuple[str, bool | None]] = {}
    if source == "rescored":
        rescored = {
            assessment_id: (text, poor)
            for assessment_id, text, poor in Rescore.objects.filter(
                framework=framework, assessment__household__in=scope_query.values("pk")
            )
            .annotate(deprived_text=Cast("deprived", TextField()))
            .values_list("assessment_id", "deprived_text", "poor")
            .iterator(_CHUNK)
        }

    columns = {name: j for j, name in enumerate(names)}
    deprivations, missings = _Patterns(columns), _Patterns(columns)
    g0_rows: list[int] = []
    missing_rows: list[int] = []
    measured_households: list[int] = []
    other_versions: dict[int, int] = {}
    assessed_households = 0
    rescored_incomplete = 0
    rescored_used = 0
    chosen_id = framework.pk
    for household_id, assessment_id, framework_id, deprived, missing in _newest_assessments(
        user, households, scope_query.values("pk")
    ):
        assessed_households += 1
        if framework_id == chosen_id:
            g0_rows.append(deprivations.index(deprived))
            missing_rows.append(missings.index(missing))
        elif assessment_id in rescored:
            text, poor = rescored[assessment_id]
            rescored_used += 1
            if poor is None:  # answers the version asks about are missing
                rescored_incomplete += 1
                continue
            g0_rows.append(deprivations.index(text))
            missing_rows.append(missings.index("[]"))
        else:
            other_versions[framework_id] = other_versions.get(framework_id, 0) + 1
            continue
        measured_households.append(household_id)

    evaluation = engine.evaluation_from_g0(
        spec, deprivations.matrix(g0_rows), missings.matrix(missing_rows)
    )
    groups = None
    group = None
    if column is not None and by:
        group = _group_spec(by, households)
        groups = np.fromiter(
            (group.index[households[h]] for h in measured_households),
            dtype=np.int64,
            count=len(measured_households),
        )
    measures = engine.compute_measures(evaluation, groups=groups)
    report = measures.to_dict()
    if group is not None:
        by_index = report.get("groups", {})
        report["groups"] = {
            group.labels[i]: {"key": group.keys[i], **by_index[str(i)]}
            for i in range(len(group.keys))
            if str(i) in by_index
        }

    versions = dict(
        IndicatorFramework.objects.filter(pk__in=other_versions).values_list("pk", "version")
    )
    other = sum(other_versions.values())
    report.update(
        by=by,
        framework_id=framework.pk,
        framework_version=framework.version,
        framework_status=framework.status,
        source=source,
        filters={
            "district": district_area.pk if district_area else None,
            "street": street_area.pk if street_area else None,
        },
        counts={
            "households": len(households),
            "assessed": assessed_households - other,
            "measured": measures.n,
            "incomplete": measures.excluded + rescored_incomplete,
            "rescored": rescored_used,
            "other_version": other,
            "other_versions": {
                f"v{versions[pk]}": n
                for pk, n in sorted(other_versions.items(), key=lambda kv: versions[kv[0]])
            },
            "not_assessed": len(households) - assessed_households,
        },
        labels=_labels(framework),
    )
    return report


# ---------------------------------------------------------------------------------------------
# The Excel export of the figures


def _pct(value: float) -> float:
    return round(100 * value, 2)


def analytics_export(*, user: User, **filters: Any) -> tuple[IO[bytes], dict[str, Any]]:
    """The figures of ``analytics_for(user=user, **filters)`` as a workbook (summary,
    indicators, dimensions, subgroups, distribution); the export is audited."""
    from jiuzhu.core.services.exports import Sheet, write_xlsx

    require_analytics_access(user)
    report = analytics_for(user=user, **filters)
    labels, counts = report["labels"], report["counts"]
    percent = _("(%)")
    summary = [
        (_("Indicator framework"), f"{labels['framework']} v{report['framework_version']}"),
        (_("Source"), _("Rescored results") if report["source"] == "rescored" else _("Assessed")),
        (_("Poverty cutoff k"), report["k_exact"]),
        (_("Households in scope"), counts["households"]),
        (_("Households assessed under this version"), counts["assessed"]),
        (_("Households measured"), counts["measured"]),
        (_("Left out: answers missing"), counts["incomplete"]),
        (_("Not included: other framework version"), counts["other_version"]),
        (_("Not assessed"), counts["not_assessed"]),
        (_("Poor households (q)"), report["poor"]),
        (f"{_('Poverty headcount ratio (H)')} {percent}", _pct(report["H"])),
        (f"{_('Average deprivation share (A)')} {percent}", _pct(report["A"])),
        (_("Multidimensional poverty index (M0) = H × A"), round(report["M0"], 4)),
        (f"{_('Vulnerable (0.2 ≤ score < k)')} {percent}", _pct(report["vulnerable"])),
        (f"{_('Severe (score ≥ 0.5)')} {percent}", _pct(report["severe"])),
        (_("Exported at"), timezone.now()),
    ]
    dimension_names = labels["dimensions"]
    indicator_rows = [
        (
            code,
            labels["indicators"].get(code, code),
            dimension_names.get(item["dimension"], item["dimension"] or ""),
            round(item["weight"], 6),
            _pct(item["uncensored_headcount"]),
            _pct(item["censored_headcount"]),
            _pct(item["contribution"]),
        )
        for code, item in report["indicators"].items()
    ]
    dimension_rows = [
        (dimension_names.get(code, code), round(item["weight"], 6), _pct(item["contribution"]))
        for code, item in report["dimensions"].items()
    ]
    group_rows = [
        (
            label,
            item["n"],
            item["poor"],
            _pct(item["population_share"]),
            _pct(item["H"]),
            _pct(item["A"]),
            round(item["M0"], 4),
            _pct(item["contribution"]),
        )
        for label, item in (report.get("groups") or {}).items()
    ]
    distribution_rows = [
        (row["score_exact"], round(row["score"], 6), row["n"], _pct(row["share"]))
        for row in report["distribution"]
    ]
    sheets = [
        Sheet(_("Summary"), [_("Measure"), _("Value")], summary, (44, 28)),
        Sheet(
            _("Indicators"),
            [
                _("Code"),
                _("Indicator"),
                _("Dimension"),
                _("Weight"),
                f"{_('Uncensored headcount')} {percent}",
                f"{_('Censored headcount')} {percent}",
                f"{_('Contribution')} {percent}",
            ],
            indicator_rows,
            (20, 50, 14, 10, 16, 16, 14),
        ),
        Sheet(
            _("Dimensions"),
            [_("Dimension"), _("Weight"), f"{_('Contribution')} {percent}"],
            dimension_rows,
            (20, 10, 14),
        ),
        Sheet(
            _("Distribution"),
            [_("Score (exact)"), _("Score"), _("Households"), f"{_('Share')} {percent}"],
            distribution_rows,
            (14, 10, 12, 12),
        ),
    ]
    if report.get("by"):
        sheets.insert(
            3,
            Sheet(
                _("Subgroups"),
                [
                    _("Subgroup"),
                    _("Households"),
                    _("Poor"),
                    f"{_('Population share')} {percent}",
                    f"H {percent}",
                    f"A {percent}",
                    "M0",
                    f"{_('Contribution')} {percent}",
                ],
                group_rows,
                (22, 12, 10, 16, 10, 10, 10, 14),
            ),
        )
    output = write_xlsx(sheets)
    audit.record(
        actor=user,
        action=AuditAction.EXPORT,
        object_type="assessment.analytics",
        object_id=report["framework_id"],
        object_label=f"{labels['framework']} v{report['framework_version']}",
        detail={
            "by": report["by"] or "",
            "source": report["source"],
            **{key: value for key, value in report["filters"].items() if value},
            "households": counts["measured"],
        },
    )
    return output, report
