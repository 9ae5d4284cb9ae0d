"""Who sees volunteer deposits: a district manager sees the work done in their district."""

import pytest

from factories import DepositFactory, TimebankAccountFactory
from jiuzhu.core.scoping import visible
from jiuzhu.timebank.models import Deposit

pytestmark = pytest.mark.django_db


def test_a_district_manager_sees_volunteer_work_done_in_the_district_whatever_the_account(
    actors, areas
):
    volunteer = TimebankAccountFactory(district=None)  # volunteers' accounts name no district
    in_qixia = DepositFactory(account=volunteer, street=areas["yaohua"], minutes=30)
    in_jianye = DepositFactory(account=volunteer, street=areas["shazhou"], minutes=45)
    qixia_account = TimebankAccountFactory(district=areas["qixia"])
    by_account = DepositFactory(account=qixia_account, street=areas["shazhou"], minutes=60)

    def seen(name):
        return set(visible(actors[name], Deposit.objects.all()))

    assert seen("qixia_manager") == {in_qixia, by_account}
    assert seen("jianye_manager") == {in_jianye, by_account}  # served in Jianye
    assert seen("city_admin") == {in_qixia, in_jianye, by_account}
    assert seen("yaohua_caseworker") == set()  # street staff: not through this rule


# --------------------------------------------------------------------------- every rule, by hand
#
# The cast (docs/timebank.md, "Scoping"): volunteer A's and B's own accounts (no district);
# an elder's account in Qixia and one in Jianye; a donation A → Qixia elder (m_a), one B →
# Jianye elder (m_b), and a redemption by the Qixia elder at provider A's counter (m_counter);
# an entry per account touched; a deposit into A for an order provider A took for the market's
# household (d_order, served in Yaohua), a deposit into B from provider A's organisation's group
# activity (d_group, served in Shazhou, Jianye), and one into the Jianye elder from another
# organisation's activity (d_other, no street). Expected sets are written out by name.


@pytest.fixture
def bank(market, actors, areas, django_capture_on_commit_callbacks):
    from factories import GroupActivityFactory, MovementFactory, OrganisationFactory, UserFactory
    from jiuzhu.core.models import Role
    from jiuzhu.orders.services.orders import order_accept, order_create
    from jiuzhu.timebank.models import Entry

    a = TimebankAccountFactory(holder=actors["volunteer"], district=None)
    b = TimebankAccountFactory(holder=UserFactory(username="vol_b", role=Role.VOLUNTEER))
    qixia = TimebankAccountFactory(
        holder=None, kind="individual", name="栖霞老人", district=areas["qixia"]
    )
    jianye = TimebankAccountFactory(
        holder=None, kind="individual", name="建邺老人", district=areas["jianye"]
    )
    m_a = MovementFactory(source=a, target=qixia)
    m_b = MovementFactory(source=b, target=jianye)
    m_counter = MovementFactory(
        kind="redemption", source=qixia, target=jianye, provider=market["provider_a"]
    )
    for movement, account in ((m_a, a), (m_a, qixia), (m_b, b), (m_b, jianye), (m_counter, qixia)):
        Entry.objects.create(movement=movement, account=account, minutes=60, balance_after=0)
    with django_capture_on_commit_callbacks(execute=True):
        order = order_create(
            actor=market["beneficiary"], household=market["household"], item=market["meal"]
        )
    order_accept(actor=market["staff_a"], order=order)
    ours = GroupActivityFactory(organisation=actors["provider_staff"].organisation)
    theirs = GroupActivityFactory(organisation=OrganisationFactory(name="另一机构"))
    deposits = {
        "d_order": DepositFactory(account=a, order=order, street=areas["yaohua"]),
        "d_group": DepositFactory(account=b, activity=ours, street=areas["shazhou"]),
        "d_other": DepositFactory(account=jianye, activity=theirs),
    }
    return {
        "accounts": {"a": a, "b": b, "qixia": qixia, "jianye": jianye},
        "movements": {"m_a": m_a, "m_b": m_b, "m_counter": m_counter},
        "deposits": deposits,
        "activities": {"ours": ours, "theirs": theirs},
    }


