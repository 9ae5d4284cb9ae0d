"""开 — the plan (一户一策): drafted on submit, adjusted and approved by the street caseworker,
then run as a schedule (``services/schedules.py``) that can be changed, paused or ended.

Approving publishes ``plan.approved``, puts the plan on the household's assistance chain, ends
the household's previous plan (its future waiting orders are cancelled) and places the orders of
the first days of the schedule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiuzhu.assessment import policy
from jiuzhu.assessment.material_referrals import managed_by_referral
from jiuzhu.assessment.models import (
    LIVE_PLAN_STATUSES,
    Assessment,
    MaterialRecommendation,
    Plan,
    PlanItem,
    PlanItemReason,
    PlanStatus,
    ReferralStatus,
)
from jiuzhu.assessment.planning import (
    EMPLOYMENT_NEEDS,
    NeedReason,
    PricedItem,
    choose_items,
    material_kinds,
)
from jiuzhu.assessment.prefill import Baseline, able_to_work, income_ratio
from jiuzhu.assessment.services.schedules import cancel_future, occurrences_generate
from jiuzhu.catalog.models import Need, ServiceItem
from jiuzhu.catalog.selectors import catalog_items_for_household, item_rule
from jiuzhu.core import audit, events
from jiuzhu.core.errors import Conflict, ValidationFailed
from jiuzhu.core.models import AuditAction, User
from jiuzhu.registry.services.chain import chain_add

PLAN_APPROVED = events.declare(
    "plan.approved",
    "A street caseworker approved a household's plan. Payload: plan_id, household_id.",
)
PLAN_CHANGED = events.declare(
    "plan.changed",
    "An approved plan was changed, paused, resumed or ended. Payload: plan_id, household_id, "
    "change.",
)


def _sole_vulnerable_without_support(baseline: Baseline) -> bool:
    """特困 signal: nobody able to work, every member elderly (60+), a minor, or severely
    disabled, and no income at all."""
    if not baseline.members or baseline.monthly_income > 0:
        return False
    return all(m.age >= 60 or m.age < 18 or m.disability_grade in (1, 2) for m in baseline.members)


def priced_items(items: Iterable[ServiceItem]) -> list[PricedItem]:
    return [
        PricedItem(
            **{
                **item_rule(item).__dict__,
                "price": float(item.price),
                "unit": item.unit,
                "sla": item.sla_class,
            }
        )
        for item in items
    ]


def household_able_to_work(assessment: Assessment) -> bool:
    return able_to_work(Baseline.from_dict(assessment.baseline))


@transaction.atomic
def plan_draft(*, assessment: Assessment, reasons: list[NeedReason]) -> Plan:
    """Draft the plan from the assessment's result (see ``planning`` for the rules)."""
    household = assessment.household
    Plan.objects.filter(household=household, status=PlanStatus.DRAFT).update(
        status=PlanStatus.SUPERSEDED
    )
    plan = Plan.objects.create(
        household=household, assessment=assessment, urgency_tag=assessment.urgency_tag
    )
    eligible = catalog_items_for_household(household)
    by_code = {item.code: item for item in eligible}
    needs_by_code = {
        need.code: need for need in Need.objects.filter(code__in=[r.need for r in reasons])
    }
    for planned in choose_items(
        needs=reasons,
        items=priced_items(eligible),
        urgency_tag=assessment.urgency_tag,
        able_to_work=household_able_to_work(assessment),
    ):
        PlanItem.objects.create(
            plan=plan,
            service_item=by_code[planned.item_code],
            need=needs_by_code.get(planned.need_code),
            per_month=planned.per_month,
            months=planned.months,
            urgent=planned.urgent,
            reason_kind=planned.reason_kind,
            reason_code=planned.reason_code,
        )
    baseline = Baseline.from_dict(assessment.baseline)
    for kind, reason in material_kinds(
        deprived=assessment.deprived,
        urgency_tag=assessment.urgency_tag,
        tier=household.tier,
        income_ratio=income_ratio(baseline),
        sole_vulnerable_without_support=_sole_vulnerable_without_support(baseline),
    ):
        MaterialRecommendation.objects.create(plan=plan, kind=kind, reason=reason)
    return plan


def _locked(plan: Plan, statuses: Iterable[str]) -> Plan:
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.status not in statuses:
        if statuses == (PlanStatus.DRAFT,):
            raise Conflict("plan_not_draft", _("Only a plan awaiting approval can change."))
        raise Conflict("plan_not_live", _("Only an approved or paused plan can change."))
    return plan


def _draft(plan: Plan) -> Plan:
    return _locked(plan, (PlanStatus.DRAFT,))


def _check_frequency(service_item: ServiceItem, per_month: int, months: int) -> None:
    if per_month < 1 or months < 1:
        raise ValidationFailed({"per_month": [_("Frequency and duration must be at least 1.")]})
    if months > 24:
        raise ValidationFailed({"months": [_("A plan runs for at most 24 months.")]})
    limit = service_item.max_per_month
    if service_item.max_per_week and (limit is None or service_item.max_per_week * 4 < limit):
        limit = service_item.max_per_week * 4
    if limit and per_month > limit:
        raise ValidationFailed(
            {"per_month": [_("At most %(n)d per month for this service.") % {"n": limit}]}
        )
    if per_month > 62:
        raise ValidationFailed({"per_month": [_("At most %(n)d per month.") % {"n": 62}]})


