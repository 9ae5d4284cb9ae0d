"""Demo data of department referrals: the alliance's departments in Qixia and Jianye with a
staff account each (demo password), the desks that route each kind of material assistance to
them, and referrals sent from approved demo plans, some answered, one overdue and escalated."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from jiuzhu.assessment.models import LIVE_PLAN_STATUSES, MaterialKind, MaterialRecommendation
from jiuzhu.core.demo import DemoContext, demo_step
from jiuzhu.core.models import Area, Organisation, OrganisationKind, Role, User
from jiuzhu.discovery.models import DepartmentDesk, DepartmentReferral
from jiuzhu.discovery.models.referrals import ReferralOutcome
from jiuzhu.discovery.services.referrals import (
    referral_accept,
    referral_complete,
    referral_decline,
    referral_send,
    referrals_escalate_overdue,
)
from jiuzhu.registry.selectors.casework import household_has_sharing_consent
from jiuzhu.registry.services.consents import consent_record

DEMO_PASSWORD = "Jiuzhu-Demo-2026"  # noqa: S105 - the published demo password (README)

#: username → (department, district code, display name, kinds it receives, days to answer)
DEPARTMENTS = {
    "qixia_jiuzhu": (
        "南京市栖霞区民政局社会救助科",
        "320113",
        "李娜（栖霞区社会救助科）",
        (MaterialKind.DIBAO, MaterialKind.TEKUN, MaterialKind.TEMPORARY, MaterialKind.DISASTER),
        5,
    ),
    "qixia_yibao": (
        "南京市栖霞区医疗保障局",
        "320113",
        "张敏（栖霞区医保局）",
        (MaterialKind.MEDICAL,),
        5,
    ),
    "qixia_jiaoyu": (
        "南京市栖霞区教育局",
        "320113",
        "黄凯（栖霞区教育局）",
        (MaterialKind.EDUCATION,),
        7,
    ),
    "qixia_zhujian": (
        "南京市栖霞区住房保障和房产局",
        "320113",
        "徐涛（栖霞区住建）",
        (MaterialKind.HOUSING,),
        10,
    ),
    "qixia_renshe": (
        "南京市栖霞区人力资源和社会保障局",
        "320113",
        "马丽（栖霞区人社局）",
        (MaterialKind.EMPLOYMENT,),
        5,
    ),
    "jianye_yibao": (
        "南京市建邺区医疗保障局",
        "320105",
        "林峰（建邺区医保局）",
        (MaterialKind.MEDICAL,),
        5,
    ),
}


def _departments() -> dict[str, User]:
    password = make_password(DEMO_PASSWORD)
    users = {}
    for username, (name, code, display, kinds, days) in DEPARTMENTS.items():
        district = Area.objects.get(code=code)
        organisation, _ = Organisation.objects.get_or_create(
            name=name, kind=OrganisationKind.DEPARTMENT, defaults={"area": district}
        )
        user = User.objects.filter(username=username).first()
        if user is not None and not user.is_demo:
            raise RuntimeError(f"{username!r} exists and is not a demo account; not touching it")
        user = user or User(username=username)
        user.role, user.display_name = Role.DEPARTMENT, display
        user.organisation, user.area = organisation, None
        user.is_demo, user.is_active, user.password = True, True, password
        user.save()
        users[username] = user
        for kind in kinds:
            DepartmentDesk.objects.get_or_create(
                district=district,
                kind=kind,
                active=True,
                defaults={"department": organisation, "respond_days": days},
            )
    return users


@demo_step(98, "department referrals")
def department_referrals(context: DemoContext) -> None:
    if not Area.objects.filter(code="320113").exists():
        return
    users = _departments()
    context.out(
        "协同部门 Partner departments (password "
        f"{DEMO_PASSWORD}): " + ", ".join(sorted(users)) + " (and canlian)"
    )
    if DepartmentReferral.objects.exists():
        return
    caseworker = User.objects.filter(role=Role.STREET_CASEWORKER, is_demo=True).first()
    if caseworker is None:
        return
    rng = random.Random(context.seed)
    materials = list(
        MaterialRecommendation.objects.filter(
            plan__status__in=LIVE_PLAN_STATUSES,
            plan__household__street_id=caseworker.area_id,
        )
        .select_related("plan__household")
        .order_by("pk")[:40]
    )
    sent = []
    for material in materials:
        if rng.random() < 0.7:
            household = material.plan.household
            if not household_has_sharing_consent(household):
                # Referring shares the household's data: its consent comes first (PIPL).
                consent_record(
                    actor=caseworker,
                    household=household,
                    scope="share",
                    given_on=timezone.localdate(),
                    signed_by=household.head_name or "户主",
                )
            sent.append(referral_send(actor=caseworker, recommendation=material))
    by_department = {u.organisation_id: u for u in users.values()}
    for index, referral in enumerate(sent):
        staff = by_department.get(referral.department_id)
        if staff is None:
            continue
        roll = index % 5
        if roll == 0:
            continue  # waiting
        if roll == 4:
            referral_decline(
                actor=staff, referral=referral, reason="经核查，该户已在本部门享受同类救助。"
            )
            continue
        referral = referral_accept(actor=staff, referral=referral)
        if roll in (2, 3):
            referral_complete(
                actor=staff,
                referral=referral,
                outcome=ReferralOutcome.GRANTED if roll == 2 else ReferralOutcome.NOT_GRANTED,
                note="已办结。" if roll == 2 else "家庭收入超过救助标准。",
            )
    # One waiting referral is made late and escalated, so the district has something to chase.
    late = DepartmentReferral.objects.filter(status="sent").first()
    if late is not None:
        DepartmentReferral.objects.filter(pk=late.pk).update(
            respond_by=timezone.now() - dt.timedelta(days=2)
        )
        referrals_escalate_overdue()
    context.say(f"Sent {len(sent)} demo referrals to departments.")


@demo_step(100, "hidden poverty")
def hidden_poverty_list(context: DemoContext) -> None:
    """Compute the stored hidden-poverty list once, so the page has data before the worker's
    first run (the job ``discovery.hidden_poverty`` keeps it fresh)."""
    from jiuzhu.discovery.services.hidden import hidden_poverty_refresh

    refresh = hidden_poverty_refresh(trigger="demo")
    context.say(f"hidden-poverty list: {refresh.entries} households or cases")
