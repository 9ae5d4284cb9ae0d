"""The demo accounts: one per role, with one published password, so a visitor can try every view.

They are refreshed, not duplicated, on every run: an existing account gets the demo password,
role, area and organisation back and is re-activated and unlocked, because the README promises
these credentials work. ``jiuzhu check --deploy`` refuses a database where any is still active
(``disable_demo_accounts`` switches them off).

The beneficiary signs in with a mobile number and a one-time code instead of a password, so the
demo also keeps one household whose head has the fixed number 13800000001.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from axes.utils import reset as axes_reset
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from jiuzhu.core import audit
from jiuzhu.core.encrypted_fields import phone_hashes
from jiuzhu.core.models import Area, AuditAction, Organisation, OrganisationKind, Role, User
from jiuzhu.registry.demo.generate import HouseholdWriter, Place
from jiuzhu.registry.demo.people import HouseholdPlan, PersonPlan
from jiuzhu.registry.models import (
    AssignmentPurpose,
    BeneficiaryAccount,
    ChainEntry,
    Household,
    HouseholdAssignment,
    HouseholdStatus,
    Member,
)

DEMO_PASSWORD = "Jiuzhu-Demo-2026"  # noqa: S105 - published on purpose; demo databases only
BENEFICIARY_MOBILE = "13800000001"
BENEFICIARY_COMMUNITY = "320113001001"  # 尧化门社区
ASSESSOR_ASSIGNMENTS = 20
YAOHUA = "320113001000"

#: Organisations the demo accounts belong to (names are illustrative).
ORGANISATIONS = {
    "assessment": ("栖霞区心桥社会工作评估中心", OrganisationKind.ASSESSMENT, "320113"),
    "provider": ("栖霞区乐龄居家养老服务中心", OrganisationKind.PROVIDER, "320113"),
    "department": ("南京市栖霞区残疾人联合会", OrganisationKind.DEPARTMENT, "320113"),
}

ROLE_NAMES_ZH = {
    Role.BENEFICIARY: "受助对象",
    Role.COMMUNITY_WORKER: "社区网格员",
    Role.STREET_CASEWORKER: "街道经办人",
    Role.DISTRICT_MANAGER: "区民政",
    Role.CITY_ADMIN: "市民政",
    Role.ASSESSOR: "评估人员",
    Role.PROVIDER_STAFF: "服务机构人员",
    Role.VOLUNTEER: "志愿者",
    Role.HOTLINE_OPERATOR: "监督热线",
    Role.DEPARTMENT: "协同部门",
    Role.SECURITY_ADMIN: "安全管理员",
    Role.AUDIT_ADMIN: "审计管理员",
}


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    display_name: str
    area_code: str | None = None
    organisation: str | None = None  # a key of ORGANISATIONS


ACCOUNTS = (
    DemoAccount("city_admin", Role.CITY_ADMIN, "陈静（南京市民政局）", "320100"),
    DemoAccount("qixia_manager", Role.DISTRICT_MANAGER, "王磊（栖霞区民政局）", "320113"),
    DemoAccount("jianye_manager", Role.DISTRICT_MANAGER, "刘洋（建邺区民政局）", "320105"),
    DemoAccount("yaohua_caseworker", Role.STREET_CASEWORKER, "赵敏（尧化街道）", YAOHUA),
    DemoAccount("yaohua_worker", Role.COMMUNITY_WORKER, "孙丽（尧化门社区）", "320113001001"),
    DemoAccount("qixia_hotline", Role.HOTLINE_OPERATOR, "周婷（栖霞区监督热线）", "320113"),
    DemoAccount("assessor", Role.ASSESSOR, "吴昊（心桥评估中心）", organisation="assessment"),
    DemoAccount(
        "provider_staff", Role.PROVIDER_STAFF, "郑红（乐龄养老服务中心）", organisation="provider"
    ),
    DemoAccount("volunteer", Role.VOLUNTEER, "冯晓东（志愿者）"),
    DemoAccount("canlian", Role.DEPARTMENT, "何静（栖霞区残联）", organisation="department"),
    DemoAccount("security_admin", Role.SECURITY_ADMIN, "钱伟（安全管理员）"),
    DemoAccount("audit_admin", Role.AUDIT_ADMIN, "沈洁（审计管理员）"),
)


@dataclass(frozen=True)
class AccountRow:
    """One line of the printed table."""

    role: str
    username: str
    password: str
    where: str


def _organisations() -> dict[str, Organisation]:
    found = {}
    for key, (name, kind, area_code) in ORGANISATIONS.items():
        organisation, _ = Organisation.objects.get_or_create(
            name=name, kind=kind, defaults={"area": Area.objects.filter(code=area_code).first()}
        )
        found[key] = organisation
    return found


class NotADemoAccount(Exception):
    """A username the demo wants is held by a real account; the demo never takes it over."""


def _account(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        return User(username=username)
    if not user.is_demo:
        raise NotADemoAccount(f"{username!r} exists and is not a demo account; not touching it")
    return user


def _staff(spec: DemoAccount, organisations: dict[str, Organisation], password: str) -> User:
    user = _account(spec.username)
    user.role = spec.role
    user.display_name = spec.display_name
    user.area = Area.objects.get(code=spec.area_code) if spec.area_code else None
    user.organisation = organisations[spec.organisation] if spec.organisation else None
    user.is_demo = True
    user.is_active = True
    user.password = password
    user.save()
    return user


def _beneficiary_plan(on: dt.date) -> HouseholdPlan:
    """An elderly woman on dibao, her disabled son and her grandson: three groups at once."""
    return HouseholdPlan(
        community_code=BENEFICIARY_COMMUNITY,
        tier="dibao",
        address="尧化街道尧化门新村8幢2单元301室",
        registered_on=on - dt.timedelta(days=400),
        phone=BENEFICIARY_MOBILE,
        monthly_income=Decimal("1800.00"),
        medical_spending_12m=Decimal("8600.00"),
        education_spending_12m=Decimal("1200.00"),
        members=[
            PersonPlan(
                "李秀英",
                dt.date(1957, 3, 12),
                "F",
                "head",
                "320113",
                mobile=BENEFICIARY_MOBILE,
                illness="chronic",
                illness_note="高血压",
                employment="retired",
            ),
            PersonPlan(
                "王强",
                dt.date(1984, 8, 5),
                "M",
                "child",
                "320113",
                disability_type="physical",
                disability_grade=2,
                employment="unable",
            ),
            PersonPlan(
                "王子涵",
                dt.date(2016, 5, 20),
                "M",
                "grandchild",
                "320113",
                employment="student",
                schooling="enrolled",
                guardian=0,
            ),
        ],
    )


def _beneficiary(on: dt.date) -> tuple[User, Household]:
    """The fixed beneficiary household (created once) and its sign-in account."""
    head = (
        Member.objects.select_related("household")
        .filter(
            mobile_hash__in=phone_hashes(BENEFICIARY_MOBILE),
            is_active=True,
            household__status=HouseholdStatus.ACTIVE,
        )
        .order_by("id")
        .first()
    )
    if head is None:
        community = Area.objects.select_related("parent__parent").get(code=BENEFICIARY_COMMUNITY)
        writer = HouseholdWriter(
            on=on, rng=random.Random("beneficiary"), detail={"source": "demo_accounts"}
        )
        place = Place(community, community.parent, community.parent.parent)
        household = writer.write([(_beneficiary_plan(on), place)])[0]
        head = household.members.get(mobile_hash__in=phone_hashes(BENEFICIARY_MOBILE))
    user = User.objects.filter(username=f"m{BENEFICIARY_MOBILE}").first()
    if user is None:
        user = User(username=f"m{BENEFICIARY_MOBILE}")
    user.role = Role.BENEFICIARY
    user.display_name = head.name
    user.mobile = BENEFICIARY_MOBILE
    user.is_demo = True
    user.is_active = True
    user.set_unusable_password()
    user.save()
    BeneficiaryAccount.objects.update_or_create(
        user=user, defaults={"member": head, "household": head.household}
    )
    return user, head.household


def _assign_to_assessor(assessor: User, caseworker: User) -> int:
    """Give the assessor up to 20 open Yaohua households, so their list is not empty."""
    open_assignments = HouseholdAssignment.objects.filter(
        assignee=assessor, purpose=AssignmentPurpose.ASSESSMENT, active=True
    )
    missing = ASSESSOR_ASSIGNMENTS - open_assignments.count()
    if missing <= 0:
        return 0
    households = list(
        Household.objects.filter(street__code=YAOHUA, status=HouseholdStatus.ACTIVE)
        .exclude(pk__in=open_assignments.values("household_id"))
        .order_by("id")[:missing]
    )
    assignments = HouseholdAssignment.objects.bulk_create(
        HouseholdAssignment(
            household=household,
            assignee=assessor,
            organisation=assessor.organisation,
            purpose=AssignmentPurpose.ASSESSMENT,
            created_by=caseworker,
        )
        for household in households
    )
    title = _("Assigned for assessment: %(who)s") % {"who": str(assessor)}
    now = timezone.now()
    ChainEntry.objects.bulk_create(
        ChainEntry(
            household_id=a.household_id,
            at=now,
            source="assignment",
            source_id=str(a.pk),
            title=title[:200],
            actor=caseworker,
        )
        for a in assignments
    )
    return len(assignments)


@transaction.atomic
def demo_accounts_refresh(*, on: dt.date | None = None) -> list[AccountRow]:
    """Create or refresh every demo account; returns the rows of the printed table.

    Needs the areas (``load_areas``); works with or without generated households.
    """
    validate_password(DEMO_PASSWORD)  # the published password must pass the real validators
    on = on or timezone.localdate()
    organisations = _organisations()
    # One hash for all: the password is published anyway, and hashing it a dozen times would
    # add seconds to every demo start.
    password = make_password(DEMO_PASSWORD)
    users = {spec.username: _staff(spec, organisations, password) for spec in ACCOUNTS}
    beneficiary, household = _beneficiary(on)
    assigned = _assign_to_assessor(users["assessor"], users["yaohua_caseworker"])
    for username in [*users, beneficiary.username]:
        axes_reset(username=username)
    audit.record(
        actor=None,
        actor_label="demo_accounts",
        action=AuditAction.ACCOUNT,
        object_type="core.user",
        object_label="demo accounts",
        detail={
            "accounts": sorted([*users, beneficiary.username]),
            "beneficiary_household": household.pk,
            "assignments_added": assigned,
        },
    )
    return [
        *(
            _row(user.role, user.username, DEMO_PASSWORD, user.area or user.organisation)
            for user in users.values()
        ),
        _row(Role.BENEFICIARY, BENEFICIARY_MOBILE, SMS_NOTE, household.community),
    ]


SMS_NOTE = "短信验证码 SMS code (on the page in demo mode)"


def _row(role: str, username: str, password: str, where: object) -> AccountRow:
    with translation.override("en"):
        english = str(Role(role).label)
    return AccountRow(f"{ROLE_NAMES_ZH[role]} {english}", username, password, str(where or "—"))


def format_accounts_table(rows: list[AccountRow]) -> str:
    """A plain-text table that lines up Chinese (double-width) and Latin characters."""
    from unicodedata import east_asian_width

    def width(text: str) -> int:
        return sum(2 if east_asian_width(c) in "WF" else 1 for c in text)

    header = AccountRow(
        "role 角色", "username 用户名", "password 密码", "area/organisation 区域/机构"
    )
    table = [header, *rows]
    columns = ("role", "username", "password", "where")
    widths = {c: max(width(getattr(r, c)) for r in table) for c in columns}
    lines = []
    for index, row in enumerate(table):
        cells = [getattr(row, c) + " " * (widths[c] - width(getattr(row, c))) for c in columns]
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("-" * widths[c] for c in columns))
    return "\n".join(lines)