@transaction.atomic
def plan_item_add(
    *,
    actor: User,
    plan: Plan,
    service_item: ServiceItem,
    per_month: int,
    months: int,
    need: Need | None = None,
    note: str = "",
) -> PlanItem:
    """Add a service to a draft. Refused: an item the household is not eligible for, an
    employment service when nobody can work, an item meeting a need another item meets."""
    policy.require_approver(actor)
    plan = _draft(plan)
    if service_item.pk not in {i.pk for i in catalog_items_for_household(plan.household)}:
        raise ValidationFailed(
            {"service_item": [_("This household is not eligible for this service.")]}
        )
    item_needs = set(service_item.needs.values_list("code", flat=True))
    if item_needs & EMPLOYMENT_NEEDS and not household_able_to_work(plan.assessment):
        raise ValidationFailed({"service_item": [_("Nobody in this household is able to work.")]})
    for other in plan.items.select_related("service_item").prefetch_related("service_item__needs"):
        shared = item_needs & {n.code for n in other.service_item.needs.all()}
        if shared:
            raise ValidationFailed(
                {
                    "service_item": [
                        _("%(other)s already meets this need; remove it first.")
                        % {"other": other.service_item.name}
                    ]
                }
            )
    _check_frequency(service_item, per_month, months)
    item = PlanItem.objects.create(
        plan=plan,
        service_item=service_item,
        need=need,
        per_month=per_month,
        months=months,
        urgent=plan.urgency_tag == "urgent",
        note=note,
        reason_kind=PlanItemReason.CASEWORKER,
    )
    audit.record(
        actor=actor, action=AuditAction.UPDATE, obj=plan, detail={"added": service_item.code}
    )
    return item


@transaction.atomic
def plan_item_update(
    *, actor: User, item: PlanItem, per_month: int, months: int, note: str | None = None
) -> PlanItem:
    """Set a service's frequency and duration: on a draft, or on a running plan, where it
    changes what is still to come (waiting orders after today are cancelled and placed again
    on the new schedule; past and accepted ones stay)."""
    policy.require_approver(actor)
    plan = _locked(item.plan, (PlanStatus.DRAFT, *LIVE_PLAN_STATUSES))
    item = PlanItem.objects.select_for_update().select_related("service_item").get(pk=item.pk)
    _check_frequency(item.service_item, per_month, months)
    before = {"per_month": item.per_month, "months": item.months}
    item.per_month, item.months = per_month, months
    if note is not None:
        item.note = note[:200]
    item.save(update_fields=["per_month", "months", "note"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=plan,
        detail={
            "item": item.service_item.code,
            "before": before,
            "per_month": per_month,
            "months": months,
        },
    )
    if plan.status != PlanStatus.DRAFT:
        cancel_future(
            plan=plan, actor=actor, items=[item], reason=_("The plan's schedule changed.")
        )
        chain_add(
            household=plan.household,
            source="plan",
            source_id=plan.pk,
            title=_("Plan changed: %(item)s %(n)d a month for %(months)d months")
            % {"item": item.service_item.name, "n": per_month, "months": months},
            actor=actor,
        )
        if plan.status == PlanStatus.APPROVED:
            occurrences_generate(plan=plan)
        events.publish(PLAN_CHANGED, plan_id=plan.pk, household_id=plan.household_id, change="item")
    return item


@transaction.atomic
def plan_item_remove(*, actor: User, item: PlanItem) -> None:
    policy.require_approver(actor)
    plan = _draft(item.plan)
    code = item.service_item.code
    item.delete()
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=plan, detail={"removed": code})


