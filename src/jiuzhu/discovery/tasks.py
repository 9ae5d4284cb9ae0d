"""Active discovery's task list for the workspace (see ``jiuzhu.core.worklist``): warnings
still to verify by a visit — a community worker's and street caseworker's in their area, a
volunteer's those assigned to them — earliest deadline first."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy

from jiuzhu.core.models import Role
from jiuzhu.core.worklist import TaskRow, register_task_source
from jiuzhu.discovery.models import EarlyWarning
from jiuzhu.discovery.selectors.warnings import warning_list

VERIFYING_ROLES = frozenset({Role.COMMUNITY_WORKER, Role.STREET_CASEWORKER, Role.VOLUNTEER})


def _warning_row(warning: EarlyWarning) -> TaskRow:
    if warning.household is not None:
        title = f"#{warning.household.pk} {warning.household.head_name}".strip()
    elif warning.potential_case is not None:
        title = warning.potential_case.name
    else:
        title = f"#{warning.pk}"
    place = warning.community or warning.street
    # What raised it (a rule's title, or "neighbour referral"): one household may carry several
    # warnings, and the rows must not read as duplicates.
    reason = warning.rule.title if warning.rule is not None else warning.get_origin_display()
    parts = (place.name if place else "", reason, warning.get_grade_display())
    return TaskRow(
        title=title,
        detail=" · ".join(str(part) for part in parts if part),
        url=reverse("discovery:warning_detail", args=[warning.pk]),
    )


register_task_source(
    "verifications",
    gettext_lazy("Warnings to verify"),
    None,
    lambda user: warning_list(user=user),
    VERIFYING_ROLES,
    describe=_warning_row,
    due_field="due_at",
    help=gettext_lazy(
        "Households or people flagged by department data or neighbours: visit and "
        "record what you found."
    ),
    full_list="discovery:warning_list",
    order=12,
)
