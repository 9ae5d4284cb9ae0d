"""A small cloud supermarket for tests: a household, its beneficiary, three providers."""

import pytest

from factories import (
    VALID_USCC,
    BeneficiaryAccountFactory,
    OrganisationFactory,
    ProviderFactory,
    UserFactory,
)
from factories_registry import add_member, make_household
from jiuzhu.catalog.models import ServiceItem
from jiuzhu.catalog.services import catalogue_load_defaults
from jiuzhu.core.models import Role

__all__ = ["VALID_USCC", "market"]


@pytest.fixture
def market(areas, actors, caseworker):
    """The catalogue; a household in 尧化门 with its beneficiary; provider A (the actors'
    provider_staff's organisation) serving Yaohua street with 助餐 and 助洁; provider B serving
    Yaohua too; provider C serving only Maqun."""
    catalogue_load_defaults()
    household = make_household(actor=caseworker, community=areas["yaohua_a"])
    head = add_member(
        actor=caseworker, household=household, age=75, employment="retired", mobile="13912340000"
    )
    beneficiary = UserFactory(username="bene", role=Role.BENEFICIARY, mobile="13912340000")
    BeneficiaryAccountFactory(user=beneficiary, member=head)
    meal = ServiceItem.objects.get(code="meal_help")
    cleaning = ServiceItem.objects.get(code="cleaning_help")
    staff_a = actors["provider_staff"]

    def provider(org, streets, uscc):
        return ProviderFactory(
            organisation=org,
            uscc=uscc,
            base=areas["yaohua_a"],
            daily_capacity=5,
            streets=streets,
            items=[meal, cleaning],
        )

    provider_a = provider(staff_a.organisation, [areas["yaohua"]], VALID_USCC)
    org_b = OrganisationFactory(name="服务机构乙")
    provider_b = provider(org_b, [areas["yaohua"]], "91320113MA1N0000XX")
    staff_b = UserFactory(username="staff_b", role=Role.PROVIDER_STAFF, organisation=org_b)
    org_c = OrganisationFactory(name="服务机构丙")
    provider_c = provider(org_c, [areas["maqun"]], "91320113MA1N0001XX")
    staff_c = UserFactory(username="staff_c", role=Role.PROVIDER_STAFF, organisation=org_c)
    return {
        "household": household,
        "beneficiary": beneficiary,
        "meal": meal,
        "cleaning": cleaning,
        "provider_a": provider_a,
        "provider_b": provider_b,
        "provider_c": provider_c,
        "staff_a": staff_a,
        "staff_b": staff_b,
        "staff_c": staff_c,
    }
