"""Reading the catalogue: the filtered item list every page and API call shares, the needs
list, the level → category tree, and the items a household may receive."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from jiuzhu.catalog.eligibility import ItemRule, eligible_items, needs_met_by
from jiuzhu.catalog.models import (
    Need,
    NeedCategory,
    ServiceCategory,
    ServiceItem,
    ServiceLevel,
    decode_codes,
)
from jiuzhu.core.errors import NotFound
from jiuzhu.core.models import User
from jiuzhu.core.scoping import visible
from jiuzhu.registry.models import Group, Household, Tier, UrgencyTag


@dataclass(frozen=True)
class ItemFilters:
    """What the item list can be narrowed by; empty values mean "no filter".

    ``group``, ``tier`` and ``urgency`` keep the items *open to* that value: those that list it
    and those that do not restrict on that dimension at all. An unknown value matches nothing.
    """

    q: str = ""
    level: str = ""
    category: str = ""
    group: str = ""
    tier: str = ""
    urgency: str = ""
    active: bool | None = None


def _open_to(field: str, value: str, allowed: Iterable[str]) -> Q:
    if value not in allowed:
        return Q(pk__in=[])
    return Q(**{field: ""}) | Q(**{f"{field}__contains": f"|{value}|"})


def item_list(*, user: User, filters: ItemFilters | None = None) -> QuerySet[ServiceItem]:
    """The items ``user`` may see, filtered, in catalogue order."""
    filters = filters or ItemFilters()
    queryset = (
        visible(user, ServiceItem.objects.all())
        .select_related("category__level")
        .prefetch_related(Prefetch("needs", queryset=Need.objects.order_by("position", "code")))
    )
    if filters.level:
        queryset = queryset.filter(category__level__code=filters.level)
    if filters.category:
        queryset = queryset.filter(category__code=filters.category)
    if filters.group:
        queryset = queryset.filter(_open_to("groups", filters.group, Group.values))
    if filters.tier:
        queryset = queryset.filter(_open_to("tiers", filters.tier, Tier.values))
    if filters.urgency:
        queryset = queryset.filter(_open_to("urgency_tags", filters.urgency, UrgencyTag.values))
    if filters.active is not None:
        queryset = queryset.filter(active=filters.active)
    q = filters.q.strip()
    if q:
        queryset = queryset.filter(
            Q(name__icontains=q)
            | Q(name_en__icontains=q)
            | Q(code__icontains=q)
            | Q(description__icontains=q)
        )
    return queryset.order_by("category__level__position", "category__position", "position", "code")


def item_get(*, user: User, item_id: int) -> ServiceItem:
    """One item the user may see, or ``NotFound``."""
    item = item_list(user=user).filter(pk=item_id).first()
    if item is None:
        raise NotFound("service_item")
    return item


def need_categories(*, user: User) -> list[NeedCategory]:
    """The needs list as the user may see it: categories, each with ``visible_needs``."""
    needs = visible(user, Need.objects.all()).order_by("position", "code")
    categories = list(
        visible(user, NeedCategory.objects.all())
        .prefetch_related(Prefetch("needs", queryset=needs, to_attr="visible_needs"))
        .order_by("position", "code")
    )
    return categories


def need_get(*, user: User, need_id: int) -> Need:
    need = visible(user, Need.objects.select_related("category")).filter(pk=need_id).first()
    if need is None:
        raise NotFound("need")
    return need


def need_category_get(*, user: User, category_id: int) -> NeedCategory:
    category = visible(user, NeedCategory.objects.all()).filter(pk=category_id).first()
    if category is None:
        raise NotFound("need_category")
    return category


def level_tree(*, user: User) -> list[ServiceLevel]:
    """Levels with their categories (``category_list``), each category annotated with the
    number of items the user may see (``item_count``)."""
    items = visible(user, ServiceItem.objects.all())
    categories = ServiceCategory.objects.annotate(
        item_count=Count("items", filter=Q(items__in=items), distinct=True)
    ).order_by("position", "code")
    return list(
        visible(user, ServiceLevel.objects.all())
        .prefetch_related(Prefetch("categories", queryset=categories, to_attr="category_list"))
        .order_by("position", "code")
    )


# ---------------------------------------------------------------- eligibility


def item_rule(item: ServiceItem) -> ItemRule:
    """The plain-data form of an item for :mod:`jiuzhu.catalog.eligibility` (prefetch
    ``needs`` when converting many)."""
    return ItemRule(
        code=item.code,
        groups=frozenset(decode_codes(item.groups)),
        tiers=frozenset(decode_codes(item.tiers)),
        urgency_tags=frozenset(decode_codes(item.urgency_tags)),
        needs=frozenset(need.code for need in item.needs.all()),
        active=item.active,
        max_per_week=item.max_per_week,
        max_per_month=item.max_per_month,
        id=item.pk,
    )


def item_rules(items: Iterable[ServiceItem]) -> list[ItemRule]:
    return [item_rule(item) for item in items]


def catalog_items_for_household(household: Household) -> list[ServiceItem]:
    """The active items ``household`` may receive by its groups, tier and urgency tag, in
    catalogue order. (Who may *see* the household is the caller's business.)"""
    items = list(
        ServiceItem.objects.filter(active=True)
        .select_related("category__level")
        .prefetch_related("needs")
        .order_by("category__level__position", "category__position", "position", "code")
    )
    rules = eligible_items(
        item_rules(items),
        groups=household.group_list,
        tier=household.tier,
        urgency_tag=household.urgency_tag,
    )
    keep = {rule.id for rule in rules}
    return [item for item in items if item.pk in keep]


def catalog_needs_met_by(items: Iterable[ServiceItem]) -> set[str]:
    """The need codes the given items meet together (ORM convenience over
    :func:`jiuzhu.catalog.eligibility.needs_met_by`)."""
    return needs_met_by(item_rules(items))
