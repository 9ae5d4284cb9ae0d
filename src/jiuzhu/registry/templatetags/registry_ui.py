"""Template helpers for registry pages: translated group labels, urgency tags, masked numbers."""

from __future__ import annotations

from django import template
from django.utils import timezone

from jiuzhu.registry.groups import age_on
from jiuzhu.registry.models import Group, UrgencyTag
from jiuzhu.registry.services.members import masked_identity_number

register = template.Library()

_GROUPS = dict(Group.choices)
_URGENCY = dict(UrgencyTag.choices)


@register.filter
def group_labels(household) -> list[str]:
    return [str(_GROUPS.get(code, code)) for code in household.group_list]


@register.inclusion_tag("partials/urgency.html")
def urgency(household):
    tag = household.urgency_tag
    return {"tag": tag, "label": _URGENCY.get(tag, tag)}


@register.filter
def age(member) -> int:
    return age_on(member.birth_date, timezone.localdate())


@register.filter
def masked_id(member) -> str:
    return masked_identity_number(member)
