"""Who sees which households and members (DOMAIN.md's roles table, last column).

Households: community workers their community, street caseworkers their street, district
managers and hotline operators their district, city administrators the city, beneficiaries their
own household, assessors the households assigned to them (or to their organisation). Provider
staff, volunteers, partner departments and the security and audit administrators see no
households through the registry; later capabilities grant providers the households of their
orders.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from jiuzhu.core.models import Role, User
from jiuzhu.core.scoping import AREA_ROLES, by_area, grant
from jiuzhu.registry.models import ChainEntry, Household, HouseholdChange, Member


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
    from jiuzhu.core.scoping import visible

    def rule(queryset: QuerySet, user: User) -> QuerySet:
        return queryset.filter(**{f"{path}__in": visible(user, Household.objects.all())})

    return rule


_HOUSEHOLD_ROLES = [*AREA_ROLES, Role.BENEFICIARY, Role.ASSESSOR]
for _model in (Member, HouseholdChange, ChainEntry):
    grant(_model, _HOUSEHOLD_ROLES, _through_household("household"))
