"""The overview for area staff: how many households they can see, by status, tier, group and
urgency, counted in one pass over the scoped list."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from jiuzhu.registry.models import Group, HouseholdStatus, Tier, UrgencyTag
from jiuzhu.registry.policy import can_edit_registry
from jiuzhu.registry.selectors.households import (
    HouseholdFilters,
    household_counts,
    household_list,
)

URGENT_LIST_SIZE = 8


@login_required
def dashboard(request):
    households = household_list(user=request.user)
    counts = household_counts(households)

    def rows(prefix, choices, param):
        return [
            {
                "value": c.value,
                "label": str(c.label),
                "count": counts[f"{prefix}_{c.value}"],
                "query": f"{param}={c.value}&status=active",
            }
            for c in choices
        ]

    urgent = household_list(
        user=request.user,
        filters=HouseholdFilters(
            urgency=UrgencyTag.URGENT, status=HouseholdStatus.ACTIVE, sort="-updated"
        ),
    )[:URGENT_LIST_SIZE]
    tiers = rows("tier", Tier, "tier")
    groups = rows("group", Group, "group")
    context = {
        "counts": counts,
        "tiers": tiers,
        "groups": groups,
        "urgencies": rows("urgency", UrgencyTag, "urgency"),
        "tier_chart": [{"label": r["label"], "value": r["count"]} for r in tiers],
        "group_chart": [{"label": r["label"], "value": r["count"]} for r in groups],
        "urgent": urgent,
        "can_edit": can_edit_registry(request.user),
    }
    return render(request, "registry/dashboard.html", context)
