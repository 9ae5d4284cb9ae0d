"""Input of purchased-service projects and of a district's quality tiers, shared by the pages and
the API (the API feeds its JSON through the same forms, so the messages match). The services
check everything again."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jiuzhu.catalog.models import ServiceItem
from jiuzhu.core.forms import Form
from jiuzhu.evaluation.engine.quality import KPIS
from jiuzhu.evaluation.models import PeriodKind
from jiuzhu.evaluation.services.projects import TIERS_MAX, validate_tiers
from jiuzhu.orders.models import Provider

#: Item rows a form offers (filled ones plus blanks for new items).
ITEM_ROWS = 8


def kpi_labels() -> dict[str, Any]:
    return {
        "acceptance": _("Acceptance"),
        "timeliness": _("On-time completion"),
        "rating": _("Ratings"),
        "complaints": _("Free of complaints"),
        "confirmed": _("Confirmed by households"),
        "evidence": _("Delivery evidence without flags"),
        "spot_checks": _("Spot checks"),
    }


class ProjectForm(Form):
    """A project's terms. ``creating`` adds the fixed parts (contract number, provider, start,
    period kind); an edit changes only the rest."""

    name = forms.CharField(label=_("Project"), max_length=100)
    cycle_years = forms.TypedChoiceField(
        label=_("Cycle"),
        coerce=int,
        choices=[
            (1, _("One year")),
            (2, _("Two years")),
            (3, _("Three years")),
            (4, _("Four years")),
            (5, _("Five years")),
        ],
    )
    budget = forms.DecimalField(
        label=_("Budget (yuan)"), min_value=Decimal(0), max_digits=14, decimal_places=2
    )

    def __init__(
        self,
        *args: Any,
        creating: bool = False,
        providers=None,
        items=None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.creating = creating
        if creating:
            self.fields["code"] = forms.CharField(label=_("Contract number"), max_length=32)
            self.fields["provider"] = forms.ModelChoiceField(
                label=_("Provider"),
                queryset=providers if providers is not None else Provider.objects.none(),
            )
            self.fields["starts_on"] = forms.DateField(label=_("Starts"))
            self.fields["period_kind"] = forms.ChoiceField(
                label=_("Settlement period"), choices=PeriodKind.choices
            )
            self.order_fields(["code", "name", "provider", "starts_on", "cycle_years"])
        labels = kpi_labels()
        for kpi in KPIS:
            self.fields[f"w_{kpi}"] = forms.DecimalField(
                label=labels[kpi],
                required=False,
                min_value=Decimal(0),
                max_value=Decimal(100),
                max_digits=6,
                decimal_places=2,
            )
        queryset = items if items is not None else ServiceItem.objects.all()
        for i in range(ITEM_ROWS):
            self.fields[f"item_{i}"] = forms.ModelChoiceField(
                label=_("Service item"), queryset=queryset, required=False
            )
            self.fields[f"price_{i}"] = forms.DecimalField(
                label=_("Unit price (yuan)"),
                required=False,
                min_value=Decimal(0),
                max_digits=10,
                decimal_places=2,
            )
            self.fields[f"target_{i}"] = forms.IntegerField(
                label=_("Volume per period"), required=False, min_value=0, max_value=1_000_000
            )

    def item_rows(self) -> list[tuple[Any, Any, Any]]:
        """The bound fields of each item row, for the template."""
        return [
            (self[f"item_{i}"], self[f"price_{i}"], self[f"target_{i}"]) for i in range(ITEM_ROWS)
        ]

    def weight_fields(self) -> list[Any]:
        return [self[f"w_{kpi}"] for kpi in KPIS]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        weights = {kpi: float(data[f"w_{kpi}"]) for kpi in KPIS if data.get(f"w_{kpi}") is not None}
        if not any(w > 0 for w in weights.values()):
            self.add_error(None, _("Give at least one quality KPI a weight above 0."))
        data["kpi_weights"] = {k: w for k, w in weights.items() if w > 0}
        rows = []
        for i in range(ITEM_ROWS):
            item, price = data.get(f"item_{i}"), data.get(f"price_{i}")
            if item is None and price is None:
                continue
            if item is None or price is None:
                self.add_error(f"price_{i}", _("Give both the service item and its unit price."))
                continue
            rows.append((item, price, data.get(f"target_{i}") or 0))
        if not rows:
            self.add_error(None, _("A project buys at least one service item."))
        elif len({item.pk for item, _p, _t in rows}) != len(rows):
            self.add_error(None, _("List each service item once."))
        data["items"] = rows
        return data


class TiersForm(Form):
    """A district's quality tiers: up to ``TIERS_MAX`` rows of minimum score → pay percent."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i in range(TIERS_MAX):
            self.fields[f"minimum_{i}"] = forms.DecimalField(
                label=_("Minimum score"),
                required=False,
                min_value=Decimal(0),
                max_value=Decimal(100),
                max_digits=5,
                decimal_places=2,
            )
            self.fields[f"percent_{i}"] = forms.DecimalField(
                label=_("Pay percent"),
                required=False,
                min_value=Decimal(0),
                max_value=Decimal(100),
                max_digits=5,
                decimal_places=2,
            )

    def rows(self) -> list[tuple[Any, Any]]:
        return [(self[f"minimum_{i}"], self[f"percent_{i}"]) for i in range(TIERS_MAX)]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        tiers = []
        for i in range(TIERS_MAX):
            minimum, percent = data.get(f"minimum_{i}"), data.get(f"percent_{i}")
            if minimum is None and percent is None:
                continue
            if minimum is None or percent is None:
                self.add_error(f"percent_{i}", _("Give both the minimum score and the percent."))
                continue
            tiers.append((minimum, percent))
        for problem in validate_tiers(tiers):
            self.add_error(None, problem)
        data["tiers"] = tiers
        return data


def tiers_initial(tiers: list[list[str]]) -> dict[str, str]:
    initial: dict[str, str] = {}
    for i, (minimum, percent) in enumerate(tiers[:TIERS_MAX]):
        initial[f"minimum_{i}"] = minimum
        initial[f"percent_{i}"] = percent
    return initial


def project_initial(project) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "name": project.name,
        "cycle_years": project.cycle_years,
        "budget": project.budget,
    }
    for kpi, weight in (project.kpi_weights or {}).items():
        initial[f"w_{kpi}"] = weight
    for i, pi in enumerate(project.items.all()[:ITEM_ROWS]):
        initial[f"item_{i}"] = pi.item_id
        initial[f"price_{i}"] = pi.unit_price
        initial[f"target_{i}"] = pi.volume_target
    return initial
