"""Reads of projects, statements and spot checks, through ``core.scoping.visible``."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from jiuzhu.core.errors import NotFound
from jiuzhu.core.models import Area, AreaLevel, User
from jiuzhu.core.scoping import require_granted, visible
from jiuzhu.evaluation import policy
from jiuzhu.evaluation.engine.settlement import DEFAULT_TIERS
from jiuzhu.evaluation.models import (
    LOCKED,
    Project,
    SettlementRule,
    SpotCheck,
    Statement,
    StatementLine,
)


def project_list(*, user: User) -> QuerySet[Project]:
    """Visible projects with their spent and pending totals annotated (no query per row)."""
    require_granted(user, Project)
    return (
        visible(user, Project.objects.all())
        .select_related("provider__organisation", "district")
        .prefetch_related("items__item")
        .annotate(
            spent_total=Sum("statements__total", filter=Q(statements__status__in=LOCKED)),
            pending_total=Sum("statements__total", filter=~Q(statements__status__in=LOCKED)),
        )
    )


def project_get_for(*, user: User, project_id: int) -> Project:
    found = (
        visible(user, Project.objects.filter(pk=project_id))
        .select_related("provider__organisation", "district")
        .prefetch_related("items__item")
        .first()
    )
    if found is None:
        raise NotFound("project")
    return found


def statement_list(*, user: User) -> QuerySet[Statement]:
    require_granted(user, Statement)
    return visible(user, Statement.objects.all()).select_related(
        "project__provider__organisation", "project__district"
    )


def statement_get_for(*, user: User, statement_id: int) -> Statement:
    found = (
        visible(user, Statement.objects.filter(pk=statement_id))
        .select_related("project__provider__organisation", "project__district")
        .first()
    )
    if found is None:
        raise NotFound("statement")
    return found


def line_get_for(*, user: User, line_id: int) -> StatementLine:
    line = StatementLine.objects.filter(pk=line_id).select_related("statement").first()
    if line is None or not visible(user, Statement.objects.filter(pk=line.statement_id)).exists():
        raise NotFound("statement line")
    return line


def spot_check_list(*, user: User, project: Project) -> QuerySet[SpotCheck]:
    return visible(user, SpotCheck.objects.filter(project=project)).select_related("by")


def budget_spent(project: Project) -> dict[str, Decimal]:
    """Locked statements' totals (spent) and those still in draft or submitted (pending)."""
    annotated = vars(project)
    if "spent_total" in annotated:  # annotated by project_list
        totals = {"spent": annotated["spent_total"], "pending": annotated["pending_total"]}
    else:
        totals = {
            "spent": project.statements.filter(status__in=LOCKED).aggregate(s=Sum("total"))["s"],
            "pending": project.statements.exclude(status__in=LOCKED).aggregate(s=Sum("total"))["s"],
        }
    spent = totals["spent"] or Decimal("0")
    return {
        "spent": spent,
        "pending": totals["pending"] or Decimal("0"),
        "left": project.budget - spent,
    }


def district_tiers_get_for(*, user: User, district_id: int) -> tuple[Area, list[list[str]], bool]:
    """A district's quality tiers as ``[[minimum, percent], …]`` (the default tiers when it has
        set none) and whether they are its own configured ones. District managers see their own
        district's, the city administrator every district's; any other district, and every district
    for other roles, is ``NotFound`` (the same answer as for no such district)."""
    area = user.area if policy.can_read_tiers(user) else None
    district = Area.objects.filter(pk=district_id, level=AreaLevel.DISTRICT).first()
    if (
        district is None
        or area is None
        or (area.level != AreaLevel.CITY and area.pk != district.pk)
    ):
        raise NotFound("district")
    rule = SettlementRule.objects.filter(district=district).first()
    if rule is None:
        return district, [[str(t.minimum), str(t.percent)] for t in DEFAULT_TIERS], False
    return district, [list(row) for row in rule.tiers], True
