"""What each role may do to registry records (seeing them is ``scopes.py``'s job)."""

from __future__ import annotations

from jiuzhu.core.models import Role, User

REGISTRY_EDITORS = frozenset(
    {Role.COMMUNITY_WORKER, Role.STREET_CASEWORKER, Role.DISTRICT_MANAGER, Role.CITY_ADMIN}
)
IDENTITY_REVEALERS = REGISTRY_EDITORS | {Role.ASSESSOR}
ASSIGNERS = frozenset({Role.STREET_CASEWORKER, Role.DISTRICT_MANAGER})


def can_edit_registry(user: User) -> bool:
    return user.is_authenticated and user.role in REGISTRY_EDITORS


def can_reveal_identity(user: User) -> bool:
    """Hotline operators work with masked numbers only (DOMAIN.md)."""
    return user.is_authenticated and user.role in IDENTITY_REVEALERS


def can_assign(user: User) -> bool:
    return user.is_authenticated and user.role in ASSIGNERS


def can_export(user: User) -> bool:
    return user.is_authenticated and user.role in REGISTRY_EDITORS
