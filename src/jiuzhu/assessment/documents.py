"""Printable documents of the assessment (core/pdf.py): the assessment report (评·摸·问) with
the household's plan (开, 一户一策) — what the assessment found, what the household asked for,
and the services and material assistance prescribed, with a line for each signature."""

from __future__ import annotations

from django.utils.translation import gettext as _

from jiuzhu.assessment.models import Assessment, Plan
from jiuzhu.assessment.selectors.frameworks import framework_dimensions
from jiuzhu.assessment.views.common import (
    baseline_view,
    group_labels,
    indicator_label,
    localized,
    need_label,
    percent_text,
    tag_explanation,
    tag_label,
)
from jiuzhu.assessment.views.plans import item_reason, material_reason
from jiuzhu.core.models import User
from jiuzhu.core.pdf import Document, Facts, Section, Table, Text, cell
from jiuzhu.registry.documents import household_facts


def _yuan(value) -> str:
    return "—" if value is None else _("%(amount)s yuan") % {"amount": f"{float(value):.2f}"}


def _baseline(assessment: Assessment) -> Section:
    view = baseline_view(assessment.baseline)
    if not view:
        return Section(_("Baseline (摸)"), [Text(_("No baseline was recorded."), muted=True)])
    return Section(
        _("Baseline (摸)"),
        [
            Facts(
                [
                    (_("Monthly income"), _yuan(view["monthly_income"])),
                    (_("Per-capita income"), _yuan(view["per_capita"])),
                    (_("Dibao line"), _yuan(view["dibao_line"])),
                    (_("Medical spending (12 months)"), _yuan(view["medical_spending_12m"])),
                    (_("Education spending (12 months)"), _yuan(view["education_spending_12m"])),
                    (_("Assistance tier"), str(view["tier"])),
                ]
            ),
            Table(
                headers=[
                    _("Age"),
                    _("Relation"),
                    _("Disability"),
                    _("Illness"),
                    _("Employment"),
                    _("Schooling"),
                ],
                rows=[
                    [
                        str(m["age"]),
                        str(m["relation"]),
                        " ".join(
                            x for x in (str(m["disability"]), str(m["disability_grade"] or "")) if x
                        ),
                        str(m["illness"]),
                        str(m["employment"]),
                        str(m["schooling"]),
                    ]
                    for m in view["members"]
                ],
                numeric=frozenset({0}),
                widths=(10, 18, 22, 22, 20, 18),
            ),
        ],
    )


def _result(assessment: Assessment, dimensions, labels: dict[str, str]) -> Section:
    deprived = set(assessment.deprived)
    critical = set(assessment.critical)
    rows = []
    for dimension in dimensions:
        indicators = list(dimension.indicators.all())
        hits = [
            indicator_label(i) + (" " + _("(critical)") if i.code in critical else "")
            for i in indicators
            if i.code in deprived
        ]
        rows.append(
            [
                localized(dimension.name, dimension.name_en),
                "；".join(hits) or _("Not deprived"),
                f"{len(hits)}/{len(indicators)}",
            ]
        )
    score = (
        f"{percent_text(assessment.score)} ({assessment.score_exact})"
        if assessment.score is not None
        else "—"
    )
    poor = {True: _("Yes"), False: _("No"), None: "—"}[assessment.poor]
    blocks: list = [
        Facts(
            [
                (_("Deprivation score"), score),
                (_("Multidimensionally poor"), poor),
                (_("Urgency tag"), tag_label(assessment.urgency_tag) or "—"),
                (_("Groups"), "、".join(group_labels(assessment.groups)) or "—"),
            ]
        )
    ]
    note = tag_explanation(
        tag=assessment.urgency_tag,
        poor=assessment.poor,
        critical=list(assessment.critical),
        labels=labels,
    )
    if note:
        blocks.append(Text(note, muted=True))
    blocks.append(
        Table(
            headers=[_("Dimension"), _("Deprived indicators"), _("Deprived")],
            rows=rows,
            widths=(20, 65, 12),
            numeric=frozenset({2}),
        )
    )
    return Section(_("Assessment result (评)"), blocks)


def _wishes(assessment: Assessment) -> Section:
    needs = sorted(
        assessment.needs.select_related("category"),
        key=lambda need: (need.category.position, need.position, need.code),
    )
    return Section(
        _("The household's wishes and needs (问)"),
        [
            Facts(
                [
                    (_("In their words"), assessment.wishes or "—"),
                    (_("Needs"), "、".join(need_label(n) for n in needs) or "—"),
                ]
            )
        ],
    )


def _plan(plan: Plan | None, labels: dict[str, str]) -> Section:
    title = _("Assistance plan (开, one plan per household)")
    if plan is None:
        return Section(title, [Text(_("No plan was made from this assessment."), muted=True)])
    items = sorted(
        plan.items.select_related("service_item__category__level", "need"),
        key=lambda item: (
            not item.urgent,
            item.service_item.category.level.position,
            item.service_item.category.position,
            item.service_item.position,
            item.pk,
        ),
    )
    return Section(
        title,
        [
            Facts(
                [
                    (_("Plan status"), plan.get_status_display()),
                    (_("Urgency tag"), tag_label(plan.urgency_tag) or "—"),
                    (_("Services start on"), cell(plan.starts_on)),
                    (
                        _("Approved"),
                        f"{cell(plan.approved_at)} {plan.approved_by or ''}".strip()
                        if plan.approved_at
                        else "—",
                    ),
                ]
            ),
            Table(
                headers=[
                    _("Service"),
                    _("Service level"),
                    _("Times per month"),
                    _("For months"),
                    _("Why"),
                ],
                rows=[
                    [
                        localized(item.service_item.name, item.service_item.name_en)
                        + (" " + _("(urgent)") if item.urgent else ""),
                        localized(
                            item.service_item.category.level.name,
                            item.service_item.category.level.name_en,
                        ),
                        str(item.per_month),
                        str(item.months),
                        item_reason(item, labels),
                    ]
                    for item in items
                ],
                widths=(30, 28, 12, 12, 40),
                numeric=frozenset({2, 3}),
                empty=_("No services in the plan."),
            ),
            Table(
                headers=[_("Material assistance"), _("Why"), _("Status")],
                rows=[
                    [
                        m.get_kind_display(),
                        material_reason(m.reason, labels),
                        m.get_referral_status_display(),
                    ]
                    for m in plan.materials.order_by("id")
                ],
                widths=(40, 45, 15),
                empty=_("No material assistance recommended."),
            ),
        ]
        + ([Text(plan.note)] if plan.note else []),
    )


def assessment_report(*, user: User, assessment: Assessment) -> Document:
    """The report of a submitted assessment and the plan made from it."""
    dimensions = framework_dimensions(assessment.framework)
    labels = {i.code: indicator_label(i) for d in dimensions for i in d.indicators.all()}
    plan = getattr(assessment, "plan", None)
    framework = assessment.framework
    return Document(
        title=_("Assessment report and assistance plan"),
        subtitle=_("Assess, baseline, ask, prescribe (评·摸·问·开)"),
        stem=f"assessment-{assessment.pk}",
        facts=[
            *household_facts(assessment.household),
            (_("Reason"), assessment.get_reason_display()),
            (_("Indicator framework"), f"{framework.name} v{framework.version}"),
            (_("Assessor"), str(assessment.assessor or "—")),
            (_("Submitted"), cell(assessment.submitted_at)),
        ],
        sections=[
            _baseline(assessment),
            _result(assessment, dimensions, labels),
            _wishes(assessment),
            _plan(plan, labels),
        ],
        signatures=[_("Assessor"), _("Street caseworker"), _("Household")],
    )
