"""The analytics page for managers: Alkire–Foster measures over the households in their area,
with filters in the query string, htmx refresh, ECharts charts and an Excel export
(``?format=xlsx`` on the same address, so the page needs one URL).

Every figure comes from ``selectors.analytics.analytics_for``; this module only reads the
filters and shapes the figures and the chart data (with translated labels) for the template.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiuzhu.assessment.models import FrameworkStatus, IndicatorFramework
from jiuzhu.assessment.selectors.analytics import (
    analytics_export,
    analytics_for,
    framework_choices,
    has_rescores,
    published_or_latest,
    require_analytics_access,
)
from jiuzhu.core.errors import DomainError
from jiuzhu.core.forms import Form
from jiuzhu.core.models import AreaLevel
from jiuzhu.core.selectors.areas import areas_within
from jiuzhu.core.services.exports import XLSX_CONTENT_TYPE, export_filename
from jiuzhu.core.views.common import domain_errors, is_htmx, vary_on_htmx

#: Decompositions offered at each level of the user's own area (the first is the default).
BY_FOR_LEVEL = {
    AreaLevel.CITY: ("district", "street", "group", "tier"),
    AreaLevel.DISTRICT: ("street", "group", "tier"),
    AreaLevel.STREET: ("group", "tier"),
    AreaLevel.COMMUNITY: ("group", "tier"),
}
BY_LABELS = {
    "district": gettext_lazy("District"),
    "street": gettext_lazy("Street"),
    "group": gettext_lazy("Primary group"),
    "tier": gettext_lazy("Assistance tier"),
}
COLOURS = {
    "primary": "#1a4f8b",
    "uncensored": "#9bb7d9",
    "censored": "#1a4f8b",
    "share": "#9bb7d9",
    "contribution": "#c2410c",
    "none": "#b8c2cf",
    "vulnerable": "#e0a526",
    "poor": "#e07b39",
    "severe": "#b42318",
}
VULNERABLE = Fraction(1, 5)
SEVERE = Fraction(1, 2)


def _status_label(framework: IndicatorFramework) -> str:
    return str(dict(FrameworkStatus.choices).get(framework.status, framework.status))


class AnalyticsFilterForm(Form):
    """The page's query string. A value that is not valid (an unknown version, an area outside
    the user's, a stale decomposition) is ignored, so an edited or old link still shows figures."""

    framework = forms.TypedChoiceField(
        label=gettext_lazy("Framework version"), coerce=int, empty_value=None, required=False
    )
    source = forms.ChoiceField(
        label=gettext_lazy("Results"),
        required=False,
        choices=[
            ("assessed", gettext_lazy("Assessed under this version")),
            ("rescored", gettext_lazy("Also households rescored under this version")),
        ],
    )
    district = forms.TypedChoiceField(
        label=gettext_lazy("District"), coerce=int, empty_value=None, required=False
    )
    street = forms.TypedChoiceField(
        label=gettext_lazy("Street"), coerce=int, empty_value=None, required=False
    )
    by = forms.ChoiceField(label=gettext_lazy("Decompose by"), required=False)

    def __init__(self, data, *, user):
        level = user.area.level if getattr(user, "area", None) else AreaLevel.COMMUNITY
        self.by_options = BY_FOR_LEVEL[level]
        default = published_or_latest()
        data = data.copy()  # the selects show the defaults the figures use
        if not data.get("framework") and default is not None:
            data["framework"] = str(default.version)
        if not data.get("by"):
            data["by"] = self.by_options[0]
        super().__init__(data)
        self.frameworks = framework_choices(user)
        self.fields["framework"].choices = [
            # Short enough for a phone: the framework's name is in the results' heading.
            (str(f.version), f"v{f.version}（{_status_label(f)}）")
            for f in self.frameworks
        ]
        self.fields["by"].choices = [(key, BY_LABELS[key]) for key in self.by_options]
        districts = list(areas_within(user, AreaLevel.DISTRICT).values_list("pk", "name", "code"))
        streets = list(areas_within(user, AreaLevel.STREET).values_list("pk", "name", "code"))
        if level == AreaLevel.CITY:
            self.fields["district"].choices = [("", _("All districts"))] + [
                (str(pk), name) for pk, name, _code in districts
            ]
        else:
            del self.fields["district"]
        if level in (AreaLevel.CITY, AreaLevel.DISTRICT):
            self.fields["street"].choices = [("", _("All streets"))] + [
                (str(pk), name) for pk, name, _code in streets
            ]
        else:
            del self.fields["street"]
        self.is_valid()
        data = self.cleaned_data
        chosen = next((code for pk, _n, code in districts if pk == data.get("district")), None)
        if "street" in self.fields:
            if level == AreaLevel.CITY and chosen is None:
                # A city-wide list of every street is too long: choose the district first.
                del self.fields["street"]
                data.pop("street", None)
            elif chosen is not None:
                inside = [(pk, name) for pk, name, code in streets if code[:6] == chosen[:6]]
                if data.get("street") not in {pk for pk, _n in inside}:
                    data["street"] = None
                self.fields["street"].choices = [("", _("All streets"))] + [
                    (str(pk), name) for pk, name in inside
                ]
        framework = (
            next((f for f in self.frameworks if f.version == data.get("framework")), None)
            or default
        )
        if framework is not None and framework not in self.frameworks:
            framework = self.frameworks[0] if self.frameworks else None
        self.framework = framework
        self.rescores = framework is not None and has_rescores(framework)
        if not self.rescores:
            del self.fields["source"]
        if not self.frameworks:
            del self.fields["framework"]

    def analytics_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "framework": self.framework,
            "by": data.get("by") or self.by_options[0],
            "district": data.get("district"),
            "street": data.get("street"),
            "source": (data.get("source") or "assessed") if self.rescores else "assessed",
        }

    def area_fields(self) -> list:
        return [self[name] for name in ("district", "street") if name in self.fields]


