"""The monthly district report: one month of one district in figures — households, assessments
and plans, services ordered and delivered, the hotline, settlement. Every figure is counted from
the reader's own scoped rows (``core.scoping.visible``), so a district manager's report counts
only their district and a city administrator may choose any district of the city.

Household figures are as recorded when the report is made (the registry keeps no monthly
snapshot); the other figures count what happened inside the month."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Avg, Count, F, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from jiuzhu.assessment.models import Assessment, AssessmentStatus, Plan
from jiuzhu.core.errors import NotFound
from jiuzhu.core.models import Area, AreaLevel, User
from jiuzhu.core.scoping import visible
from jiuzhu.core.selectors.areas import areas_within
from jiuzhu.dispatch.models import Ticket
from jiuzhu.evaluation.models import Statement
from jiuzhu.orders.models import Order, OrderStatus
from jiuzhu.registry.models import Household, HouseholdStatus, Tier, UrgencyTag


@dataclass
class Figure:
    label: str
    value: int | str


@dataclass
class MonthlyReport:
    district: Area
    month: dt.date  # the first day
    sections: list[tuple[str, list[Figure]]]

    @property
    def month_text(self) -> str:
        return self.month.strftime("%Y-%m")


def report_districts(*, user: User) -> QuerySet[Area]:
    """The districts the user may report on: their own, or every district of the city."""
    return areas_within(user, level=AreaLevel.DISTRICT).order_by("code")


def report_district_get_for(*, user: User, district_id: int | None) -> Area:
    districts = report_districts(user=user)
    district = districts.filter(pk=district_id).first() if district_id else districts.first()
    if district is None:
        raise NotFound("district")
    return district


def _bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(month, dt.time.min, tzinfo=zone)
    return start, dt.datetime.combine(following, dt.time.min, tzinfo=zone)


def _avg(value) -> str:
    return "—" if value is None else f"{float(value):.2f}"


def monthly_report(*, user: User, district: Area, month: dt.date) -> MonthlyReport:
    start, end = _bounds(month)
    inside = Q(created_at__gte=start, created_at__lt=end)

    households = visible(user, Household.objects.filter(district=district))
    h = households.aggregate(
        active=Count("pk", filter=Q(status=HouseholdStatus.ACTIVE)),
        new=Count("pk", filter=inside),
        exited=Count("pk", filter=Q(exited_on__gte=start.date(), exited_on__lt=end.date())),
        **{
            f"tier_{tier}": Count("pk", filter=Q(status=HouseholdStatus.ACTIVE, tier=tier))
            for tier in Tier.values
        },
        **{
            f"tag_{tag}": Count("pk", filter=Q(status=HouseholdStatus.ACTIVE, urgency_tag=tag))
            for tag in UrgencyTag.values
        },
    )
    assessments = visible(user, Assessment.objects.filter(household__district=district)).filter(
        status=AssessmentStatus.SUBMITTED, submitted_at__gte=start, submitted_at__lt=end
    )
    a = assessments.aggregate(
        total=Count("pk"),
        poor=Count("pk", filter=Q(poor=True)),
        urgent=Count("pk", filter=Q(urgency_tag=UrgencyTag.URGENT)),
    )
    plans = visible(user, Plan.objects.filter(household__district=district)).filter(
        approved_at__gte=start, approved_at__lt=end
    )
    orders = visible(user, Order.objects.filter(household__district=district))
    o = orders.aggregate(
        placed=Count("pk", filter=inside),
        completed=Count("pk", filter=Q(completed_at__gte=start, completed_at__lt=end)),
        households=Count(
            "household", distinct=True, filter=Q(completed_at__gte=start, completed_at__lt=end)
        ),
        cancelled=Count(
            "pk",
            filter=Q(status=OrderStatus.CANCELLED, cancelled_at__gte=start, cancelled_at__lt=end),
        ),
        rating=Avg("rating__score", filter=Q(completed_at__gte=start, completed_at__lt=end)),
    )
    tickets = visible(user, Ticket.objects.filter(district=district))
    t = tickets.aggregate(
        received=Count("pk", filter=inside),
        closed=Count("pk", filter=Q(closed_at__gte=start, closed_at__lt=end)),
        late=Count(
            "pk",
            filter=inside
            & (
                Q(handled_at__gt=F("respond_by"))
                | Q(handled_at__isnull=True, respond_by__lt=timezone.now())
            ),
        ),
        satisfaction=Avg("satisfaction", filter=Q(closed_at__gte=start, closed_at__lt=end)),
    )
    statements = visible(user, Statement.objects.filter(project__district=district)).filter(
        period_start__gte=month, period_start__lt=end.date()
    )
    s = statements.aggregate(count=Count("pk"), total=Sum("total"), withheld=Sum("withheld"))

    sections = [
        (
            _("Households"),
            [
                Figure(_("Active households"), h["active"]),
                Figure(_("Registered this month"), h["new"]),
                Figure(_("Exited this month"), h["exited"]),
                *(Figure(str(label), h[f"tier_{tier}"]) for tier, label in Tier.choices),
                *(Figure(str(label), h[f"tag_{tag}"]) for tag, label in UrgencyTag.choices),
            ],
        ),
        (
            _("Assessments and plans"),
            [
                Figure(_("Assessments submitted"), a["total"]),
                Figure(_("Of which multidimensionally poor"), a["poor"]),
                Figure(_("Of which urgent intervention"), a["urgent"]),
                Figure(_("Plans approved"), plans.count()),
            ],
        ),
        (
            _("Services"),
            [
                Figure(_("Orders placed"), o["placed"]),
                Figure(_("Services delivered (person-times)"), o["completed"]),
                Figure(_("Households served"), o["households"]),
                Figure(_("Orders cancelled"), o["cancelled"]),
                Figure(_("Average rating"), _avg(o["rating"])),
            ],
        ),
        (
            _("Supervision hotline"),
            [
                Figure(_("Tickets received"), t["received"]),
                Figure(_("Tickets closed"), t["closed"]),
                Figure(_("Received and not handled in time"), t["late"]),
                Figure(_("Average satisfaction"), _avg(t["satisfaction"])),
            ],
        ),
        (
            _("Settlement"),
            [
                Figure(_("Settlement statements"), s["count"]),
                Figure(_("Total (yuan)"), f"{s['total'] or 0:.2f}"),
                Figure(_("Withheld by quality"), f"{s['withheld'] or 0:.2f}"),
            ],
        ),
    ]
    return MonthlyReport(district=district, month=month, sections=sections)
