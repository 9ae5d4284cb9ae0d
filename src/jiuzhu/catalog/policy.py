"""What each role may do to the catalogue (seeing it is ``scopes.py``'s job).

City administrators configure the catalogue (DOMAIN.md's roles table); everyone signed in may
browse it, since beneficiaries order from it.
"""

from __future__ import annotations

from jiuzhu.core.models import Role, User

CATALOGUE_EDITORS = frozenset({Role.CITY_ADMIN})


def can_edit_catalogue(user: User | None) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.role in CATALOGUE_EDITORS
    )
