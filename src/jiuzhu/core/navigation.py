"""Which links each role sees, and where each role starts after signing in.

Like scoping grants and events, every capability registers its own entries (``<app>/navigation.py``,
imported in the app's ``ready()``), so the layout shows later capabilities without core knowing
about them. A link is shown only to roles that can use it.

Links name the group they belong to (cases, services, …). A role with few links sees them in
one row; a role with many (a district manager sees about thirty) sees the groups as menus, so
the header stays one line on a desktop and one short list on a phone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jiuzhu.core.models import Role, User
from jiuzhu.core.worklist import has_workspace


@dataclass(frozen=True)
class NavGroup:
    key: str
    label: str
    order: int


CASES = NavGroup("cases", _("Cases"), 10)
SERVICES = NavGroup("services", _("Services"), 20)
PROVIDERS = NavGroup("providers", _("Providers and projects"), 30)
DISCOVERY = NavGroup("discovery", _("Discovery"), 40)
TIME_BANK = NavGroup("timebank", _("Time bank"), 50)
FIGURES = NavGroup("figures", _("Figures"), 60)
SYSTEM = NavGroup("system", _("System"), 90)

#: A user with more links than this sees them grouped into menus.
GROUP_AFTER = 10


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str
    allowed: Callable[[User], bool]
    order: int = 50
    group: NavGroup | None = None


_items: dict[str, NavItem] = {}
_start: dict[str, str] = {}


def role_in(*roles: str) -> Callable[[User], bool]:
    return lambda user: user.role in roles


def register_nav(item: NavItem) -> None:
    _items[item.url_name] = item


def register_start(role: str, url_name: str) -> None:
    """Where ``role`` lands after signing in (roles without one get the welcome page)."""
    _start[str(role)] = url_name


def nav_items(user: User, path: str = "") -> list[dict]:
    """The links ``user`` may follow; the one whose URL is the longest prefix of ``path`` is
    marked current (a household page belongs to "Households")."""
    if not user.is_authenticated:
        return []
    items = [
        {"url": reverse(item.url_name), "label": item.label, "current": False, "group": item.group}
        for item in sorted(_items.values(), key=lambda i: (i.order, i.url_name))
        if item.allowed(user)
    ]
    best = max(
        (i for i in items if i["url"] != "/" and path.startswith(i["url"].rstrip("/"))),
        key=lambda i: len(i["url"]),
        default=None,
    )
    if best is not None:
        best["current"] = True
    return items


def nav_menu(user: User, path: str = "") -> list[dict]:
    """The header menu: :func:`nav_items` as they are when there are few, otherwise the links
    without a group first (a person's own pages), then one entry per group with its links
    (``{"label", "children", "current"}``); a group holding one link is shown as that link."""
    items = nav_items(user, path)
    if len(items) <= GROUP_AFTER:
        return items
    loose = [item for item in items if item["group"] is None]
    grouped: dict[NavGroup, list[dict]] = {}
    for item in items:
        if item["group"] is not None:
            grouped.setdefault(item["group"], []).append(item)
    menu = list(loose)
    for group in sorted(grouped, key=lambda g: g.order):
        links = grouped[group]
        if len(links) == 1:
            menu.extend(links)
        else:
            current = any(link["current"] for link in links)
            menu.append({"label": group.label, "children": links, "current": current})
    return menu


def start_url(user: User) -> str | None:
    name = _start.get(user.role)
    return reverse(name) if name else None


register_nav(
    NavItem(
        "core:account_list", _("Accounts"), role_in(Role.SECURITY_ADMIN), order=90, group=SYSTEM
    )
)
register_nav(
    NavItem("core:audit_log", _("Audit log"), role_in(Role.AUDIT_ADMIN), order=91, group=SYSTEM)
)
register_nav(
    NavItem(
        "core:event_deliveries",
        _("Event deliveries"),
        role_in(Role.CITY_ADMIN),
        order=92,
        group=SYSTEM,
    )
)
register_nav(NavItem("core:workspace", _("My work"), lambda user: has_workspace(user), order=1))
register_start(Role.SECURITY_ADMIN, "core:account_list")
register_start(Role.AUDIT_ADMIN, "core:audit_log")
