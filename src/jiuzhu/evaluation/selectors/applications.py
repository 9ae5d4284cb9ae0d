"""Reading applications: the scoped lookup and list, who may see the reviewers' scores, the
ranked shortlist, and the platform's own record of an organisation that served before."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet

from jiuzhu.core.errors import NotFound
from jiuzhu.core.models import Area, User
from jiuzhu.core.scoping import visible
from jiuzhu.evaluation.engine.screening import application_score, rank
from jiuzhu.evaluation.models import Application, ApplicationStatus, Review
from jiuzhu.orders.models import Complaint, Order, OrderStatus, Provider
from jiuzhu.orders.selectors.provider_facts import rating_summary

SORTS = {
    "newest": ("-created_at", "-id"),
    "oldest": ("created_at", "id"),
    "name": ("name", "id"),
    "status": ("status", "-created_at"),
}
#: Statuses in which reviews are still being given (scores are hidden from those who have not
#: given theirs).
OPEN = (ApplicationStatus.SUBMITTED, ApplicationStatus.SCREENING)


@dataclass(frozen=True)
class ApplicationFilters:
    status: str = ""
    q: str = ""
    sort: str = "newest"


def application_list(
    *, user: User, filters: ApplicationFilters | None = None
) -> QuerySet[Application]:
    filters = filters or ApplicationFilters()
    queryset = visible(user, Application.objects.all())
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.q:
        queryset = queryset.filter(
            Q(name__icontains=filters.q) | Q(number__iexact=filters.q) | Q(uscc__iexact=filters.q)
        )
    return (
        queryset.select_related("district", "street")
        .annotate(review_count=Count("reviews"))
        .order_by(*SORTS.get(filters.sort, SORTS["newest"]))
    )


def application_get_for(*, user: User, application_id: int) -> Application:
    found = (
        visible(user, Application.objects.all())
        .select_related("district", "street", "provider__organisation", "decided_by")
        .filter(pk=application_id)
        .first()
    )
    if found is None:
        raise NotFound("application")
    return found


def has_reviewed(user: User, application: Application) -> bool:
    return Review.objects.filter(application=application, reviewer_id=user.pk).exists()


def scores_visible(user: User, application: Application) -> bool:
    """While reviews are open a reviewer sees the others' scores only once they have submitted
    their own (independent scoring); after that, whoever sees the application sees them."""
    return application.status not in OPEN or has_reviewed(user, application)


def application_reviews(application: Application) -> list[Review]:
    return list(
        application.reviews.select_related("reviewer").prefetch_related("scores").order_by("id")
    )


@dataclass
class RankRow:
    application: Application
    score: Decimal | None
    rank: int | None
    reviews: list[Review] = field(default_factory=list)
    hidden: bool = False


def ranking(*, user: User, district: Area | None = None) -> list[RankRow]:
    """The district's applications in screening, shortlisted or approved, ranked by their mean
    weighted score, with every review. Applications whose scores ``user`` may not see yet
    (still in review and not reviewed by them) are listed without score or rank."""
    queryset = visible(user, Application.objects.all()).filter(
        status__in=[
            ApplicationStatus.SCREENING,
            ApplicationStatus.SHORTLISTED,
            ApplicationStatus.APPROVED,
        ]
    )
    if district is not None:
        queryset = queryset.filter(district=district)
    applications = list(
        queryset.select_related("district")
        .prefetch_related("reviews__scores", "reviews__reviewer")
        .order_by("created_at", "id")
    )
    reviewed = set(
        Review.objects.filter(
            reviewer_id=user.pk, application__in=[a.pk for a in applications]
        ).values_list("application_id", flat=True)
    )
    rows: dict[int, RankRow] = {}
    scores: list[tuple[int, Decimal | None]] = []
    for application in applications:
        reviews = sorted(application.reviews.all(), key=lambda r: r.pk)
        hidden = application.status in OPEN and application.pk not in reviewed
        score = None if hidden else application_score([r.total for r in reviews])
        rows[application.pk] = RankRow(
            application=application,
            score=score,
            rank=None,
            reviews=[] if hidden else reviews,
            hidden=hidden,
        )
        scores.append((application.pk, score))
    result = []
    for ranked in rank(scores):
        row = rows[ranked.key]
        row.rank = ranked.rank
        result.append(row)
    return result


@dataclass(frozen=True)
class PlatformRecord:
    """What the platform knows of a provider with the applicant's code (it served before)."""

    provider: Provider
    completed_orders: int
    rating_average: float | None
    rating_count: int
    complaints: int


def platform_record(application: Application) -> PlatformRecord | None:
    provider = Provider.objects.filter(uscc=application.uscc).select_related("organisation").first()
    if provider is None:
        return None
    ratings = rating_summary(provider)
    return PlatformRecord(
        provider=provider,
        completed_orders=Order.objects.filter(
            provider=provider, status=OrderStatus.COMPLETED
        ).count(),
        rating_average=ratings.average,
        rating_count=ratings.count,
        complaints=Complaint.objects.filter(order__provider=provider).count(),
    )


def _digits(phone: str) -> str:
    return "".join(ch for ch in phone if ch.isdigit())


def application_status_lookup(*, number: str, contact_phone: str) -> Application | None:
    """The application with this reference number *and* this contact phone (digits compared),
    for the applicant's public status page; ``None`` when either does not match (the page says
    the same for both, so it reveals nothing about numbers it was not given the phone of)."""
    number = number.strip().upper()
    phone = _digits(contact_phone)
    if not number or len(phone) < 5:
        return None
    found = (
        Application.objects.filter(number=number)
        .select_related("district")
        .prefetch_related("events")
        .first()
    )
    if found is None or _digits(found.contact_phone) != phone:
        return None
    return found
