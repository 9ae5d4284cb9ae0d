"""Scoping rules at their edges (DOMAIN.md's roles table; docs/architecture.md, scoping).

- a deactivated account sees nothing, whatever its role and area;
- an assessor sees the households assigned to them, or to their organisation without a named
  assessor — while the assignment is active; an ended assignment grants nothing, and a
  household a colleague of the same organisation was given is the colleague's, not theirs.
"""

import pytest

from factories import AreaFactory, OrganisationFactory, UserFactory
from factories_registry import add_member, make_household
from jiuzhu.core.models import AreaLevel, OrganisationKind, Role
from jiuzhu.core.scoping import visible
from jiuzhu.registry.models import Household, HouseholdAssignment, Member

pytestmark = pytest.mark.django_db


@pytest.fixture
def homes(areas, caseworker):
    homes = {}
    for key in ("mine", "ours", "colleagues", "ended", "other_org"):
        household = make_household(actor=caseworker, community=areas["yaohua_a"])
        add_member(actor=caseworker, household=household, name=f"户主{key}")
        homes[key] = household
    return homes


def assign(household, by, *, assignee=None, organisation=None, active=True):
    return HouseholdAssignment.objects.create(
        household=household,
        assignee=assignee,
        organisation=organisation,
        purpose="assessment",
        active=active,
        created_by=by,
    )


def seen(user, model=Household) -> set:
    return set(visible(user, model.objects.all()).values_list("pk", flat=True))


@pytest.mark.parametrize(
    "name", ["city_admin", "qixia_manager", "yaohua_caseworker", "yaohua_a_worker", "qixia_hotline"]
)
def test_a_deactivated_account_sees_nothing(homes, actors, name):
    user = actors[name]
    assert seen(user) == {h.pk for h in homes.values()}  # active: the whole community
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert seen(user) == set()
    assert seen(user, Member) == set()


def test_no_user_and_an_anonymous_user_see_nothing(homes):
    from django.contrib.auth.models import AnonymousUser

    assert seen(None) == set()
    assert seen(AnonymousUser()) == set()


def test_a_deactivated_beneficiary_no_longer_sees_their_household(homes):
    from jiuzhu.registry.models import BeneficiaryAccount

    household = homes["mine"]
    user = UserFactory(username="bene_mine", role=Role.BENEFICIARY)
    BeneficiaryAccount.objects.create(
        user=user, member=household.members.first(), household=household
    )
    assert seen(user) == {household.pk}
    user.is_active = False
    assert seen(user) == set()


def test_an_assessor_sees_only_active_assignments_of_their_own(homes, actors, caseworker):
    assessor = actors["assessor"]
    colleague = UserFactory(
        username="colleague", role=Role.ASSESSOR, organisation=assessor.organisation
    )
    assign(homes["mine"], caseworker, assignee=assessor, organisation=assessor.organisation)
    assign(homes["ours"], caseworker, organisation=assessor.organisation)  # no one named yet
    assign(homes["colleagues"], caseworker, assignee=colleague, organisation=colleague.organisation)
    assign(homes["ended"], caseworker, assignee=assessor, active=False)
    other_org = OrganisationFactory(name="评估机构乙", kind=OrganisationKind.ASSESSMENT)
    assign(homes["other_org"], caseworker, organisation=other_org)  # another organisation's
    expected = {homes["mine"].pk, homes["ours"].pk}
    assert seen(assessor) == expected
    assert seen(assessor, Member) == {m.pk for m in Member.objects.filter(household__in=expected)}
    assert seen(colleague) == {homes["ours"].pk, homes["colleagues"].pk}


def test_an_ended_assignment_grants_nothing_even_beside_an_active_one_of_a_colleague(
    homes, actors, caseworker
):
    """The active flag and the assignee must hold for the same assignment."""
    assessor = actors["assessor"]
    colleague = UserFactory(
        username="colleague", role=Role.ASSESSOR, organisation=assessor.organisation
    )
    household = homes["ended"]
    assign(household, caseworker, assignee=assessor, active=False)
    assign(household, caseworker, assignee=colleague, organisation=colleague.organisation)
    assert household.pk not in seen(assessor)
    assert household.pk in seen(colleague)


