"""The one scoping mechanism: what each role may see, declared once per model.

Every list, detail page, API endpoint and export gets its queryset through :func:`visible`.
Each app declares, for each of its models, a rule per role (see ``registry/scopes.py``). A role
with no rule for a model sees nothing: access is denied unless granted.

Rules are plain functions ``(queryset, user) -> queryset`` so later capabilities can grant a
role access to an earlier app's model (e.g. the assessment grants assessors the households
assigned to them) without the earlier app knowing about the later one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial

from django.db.models import Model, Q, QuerySet

from jiuzhu.core.errors import PermissionDenied
from jiuzhu.core.models import AreaLevel, Role, User

ScopeRule = Callable[[QuerySet, User], QuerySet]

_rules: dict[tuple[type[Model], str], list[ScopeRule]] = {}

AREA_ROLES = (
    Role.COMMUNITY_WORKER,
    Role.STREET_CASEWORKER,
    Role.DISTRICT_MANAGER,
    Role.CITY_ADMIN,
    Role.HOTLINE_OPERATOR,
)

#: The area level each area-bound role works at.
ROLE_AREA_LEVEL: dict[str, str] = {
    Role.COMMUNITY_WORKER: AreaLevel.COMMUNITY,
    Role.STREET_CASEWORKER: AreaLevel.STREET,
    Role.DISTRICT_MANAGER: AreaLevel.DISTRICT,
    Role.CITY_ADMIN: AreaLevel.CITY,
    Role.HOTLINE_OPERATOR: AreaLevel.DISTRICT,
}


def grant(model: type[Model], roles: Iterable[str], rule: ScopeRule) -> None:
    """Let ``roles`` see the rows of ``model`` that ``rule`` keeps. Several grants for the same
    role and model are combined with OR."""
    for role in roles:
        _rules.setdefault((model, str(role)), []).append(rule)


def visible(user: User | None, queryset: QuerySet) -> QuerySet:
    """The rows of ``queryset`` that ``user`` may see."""
    if user is None or not user.is_authenticated or not user.is_active:
        return queryset.none()
    rules = _rules.get((queryset.model, user.role), [])
    if not rules:
        return queryset.none()
    if len(rules) == 1:
        return rules[0](queryset, user)
    pks = Q(pk__in=rules[0](queryset.model._default_manager.all(), user).values("pk"))
    for rule in rules[1:]:
        pks |= Q(pk__in=rule(queryset.model._default_manager.all(), user).values("pk"))
    return queryset.filter(pks)


def is_granted(user: User | None, model: type[Model]) -> bool:
    """Whether ``user``'s role has any rule for ``model``: a role without one may never list it."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return bool(_rules.get((model, user.role)))


def require_granted(user: User | None, model: type[Model]) -> None:
    """Refuse (403) a list of ``model`` to a role that is never granted any of its rows: an
    empty page would tell it nothing and hide that it knocked on the wrong door."""
    if not is_granted(user, model):
        raise PermissionDenied()


def by_area(*, city: str | None = None, district: str, street: str, community: str) -> ScopeRule:
    """A rule for models that carry district, street and community references.

    The user's own area decides the filter: a city user sees all, a district user their district,
    and so on down. A user without an area sees nothing.
    """
    # A partial of a module-level function rather than a closure, so the rule's code is looked
    # up when it runs (which lets the mutation check reach it; see docs/testing.md).
    return partial(_by_area, city=city, district=district, street=street, community=community)


def _by_area(
    queryset: QuerySet,
    user: User,
    *,
    city: str | None,
    district: str,
    street: str,
    community: str,
) -> QuerySet:
    area = user.area
    if area is None:
        return queryset.none()
    if area.level == AreaLevel.CITY:
        return queryset if city is None else queryset.filter(**{city: area.pk})
    fields: dict[str, str] = {
        AreaLevel.DISTRICT: district,
        AreaLevel.STREET: street,
        AreaLevel.COMMUNITY: community,
    }
    return queryset.filter(**{fields[area.level]: area.pk})


def everything(queryset: QuerySet, user: User) -> QuerySet:
    return queryset


def clear_rules_for_tests() -> dict:
    """Snapshot of the rules (tests that register temporary rules restore it)."""
    return {key: list(value) for key, value in _rules.items()}
