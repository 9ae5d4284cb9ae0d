"""Demo data: the bulk household generator, the reset, the demo accounts and the commands."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, Q
from django.test import RequestFactory
from django.utils import timezone

from jiuzhu.core import crypto
from jiuzhu.core.encrypted_fields import phone_hash
from jiuzhu.core.identity import MOBILE_PATTERN, parse_identity_number
from jiuzhu.core.models import AuditAction, AuditEntry, Role, User
from jiuzhu.core.services.areas import load_default_areas
from jiuzhu.registry.demo.accounts import (
    ACCOUNTS,
    BENEFICIARY_MOBILE,
    DEMO_PASSWORD,
    NotADemoAccount,
    demo_accounts_refresh,
)
from jiuzhu.registry.demo.generate import generate_households
from jiuzhu.registry.demo.reset import registry_reset
from jiuzhu.registry.groups import GROUP_ORDER, MemberFacts, age_on, classify, encode_groups
from jiuzhu.registry.models import (
    BeneficiaryAccount,
    ChainEntry,
    ChangeKind,
    Household,
    HouseholdAssignment,
    HouseholdChange,
    Member,
)

TODAY = dt.date(2026, 3, 1)


@pytest.fixture
def nanjing(db):
    load_default_areas()


def people():
    """What a seed decides, in creation order (ciphertexts differ per run, so not those)."""
    return [
        (
            h.tier,
            h.head_name,
            h.address,
            h.groups,
            [(m.name, m.birth_date, m.sex, m.relation, m.id_last4) for m in h.members.all()],
        )
        for h in Household.objects.order_by("id").prefetch_related("members")
    ]


def test_it_creates_the_households_with_one_head_each(nanjing):
    assert generate_households(count=300, seed=1, on=TODAY) == 300

    assert Household.objects.count() == 300
    households = Household.objects.annotate(
        heads=Count("members", filter=Q(members__relation="head")), size=Count("members")
    )
    assert all(h.heads == 1 for h in households)
    assert all(h.size == h.member_count for h in households)
    heads = dict(Member.objects.filter(relation="head").values_list("household_id", "name"))
    assert all(h.head_name == heads[h.pk] for h in households)
    assert {h.district.code for h in Household.objects.select_related("district")} == {
        "320105",
        "320113",
    }


def test_every_identity_number_is_valid_and_matches_birth_date_and_sex(nanjing):
    generate_households(count=200, seed=2, on=TODAY)

    members = list(Member.objects.all())
    for member in members:
        number = crypto.decrypt(member.id_number_encrypted)
        facts = parse_identity_number(number)
        assert (facts.birth_date, facts.sex) == (member.birth_date, member.sex)
        assert member.id_number_hash == crypto.lookup_hash(number)
        assert member.id_last4 == number[-4:]
    assert len({m.id_number_hash for m in members}) == len(members)


def test_all_six_groups_appear_and_match_the_classifier(nanjing):
    generate_households(count=500, seed=3, on=TODAY)

    seen = Counter()
    for household in Household.objects.prefetch_related("members"):
        groups, primary = classify(
            [
                MemberFacts(
                    m.birth_date,
                    m.relation,
                    m.disability_type,
                    m.disability_grade,
                    m.illness,
                    m.employment,
                )
                for m in household.members.all()
            ],
            on=TODAY,
        )
        assert household.groups == encode_groups(groups)
        assert household.primary_group == primary
        seen.update(groups)
    assert set(seen) == set(GROUP_ORDER)
    assert 0.10 <= seen["disability"] / 500 <= 0.28
    tiers = Counter(Household.objects.values_list("tier", flat=True))
    assert 0.35 <= tiers["dibao"] / 500 <= 0.55
    assert set(tiers) == {"dibao", "tekun", "near_dibao", "rigid_expenditure", "monitored", "other"}


def test_minors_have_an_adult_guardian_and_a_school_status(nanjing):
    generate_households(count=300, seed=4, on=TODAY)

    # Birth dates are encrypted (issue 16 item 1): the database cannot compare them.
    minors = [
        m
        for m in Member.objects.select_related("guardian")
        if m.birth_date > dt.date(TODAY.year - 18, TODAY.month, TODAY.day)
    ]
    assert minors
    for minor in minors:
        assert minor.guardian.household_id == minor.household_id
        assert age_on(minor.guardian.birth_date, TODAY) >= 18
        if 6 <= age_on(minor.birth_date, TODAY) < 18:
            assert minor.schooling in ("enrolled", "not_enrolled")


def test_mobile_numbers_are_valid_and_unique(nanjing):
    generate_households(count=300, seed=5, on=TODAY)

    mobiles = list(Member.objects.exclude(mobile="").values_list("mobile", flat=True))
    assert all(MOBILE_PATTERN.match(m) for m in mobiles)
    assert len(set(mobiles)) == len(mobiles)
    heads = Member.objects.filter(relation="head")
    assert heads.exclude(mobile="").count() / heads.count() > 0.8


def test_each_household_is_registered_on_its_history_and_chain(nanjing):
    generate_households(count=50, seed=6, on=TODAY)

    assert HouseholdChange.objects.filter(kind=ChangeKind.REGISTERED).count() == 50
    assert ChainEntry.objects.filter(source="registry").count() == 50
    change = HouseholdChange.objects.first()
    assert ChainEntry.objects.get(source_id=str(change.pk)).household_id == change.household_id
    # The household page's "registered" time is the registration day, not the day of the load.
    for change in HouseholdChange.objects.select_related("household"):
        registered = timezone.localtime(change.household.created_at)
        assert registered.date() == change.occurred_on < TODAY
        assert ChainEntry.objects.get(source_id=str(change.pk)).at == registered


def test_the_whole_batch_is_one_audit_entry(nanjing):
    before = AuditEntry.objects.count()

    generate_households(count=120, seed=7, on=TODAY)

    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.get(action=AuditAction.BULK_CREATE, object_type="registry.household")
    assert entry.detail["count"] == 120
    assert entry.detail["seed"] == 7


def test_the_same_seed_gives_the_same_people(nanjing):
    generate_households(count=60, seed=8, on=TODAY)
    first = people()
    registry_reset()

    generate_households(count=60, seed=8, on=TODAY)

    assert people() == first
    registry_reset()
    generate_households(count=60, seed=9, on=TODAY)
    assert people() != first


def test_a_second_run_without_reset_adds_households_without_collisions(nanjing):
    generate_households(count=80, seed=10, on=TODAY)
    generate_households(count=80, seed=10, on=TODAY)

    assert Household.objects.count() == 160
    hashes = list(Member.objects.values_list("id_number_hash", flat=True))
    assert len(set(hashes)) == len(hashes)


def test_streets_limit_where_households_go(nanjing):
    generate_households(count=40, seed=11, streets=["尧化街道", "320105002000"], on=TODAY)

    assert set(Household.objects.values_list("street__code", flat=True)) == {
        "320113001000",
        "320105002000",
    }


def test_reset_empties_the_registry_but_keeps_the_audit_trail(nanjing):
    generate_households(count=40, seed=12, on=TODAY)
    demo_accounts_refresh()
    audits = AuditEntry.objects.count()

    deleted = registry_reset()

    assert not Household.objects.exists()
    assert not Member.objects.exists()
    assert not BeneficiaryAccount.objects.exists()
    assert not HouseholdAssignment.objects.exists()
    assert deleted["registry.Household"] == 41
    assert AuditEntry.objects.count() == audits + 1
    retired = User.objects.get(role=Role.BENEFICIARY)
    assert not retired.is_active
    assert retired.username != f"m{BENEFICIARY_MOBILE}"
    assert User.objects.filter(username="city_admin", is_active=True).exists()


def test_there_is_one_demo_account_per_role_and_the_password_works(nanjing):
    demo_accounts_refresh()

    demo = User.objects.filter(is_demo=True)
    assert set(demo.values_list("role", flat=True)) == set(Role.values)
    assert demo.count() == len(ACCOUNTS) + 1  # and the beneficiary
    request = RequestFactory().post("/")
    for user in demo.exclude(role=Role.BENEFICIARY):
        assert user.is_active
        assert user.display_name and not user.display_name.isascii()
        assert authenticate(request, username=user.username, password=DEMO_PASSWORD) == user
    assert User.objects.get(username="qixia_manager").area.code == "320113"
    assert User.objects.get(username="yaohua_worker").area.code == "320113001001"
    assert User.objects.get(username="assessor").organisation.kind == "assessment"
    assert User.objects.get(username="provider_staff").organisation.kind == "provider"
    assert User.objects.get(username="canlian").organisation.kind == "department"


def test_refreshing_restores_password_area_and_activity(nanjing):
    demo_accounts_refresh()
    user = User.objects.get(username="yaohua_caseworker")
    user.set_password("Something-else-42")
    user.area = None
    user.is_active = False
    user.save()

    demo_accounts_refresh()

    user.refresh_from_db()
    assert user.check_password(DEMO_PASSWORD)
    assert user.area.code == "320113001000"
    assert user.is_active
    assert User.objects.filter(is_demo=True).count() == len(ACCOUNTS) + 1


def test_refresh_never_takes_over_a_real_account(nanjing):
    User.objects.create_user(username="city_admin", password="Real-Passw0rd!", role="city_admin")

    with pytest.raises(NotADemoAccount):
        demo_accounts_refresh()


def test_the_beneficiary_head_has_the_known_mobile(nanjing):
    demo_accounts_refresh()
    demo_accounts_refresh()

    head = Member.objects.get(mobile_hash=phone_hash(BENEFICIARY_MOBILE))
    assert head.relation == "head"
    assert head.household.community.code == "320113001001"
    account = BeneficiaryAccount.objects.get(member=head)
    assert account.user.username == f"m{BENEFICIARY_MOBILE}"
    assert account.user.is_demo


def test_the_assessor_gets_twenty_yaohua_households_once(nanjing):
    generate_households(count=40, seed=13, streets=["320113001000"], on=TODAY)

    demo_accounts_refresh()
    demo_accounts_refresh()

    assignments = HouseholdAssignment.objects.filter(assignee__username="assessor", active=True)
    assert assignments.count() == 20
    assert set(assignments.values_list("household__street__code", flat=True)) == {"320113001000"}
    assert ChainEntry.objects.filter(source="assignment").count() == 20


def test_disable_demo_accounts_switches_them_all_off(nanjing):
    demo_accounts_refresh()

    call_command("disable_demo_accounts", stdout=io.StringIO())

    assert not User.objects.filter(is_demo=True, is_active=True).exists()


def test_demo_data_command_reports_count_and_progress(nanjing):
    out, err = io.StringIO(), io.StringIO()

    call_command("demo_data", "--households", "30", "--seed", "2", stdout=out, stderr=err)

    assert re.search(r"Created 30 households \(\d+ members\) with seed 2", out.getvalue())
    assert "30 / 30 households" in err.getvalue()


def test_demo_data_reset_keeps_the_demo_sign_ins_working(nanjing):
    demo_accounts_refresh()
    generate_households(count=30, seed=3, streets=["320113001000"], on=TODAY)

    call_command(
        "demo_data", "--households", "30", "--reset", stdout=io.StringIO(), stderr=io.StringIO()
    )

    assert Household.objects.count() == 31
    assert Member.objects.get(mobile_hash=phone_hash(BENEFICIARY_MOBILE)).relation == "head"
    assert BeneficiaryAccount.objects.get().user.username == f"m{BENEFICIARY_MOBILE}"
    assert HouseholdAssignment.objects.filter(assignee__username="assessor").exists()


def test_demo_commands_refuse_outside_demo_mode(db, settings):
    settings.DEMO_MODE = settings.DEBUG = settings.TESTING = False

    for command in ("demo_data", "demo_accounts", "demo"):
        with pytest.raises(CommandError, match="only for demo databases"):
            call_command(command, stdout=io.StringIO())


def test_demo_command_twice_adds_nothing_the_second_time(db):
    def run():
        out = io.StringIO()
        call_command("demo", "--no-serve", "--households", "60", stdout=out, stderr=io.StringIO())
        return out.getvalue()

    first = run()
    counts = [m.objects.count() for m in (Household, Member, User, HouseholdAssignment, ChainEntry)]
    second = run()

    assert [
        m.objects.count() for m in (Household, Member, User, HouseholdAssignment, ChainEntry)
    ] == counts
    assert counts[0] == 61  # the generated households and the beneficiary's
    for output in (first, second):
        assert "city_admin" in output and DEMO_PASSWORD in output
        assert BENEFICIARY_MOBILE in output
