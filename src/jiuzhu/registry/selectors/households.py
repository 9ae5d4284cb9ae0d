"""Reading households: the filtered, sorted list every page, API call and export shares."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import Col, RawSQL
from django.db.models.lookups import Exact
from django.db.models.sql.where import AND, WhereNode

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


def _number_lookups(q: str) -> list[tuple[str, list]]:
    """The lookups of a search (stripped, not empty, no newline) beside the names': the last 4
    digits of an identity number through their index; a whole phone or identity number through
    its keyed hash under every configured key (both are stored only encrypted, so a part of one
    finds nothing)."""
    lookups: list[tuple[str, list]] = []
    if len(q) == 4 and (q[:3].isdigit() and (q[3].isdigit() or q[3] in "xX")):
        lookups.append(
            ("SELECT household_id FROM registry_member WHERE id_last4 = %s", [q.upper()])
        )
    if IDENTITY_NUMBER.match(q):
        hashes = crypto.lookup_hashes(q.upper())
        sql = f"SELECT household_id FROM registry_member WHERE id_number_hash IN ({_marks(hashes)})"  # noqa: S608
        lookups.append((sql, hashes))
    if PHONE_NUMBER.match(q) and (hashes := phone_hashes(q)):
        marks = _marks(hashes)
        lookups.append((f"SELECT id FROM registry_household WHERE phone_hash IN ({marks})", hashes))  # noqa: S608
        lookups.append(
            (f"SELECT household_id FROM registry_member WHERE mobile_hash IN ({marks})", hashes)  # noqa: S608
        )
    return lookups


def _lookup(queryset: QuerySet, q: str, *, counting: bool = False) -> tuple[str, list, bool]:
    """SQL selecting the ids of the households a search (stripped, not empty, no newline) finds,
    its parameters, and whether those ids are exactly the matching households of ``queryset``.

    Names (head or any member) are looked up in the trigram-indexed search table
    (``registry.search``), numbers as ``_number_lookups`` says, all in one ``UNION`` (not an OR
    of several ``IN``s, which PostgreSQL answers with a scan of every household): each part is
    an index lookup. Every id it gives is a household's: the search table's rows are kept by
    triggers and members point at their household. So the ids are exactly ``queryset``'s
    matches when nothing narrows ``queryset`` (a city administrator without filters); and when
    only areas narrow it (a scope by area, the area filters), a names-only search is narrowed
    to those areas in the search table, which holds each household's areas.

    Not for a page of a district alone unless ``counting``: a district's list in the index is
    long (500,000 households in the demo's city), and intersecting it cost the page more than the
    shorter list saved (one surname, SQLite, 1,000,000 households: 67 against 54 ms; a street's
    page 25 against 55 ms; the district's count 35 against 158 ms; bench/RESULTS.md)."""
    numbers = _number_lookups(q)
    if not numbers and queryset.query.where:
        areas = _areas(queryset)
        finer = areas is not None and (
            areas["street"] is not None or areas["community"] is not None
        )
        if areas is not None and (counting or finer):
            sql, params = search.matching_household_ids(q, areas)
            return sql, list(params), True
    parts = [search.matching_household_ids(q), *numbers]
    union = " UNION ".join(sql for sql, _ in parts)
    return union, [value for _, params in parts for value in params], not queryset.query.where


def _search(queryset: QuerySet, q: str) -> tuple[QuerySet, bool]:
    """The households of ``queryset`` that the search ``q`` finds (see ``_lookup``), and whether
    they are many (more than ``FEW_MATCHES``)."""
    q = q.strip()
    if not q:
        return queryset, False
    if search.SEPARATOR in q:  # no single field contains a newline: the old scan, same answer
        members = Member.objects.filter(household=OuterRef("pk"))
        names = Q(head_name__contains=q) | Exists(members.filter(name__contains=q))
        return queryset.filter(names), False
    sql, values, _ = _lookup(queryset, q)
    # A search usually finds a handful of households. Handed the subquery, PostgreSQL guessed
    # ~100 matches and, for a page's `ORDER BY id DESC LIMIT n`, walked a million households
    # backwards looking for them (200-300 ms; bench/RESULTS.md). So the ids are read first and
    # given as a list when there are few; a broad search (a surname) keeps the subquery.
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} LIMIT {FEW_MATCHES + 1}", values)
        found = [row[0] for row in cursor.fetchall()]
    if len(found) <= FEW_MATCHES:
        return queryset.filter(pk__in=found), False
    return queryset.filter(pk__in=RawSQL(sql, values)), True  # noqa: S611 - parameters


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
    queryset, many = _search(_unsearched(user, filters), filters.q)
    order = SORTS.get(filters.sort, SORTS[DEFAULT_SORT])
    # A broad search reads the areas' names for the rows taken only (three small queries):
    # joined, they were joined to every match before the sort and the page's limit on
    # PostgreSQL (a surname, 5,591 matches at 1,000,000 households: 97 against 71 ms).
    areas = ("district", "street", "community")
    related = queryset.prefetch_related(*areas) if many else queryset.select_related(*areas)
    return related.order_by(order, "-id" if order != "-id" else "id")


#: The household columns an area narrows the list by, and the level each names.
_AREA_LEVELS = {column: level for level, column in search.AREA_COLUMNS.items()}


def _areas(queryset: QuerySet) -> dict[str, int | None] | None:
    """The area ids (district, street, community; None: any) that select exactly the households
    of ``queryset``, when nothing but areas narrows it (its conditions are all ``<area>_id =
    <id>``, ANDed): a scope by area and the area filters. ``None`` when anything else does."""
    areas: dict[str, int] = {}

    def collect(node) -> bool:
        if isinstance(node, WhereNode):
            return node.connector == AND and not node.negated and all(map(collect, node.children))
        if not (isinstance(node, Exact) and isinstance(node.lhs, Col)):
            return False
        column = node.lhs.target.column
        same_table = node.lhs.alias == Household._meta.db_table
        if not same_table or column not in _AREA_LEVELS or not isinstance(node.rhs, int):
            return False
        # Two different ids of one level select nothing: left to the database.
        return areas.setdefault(_AREA_LEVELS[column], node.rhs) == node.rhs

    if not collect(queryset.query.where):
        return None
    return {level: areas.get(level) for level in search.AREA_COLUMNS}


def household_count(*, user: User, filters: HouseholdFilters | None = None) -> int:
    """How many households ``household_list`` gives for the same arguments, in one query.

    For a broad search (a one-character surname matches 13 % of a city's households), checking
    each match against its household row costs about a microsecond a match: most of the page's
    time on SQLite at a million households (bench/RESULTS.md). So when the search's ids are
    exactly the list's (``_lookup``), they are counted alone."""
    filters = filters or HouseholdFilters()
    q = filters.q.strip()
    unsearched = _unsearched(user, filters)
    if not q or search.SEPARATOR in q:
        return _search(unsearched, q)[0].count()
    sql, values, exact = _lookup(unsearched, q, counting=True)
    if exact:
        return _count_rows(sql, values)
    return unsearched.filter(pk__in=RawSQL(sql, values)).count()  # noqa: S611 - parameters


def _count_rows(sql: str, values: list) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({sql}) matches", values)  # noqa: S608
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
