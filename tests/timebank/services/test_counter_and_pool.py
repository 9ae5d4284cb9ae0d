"""Redemption at a provider's counter, and grants from the donation pool (elderly people
living alone first), against the database."""

import pytest

from factories import HouseholdFactory, MemberFactory, ProviderFactory, years_ago
from jiuzhu.core.errors import DomainError, PermissionDenied, ValidationFailed
from jiuzhu.core.models import AuditEntry
from jiuzhu.core.scoping import visible
from jiuzhu.timebank.models import Movement, MovementKind
from jiuzhu.timebank.selectors.accounts import ledger_verify
from jiuzhu.timebank.selectors.reports import counter_redemptions
from jiuzhu.timebank.services.counter import counter_redeem
from jiuzhu.timebank.services.ledger import account_open, post_deposit, system_account
from jiuzhu.timebank.services.pool import pool_grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def counter(actors):
    """The actors' provider staff at their provider's counter, and another provider's staff."""
    from factories import UserFactory
    from jiuzhu.core.models import Role

    staff = actors["provider_staff"]
    provider = ProviderFactory(organisation=staff.organisation)
    other = ProviderFactory()
    other_staff = UserFactory(role=Role.PROVIDER_STAFF, organisation=other.organisation)
    return {"staff": staff, "provider": provider, "other_staff": other_staff}


def household_account(actors, areas, *ages):
    household = HouseholdFactory(community=areas["yaohua_a"])
    members = [
        MemberFactory(household=household, birth_date=years_ago(age), relation="head")
        for age in ages
    ]
    account = account_open(
        actor=actors["qixia_manager"], kind="household", household_id=household.pk
    )
    return account, members


def test_the_counter_redeems_a_volunteers_hours_with_the_provider_as_counterparty(counter, funded):
    account = funded(300, age=65)
    movement = counter_redeem(
        actor=counter["staff"], account_id=account.pk, minutes=120, service="助浴"
    )
    assert (movement.kind, movement.provider, movement.status) == (
        MovementKind.REDEMPTION,
        counter["provider"],
        "posted",
    )
    account.refresh_from_db()
    assert account.balance_minutes == 180
    assert ledger_verify().ok
    # Scoped to the provider's staff: the other provider's counter does not list it.
    assert list(counter_redemptions(user=counter["staff"])) == [movement]
    assert not counter_redemptions(user=counter["other_staff"]).exists()
    assert not visible(counter["other_staff"], Movement.objects.all()).exists()


def test_the_counter_applies_the_rules_and_audits_each_refusal(counter, funded, actors):
    young, rich = funded(300, age=59), funded(60, age=70)
    cases = [
        ({"account_id": young.pk, "minutes": 60}, "under_60"),
        ({"account_id": rich.pk, "minutes": 90}, "insufficient_balance"),
        (
            {
                "account_id": young.pk,
                "minutes": 60,
                "relation": "sibling",
                "beneficiary_birth_date": years_ago(70),
            },
            "not_family",
        ),
    ]
    for kwargs, rule in cases:
        with pytest.raises(DomainError) as refused:
            counter_redeem(actor=counter["staff"], service="助浴", **kwargs)
        assert refused.value.code == rule
    # A relative aged exactly 60 may be served from a 59-year-old's hours.
    counter_redeem(
        actor=counter["staff"],
        account_id=young.pk,
        minutes=60,
        service="助浴",
        relation="parent",
        beneficiary_birth_date=years_ago(60),
    )
    with pytest.raises(ValidationFailed) as bad:
        counter_redeem(actor=counter["staff"], account_id=999999, minutes=0, service="")
    assert set(bad.value.fields) == {"account_id", "minutes", "service"}
    with pytest.raises(PermissionDenied):
        counter_redeem(actor=actors["volunteer"], account_id=young.pk, minutes=60, service="x")
    denied = AuditEntry.objects.filter(object_type="timebank.movement", result="denied")
    assert denied.count() == 5


def test_a_households_hours_serve_its_members_aged_60_or_more(counter, actors, areas):
    account, (elder,) = household_account(actors, areas, 75)
    _young_household, (youngster,) = household_account(actors, areas, 30)
    funded_volunteer(actors)  # 300 minutes donated to the pool
    pool_grant(actor=actors["qixia_manager"], requests=[(account.pk, 120)])
    with pytest.raises(DomainError) as stranger:
        counter_redeem(
            actor=counter["staff"],
            account_id=account.pk,
            minutes=60,
            service="助餐",
            member_id=youngster.pk,
        )
    assert stranger.value.code == "not_member"
    counter_redeem(
        actor=counter["staff"],
        account_id=account.pk,
        minutes=60,
        service="助餐",
        member_id=elder.pk,
    )
    account.refresh_from_db()
    assert account.balance_minutes == 60


def funded_volunteer(actors):
    """The actors' volunteer's account, after donating 300 minutes to the pool."""
    from jiuzhu.timebank.services.ledger import account_for_volunteer, transfer_make

    account = account_for_volunteer(volunteer=actors["volunteer"])
    post_deposit(account=account, minutes=300, note="seed", actor=None)
    account.refresh_from_db()
    transfer_make(actor=actors["volunteer"], source=account, kind="donation", minutes=300)
    return account


def test_the_pool_serves_elderly_people_living_alone_first(actors, areas):
    funded_volunteer(actors)  # 300 minutes in the pool
    couple, _ = household_account(actors, areas, 70, 68)
    family, _ = household_account(actors, areas, 40, 12)
    alone, _ = household_account(actors, areas, 82)
    alone_young, _ = household_account(actors, areas, 59)
    # Asked in this order: the family, the couple, the one living alone, the 59-year-old.
    granted = pool_grant(
        actor=actors["qixia_manager"],
        requests=[(family.pk, 120), (couple.pk, 120), (alone.pk, 120), (alone_young.pk, 60)],
    )
    # Served: living alone 82 (120, 180 left), the couple (120, 60 left), then the family
    # (60 of 120, 0 left), the 59-year-old living alone (0): not elderly, asked last.
    assert [(g.account.pk, g.granted, g.rank) for g in granted] == [
        (alone.pk, 120, 0),
        (couple.pk, 120, 1),
        (family.pk, 60, 2),
        (alone_young.pk, 0, 2),
    ]
    assert system_account("pool").balance_minutes == 0
    assert ledger_verify().ok
    with pytest.raises(ValidationFailed):  # another district's manager sees none of them
        pool_grant(actor=actors["jianye_manager"], requests=[(alone.pk, 60)])
    with pytest.raises(PermissionDenied):
        pool_grant(actor=actors["volunteer"], requests=[(alone.pk, 60)])