def _pct(value: float) -> str:
    return f"{100 * value:.1f}%"


def _weight(value: float) -> str:
    """A weight as a short fraction (1/18) when it is one, else as a decimal."""
    fraction = Fraction(value).limit_denominator(1000)
    if abs(float(fraction) - value) < 1e-12:
        return str(fraction)
    return f"{value:.4f}"


def _share_count(share: float, n: int) -> int:
    return round(share * n)


def _band(score: Fraction, k: Fraction) -> str:
    if score >= SEVERE:
        return "severe"
    if score >= k:
        return "poor"
    if score >= VULNERABLE:
        return "vulnerable"
    return "none"


def _bar_height(categories: int, series: int) -> float:
    """Chart height in rem: every bar readable on a phone."""
    return max(12.0, 3.5 + categories * max(1, series) * 1.15)


def _charts(report: dict[str, Any], rows: dict[str, list]) -> dict[str, Any]:
    """Chart specifications for analytics.js, every label already translated."""
    k = Fraction(report["k_exact"])
    dims = rows["dimensions"]
    inds = rows["indicators"]
    groups = rows["groups"]
    bands = [  # the cards and the notes spell out the definitions
        ("none", "< 0.2"),
        ("vulnerable", _("Vulnerable")),
        ("poor", _("Poor")),
        ("severe", _("Severe")),
    ]
    distribution = report["distribution"]
    band_of = [_band(Fraction(row["score_exact"]), k) for row in distribution]
    charts = {
        "dimensions": {
            "horizontal": True,
            "unit": "%",
            "categories": [row["label"] for row in dims],
            "series": [
                {
                    "name": _("Contribution to M0"),
                    "color": COLOURS["primary"],
                    "data": [round(100 * row["contribution"], 2) for row in dims],
                }
            ],
            "height": _bar_height(len(dims), 1),
        },
        "indicators": {
            "horizontal": True,
            "unit": "%",
            "legend": True,
            "categories": [row["label"] for row in inds],
            "series": [
                {
                    "name": _("Uncensored headcount ratio"),
                    "color": COLOURS["uncensored"],
                    "data": [round(100 * row["uncensored"], 2) for row in inds],
                },
                {
                    "name": _("Censored headcount ratio"),
                    "color": COLOURS["censored"],
                    "data": [round(100 * row["censored"], 2) for row in inds],
                },
            ],
            "height": _bar_height(len(inds), 2),
        },
        "distribution": {
            "horizontal": False,
            "stack": True,
            "legend": True,
            "unit": "",
            "valueName": _("Households"),
            "categoryName": _("Deprivation score"),
            "categories": [f"{row['score']:.2f}" for row in distribution],
            "series": [
                {
                    "name": name,
                    "color": COLOURS[band],
                    "data": [
                        row["n"] if band_of[i] == band else None
                        for i, row in enumerate(distribution)
                    ],
                }
                for band, name in bands
                if band in band_of
            ],
            "height": 18,
        },
    }
    if groups:
        charts["groups"] = {
            "horizontal": True,
            "unit": "%",
            "legend": True,
            "categories": [row["label"] for row in groups],
            "series": [
                {
                    "name": _("Population share"),
                    "color": COLOURS["share"],
                    "data": [round(100 * row["population_share"], 2) for row in groups],
                },
                {
                    "name": _("Contribution to M0"),
                    "color": COLOURS["contribution"],
                    "data": [round(100 * row["contribution"], 2) for row in groups],
                },
            ],
            "height": _bar_height(len(groups), 2),
        }
    return charts


