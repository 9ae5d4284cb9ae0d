"""Reading households: the filtered, sorted list every page, API call and export shares."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL

from jiuzhu.core import crypto
from jiuzhu.core.encrypted_fields import phone_hashes
from jiuzhu.core.errors import NotFound
from jiuzhu.core.models import User
from jiuzhu.core.scoping import visible
from jiuzhu.registry import search
from jiuzhu.registry.models import (
    ChainEntry,
    Group,
    Household,
    HouseholdChange,
    HouseholdStatus,
    Member,
    Tier,
    UrgencyTag,
)

SORTS = {
    "id": "id",
    "-id": "-id",
    "head": "head_name",
    "-head": "-head_name",
    "income": "monthly_income",
    "-income": "-monthly_income",
    "members": "member_count",
    "-members": "-member_count",
    "updated": "updated_at",
    "-updated": "-updated_at",
}
DEFAULT_SORT = "-id"


@dataclass(frozen=True)
class HouseholdFilters:
    """What a user can narrow the list by. Unknown or empty values mean "no filter"."""

    q: str = ""
    district: int | None = None
    street: int | None = None
    community: int | None = None
    tier: str = ""
    group: str = ""
    status: str = ""
    urgency: str = ""
    sort: str = DEFAULT_SORT


IDENTITY_NUMBER = re.compile(r"^[0-9]{17}[0-9Xx]$")
#: A whole phone number as typed: digits (full-width too), spaces, hyphens, a leading +.
PHONE_NUMBER = re.compile(r"^\+?[0-9０-９][0-9０-９\s\-－]{5,}$")


#: Up to this many matches, a search filters by the list of their ids (see ``_search``).
FEW_MATCHES = 1000


def _marks(values: list[str]) -> str:
    return ", ".join(["%s"] * len(values))


def _search_union(q: str) -> tuple[str, list]:
    """SQL selecting the ids of the households a search (stripped, not empty, no newline) finds,
    and its parameters: one ``UNION`` of index lookups.

    Names (head or any member) are looked up in the trigram-indexed search table
    (``registry.search``); the last 4 digits of an identity number through their index; a whole
    phone or identity number through its keyed hash under every configured key (both are stored
    only encrypted, so a part of one finds nothing). Every id it gives is a household's: the
    search table's rows are kept by triggers and members point at their household."""
    sql, params = search.matching_household_ids(q)
    # One ``IN`` over a UNION (not an OR of several ``IN``s, which PostgreSQL answers with a
    # scan of every household): each part is an index lookup.
    parts, values = [sql], list(params)
    if len(q) == 4 and (q[:3].isdigit() and (q[3].isdigit() or q[3] in "xX")):
        parts.append("SELECT household_id FROM registry_member WHERE id_last4 = %s")
        values.append(q.upper())
    if IDENTITY_NUMBER.match(q):
        hashes = crypto.lookup_hashes(q.upper())
        parts.append(
            "SELECT household_id FROM registry_member WHERE id_number_hash IN "  # noqa: S608
            f"({_marks(hashes)})"
        )
        values.extend(hashes)
    if PHONE_NUMBER.match(q) and (hashes := phone_hashes(q)):
        parts.append(f"SELECT id FROM registry_household WHERE phone_hash IN ({_marks(hashes)})")  # noqa: S608
        parts.append(
            "SELECT household_id FROM registry_member WHERE mobile_hash IN "  # noqa: S608
            f"({_marks(hashes)})"
        )
        values.extend(hashes + hashes)
    return " UNION ".join(parts), values


def _search(queryset: QuerySet, q: str) -> QuerySet:
    """The households of ``queryset`` that the search ``q`` finds (see ``_search_union``)."""
    q = q.strip()
    if not q:
        return queryset
    if search.SEPARATOR in q:  # no single field contains a newline: the old scan, same answer
        members = Member.objects.filter(household=OuterRef("pk"))
        return queryset.filter(Q(head_name__contains=q) | Exists(members.filter(name__contains=q)))
    union, values = _search_union(q)
    # A search usually finds a handful of households. Handed the subquery, PostgreSQL guessed
    # ~100 matches and, for a page's `ORDER BY id DESC LIMIT n`, walked a million households
    # backwards looking for them (200-300 ms; bench/RESULTS.md). So the ids are read first and
    # given as a list when there are few; a broad search (a surname) keeps the subquery.
    with connection.cursor() as cursor:
        cursor.execute(f"{union} LIMIT {FEW_MATCHES + 1}", values)
        found = [row[0] for row in cursor.fetchall()]
    if len(found) <= FEW_MATCHES:
        return queryset.filter(pk__in=found)
    return queryset.filter(pk__in=RawSQL(union, values))  # noqa: S611 - values are parameters


