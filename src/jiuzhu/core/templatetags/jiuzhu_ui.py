"""Template helpers for the layout: navigation, sortable column headers, form fields."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from jiuzhu.core.models import Role
from jiuzhu.core.navigation import nav_menu

register = template.Library()
_ROLES = dict(Role.choices)


@register.simple_tag(takes_context=True)
def nav_links(context) -> list[dict]:
    request = context.get("request")
    if request is None:
        return []
    return nav_menu(request.user, request.path)


@register.filter
def place(user) -> str:
    """Where a staff user works: their area, or their organisation."""
    if getattr(user, "area", None) is not None:
        return user.area.name
    if getattr(user, "organisation", None) is not None:
        return user.organisation.name
    return ""


def _sort_state(current: str, key: str) -> str:
    base = key.lstrip("-")
    if current == base:
        return "ascending"
    if current == f"-{base}":
        return "descending"
    return "none"


@register.filter
def role_label(code: str) -> str:
    """The readable name of a role code (the audit trail stores codes)."""
    return str(_ROLES.get(code, code))


@register.simple_tag(takes_context=True)
def sort_header(context, key: str, label: str, target: str = "") -> str:
    """A link that sorts by ``key`` (``-key`` sorts descending on the first click) and reverses
    the direction on the next, keeping every other query parameter except the page."""
    request = context["request"]
    current = request.GET.get("sort") or context.get("sort") or ""
    base = key.lstrip("-")
    state = _sort_state(current, key)
    params = request.GET.copy()
    params.pop("page", None)
    params["sort"] = {"ascending": f"-{base}", "descending": base}.get(state, key)
    arrow = {"ascending": "▲", "descending": "▼"}.get(state, "")
    url = f"?{params.urlencode()}"
    title = _("Sort by %(column)s") % {"column": label}
    htmx = (
        format_html(
            ' hx-get="{}" hx-target="{}" hx-swap="outerHTML" hx-push-url="true"', url, target
        )
        if target
        else ""
    )
    return format_html(
        '<a href="{}"{} title="{}" data-sort="{}">{}<span class="sort-arrow" '
        'aria-hidden="true">{}</span></a>',
        url,
        htmx,
        title,
        state,
        label,
        arrow,
    )


@register.simple_tag(takes_context=True)
def aria_sort(context, key: str) -> str:
    current = context["request"].GET.get("sort") or context.get("sort") or ""
    return _sort_state(current, key)


@register.inclusion_tag("partials/field.html")
def field(bound_field, wide: bool = False):
    return {"field": bound_field, "wide": wide}


@register.simple_tag(takes_context=True)
def page_url(context, number: int) -> str:
    """The current URL with another page number."""
    params = context["request"].GET.copy()
    params["page"] = number
    return f"?{params.urlencode()}"


@register.simple_tag(takes_context=True)
def export_link(context) -> str:
    """The list's "Export to Excel" button: the current address (filters kept, page dropped)
    with ``export=xlsx`` (see ``core/views/list_export.py``)."""
    request = context["request"]
    query = request.GET.copy()
    query.pop("page", None)
    query["export"] = "xlsx"
    return format_html(
        '<a class="btn btn-secondary" href="?{}">{}</a>', query.urlencode(), _("Export to Excel")
    )


@register.filter
def grouped(value: int | None) -> str:
    """A count with thousands separators (24249 → "24,249"), as the dashboards print counts;
    None → "–"."""
    if value is None or value == "":
        return "–"
    return f"{int(value):,}"