def _rows(report: dict[str, Any]) -> dict[str, list]:
    labels = report["labels"]
    dimension_names = labels["dimensions"]
    indicators = [
        {
            "code": code,
            "label": labels["indicators"].get(code, code),
            "dimension": dimension_names.get(item["dimension"], item["dimension"] or ""),
            "weight": item["weight"],
            "weight_text": _weight(item["weight"]),
            "uncensored": item["uncensored_headcount"],
            "censored": item["censored_headcount"],
            "contribution": item["contribution"],
            "uncensored_pct": _pct(item["uncensored_headcount"]),
            "censored_pct": _pct(item["censored_headcount"]),
            "contribution_pct": _pct(item["contribution"]),
        }
        for code, item in report["indicators"].items()
    ]
    dimensions = [
        {
            "code": code,
            "label": dimension_names.get(code, code),
            "weight": item["weight"],
            "weight_text": _weight(item["weight"]),
            "contribution": item["contribution"],
            "contribution_pct": _pct(item["contribution"]),
        }
        for code, item in report["dimensions"].items()
    ]
    groups = [
        {
            "label": label,
            **item,
            "population_share_pct": _pct(item["population_share"]),
            "H_pct": _pct(item["H"]),
            "A_pct": _pct(item["A"]),
            "M0_text": f"{item['M0']:.3f}",
            "contribution_pct": _pct(item["contribution"]),
        }
        for label, item in (report.get("groups") or {}).items()
    ]
    distribution = [
        {
            "score": row["score_exact"],
            "score_text": f"{row['score']:.3f}",
            "n": row["n"],
            "share_pct": _pct(row["share"]),
        }
        for row in report["distribution"]
    ]
    return {
        "indicators": indicators,
        "dimensions": dimensions,
        "groups": groups,
        "distribution": distribution,
    }


def _cards(report: dict[str, Any]) -> list[dict[str, Any]]:
    n = report["n"]
    return [
        {
            "value": _pct(report["H"]),
            "label": _("Poverty headcount ratio (H)"),
            "detail": _(
                "The share of households that are poor: %(q)s of %(n)s have a score ≥ k = %(k)s"
            )
            % {"q": f"{report['poor']:,}", "n": f"{n:,}", "k": report["k_exact"]},
            "tone": "urgent",
        },
        {
            "value": _pct(report["A"]),
            "label": _("Average deprivation share (A)"),
            "detail": _(
                "How poor the poor are: the average share of (weighted) indicators in which "
                "a poor household is deprived"
            ),
            "tone": "",
        },
        {
            "value": f"{report['M0']:.3f}",
            "label": _("Multidimensional poverty index (M0)"),
            "detail": _("H × A: how many are poor and how poor, from 0 (none) to 1 (all, in all)"),
            "tone": "urgent",
        },
        {
            "value": _pct(report["vulnerable"]),
            "label": _("Vulnerable"),
            "detail": _("%(count)s households with 0.2 ≤ score < k")
            % {"count": f"{_share_count(report['vulnerable'], n):,}"},
            "tone": "",
        },
        {
            "value": _pct(report["severe"]),
            "label": _("Severe"),
            "detail": _("%(count)s households with score ≥ 0.5")
            % {"count": f"{_share_count(report['severe'], n):,}"},
            "tone": "urgent",
        },
        {
            "value": f"{n:,}",
            "label": _("Households assessed"),
            "detail": _("of %(households)s households in scope")
            % {"households": f"{report['counts']['households']:,}"},
            "tone": "ok",
        },
    ]


def _query(request, **changes: str) -> str:
    params = request.GET.copy()
    for key, value in changes.items():
        params[key] = value
    return params.urlencode()


@login_required
@domain_errors
def analytics_page(request):
    require_analytics_access(request.user)
    form = AnalyticsFilterForm(request.GET, user=request.user)
    if request.GET.get("format") == "xlsx" and form.framework is not None:
        output, _report = analytics_export(user=request.user, **form.analytics_kwargs())
        response = FileResponse(
            output,
            as_attachment=True,
            filename=export_filename("analytics"),
            content_type=XLSX_CONTENT_TYPE,
        )
        response["Cache-Control"] = "no-store"
        return response
    context: dict[str, Any] = {"form": form, "page_url": request.path, "report": None}
    if form.framework is not None:
        try:
            report = analytics_for(user=request.user, **form.analytics_kwargs())
        except DomainError as error:  # e.g. an area the form could not rule out
            context["error"] = error.message
        else:
            rows = _rows(report)
            counts = report["counts"]
            context.update(
                report=report,
                cards=_cards(report),
                rows=rows,
                charts=_charts(report, rows),
                by_label=BY_LABELS.get(report["by"] or "", ""),
                counts=counts,
                other_versions=", ".join(
                    f"{version}: {count}" for version, count in counts["other_versions"].items()
                ),
                export_query=_query(request, format="xlsx"),
            )
    partial = is_htmx(request)
    context["partial"] = partial
    template = "assessment/analytics/_results.html" if partial else "assessment/analytics.html"
    return vary_on_htmx(render(request, template, context))