def _unsearched(user: User, filters: HouseholdFilters) -> QuerySet:
    """The households ``user`` may see, narrowed by every filter but the search."""
    queryset = visible(user, Household.objects.all())
    for field in ("district", "street", "community"):
        value = getattr(filters, field)
        if value:
            queryset = queryset.filter(**{f"{field}_id": value})
    if filters.tier:
        queryset = queryset.filter(tier=filters.tier)
    if filters.group:
        queryset = queryset.filter(groups__contains=f"|{filters.group}|")
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.urgency:
        queryset = queryset.filter(urgency_tag=filters.urgency)
    return queryset


def household_list(*, user: User, filters: HouseholdFilters | None = None) -> QuerySet:
    """Households the user may see, filtered and sorted."""
    filters = filters or HouseholdFilters()
    queryset = _search(_unsearched(user, filters), filters.q)
    order = SORTS.get(filters.sort, SORTS[DEFAULT_SORT])
    return queryset.select_related("district", "street", "community").order_by(
        order, "-id" if order != "-id" else "id"
    )


def household_count(*, user: User, filters: HouseholdFilters | None = None) -> int:
    """How many households ``household_list`` gives for the same arguments, in one query.

    For a broad search by a user who sees every household with no other filter (a city
    administrator typing one surname: 130,000 of 1,000,000 households), checking each match
    against its household row was most of the page's time on SQLite (114 of 136 ms;
    bench/RESULTS.md). Nothing else narrows the list then, and every id the search gives is a
    household's, so the search's own ids are counted instead."""
    filters = filters or HouseholdFilters()
    q = filters.q.strip()
    unsearched = _unsearched(user, filters)
    if not q or search.SEPARATOR in q:
        return _search(unsearched, q).count()
    union, values = _search_union(q)
    if unsearched.query.where:
        return unsearched.filter(pk__in=RawSQL(union, values)).count()  # noqa: S611 - parameters
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({union}) matches", values)  # noqa: S608
        return cursor.fetchone()[0]


def household_members(*, user: User, household: Household, include_former: bool = True):
    members = visible(user, Member.objects.filter(household=household)).select_related("guardian")
    if not include_former:
        members = members.filter(is_active=True)
    return members.order_by("-is_active", "id")


def household_changes(*, user: User, household: Household):
    return visible(user, HouseholdChange.objects.filter(household=household)).select_related(
        "member", "recorded_by"
    )


def household_chain(*, user: User, household: Household):
    return visible(user, ChainEntry.objects.filter(household=household)).select_related("actor")


def member_get_for(*, user: User, member_id: int) -> Member:
    """The member, if ``user`` may see their household; else ``NotFound``."""
    member = (
        visible(user, Member.objects.all())
        .select_related("household", "guardian")
        .filter(pk=member_id)
        .first()
    )
    if member is None:
        raise NotFound("member")
    return member


def household_counts(households: QuerySet) -> dict[str, int]:
    """Every count the page shows, from one aggregate query over the scoped households."""
    active = Q(status=HouseholdStatus.ACTIVE)
    measures = {"total": Count("id")}
    for status in HouseholdStatus:
        measures[f"status_{status.value}"] = Count("id", filter=Q(status=status))
    for tier in Tier:
        measures[f"tier_{tier.value}"] = Count("id", filter=active & Q(tier=tier))
    for group in Group:
        measures[f"group_{group.value}"] = Count(
            "id", filter=active & Q(groups__contains=f"|{group.value}|")
        )
    for tag in UrgencyTag:
        measures[f"urgency_{tag.value}"] = Count("id", filter=active & Q(urgency_tag=tag))
    return households.order_by().aggregate(**measures)
