import pytest

from factories import identity_number, years_ago
from factories_registry import add_member, make_household
from jiuzhu.core import crypto
from jiuzhu.core.errors import PermissionDenied, ValidationFailed
from jiuzhu.core.models import AuditEntry
from jiuzhu.registry.services.members import (
    masked_identity_number,
    member_leave,
    member_reveal_identity,
    member_update,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def household(areas, caseworker):
    return make_household(actor=caseworker, community=areas["yaohua_a"])


def test_birth_date_and_sex_come_from_the_number_which_is_stored_encrypted(household, caseworker):
    number = identity_number(years_ago(70), sex="F")
    member = add_member(actor=caseworker, household=household, id_number=number, age=70)
    assert member.sex == "F"
    assert member.birth_date.isoformat() == number[6:10] + "-" + number[10:12] + "-" + number[12:14]
    assert number not in member.id_number_encrypted
    assert crypto.decrypt(member.id_number_encrypted) == number
    assert masked_identity_number(member) == "*" * 14 + number[-4:]
    household.refresh_from_db()
    assert household.groups == "|elderly|"
    assert household.head_name == member.name
    assert household.member_count == 1


def test_a_wrong_check_character_is_a_field_error(household, caseworker):
    number = identity_number()
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    with pytest.raises(ValidationFailed) as error:
        add_member(actor=caseworker, household=household, id_number=wrong)
    assert "check character" in error.value.fields["id_number"][0]
    assert household.members.count() == 0


def test_one_person_cannot_be_a_current_member_of_two_households(areas, household, caseworker):
    number = identity_number()
    add_member(actor=caseworker, household=household, id_number=number)
    other = make_household(actor=caseworker, community=areas["yaohua_b"])
    with pytest.raises(ValidationFailed) as error:
        add_member(actor=caseworker, household=other, id_number=number.lower())
    assert "already a current member" in error.value.fields["id_number"][0]


def test_after_leaving_a_person_can_join_another_household(areas, household, caseworker):
    number = identity_number()
    member = add_member(actor=caseworker, household=household, id_number=number)
    member_leave(actor=caseworker, member=member, died=False, reason="迁出")
    other = make_household(actor=caseworker, community=areas["yaohua_b"])
    add_member(actor=caseworker, household=other, id_number=number)
    assert household.changes.filter(kind="member_left").exists()


def test_only_one_head(household, caseworker):
    add_member(actor=caseworker, household=household)
    with pytest.raises(ValidationFailed) as error:
        add_member(actor=caseworker, household=household, name="李四")
    assert "relation" in error.value.fields


def test_cross_field_rules(household, caseworker):
    with pytest.raises(ValidationFailed) as error:
        add_member(
            actor=caseworker, household=household, disability_type="physical", mobile="12345"
        )
    assert set(error.value.fields) == {"disability_grade", "mobile"}
    child = add_member(
        actor=caseworker, household=household, relation="head", age=10, employment="student"
    )
    with pytest.raises(ValidationFailed) as error:
        add_member(
            actor=caseworker,
            household=household,
            relation="sibling",
            age=8,
            employment="student",
            guardian=child,
        )
    assert "adult" in error.value.fields["guardian"][0]


def test_illness_change_is_recorded_and_groups_follow(household, caseworker):
    member = add_member(actor=caseworker, household=household, age=45)
    member_update(
        actor=caseworker, member=member, illness="serious", illness_note="尿毒症", reason="确诊"
    )
    household.refresh_from_db()
    assert household.primary_group == "serious_illness"
    change = household.changes.get(kind="illness")
    assert (change.member, change.reason) == (member, "确诊")


def test_death_is_recorded_and_the_member_no_longer_counts(household, caseworker):
    elder = add_member(actor=caseworker, household=household, age=80)
    add_member(actor=caseworker, household=household, relation="child", age=50, name="王五")
    member_leave(actor=caseworker, member=elder, died=True, reason="病故")
    household.refresh_from_db()
    assert household.member_count == 1
    assert household.groups == ""
    assert household.changes.filter(kind="member_died").exists()
    with pytest.raises(ValidationFailed):
        member_leave(actor=caseworker, member=elder, died=True, reason="again")


def test_reveal_is_audited_and_refused_to_the_hotline(actors, household, caseworker):
    number = identity_number()
    member = add_member(actor=caseworker, household=household, id_number=number)
    assert member_reveal_identity(actor=caseworker, member=member) == number
    with pytest.raises(PermissionDenied):
        member_reveal_identity(actor=actors["qixia_hotline"], member=member)
    results = list(
        AuditEntry.objects.filter(action="reveal", object_id=str(member.pk))
        .order_by("id")
        .values_list("actor__username", "result")
    )
    assert results == [("yaohua_caseworker", "success"), ("qixia_hotline", "denied")]
