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