def test_ending_an_assignment_takes_the_household_away(homes, actors, caseworker):
    assessor = actors["assessor"]
    assignment = assign(homes["mine"], caseworker, assignee=assessor)
    assert seen(assessor) == {homes["mine"].pk}
    HouseholdAssignment.objects.filter(pk=assignment.pk).update(active=False)
    assert seen(assessor) == set()


def test_several_grants_for_one_role_are_combined_and_still_narrow_the_query(homes, actors):
    """Later capabilities add grants to earlier models; a role's grants are OR-ed together, and
    the queryset the caller passes in still narrows the answer."""
    from jiuzhu.core import scoping

    saved = scoping.clear_rules_for_tests()
    role = "test_role_with_three_grants"
    user = actors["volunteer"]
    user.role = role  # a role nothing else grants anything to
    mine, ours, ended = homes["mine"].pk, homes["ours"].pk, homes["ended"].pk
    try:
        for pk in (mine, ours, ended):
            scoping.grant(Household, [role], lambda qs, _user, pk=pk: qs.filter(pk=pk))
        assert seen(user) == {mine, ours, ended}
        narrowed = visible(user, Household.objects.filter(pk__in=[ours, homes["colleagues"].pk]))
        assert set(narrowed.values_list("pk", flat=True)) == {ours}
    finally:
        scoping._rules.clear()
        scoping._rules.update(saved)


def test_an_area_rule_keeps_the_users_area_and_everything_below_it(actors, areas):
    """``by_area`` (core/scoping.py): a city user sees all, a district user their district, a
    street user their street, a community user their community; a user without an area
    nothing. With a ``city`` field the city user sees their own city's rows only."""
    from jiuzhu.core.scoping import by_area
    from scoping_cast import build_cast

    cast = build_cast(actors, areas)
    key = {household.pk: name for name, household in cast["households"].items()}
    rule = by_area(district="district_id", street="street_id", community="community_id")

    def kept(user, rule=rule) -> set:
        return {key[pk] for pk in rule(Household.objects.all(), user).values_list("pk", flat=True)}

    assert kept(actors["city_admin"]) == {"ya", "yb", "mq", "sz"}
    assert kept(actors["qixia_manager"]) == {"ya", "yb", "mq"}
    assert kept(actors["jianye_manager"]) == {"sz"}
    assert kept(actors["yaohua_caseworker"]) == {"ya", "yb"}
    assert kept(actors["maqun_caseworker"]) == {"mq"}
    assert kept(actors["yaohua_b_worker"]) == {"yb"}
    nowhere = UserFactory(username="no_area", role=Role.COMMUNITY_WORKER, area=None)
    assert kept(nowhere) == set()
    with_city = by_area(
        city="district__parent_id",
        district="district_id",
        street="street_id",
        community="community_id",
    )
    assert kept(actors["city_admin"], with_city) == {"ya", "yb", "mq", "sz"}
    wuxi = AreaFactory(code="320200", name="无锡市", level=AreaLevel.CITY)
    elsewhere = UserFactory(username="wuxi_admin", role=Role.CITY_ADMIN, area=wuxi)
    assert kept(elsewhere) == {"ya", "yb", "mq", "sz"}  # no city field: a city user sees all
    assert kept(elsewhere, with_city) == set()  # with one: only their own city's rows