def names(user, model, named):
    from jiuzhu.core.scoping import visible

    pks = set(visible(user, model.objects.all()).values_list("pk", flat=True))
    return {name for name, obj in named.items() if obj.pk in pks}


ACCOUNTS = {
    "volunteer": {"a"},
    "qixia_manager": {"qixia"},
    "jianye_manager": {"jianye"},
    "city_admin": {"a", "b", "qixia", "jianye"},
    "provider_staff": set(),
}
MOVEMENTS = {
    "volunteer": {"m_a"},
    "qixia_manager": {"m_a", "m_counter"},
    "jianye_manager": {"m_b", "m_counter"},
    "city_admin": {"m_a", "m_b", "m_counter"},
    "provider_staff": {"m_counter"},  # at their provider's counter
}
DEPOSITS = {
    "volunteer": {"d_order"},
    "qixia_manager": {"d_order"},  # served in Qixia (Yaohua); no Qixia account has deposits
    "jianye_manager": {"d_group", "d_other"},  # served in Jianye, and the Jianye account's
    "city_admin": {"d_order", "d_group", "d_other"},
    "provider_staff": {"d_order"},  # the order their provider took
    "bene": {"d_order"},  # the household's own order
}
ACTIVITIES = {
    "qixia_manager": set(),  # only activities whose deposits they see by account: none
    # through the Jianye account's deposit, and the work served in Jianye (d_group in Shazhou)
    "jianye_manager": {"ours", "theirs"},
    "city_admin": {"ours", "theirs"},
    "provider_staff": {"ours"},  # their organisation's
}


ENTRIES = {
    "volunteer": {("m_a", "a")},
    "qixia_manager": {("m_a", "qixia"), ("m_counter", "qixia")},
    "jianye_manager": {("m_b", "jianye")},
    "city_admin": {
        ("m_a", "a"),
        ("m_a", "qixia"),
        ("m_b", "b"),
        ("m_b", "jianye"),
        ("m_counter", "qixia"),
    },
    "provider_staff": set(),  # entries are never theirs to read
}


@pytest.mark.parametrize("role", list(ACCOUNTS))
def test_accounts_entries_and_movements_by_role(bank, actors, role):
    from jiuzhu.core.scoping import visible
    from jiuzhu.timebank.models import Account, Entry, Movement

    user = actors[role]
    assert names(user, Account, bank["accounts"]) == ACCOUNTS[role]
    assert names(user, Movement, bank["movements"]) == MOVEMENTS[role]
    movement = {m.pk: name for name, m in bank["movements"].items()}
    account = {a.pk: name for name, a in bank["accounts"].items()}
    seen = {
        (movement[e.movement_id], account[e.account_id]) for e in visible(user, Entry.objects.all())
    }
    assert seen == ENTRIES[role]


@pytest.mark.parametrize("role", list(DEPOSITS))
def test_deposits_by_role(bank, actors, market, role):
    from jiuzhu.timebank.models import Deposit

    user = market["beneficiary"] if role == "bene" else actors[role]
    assert names(user, Deposit, bank["deposits"]) == DEPOSITS[role]


@pytest.mark.parametrize("role", list(ACTIVITIES))
def test_group_activities_by_role(bank, actors, role):
    from jiuzhu.timebank.models import GroupActivity

    assert names(actors[role], GroupActivity, bank["activities"]) == ACTIVITIES[role]


def test_a_district_manager_without_an_area_sees_no_deposits(bank, actors):
    from jiuzhu.timebank.models import Deposit

    manager = actors["qixia_manager"]
    manager.area = None
    assert names(manager, Deposit, bank["deposits"]) == set()
