"""Who sees which catalogue rows. Everyone signed in sees the levels, categories and the active
items and needs; city administrators, who maintain the catalogue, also see inactive ones."""

from __future__ import annotations

from django.db.models import QuerySet

from jiuzhu.catalog.models import Need, NeedCategory, ServiceCategory, ServiceItem, ServiceLevel
from jiuzhu.catalog.policy import CATALOGUE_EDITORS
from jiuzhu.core.models import Role, User
from jiuzhu.core.scoping import everything, grant

ALL_ROLES = [role.value for role in Role]
READERS = [role for role in ALL_ROLES if role not in CATALOGUE_EDITORS]


def _active_items(queryset: QuerySet, user: User) -> QuerySet:
    return queryset.filter(active=True)


def _active_needs(queryset: QuerySet, user: User) -> QuerySet:
    return queryset.filter(active=True, category__active=True)


for structure in (ServiceLevel, ServiceCategory):
    grant(structure, ALL_ROLES, everything)
for editable in (ServiceItem, Need, NeedCategory):
    grant(editable, CATALOGUE_EDITORS, everything)
grant(ServiceItem, READERS, _active_items)
grant(NeedCategory, READERS, _active_items)
grant(Need, READERS, _active_needs)
