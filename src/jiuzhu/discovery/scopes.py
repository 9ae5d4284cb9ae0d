"""Who sees which rows of the discovery app (``core.scoping.grant``)."""

from __future__ import annotations

from django.db.models import QuerySet

from jiuzhu.core.models import Role, User
from jiuzhu.core.scoping import by_area, everything, grant, visible

# Department referrals
from jiuzhu.discovery.models import (  # noqa: E402
    DepartmentDesk,
    DepartmentReferral,
    DepartmentReferralEvent,
)

_REFERRAL_AREA_ROLES = [
    Role.COMMUNITY_WORKER,
    Role.STREET_CASEWORKER,
    Role.DISTRICT_MANAGER,
    Role.CITY_ADMIN,
]


def _own_department(queryset: QuerySet, user: User) -> QuerySet:
    """A department's staff see the referrals sent to their department, nothing else."""
    if not user.organisation_id:
        return queryset.none()
    return queryset.filter(department_id=user.organisation_id)


grant(DepartmentReferral, [Role.DEPARTMENT], _own_department)
grant(
    DepartmentReferral,
    _REFERRAL_AREA_ROLES,
    by_area(
        district="district_id", street="household__street_id", community="household__community_id"
    ),
)


def _with_referral(queryset: QuerySet, user: User) -> QuerySet:
    return queryset.filter(referral__in=visible(user, DepartmentReferral.objects.all()))


grant(DepartmentReferralEvent, [Role.DEPARTMENT, *_REFERRAL_AREA_ROLES], _with_referral)
# Which department answers which kind of assistance is configuration, the same for all who refer.
grant(DepartmentDesk, [Role.DEPARTMENT, *_REFERRAL_AREA_ROLES], everything)


# Imports and warnings
from django.db.models import Q  # noqa: E402

from jiuzhu.core.models import AreaLevel  # noqa: E402
from jiuzhu.discovery.models import (  # noqa: E402
    CommunityReferral,
    EarlyWarning,
    ImportBatch,
    PotentialCase,
)


def _batches(queryset: QuerySet, user: User) -> QuerySet:
    """A department only what it uploaded; a district manager their district's; the city all."""
    if user.role == Role.DEPARTMENT:
        if user.organisation_id is None:
            return queryset.none()
        return queryset.filter(organisation_id=user.organisation_id)
    area = user.area
    if area is None:
        return queryset.none()
    if area.level == AreaLevel.CITY:
        return queryset
    return queryset.filter(district=area)


grant(ImportBatch, [Role.DEPARTMENT, Role.DISTRICT_MANAGER, Role.CITY_ADMIN], _batches)


def _in_area(queryset: QuerySet, user: User) -> QuerySet:
    """Warnings and potential cases of the user's area, and warnings assigned to them."""
    mine = Q(assignee=user) if queryset.model is EarlyWarning else Q(pk__in=[])
    area = user.area
    if area is None:
        return queryset.filter(mine)
    if area.level == AreaLevel.CITY:
        return queryset
    field: str = {
        AreaLevel.DISTRICT: "district",
        AreaLevel.STREET: "street",
        AreaLevel.COMMUNITY: "community",
    }[AreaLevel(area.level)]
    return queryset.filter(Q(**{field: area}) | mine)


_AREA_ROLES = [
    Role.COMMUNITY_WORKER,
    Role.STREET_CASEWORKER,
    Role.DISTRICT_MANAGER,
    Role.CITY_ADMIN,
]
grant(EarlyWarning, _AREA_ROLES, _in_area)


def _assigned_to_them(queryset: QuerySet, user: User) -> QuerySet:
    """A volunteer sees the warnings handed to them, whatever area their account names."""
    return queryset.filter(assignee=user)


grant(EarlyWarning, [Role.VOLUNTEER], _assigned_to_them)
grant(PotentialCase, _AREA_ROLES, _in_area)


def _referrals(queryset: QuerySet, user: User) -> QuerySet:
    """The referrer their own referrals; the district office its district's."""
    area = user.area
    own = Q(referrer=user)
    if user.role in (Role.DISTRICT_MANAGER, Role.CITY_ADMIN) and area is not None:
        if area.level == AreaLevel.CITY:
            return queryset
        return queryset.filter(Q(district=area) | own)
    return queryset.filter(own)


grant(
    CommunityReferral,
    [
        Role.BENEFICIARY,
        Role.VOLUNTEER,
        Role.COMMUNITY_WORKER,
        Role.STREET_CASEWORKER,
        Role.HOTLINE_OPERATOR,
        Role.DISTRICT_MANAGER,
        Role.CITY_ADMIN,
    ],
    _referrals,
)


# The hidden-poverty list, precomputed
from jiuzhu.discovery.models import HiddenPovertyEntry  # noqa: E402
from jiuzhu.discovery.policy import HIDDEN_POVERTY_READERS  # noqa: E402
from jiuzhu.registry.models import Household  # noqa: E402


def _hidden_entries(queryset: QuerySet, user: User) -> QuerySet:
    """The stored list as the computation scopes it: the households the user sees, and the
    potential cases of the user's area."""
    area = user.area
    if area is None:
        return queryset.none()
    cases = Q(household__isnull=True)
    if area.level != AreaLevel.CITY:
        field = {
            AreaLevel.DISTRICT: "district",
            AreaLevel.STREET: "street",
            AreaLevel.COMMUNITY: "community",
        }[AreaLevel(area.level)]
        cases &= Q(**{field: area})
    households = visible(user, Household.objects.all()).values("pk")
    return queryset.filter(Q(household__in=households) | cases)


grant(HiddenPovertyEntry, list(HIDDEN_POVERTY_READERS), _hidden_entries)