def test_two_grants_for_one_role_are_both_applied_for_that_user(homes, actors, areas):
    """With exactly two grants both count, and each is asked about the user in hand (the area
    rule needs the user's area)."""
    from jiuzhu.core import scoping

    far = make_household(actor=actors["city_admin"], community=areas["shazhou_a"])
    saved = scoping.clear_rules_for_tests()
    role = "test_role_with_two_grants"
    user = actors["yaohua_a_worker"]
    user.role = role  # a role nothing else grants anything to
    try:
        # The area rule second: the first rule and the later ones are asked on separate lines.
        scoping.grant(Household, [role], lambda qs, _user: qs.filter(pk=far.pk))
        scoping.grant(
            Household,
            [role],
            scoping.by_area(district="district_id", street="street_id", community="community_id"),
        )
        assert seen(user) == {h.pk for h in homes.values()} | {far.pk}
    finally:
        scoping._rules.clear()
        scoping._rules.update(saved)


def test_the_first_of_several_grants_is_asked_about_the_user_too(homes, actors, areas):
    """The area rule first this time: it must be asked about the user in hand as well."""
    from jiuzhu.core import scoping

    far = make_household(actor=actors["city_admin"], community=areas["shazhou_a"])
    saved = scoping.clear_rules_for_tests()
    role = "test_role_with_the_area_rule_first"
    user = actors["yaohua_a_worker"]
    user.role = role
    try:
        scoping.grant(
            Household,
            [role],
            scoping.by_area(district="district_id", street="street_id", community="community_id"),
        )
        scoping.grant(Household, [role], lambda qs, _user: qs.filter(pk=far.pk))
        assert seen(user) == {h.pk for h in homes.values()} | {far.pk}
    finally:
        scoping._rules.clear()
        scoping._rules.update(saved)


def test_only_an_active_signed_in_user_of_a_granted_role_is_granted(actors):
    from django.contrib.auth.models import AnonymousUser

    from jiuzhu.core.errors import PermissionDenied
    from jiuzhu.core.scoping import is_granted, require_granted

    manager = actors["qixia_manager"]
    assert is_granted(manager, Household)
    require_granted(manager, Household)
    assert not is_granted(actors["volunteer"], Household)
    assert not is_granted(None, Household)
    assert not is_granted(AnonymousUser(), Household)
    manager.is_active = False
    assert not is_granted(manager, Household)
    with pytest.raises(PermissionDenied):
        require_granted(manager, Household)


def test_a_household_sees_its_own_chain_without_the_offices_entries(homes):
    """DOMAIN.md / registry/scopes.py: a household sees what it received and did on its own
    chain; assessment and warning entries (urgency tags, scores) are the office's."""
    from django.utils import timezone

    from jiuzhu.registry.models import BeneficiaryAccount, ChainEntry

    household = homes["mine"]
    user = UserFactory(username="bene_chain", role=Role.BENEFICIARY)
    BeneficiaryAccount.objects.create(
        user=user, member=household.members.first(), household=household
    )
    now = timezone.now()
    order = ChainEntry.objects.create(household=household, at=now, source="order", title="助餐")
    assessment = ChainEntry.objects.create(
        household=household, at=now, source="assessment", title="评估"
    )
    elsewhere = ChainEntry.objects.create(
        household=homes["ours"], at=now, source="order", title="别家的助餐"
    )
    mine = ChainEntry.objects.filter(pk__in=[order.pk, assessment.pk, elsewhere.pk])
    assert set(visible(user, mine).values_list("pk", flat=True)) == {order.pk}


def test_a_frontline_worker_sees_their_own_training_records_only(actors):
    """docs/casework.md: a community worker or street caseworker reads their own training and
    commendation records; a colleague's are not theirs to read."""
    import datetime as dt

    from jiuzhu.registry.models import TrainingRecord

    def record(worker):
        return TrainingRecord.objects.create(
            worker=worker, course="入户评估", completed_on=dt.date(2026, 3, 1), hours=2,
            recorded_by=actors["qixia_manager"],
        ).pk  # fmt: skip

    worker, colleague = actors["yaohua_a_worker"], actors["yaohua_caseworker"]
    mine, theirs = record(worker), record(colleague)
    assert set(visible(worker, TrainingRecord.objects.all()).values_list("pk", flat=True)) == {mine}
    assert set(visible(colleague, TrainingRecord.objects.all()).values_list("pk", flat=True)) == {
        theirs
    }
