"""Four households placed around the area tree, for the scoping matrix."""

from __future__ import annotations

from factories import BeneficiaryAccountFactory, HouseholdAssignmentFactory, UserFactory
from factories_registry import add_member, make_household
from jiuzhu.core.models import Role


def build_cast(actors, areas) -> dict:
    """Households ya (尧化门, Yaohua street, Qixia), yb (尧林仙居, Yaohua street, Qixia),
    mq (马群, Maqun street, Qixia) and sz (沙洲, Jianye). mq is assigned to the assessor; the
    beneficiary belongs to yb."""
    city = actors["city_admin"]
    households = {}
    for key, community in [
        ("ya", "yaohua_a"),
        ("yb", "yaohua_b"),
        ("mq", "maqun_a"),
        ("sz", "shazhou_a"),
    ]:
        households[key] = make_household(actor=city, community=areas[community])
    members = {
        key: add_member(actor=city, household=household, name=f"户主{key}")
        for key, household in households.items()
    }
    HouseholdAssignmentFactory(
        household=households["mq"],
        assignee=actors["assessor"],
        created_by=actors["qixia_manager"],
    )
    beneficiary = UserFactory(username="beneficiary_yb", role=Role.BENEFICIARY)
    BeneficiaryAccountFactory(user=beneficiary, member=members["yb"])
    return {
        "households": households,
        "members": members,
        "actors": {**actors, "beneficiary": beneficiary},
    }


#: Which of the four households each actor sees, written out by hand from DOMAIN.md's table.
EXPECTED_VISIBLE = {
    "city_admin": {"ya", "yb", "mq", "sz"},
    "qixia_manager": {"ya", "yb", "mq"},
    "jianye_manager": {"sz"},
    "yaohua_caseworker": {"ya", "yb"},
    "maqun_caseworker": {"mq"},
    "yaohua_a_worker": {"ya"},
    "yaohua_b_worker": {"yb"},
    "qixia_hotline": {"ya", "yb", "mq"},
    "assessor": {"mq"},
    "beneficiary": {"yb"},
    "provider_staff": set(),
    "volunteer": set(),
    "department": set(),
    "security_admin": set(),
    "audit_admin": set(),
}
