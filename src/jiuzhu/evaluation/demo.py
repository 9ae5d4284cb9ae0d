"""The evaluation app's demo steps."""

from __future__ import annotations

# Projects and settlement
import datetime as dt
from decimal import Decimal

from django.utils import timezone

from jiuzhu.core.demo import DemoContext, demo_step
from jiuzhu.core.models import Area, Role, User
from jiuzhu.evaluation.models import Project
from jiuzhu.orders.models import Order, OrderStatus, Provider

DEMO_WEIGHTS = {
    "acceptance": 1,
    "timeliness": 2,
    "rating": 2,
    "complaints": 1,
    "confirmed": 2,
    "evidence": 1,
    "spot_checks": 1,
}


@demo_step(99, "settlement")
def settlement(context: DemoContext) -> None:
    """Purchased-service projects for two of Qixia's providers (this calendar year, monthly),
    a spot check and this month's draft statements, for the district manager to approve."""
    from jiuzhu.evaluation.services.projects import project_create, spot_check_record
    from jiuzhu.evaluation.services.statements import statement_draft

    if Project.objects.exists():
        return
    district = Area.objects.filter(code="320113").first()
    manager = User.objects.filter(role=Role.DISTRICT_MANAGER, area=district).order_by("pk").first()
    if district is None or manager is None:
        return
    today = timezone.localdate()
    providers = Provider.objects.filter(active=True, streets__parent=district).distinct()
    for index, provider in enumerate(providers.order_by("pk")[:2], start=1):
        items = list(provider.items.order_by("pk")[:3])
        if not items:
            continue
        project = project_create(
            actor=manager,
            code=f"QX-GP-{today.year}-{index:03d}",
            name=f"{provider.organisation.name} {today.year}",
            provider=provider,
            district=district,
            starts_on=dt.date(today.year, 1, 1),
            cycle_years=1,
            period_kind="month",
            budget=Decimal("200000.00"),
            kpi_weights=DEMO_WEIGHTS,
            items=[(item, item.price or Decimal("20.00"), 200) for item in items],
        )
        sampled = list(
            Order.objects.filter(provider=provider, status=OrderStatus.COMPLETED).order_by("pk")[:2]
        )
        spot_check_record(
            actor=manager,
            project=project,
            checked_on=today,
            method="phone",
            orders=sampled,
            findings="电话回访抽查，服务内容与记录一致",
            score=88 if index == 1 else 72,
        )
        statement_draft(actor=manager, project=project, period=today.strftime("%Y-%m"))
    context.say("settlement: projects, a spot check and this month's draft statements")
