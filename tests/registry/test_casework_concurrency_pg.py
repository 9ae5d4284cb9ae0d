"""A transfer decided twice at once, on PostgreSQL with real parallel connections: the receiving
street accepts while the sending street cancels. Exactly one wins; the other gets a Conflict,
and the household is where the winner left it."""

from __future__ import annotations

import pytest

from factories import HouseholdFactory, TransferFactory
from jiuzhu.core.errors import Conflict
from jiuzhu.registry.models import Household, Transfer
from jiuzhu.registry.services.transfers import transfer_accept, transfer_cancel
from parallel import in_parallel

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_accept_and_cancel_at_once_let_exactly_one_through(postgres_only, actors, areas):
    household = HouseholdFactory(community=areas["yaohua_a"])
    transfer = TransferFactory(household=household, to_community=areas["maqun_a"])
    sender, receiver = actors["yaohua_caseworker"], actors["maqun_caseworker"]

    def accept():
        return transfer_accept(actor=receiver, transfer=Transfer.objects.get(pk=transfer.pk))

    def cancel():
        return transfer_cancel(actor=sender, transfer=Transfer.objects.get(pk=transfer.pk))

    results = in_parallel(accept, cancel)
    kinds = sorted(kind for kind, _ in results)
    assert kinds == ["error", "ok"], results
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, Conflict), error
    transfer.refresh_from_db()
    community = Household.objects.get(pk=household.pk).community_id
    if transfer.status == "accepted":
        assert community == areas["maqun_a"].pk
    else:
        assert transfer.status == "cancelled" and community == areas["yaohua_a"].pk
