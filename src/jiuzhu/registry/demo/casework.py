"""Demo casework: a few visits with follow-ups (one overdue), a consent, and the frontline
team's training and commendations, so the household page, "My follow-ups" and the team page
show something on a fresh demo. Made through the services (audited like real work)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from jiuzhu.core.demo import DemoContext, demo_step
from jiuzhu.core.models import User
from jiuzhu.registry.models import CaseNote, Household, HouseholdStatus
from jiuzhu.registry.services.consents import consent_record
from jiuzhu.registry.services.notes import note_create
from jiuzhu.registry.services.team import commendation_add, training_add

VISITS = [
    ("home_visit", 12, "老人独居，冰箱里食物不多，腿脚不便下楼", "申请助餐服务", -2),
    ("phone_call", 1, "电话回访：助餐已送到，老人满意", "", None),
    ("home_visit", 0, "孩子放学后无人看护，母亲打两份工", "联系社工站课后托管", 4),
]


@demo_step(85, "casework")
def casework(context: DemoContext) -> None:
    if CaseNote.objects.exists():
        context.say("Case notes already present: not adding demo casework.")
        return
    worker = User.objects.filter(username="yaohua_worker").first()
    caseworker = User.objects.filter(username="yaohua_caseworker").first()
    manager = User.objects.filter(username="qixia_manager").first()
    if worker is None or manager is None or worker.area_id is None:
        context.say("Demo accounts missing: no demo casework.")
        return
    today = timezone.localdate()
    households = list(
        Household.objects.filter(
            community_id=worker.area_id, status=HouseholdStatus.ACTIVE
        ).order_by("id")[: len(VISITS)]
    )
    for household, (kind, days_ago, found, next_step, follow_up) in zip(
        households, VISITS, strict=False
    ):
        note_create(
            actor=worker,
            household=household,
            kind=kind,
            occurred_on=today - dt.timedelta(days=days_ago),
            findings=found,
            next_step=next_step,
            # Days from today: the first visit's follow-up was two days ago (overdue).
            follow_up_on=None if follow_up is None else today + dt.timedelta(days=follow_up),
        )
        consent_record(
            actor=worker,
            household=household,
            scope="share",
            given_on=today - dt.timedelta(days=days_ago),
            signed_by=household.head_name or "户主",
        )
    for person in (worker, caseworker):
        if person is None:
            continue
        training_add(
            actor=manager,
            worker=person,
            course="社会救助政策与个人信息保护",
            completed_on=today.replace(month=1, day=15) if today.month > 1 else today,
            hours=Decimal("6"),
            organiser="栖霞区民政局",
        )
    commendation_add(
        actor=manager,
        worker=worker,
        title="优秀救助小管家",
        awarded_on=today - dt.timedelta(days=30),
        awarded_by="栖霞区民政局",
        reason="主动发现独居老人并及时链接助餐服务",
    )
    context.say(f"Demo casework: {len(households)} visits with consents, training, a commendation.")
