from decimal import Decimal

import pytest

from factories_registry import add_member, make_household
from jiuzhu.core.errors import PermissionDenied, ValidationFailed
from jiuzhu.core.models import AuditEntry
from jiuzhu.registry.models import ChainEntry, HouseholdChange
from jiuzhu.registry.services.households import (
    household_exit,
    household_get_for,
    household_reactivate,
    household_update,
)

pytestmark = pytest.mark.django_db


def test_registering_fills_the_area_chain_history_and_audit(actors, areas):
    worker = actors["yaohua_a_worker"]
    household = make_household(actor=worker, community=areas["yaohua_a"])
    assert household.street == areas["yaohua"]
    assert household.district == areas["qixia"]
    assert household.changes.get().kind == "registered"
    assert household.chain.count() == 1
    assert AuditEntry.objects.filter(
        action="create", object_type="registry.household", object_id=str(household.pk)
    ).exists()


def test_a_community_worker_cannot_register_in_another_community(actors, areas):
    with pytest.raises(ValidationFailed) as error:
        make_household(actor=actors["yaohua_a_worker"], community=areas["yaohua_b"])
    assert "community" in error.value.fields


@pytest.mark.parametrize("role", ["qixia_hotline", "assessor", "provider_staff", "audit_admin"])
def test_roles_that_may_not_edit_the_registry(actors, areas, role):
    with pytest.raises(PermissionDenied):
        make_household(actor=actors[role], community=areas["yaohua_a"])


def test_an_income_change_is_recorded_once_with_its_reason(actors, areas, caseworker):
    household = make_household(actor=caseworker, community=areas["yaohua_a"], income="1200")
    household_update(
        actor=caseworker,
        household=household,
        monthly_income=Decimal("800.00"),
        address="测试路1号",
        reason="失业",
    )
    change = HouseholdChange.objects.get(household=household, kind="income")
    assert change.reason == "失业"
    assert change.recorded_by == caseworker
    # Saving the same values again records nothing new.
    household_update(actor=caseworker, household=household, monthly_income=Decimal("800"))
    assert HouseholdChange.objects.filter(household=household).count() == 2


def test_a_form_that_sends_every_field_records_only_what_changed(actors, areas, caseworker):
    """The edit form sends the community, address, phone and tier unchanged with the new
    income: only 收入变更 is recorded (never 住址变更), and the audit names only the income."""
    household = make_household(actor=caseworker, community=areas["yaohua_a"], income="1200")
    household_update(
        actor=caseworker,
        household=household,
        community=areas["yaohua_a"],
        address="测试路1号 ",
        phone="025-85550000",
        tier="dibao",
        monthly_income=Decimal("900"),
        medical_spending_12m=Decimal("0.00"),
        education_spending_12m=Decimal("0"),
    )
    kinds = list(
        HouseholdChange.objects.filter(household=household)
        .order_by("id")
        .values_list("kind", flat=True)
    )
    assert kinds == ["registered", "income"]
    entry = AuditEntry.objects.filter(action="update", object_id=str(household.pk)).get()
    assert entry.detail["fields"] == ["monthly_income"]


def test_moving_to_another_street_updates_street_and_district(actors, areas):
    manager = actors["qixia_manager"]
    household = make_household(actor=manager, community=areas["yaohua_a"])
    household_update(actor=manager, household=household, community=areas["maqun_a"])
    household.refresh_from_db()
    assert (household.street, household.district) == (areas["maqun"], areas["qixia"])
    assert household.changes.filter(kind="address").exists()


def test_exit_needs_a_reason_and_reactivation_clears_it(actors, areas, caseworker):
    household = make_household(actor=caseworker, community=areas["yaohua_a"])
    with pytest.raises(ValidationFailed):
        household_exit(actor=caseworker, household=household, reason="  ")
    household_exit(actor=caseworker, household=household, reason="收入稳定")
    household.refresh_from_db()
    assert (household.status, household.exit_reason) == ("exited", "收入稳定")
    household_reactivate(actor=caseworker, household=household, reason="再次申请")
    household.refresh_from_db()
    assert (household.status, household.exit_reason) == ("active", "")


def test_get_for_audits_the_view_and_hides_what_is_out_of_scope(actors, areas, caseworker):
    household = make_household(actor=caseworker, community=areas["yaohua_a"])
    household_get_for(actor=caseworker, household_id=household.pk)
    assert AuditEntry.objects.filter(action="view", object_id=str(household.pk)).count() == 1
    from jiuzhu.core.errors import NotFound

    with pytest.raises(NotFound):
        household_get_for(actor=actors["maqun_caseworker"], household_id=household.pk)


def test_changes_are_announced_after_commit(
    actors, areas, caseworker, django_capture_on_commit_callbacks
):
    from jiuzhu.core import events

    seen = []
    handler = events.on("household.changed")(lambda event: seen.append(event.payload["kind"]))
    try:
        household = make_household(actor=caseworker, community=areas["yaohua_a"])
        with django_capture_on_commit_callbacks(execute=True):
            add_member(actor=caseworker, household=household)
    finally:
        events._registry["household.changed"].handlers.remove(handler)
    assert seen == ["member_added"]
    assert ChainEntry.objects.filter(household=household, source="registry").count() == 2
