"""Who sees which households and members (DOMAIN.md's roles table, last column).

Households: community workers their community, street caseworkers their street, district
managers and hotline operators their district, city administrators the city, beneficiaries their
own household, assessors the households assigned to them (or to their organisation). Provider
staff, volunteers, partner departments and the security and audit administrators see no
households through the registry; later capabilities grant providers the households of their
orders.
"""

from __future__ import annotations

from functools import partial

from django.db.models import Q, QuerySet

from jiuzhu.core.models import Role, User
from jiuzhu.core.scoping import AREA_ROLES, by_area, grant
from jiuzhu.registry.models import (
    CaseNote,
    ChainEntry,
    Commendation,
    Consent,
    Household,
    HouseholdChange,
    Member,
    TrainingRecord,
    Transfer,
)


def _own_household(queryset: QuerySet, user: User) -> QuerySet:
    return queryset.filter(accounts__user=user)


def _assigned(queryset: QuerySet, user: User) -> QuerySet:
    who = Q(assignments__assignee=user)
    if user.organisation_id:
        who |= Q(assignments__organisation_id=user.organisation_id, assignments__assignee=None)
    return queryset.filter(who, assignments__active=True).distinct()


grant(
    Household,
    AREA_ROLES,
    by_area(district="district_id", street="street_id", community="community_id"),
)
grant(Household, [Role.BENEFICIARY], _own_household)
grant(Household, [Role.ASSESSOR], _assigned)


def _through_household(path: str):
    """Members, changes and chain entries are visible exactly when their household is."""
    # Called only at import, before mutmut can switch a mutant on; the scoping matrix fails on
    # each of its mutants (checked by hand, docs/testing.md), so they are not generated.
    return partial(_household_visible, path=path)  # pragma: no mutate


def _household_visible(queryset: QuerySet, user: User, *, path: str) -> QuerySet:
    from jiuzhu.core.scoping import visible

    return queryset.filter(**{f"{path}__in": visible(user, Household.objects.all())})


_HOUSEHOLD_ROLES = [*AREA_ROLES, Role.BENEFICIARY, Role.ASSESSOR]
for _model in (Member, HouseholdChange):
    grant(_model, _HOUSEHOLD_ROLES, _through_household("household"))
grant(ChainEntry, [*AREA_ROLES, Role.ASSESSOR], _through_household("household"))

#: The steps of its own chain a household sees: what it received and what it did. Entries of
#: assessments, plans, re-scoring and warnings carry the office's urgency tags, scores and
#: department data, which are not shown to the household itself (issue 10).
BENEFICIARY_CHAIN_SOURCES = ("order", "complaint", "consent", "transfer", "registry", "referral")


def _own_chain(queryset: QuerySet, user: User) -> QuerySet:
    return _household_visible(queryset, user, path="household").filter(
        source__in=BENEFICIARY_CHAIN_SOURCES
    )


grant(ChainEntry, [Role.BENEFICIARY], _own_chain)


# --- Casework ------------------------------------------------------------------------------
# Case notes: the staff who see the household (not the household itself: they are the
# workers' records); a sensitive note only the street caseworker and above, and its author.
# Consents: everyone who sees the household, the household included (what it agreed to).
# Transfers: the area roles of the sending side and of the receiving side.
# Training records and commendations: the district manager (city administrator) of the
# worker's area, and the worker their own.


def _notes(queryset: QuerySet, user: User) -> QuerySet:
    from jiuzhu.registry.policy import SENSITIVE_NOTE_READERS

    queryset = _household_visible(queryset, user, path="household")
    if user.role not in SENSITIVE_NOTE_READERS:
        queryset = queryset.filter(Q(sensitive=False) | Q(author=user))
    return queryset


grant(CaseNote, [*AREA_ROLES, Role.ASSESSOR], _notes)
grant(Consent, _HOUSEHOLD_ROLES, _through_household("household"))
grant(
    Transfer,
    AREA_ROLES,
    by_area(district="from_district_id", street="from_street_id", community="from_community_id"),
)
grant(
    Transfer,
    AREA_ROLES,
    by_area(district="to_district_id", street="to_street_id", community="to_community_id"),
)


def _team_records(queryset: QuerySet, user: User) -> QuerySet:
    from jiuzhu.core.selectors.areas import areas_within

    return queryset.filter(worker__area__in=areas_within(user))


def _own_records(queryset: QuerySet, user: User) -> QuerySet:
    return queryset.filter(worker=user)


for _record in (TrainingRecord, Commendation):
    grant(_record, [Role.DISTRICT_MANAGER, Role.CITY_ADMIN], _team_records)
    grant(_record, [Role.COMMUNITY_WORKER, Role.STREET_CASEWORKER], _own_records)
