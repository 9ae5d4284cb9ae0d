"""The registry's task list for the workspace (see ``jiuzhu.core.worklist``): the follow-ups a
caseworker promised in their own case notes and visits, from the day they fall due."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy

from jiuzhu.core.models import Role
from jiuzhu.core.worklist import TaskRow, register_task_source
from jiuzhu.registry.models import CaseNote
from jiuzhu.registry.policy import NOTE_WRITERS
from jiuzhu.registry.selectors.casework import followups_due_for


def _followup_row(note: CaseNote) -> TaskRow:
    household = note.household
    return TaskRow(
        title=f"#{household.pk} {household.head_name}".strip(),
        detail=" · ".join(
            str(part)
            for part in (household.community.name, note.get_kind_display(), note.next_step)
            if part
        ),
        url=reverse("registry:household_detail", args=[household.pk]),
    )


register_task_source(
    "followups",
    gettext_lazy("Follow-ups due"),
    None,
    lambda user: followups_due_for(user),
    NOTE_WRITERS - {Role.CITY_ADMIN},  # the city administrator keeps the city overview
    describe=_followup_row,
    due_field="follow_up_on",
    due_is_date=True,
    help=gettext_lazy("What you said you would check again in a case note or visit."),
    full_list="registry:followup_list",
    order=15,
)