@transaction.atomic
def material_set_status(
    *, actor: User, recommendation: MaterialRecommendation, status: str
) -> MaterialRecommendation:
    """Record the referral of a material-assistance recommendation (also after approval)."""
    policy.require_approver(actor)
    if managed_by_referral(recommendation):
        raise Conflict(
            "referred_to_department",
            _("A department on the platform handles this assistance: refer it to them instead."),
        )
    if status not in ReferralStatus.values:
        raise ValidationFailed({"status": [_("Unknown referral status.")]})
    recommendation.referral_status = status
    recommendation.save(update_fields=["referral_status"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=recommendation.plan,
        detail={"material": recommendation.kind, "status": status},
    )
    if status in (ReferralStatus.REFERRED, ReferralStatus.GRANTED):
        chain_add(
            household=recommendation.plan.household,
            source="material",
            source_id=recommendation.pk,
            title=f"{recommendation.get_kind_display()}：{recommendation.get_referral_status_display()}",
            actor=actor,
        )
    return recommendation


def material_follow_referral(
    *, recommendation: MaterialRecommendation, status: str
) -> MaterialRecommendation:
    """Set the recommendation's status from its department referral (called by the referral's
    services, inside their transaction, which audits the step and adds the chain entry)."""
    if status not in ReferralStatus.values:
        raise ValidationFailed({"status": [_("Unknown referral status.")]})
    if recommendation.referral_status != status:
        recommendation.referral_status = status
        recommendation.save(update_fields=["referral_status"])
    return recommendation


@transaction.atomic
def plan_approve(*, actor: User, plan: Plan, note: str = "") -> Plan:
    """Approve a draft: the household's running plan ends (future waiting orders cancelled),
    services start tomorrow, and the first days of the schedule are ordered at once."""
    policy.require_approver(actor)
    plan = _draft(plan)
    for previous in plan.household.plans.filter(status__in=LIVE_PLAN_STATUSES):
        cancel_future(
            plan=previous, actor=actor, reason=_("Replaced by a new plan after re-assessment.")
        )
    plan.household.plans.filter(status__in=LIVE_PLAN_STATUSES).update(
        status=PlanStatus.SUPERSEDED, ended_at=timezone.now()
    )
    plan.status = PlanStatus.APPROVED
    plan.approved_by = actor
    plan.approved_at = timezone.now()
    plan.starts_on = timezone.localdate() + dt.timedelta(days=1)
    plan.note = note or plan.note
    plan.save()
    items = "、".join(
        _("%(item)s %(n)d a month for %(months)d months")
        % {"item": item.service_item.name, "n": item.per_month, "months": item.months}
        for item in plan.items.select_related("service_item")
    )
    chain_add(
        household=plan.household,
        source="plan",
        source_id=plan.pk,
        title=_("Plan approved (%(tag)s)") % {"tag": plan.get_urgency_tag_display()},
        detail=items,
        actor=actor,
    )
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=plan, detail={"approved": True})
    occurrences_generate(plan=plan)
    events.publish(PLAN_APPROVED, plan_id=plan.pk, household_id=plan.household_id)
    return plan


def _set_status(*, actor: User, plan: Plan, status: str, reason: str, change: str) -> Plan:
    plan.status = status
    fields = ["status"]
    if status == PlanStatus.PAUSED:
        plan.paused_at = timezone.now()
        fields.append("paused_at")
    elif status == PlanStatus.ENDED:
        plan.ended_at = timezone.now()
        fields.append("ended_at")
    plan.save(update_fields=fields)
    audit.record(
        actor=actor, action=AuditAction.UPDATE, obj=plan, detail={change: True, "reason": reason}
    )
    titles = {
        "paused": _("Plan paused"),
        "resumed": _("Plan resumed"),
        "ended": _("Plan ended"),
    }
    chain_add(
        household=plan.household,
        source="plan",
        source_id=plan.pk,
        title=titles[change],
        detail=reason,
        actor=actor,
    )
    events.publish(PLAN_CHANGED, plan_id=plan.pk, household_id=plan.household_id, change=change)
    return plan


@transaction.atomic
def plan_pause(*, actor: User, plan: Plan, reason: str = "") -> Plan:
    """Stop placing orders (a hospital stay, a trip): waiting orders after today are cancelled;
    resuming picks the schedule up from then on (nothing is made up for the pause)."""
    policy.require_approver(actor)
    plan = _locked(plan, (PlanStatus.APPROVED,))
    cancel_future(plan=plan, actor=actor, reason=reason or _("The plan is paused."))
    return _set_status(
        actor=actor, plan=plan, status=PlanStatus.PAUSED, reason=reason, change="paused"
    )


@transaction.atomic
def plan_resume(*, actor: User, plan: Plan) -> Plan:
    policy.require_approver(actor)
    plan = _locked(plan, (PlanStatus.PAUSED,))
    plan = _set_status(
        actor=actor, plan=plan, status=PlanStatus.APPROVED, reason="", change="resumed"
    )
    occurrences_generate(plan=plan)
    return plan


@transaction.atomic
def plan_end(*, actor: User, plan: Plan, reason: str = "") -> Plan:
    """End a running plan early: waiting orders after today are cancelled."""
    policy.require_approver(actor)
    plan = _locked(plan, LIVE_PLAN_STATUSES)
    cancel_future(plan=plan, actor=actor, reason=reason or _("The plan has ended."))
    return _set_status(
        actor=actor, plan=plan, status=PlanStatus.ENDED, reason=reason, change="ended"
    )


@transaction.atomic
def plans_end_for_exited(*, household_id: int) -> int:
    """A household that exits assistance stops receiving its plan's services: every running
    plan ends and its waiting orders after today are cancelled (as the approving caseworker).
    Returns how many plans ended."""
    ended = 0
    for plan in Plan.objects.select_for_update().filter(
        household_id=household_id, status__in=LIVE_PLAN_STATUSES, approved_by__isnull=False
    ):
        approver = plan.approved_by
        if approver is None:  # never, by the filter
            continue
        cancel_future(plan=plan, actor=approver, reason=_("The household exited assistance."))
        _set_status(
            actor=approver,
            plan=plan,
            status=PlanStatus.ENDED,
            reason=_("The household exited assistance."),
            change="ended",
        )
        ended += 1
    return ended
