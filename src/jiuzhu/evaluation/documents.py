"""Printable documents of evaluation (core/pdf.py): a provider's settlement statement (the PDF
of the A4 print view ``evaluation/statement_print.html``) and the monthly district report (also
an Excel workbook through the audited export path)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from jiuzhu.core.pdf import Document, Facts, Section, Table, Text, cell
from jiuzhu.core.services.exports import Sheet
from jiuzhu.evaluation.models import Statement
from jiuzhu.evaluation.selectors.monthly import MonthlyReport
from jiuzhu.orders.models import Order


def kpi_label(kpi: str) -> str:
    labels = {
        "acceptance": _("Acceptance"),
        "timeliness": _("On-time completion"),
        "rating": _("Ratings"),
        "complaints": _("Free of complaints"),
        "confirmed": _("Confirmed by households"),
        "evidence": _("Delivery evidence without flags"),
        "spot_checks": _("Spot checks"),
    }
    return labels.get(kpi, kpi)


def statement_document(*, statement: Statement) -> Document:
    project = statement.project
    lines = list(statement.lines.select_related("item"))
    numbers = dict(
        Order.objects.filter(pk__in=[pk for line in lines for pk in line.orders]).values_list(
            "pk", "number"
        )
    )
    rows = []
    for line in lines:
        description = line.description
        if line.kind == "correction":
            description += f" ({_('Correction')})"
        if line.dispute:
            description += f" ({line.get_dispute_display()})"
        counted = [numbers[pk] for pk in line.orders if pk in numbers]
        if counted:
            description += "\n" + _("Orders counted") + "：" + "、".join(counted)
        rows.append(
            [
                description,
                cell(line.unit_price),
                str(line.quantity),
                str(line.gross),
                f"{line.percent}%",
                str(line.amount),
            ]
        )
    rows += [
        [_("Deliveries at unit price"), "", "", "", "", str(statement.gross)],
        [_("Withheld by quality"), "", "", "", "", f"−{statement.withheld}"],
        [_("Corrections"), "", "", "", "", str(statement.corrections_total)],
        [_("Total (yuan)"), "", "", "", "", str(statement.total)],
    ]
    parts = [
        [
            kpi_label(part["kpi"]),
            f"{part['figure']:.3f}" if part.get("used") else _("no data"),
            str(part.get("weight", "")),
            f"{part.get('points') or 0:.2f}",
        ]
        for part in statement.quality.get("parts", [])
    ]
    tiers = "; ".join(f"≥ {t[0]} → {t[1]}%" for t in statement.tiers)
    return Document(
        title=_("Settlement statement for purchased services"),
        subtitle=f"{project.code} · {statement.period}",
        stem=f"statement-{project.code}-{statement.period}",
        facts=[
            (_("Provider"), project.provider.organisation.name),
            (_("Project"), f"{project.name} {project.code}"),
            (
                _("Period"),
                f"{statement.period} "
                f"({cell(statement.period_start)} – {cell(statement.period_end)})",
            ),
            (
                _("Status"),
                f"{statement.get_status_display()} {cell(statement.approved_at)}"
                if statement.approved_at
                else statement.get_status_display(),
            ),
        ],
        sections=[
            Section(
                _("Quality score") + f"：{statement.score if statement.score is not None else '—'}"
                f" → {statement.percent}%",
                [
                    Table(
                        headers=[_("KPI"), _("Figure"), _("Weight"), _("Points")],
                        rows=parts,
                        widths=(40, 20, 20, 20),
                        numeric=frozenset({1, 2, 3}),
                        empty=_("No quality figures in this period: paid without adjustment."),
                    ),
                    Text(tiers, muted=True),
                ],
            ),
            Section(
                _("Lines"),
                [
                    Table(
                        headers=[
                            _("Line"),
                            _("Unit price (yuan)"),
                            _("Quantity"),
                            _("Deliveries at unit price"),
                            _("Pay percent"),
                            _("Amount (yuan)"),
                        ],
                        rows=rows,
                        widths=(50, 16, 12, 18, 14, 18),
                        numeric=frozenset({1, 2, 3, 4, 5}),
                    ),
                    Text(
                        _(
                            "Rounding: each line is rounded once to 0.01 yuan, half up; the total "
                            "is the exact sum of the lines."
                        ),
                        muted=True,
                    ),
                ],
            ),
        ],
        signatures=[_("Provider (seal)"), _("District civil affairs (seal)")],
    )


def monthly_document(*, report: MonthlyReport) -> Document:
    return Document(
        title=_("Monthly district report"),
        subtitle=f"{report.district.name} · {report.month_text}",
        stem=f"monthly-{report.district.code}-{report.month_text}",
        facts=[(_("District"), report.district.name), (_("Month"), report.month_text)],
        sections=[
            Section(
                title,
                [Facts([(figure.label, str(figure.value)) for figure in figures])],
            )
            for title, figures in report.sections
        ]
        + [
            Section(
                _("Notes"),
                [
                    Text(
                        _(
                            "Household figures are as recorded when the report is made; the "
                            "others count what happened in the month."
                        ),
                        muted=True,
                    )
                ],
            )
        ],
        signatures=[_("Prepared by"), _("Reviewed by")],
    )


def monthly_sheet(*, report: MonthlyReport) -> Sheet:
    """The report as one sheet: section, figure, value (numbers stay numbers)."""
    return Sheet(
        title=f"{report.district.name} {report.month_text}",
        headers=[_("Section"), _("Figure"), _("Value")],
        rows=[
            [title, figure.label, figure.value]
            for title, figures in report.sections
            for figure in figures
        ],
        widths=(18, 36, 14),
    )
