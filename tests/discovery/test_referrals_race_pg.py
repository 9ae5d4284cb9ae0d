"""Two departments' staff racing on one referral, on PostgreSQL with parallel connections."""

from __future__ import annotations

import pytest

from factories import (
    ConsentFactory,
    DepartmentDeskFactory,
    HouseholdFactory,
    MaterialRecommendationFactory,
    OrganisationFactory,
    UserFactory,
)
from jiuzhu.core.errors import Conflict
from jiuzhu.core.models import AuditEntry, OrganisationKind, Role
from jiuzhu.discovery.models import DepartmentReferral
from jiuzhu.discovery.services.referrals import referral_accept, referral_send
from parallel import in_parallel


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(2))
def test_two_staff_accepting_at_once_exactly_one_wins(postgres_only, areas, caseworker, round_):
    organisation = OrganisationFactory(name="医保局", kind=OrganisationKind.DEPARTMENT)
    DepartmentDeskFactory(district=areas["qixia"], kind="medical", department=organisation)
    one = UserFactory(role=Role.DEPARTMENT, organisation=organisation)
    two = UserFactory(role=Role.DEPARTMENT, organisation=organisation)
    household = HouseholdFactory(community=areas["yaohua_a"])
    ConsentFactory(household=household)  # sharing with a department needs it
    material = MaterialRecommendationFactory(
        plan__household=household,
        plan__assessment__household=household,
        plan__status="approved",
        kind="medical",
    )
    referral = referral_send(actor=caseworker, recommendation=material)
    results = in_parallel(
        lambda: referral_accept(actor=one, referral=DepartmentReferral.objects.get(pk=referral.pk)),
        lambda: referral_accept(actor=two, referral=DepartmentReferral.objects.get(pk=referral.pk)),
    )
    wins = [value for kind, value in results if kind == "ok"]
    losses = [value for kind, value in results if kind == "error"]
    assert len(wins) == 1 and len(losses) == 1, results
    assert isinstance(losses[0], Conflict)
    referral.refresh_from_db()
    assert referral.status == "accepted"
    assert (
        AuditEntry.objects.filter(
            object_type="discovery.departmentreferral", detail__has_key="transition"
        ).count()
        == 1
    )
