"""开 — the plan (一户一策): drafted on submit, adjusted and approved by the street caseworker.

Approving publishes ``plan.approved`` so the cloud supermarket can turn the service items into
orders, and puts the plan on the household's assistance chain.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiuzhu.assessment.models import (
    Assessment,
    MaterialRecommendation,
    Plan,
    PlanItem,
    PlanStatus,
    ReferralStatus,
)
from jiuzhu.assessment.planning import PricedItem, choose_items, material_kinds
from jiuzhu.assessment.prefill import PREFILLS, Baseline
from jiuzhu.catalog.models import Need, ServiceItem
from jiuzhu.catalog.selectors import catalog_items_for_household, item_rule
from jiuzhu.core import audit, events
from jiuzhu.core.errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from jiuzhu.core.models import AuditAction, Role, User
from jiuzhu.orders.models import Channel
from jiuzhu.orders.services.orders import order_create
from jiuzhu.registry.services.chain import chain_add

PLAN_APPROVED = events.declare(
    "plan.approved",
    "A street caseworker approved a household's plan. Payload: plan_id, household_id.",
)
APPROVERS = frozenset({Role.STREET_CASEWORKER})


def _sole_vulnerable_without_support(baseline: Baseline) -> bool:
    """特困 signal: nobody able to work, every member elderly (60+), a minor, or severely
    disabled, and no income at all."""
    if not baseline.members or baseline.monthly_income > 0:
        return False
    return all(m.age >= 60 or m.age < 18 or m.disability_grade in (1, 2) for m in baseline.members)


@transaction.atomic
def plan_draft(*, assessment: Assessment, needs: list[Need]) -> Plan:
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
    rules = [
        PricedItem(**{**item_rule(item).__dict__, "price": float(item.price)}) for item in eligible
    ]
    needs_by_code = {need.code: need for need in needs}
    for planned in choose_items(
        needs=[need.code for need in needs], items=rules, urgency_tag=assessment.urgency_tag
    ):
        PlanItem.objects.create(
            plan=plan,
            service_item=by_code[planned.item_code],
            need=needs_by_code.get(planned.need_code),
            per_month=planned.per_month,
            months=planned.months,
            urgent=planned.urgent,
        )
    baseline = Baseline.from_dict(assessment.baseline)
    for kind, reason in material_kinds(
        deprived=assessment.deprived,
        urgency_tag=assessment.urgency_tag,
        tier=household.tier,
        income_ratio=PREFILLS["income_ratio"](baseline),
        sole_vulnerable_without_support=_sole_vulnerable_without_support(baseline),
    ):
        MaterialRecommendation.objects.create(plan=plan, kind=kind, reason=reason)
    return plan


def _require_approver(actor: User) -> None:
    if actor.role not in APPROVERS:
        raise PermissionDenied(_("Plans are approved by the street caseworker."))


def _draft(plan: Plan) -> Plan:
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != PlanStatus.DRAFT:
        raise Conflict("plan_not_draft", _("Only a plan awaiting approval can change."))
    return plan


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
    _require_approver(actor)
    plan = _draft(plan)
    if service_item.pk not in {i.pk for i in catalog_items_for_household(plan.household)}:
        raise ValidationFailed(
            {"service_item": [_("This household is not eligible for this service.")]}
        )
    if per_month < 1 or months < 1:
        raise ValidationFailed({"per_month": [_("Frequency and duration must be at least 1.")]})
    if service_item.max_per_month and per_month > service_item.max_per_month:
        raise ValidationFailed(
            {
                "per_month": [
                    _("At most %(n)d per month for this service.")
                    % {"n": service_item.max_per_month}
                ]
            }
        )
    item = PlanItem.objects.create(
        plan=plan,
        service_item=service_item,
        need=need,
        per_month=per_month,
        months=months,
        urgent=plan.urgency_tag == "urgent",
        note=note,
    )
    audit.record(
        actor=actor, action=AuditAction.UPDATE, obj=plan, detail={"added": service_item.code}
    )
    return item


@transaction.atomic
def plan_item_remove(*, actor: User, item: PlanItem) -> None:
    _require_approver(actor)
    plan = _draft(item.plan)
    code = item.service_item.code
    item.delete()
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=plan, detail={"removed": code})


@transaction.atomic
def material_set_status(
    *, actor: User, recommendation: MaterialRecommendation, status: str
) -> MaterialRecommendation:
    """Record the referral of a material-assistance recommendation (also after approval)."""
    _require_approver(actor)
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


@transaction.atomic
def plan_approve(*, actor: User, plan: Plan, note: str = "") -> Plan:
    _require_approver(actor)
    plan = _draft(plan)
    plan.household.plans.filter(status=PlanStatus.APPROVED).update(status=PlanStatus.SUPERSEDED)
    plan.status = PlanStatus.APPROVED
    plan.approved_by = actor
    plan.approved_at = timezone.now()
    plan.note = note or plan.note
    plan.save()
    items = "、".join(item.service_item.name for item in plan.items.select_related("service_item"))
    chain_add(
        household=plan.household,
        source="plan",
        source_id=plan.pk,
        title=_("Plan approved (%(tag)s)") % {"tag": plan.get_urgency_tag_display()},
        detail=items,
        actor=actor,
    )
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=plan, detail={"approved": True})
    _order_plan_items(actor=actor, plan=plan)
    events.publish(PLAN_APPROVED, plan_id=plan.pk, household_id=plan.household_id)
    return plan


def _order_plan_items(*, actor: User, plan: Plan) -> None:
    """Turn each service item of an approved plan into an order in the cloud supermarket (the
    first session; later sessions are ordered as they fall due). An item the household cannot
    order now (a limit reached, say) is noted on the chain instead of blocking the approval."""
    for item in plan.items.select_related("service_item"):
        try:
            with transaction.atomic():
                order_create(
                    actor=actor,
                    household=plan.household,
                    item=item.service_item,
                    note=_("Plan: %(n)d a month for %(months)d months")
                    % {"n": item.per_month, "months": item.months},
                    channel=Channel.PLAN,
                    source="plan_item",
                    source_id=item.pk,
                )
        except DomainError as error:
            chain_add(
                household=plan.household,
                source="plan",
                source_id=plan.pk,
                title=_("Not ordered: %(item)s") % {"item": item.service_item.name},
                detail=error.message,
                actor=actor,
            )
