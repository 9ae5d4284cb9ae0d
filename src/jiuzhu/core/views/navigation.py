"""Which links each role sees, and where each role starts. One table, read by the layout and
the home page; a link is shown only to roles that can use it. Later capabilities add rows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jiuzhu.core.models import Role, User
from jiuzhu.core.scoping import AREA_ROLES
from jiuzhu.registry.policy import can_edit_registry

#: Roles whose work starts from the household registry (the roles the registry's scoping
#: grants households to, beneficiaries aside).
HOUSEHOLD_ROLES = frozenset({*AREA_ROLES, Role.ASSESSOR})


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str
    allowed: Callable[[User], bool]


def _role_in(*roles: str) -> Callable[[User], bool]:
    return lambda user: user.role in roles


NAV: list[NavItem] = [
    NavItem("registry:my_household", _("My household"), _role_in(Role.BENEFICIARY)),
    NavItem("registry:dashboard", _("Overview"), _role_in(*AREA_ROLES)),
    NavItem("registry:household_list", _("Households"), lambda user: user.role in HOUSEHOLD_ROLES),
    NavItem("registry:household_create", _("Register a household"), can_edit_registry),
    NavItem("core:account_list", _("Accounts"), _role_in(Role.SECURITY_ADMIN)),
    NavItem("core:audit_log", _("Audit log"), _role_in(Role.AUDIT_ADMIN)),
]

#: Where each role lands after signing in (roles not listed get the welcome page).
START = {
    Role.BENEFICIARY: "registry:my_household",
    Role.ASSESSOR: "registry:household_list",
    Role.SECURITY_ADMIN: "core:account_list",
    Role.AUDIT_ADMIN: "core:audit_log",
    **dict.fromkeys(AREA_ROLES, "registry:dashboard"),
}


def nav_items(user: User, path: str = "") -> list[dict]:
    """The links ``user`` may follow, each marked current when ``path`` is in its section."""
    if not user.is_authenticated:
        return []
    items = []
    for item in NAV:
        if not item.allowed(user):
            continue
        url = reverse(item.url_name)
        items.append({"url": url, "label": item.label, "current": path == url})
    if not any(i["current"] for i in items):
        # Mark the longest prefix match (a household page belongs to "Households").
        best = max(
            (i for i in items if i["url"] != "/" and path.startswith(i["url"].rstrip("/"))),
            key=lambda i: len(i["url"]),
            default=None,
        )
        if best is not None:
            best["current"] = True
    return items


def start_url(user: User) -> str | None:
    name = START.get(user.role)
    return reverse(name) if name else None
