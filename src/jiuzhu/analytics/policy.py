"""Who may see the dashboards (what rows they see is ``scopes.py``'s and each app's)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from jiuzhu.core.errors import PermissionDenied
from jiuzhu.core.models import Role, User

#: The managers the dashboards are for: street, district and city.
DASHBOARD_ROLES = frozenset({Role.STREET_CASEWORKER, Role.DISTRICT_MANAGER, Role.CITY_ADMIN})
#: Who takes a month's snapshot by hand (the job and the command take it for everybody).
SNAPSHOT_ROLES = frozenset({Role.CITY_ADMIN})


def can_view_dashboards(user: User | None) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.role in DASHBOARD_ROLES
        and user.area is not None
    )


def require_dashboards(user: User) -> None:
    if not can_view_dashboards(user):
        raise PermissionDenied(_("Only street, district and city managers see the dashboards."))
