"""How the assessment reacts to registry events (run after the registry's change commits)."""

from jiuzhu.assessment.services.dues import due_for_change, due_for_registered
from jiuzhu.assessment.services.plans import plans_end_for_exited
from jiuzhu.core.events import DomainEvent, on
from jiuzhu.registry.events import HOUSEHOLD_CHANGED, HOUSEHOLD_REGISTERED
from jiuzhu.registry.models import ChangeKind

#: Changes that do not alter a household's circumstances and so trigger no re-assessment.
NOT_CIRCUMSTANCES = {ChangeKind.ADDRESS, ChangeKind.TIER, ChangeKind.EXITED}


@on(HOUSEHOLD_REGISTERED)
def new_household_is_due(event: DomainEvent) -> None:
    due_for_registered(household_id=event.payload["household_id"])


@on(HOUSEHOLD_CHANGED)
def exited_household_plans_end(event: DomainEvent) -> None:
    if event.payload["kind"] == ChangeKind.EXITED:
        plans_end_for_exited(household_id=event.payload["household_id"])


@on(HOUSEHOLD_CHANGED)
def changed_household_is_due(event: DomainEvent) -> None:
    if event.payload["kind"] in NOT_CIRCUMSTANCES:
        return
    due_for_change(household_id=event.payload["household_id"], change_id=event.payload["change_id"])
