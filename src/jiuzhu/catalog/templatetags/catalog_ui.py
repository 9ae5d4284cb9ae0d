"""Template helpers for catalogue pages: names in the current language, code labels."""

from __future__ import annotations

from django import template

from jiuzhu.catalog.forms import local_name
from jiuzhu.registry.models import Group, Tier, UrgencyTag

register = template.Library()

_LABELS = {
    "groups": dict(Group.choices),
    "tiers": dict(Tier.choices),
    "urgency": dict(UrgencyTag.choices),
}


@register.filter
def localized(obj) -> str:
    """The English name when the page is in English and one is recorded, else the Chinese."""
    if not hasattr(obj, "name_en"):
        return str(obj)
    return local_name(obj)


@register.filter
def code_labels(codes, kind: str) -> list[str]:
    """Translated labels for a list of group, tier or urgency codes."""
    labels = _LABELS.get(kind, {})
    return [str(labels.get(code, code)) for code in codes or []]
