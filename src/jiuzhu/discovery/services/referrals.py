"""Referrals out to departments (救助服务联盟): a plan's material assistance goes to the department
responsible for it, which accepts, declines with a reason, or completes with the outcome; late
answers escalate to the district.

sent ──accept──► accepted ──complete──► completed (granted / not granted)
  │                  │
  └──decline─────────┴──► declined          (sent | accepted) ──withdraw──► withdrawn

Every step goes through :data:`REFERRAL_FLOW` (``core.transitions``): one conditional UPDATE,
the referral's history row, the audit record and the household's assistance-chain entry in one
transaction. The plan's recommendation follows the referral (referred → granted / refused), so
the plan, its API and analytics read one status.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jiuzhu.assessment.models import LIVE_PLAN_STATUSES, MaterialKind, MaterialRecommendation
from jiuzhu.assessment.models import ReferralStatus as MaterialStatus
from jiuzhu.assessment.services.plans import material_follow_referral
from jiuzhu.core import audit
from jiuzhu.core.errors import Conflict, PermissionDenied, ValidationFailed
from jiuzhu.core.models import AuditAction, Role, User
from jiuzhu.core.scoping import visible
from jiuzhu.core.services.notifications import notify
from jiuzhu.core.transitions import Action, StateMachine, Step
from jiuzhu.discovery import policy
from jiuzhu.discovery.models import DepartmentDesk, DepartmentReferral, DepartmentReferralEvent
from jiuzhu.discovery.models.referrals import (
    OPEN_STATUSES,
    DepartmentReferralStatus,
    ReferralOutcome,
)
from jiuzhu.discovery.services.hidden import hidden_poverty_recheck
from jiuzhu.registry.models import Household, HouseholdStatus
from jiuzhu.registry.selectors.casework import household_has_sharing_consent
from jiuzhu.registry.services.chain import chain_add

S = DepartmentReferralStatus


def _history(step: Step[DepartmentReferral]) -> None:
    DepartmentReferralEvent.objects.create(
        referral=step.obj, action=step.action, actor=step.actor, note=step.note[:500]
    )


def _chain(step: Step[DepartmentReferral], title: str, detail: str) -> None:
    chain_add(
        household=step.obj.household,
        source="referral",
        source_id=step.obj.pk,
        title=title,
        detail=detail,
        url=referral_url(step.obj),
        actor=step.actor,
    )


def _forbidden() -> str:
    return _("Your role may not do this with a referral.")


def _conflict(referral: DepartmentReferral) -> Conflict:
    return Conflict(
        "wrong_state",
        _("This referral is %(status)s; it cannot move that way now.")
        % {"status": referral.get_status_display()},
        referral_status=referral.status,
    )


_DEPT = policy.REFERRAL_ANSWERERS
#: The referral's state machine: departments answer, the caseworker may withdraw.
REFERRAL_FLOW: StateMachine[DepartmentReferral] = StateMachine(
    name="referral",
    model=DepartmentReferral,
    actions={
        "accept": Action(frozenset({S.SENT}), S.ACCEPTED, _DEPT),
        "decline": Action(frozenset({S.SENT, S.ACCEPTED}), S.DECLINED, _DEPT),
        "complete": Action(frozenset({S.ACCEPTED}), S.COMPLETED, _DEPT),
        "withdraw": Action(frozenset({S.SENT, S.ACCEPTED}), S.WITHDRAWN, policy.REFERRAL_SENDERS),
    },
    stamp="updated_at",
    history=_history,
    chain=_chain,
    forbidden=_forbidden,
    conflict=_conflict,
)

#: The recommendation's status that each referral status means.
MATERIAL_STATUS = {
    S.SENT: MaterialStatus.REFERRED,
    S.ACCEPTED: MaterialStatus.REFERRED,
    S.DECLINED: MaterialStatus.REFUSED,
    S.WITHDRAWN: MaterialStatus.RECOMMENDED,
}


def referral_url(referral: DepartmentReferral) -> str:
    return reverse("discovery:referral_detail", args=[referral.pk])


def desk_for(*, household: Household, kind: str) -> DepartmentDesk | None:
    """The department on the platform for ``kind`` in the household's district, if any."""
    return (
        DepartmentDesk.objects.filter(district_id=household.district_id, kind=kind, active=True)
        .select_related("department")
        .first()
    )


def no_sharing_consent_message() -> str:
    """What a caseworker is told when a referral is refused for want of consent (the plan page
    shows it in place of the button, too)."""
    return _(
        "The household has not consented to share its information with partner "
        "departments (or withdrew its consent): record the consent on the household "
        "page before referring."
    )


def require_sharing_consent(household: Household | int) -> None:
    """The one rule for every referral out, from a plan or from the household page (PIPL): a
    household's information goes to a department only with its consent to share, recorded on
    the household and not withdrawn (``registry`` casework)."""
    if not household_has_sharing_consent(household):
        raise Conflict("no_sharing_consent", no_sharing_consent_message())


def referral_actions(referral: DepartmentReferral, user: User) -> list[str]:
    """The buttons ``user`` may press on ``referral`` now."""
    names = REFERRAL_FLOW.actions_for(referral.status, user.role)
    if user.role == Role.DEPARTMENT:
        return names if policy.can_answer_referral(user, referral) else []
    return names


def _department_staff(referral: DepartmentReferral) -> QuerySet[User]:
    return User.objects.filter(
        role=Role.DEPARTMENT, organisation_id=referral.department_id, is_active=True
    )


def _tell_sender(referral: DepartmentReferral, title: str) -> None:
    notify(users=[referral.sent_by], title=title, body=str(referral), url=referral_url(referral))


@transaction.atomic
def referral_send(
    *, actor: User, recommendation: MaterialRecommendation, note: str = ""
) -> DepartmentReferral:
    """Refer a live plan's material recommendation to the department that handles its kind."""
    policy.require_referral_sender(actor)
    plan = recommendation.plan
    household = plan.household
    if not visible(actor, Household.objects.filter(pk=household.pk)).exists():
        raise PermissionDenied(_("This household is outside your area."))
    if plan.status not in LIVE_PLAN_STATUSES:
        raise Conflict("plan_not_live", _("Approve the plan before referring its assistance."))
    require_sharing_consent(household)
    desk = desk_for(household=household, kind=recommendation.kind)
    if desk is None:
        raise Conflict(
            "no_department",
            _("No department on the platform handles this assistance here; record it by hand."),
        )
    if len(note) > 500:
        raise ValidationFailed({"note": [_("At most 500 characters.")]})
    now = timezone.now()
    try:
        with transaction.atomic():
            referral = DepartmentReferral.objects.create(
                household=household,
                recommendation=recommendation,
                kind=recommendation.kind,
                department=desk.department,
                district_id=household.district_id,
                note=note.strip(),
                respond_by=now + dt.timedelta(days=desk.respond_days),
                sent_by=actor,
            )
    except IntegrityError:
        raise Conflict(
            "already_referred", _("This assistance is already waiting for the department.")
        ) from None
    DepartmentReferralEvent.objects.create(referral=referral, action="send", actor=actor, note=note)
    audit.record(actor=actor, action=AuditAction.CREATE, obj=referral)
    material_follow_referral(recommendation=recommendation, status=MaterialStatus.REFERRED)
    _announce(referral, household=household, desk=desk, actor=actor)
    return referral


def _announce(
    referral: DepartmentReferral, *, household: Household, desk: DepartmentDesk, actor: User
) -> None:
    """A sent referral goes on the household's assistance chain and to the department's staff,
    whether it started from a plan or from the household page."""
    chain_add(
        household=household,
        source="referral",
        source_id=referral.pk,
        title=_("%(kind)s referred to %(department)s")
        % {"kind": referral.get_kind_display(), "department": desk.department.name},
        url=referral_url(referral),
        actor=actor,
    )
    notify(
        users=_department_staff(referral),
        title=_("New referral: %(kind)s") % {"kind": referral.get_kind_display()},
        body=str(referral),
        url=referral_url(referral),
    )


def _follow(referral: DepartmentReferral, status: str) -> None:
    """The plan's recommendation follows its referral (a referral started from the household
    page may have none)."""
    if referral.recommendation is not None:
        material_follow_referral(recommendation=referral.recommendation, status=status)


@transaction.atomic
def referral_send_for_household(
    *, actor: User, household: Household, kind: str, note: str = ""
) -> DepartmentReferral:
    """Refer one kind of material assistance for a household to the department that handles it,
    from the household page (without going through a plan). The household must have consented
    to share its information with partner departments (``registry`` casework's consent); where
    its live plan recommends that kind and it is not yet referred, the referral carries the
    recommendation, so the plan follows it as if it had been sent from there."""
    policy.require_referral_sender(actor)
    if not visible(actor, Household.objects.filter(pk=household.pk)).exists():
        raise PermissionDenied(_("This household is outside your area."))
    if kind not in MaterialKind.values:
        raise ValidationFailed({"kind": [_("Choose the kind of assistance.")]})
    if len(note) > 500:
        raise ValidationFailed({"note": [_("At most 500 characters.")]})
    if household.status != HouseholdStatus.ACTIVE:
        raise Conflict("household_exited", _("This household has left the register."))
    require_sharing_consent(household)
    if DepartmentReferral.objects.filter(
        household=household, kind=kind, status__in=OPEN_STATUSES
    ).exists():
        raise Conflict(
            "already_referred", _("This assistance is already waiting for the department.")
        )
    recommendation = (
        MaterialRecommendation.objects.filter(
            plan__household=household,
            plan__status__in=LIVE_PLAN_STATUSES,
            kind=kind,
            referral_status__in=[MaterialStatus.RECOMMENDED, MaterialStatus.REFUSED],
        )
        .select_related("plan__household")
        .order_by("-plan_id", "pk")
        .first()
    )
    if recommendation is not None:
        return referral_send(actor=actor, recommendation=recommendation, note=note)
    desk = desk_for(household=household, kind=kind)
    if desk is None:
        raise Conflict(
            "no_department",
            _("No department on the platform handles this assistance here; record it by hand."),
        )
    now = timezone.now()
    try:
        with transaction.atomic():
            referral = DepartmentReferral.objects.create(
                household=household,
                recommendation=None,
                kind=kind,
                department=desk.department,
                district_id=household.district_id,
                note=note.strip(),
                respond_by=now + dt.timedelta(days=desk.respond_days),
                sent_by=actor,
            )
    except IntegrityError:
        raise Conflict(
            "already_referred", _("This assistance is already waiting for the department.")
        ) from None
    DepartmentReferralEvent.objects.create(referral=referral, action="send", actor=actor, note=note)
    audit.record(actor=actor, action=AuditAction.CREATE, obj=referral, detail={"from": "household"})
    _announce(referral, household=household, desk=desk, actor=actor)
    return referral


def _title(referral: DepartmentReferral, what: str) -> str:
    return f"{referral.get_kind_display()}：{what}"


@transaction.atomic
def referral_accept(
    *, actor: User, referral: DepartmentReferral, note: str = ""
) -> DepartmentReferral:
    REFERRAL_FLOW.require("accept", obj=referral, actor=actor)
    policy.require_referral_answerer(actor, referral)
    desk = desk_for(household=referral.household, kind=referral.kind)
    now = timezone.now()
    referral = REFERRAL_FLOW.apply(
        obj=referral,
        action="accept",
        actor=actor,
        note=note.strip()[:500],
        changes={
            "answered_at": now,
            "complete_by": now + dt.timedelta(days=desk.complete_days if desk else 30),
            "escalated_at": None,
        },
        chain_title=_title(
            referral, _("accepted by %(department)s") % {"department": referral.department}
        ),
    )
    _tell_sender(referral, _("Referral accepted: %(kind)s") % {"kind": referral.get_kind_display()})
    return referral


@transaction.atomic
def referral_decline(
    *, actor: User, referral: DepartmentReferral, reason: str
) -> DepartmentReferral:
    REFERRAL_FLOW.require("decline", obj=referral, actor=actor)
    policy.require_referral_answerer(actor, referral)
    reason = reason.strip()
    if not reason:
        raise ValidationFailed({"reason": [_("Say why the department declines.")]})
    if len(reason) > 500:
        raise ValidationFailed({"reason": [_("At most 500 characters.")]})
    now = timezone.now()
    referral = REFERRAL_FLOW.apply(
        obj=referral,
        action="decline",
        actor=actor,
        note=reason,
        changes={
            "decline_reason": reason,
            "answered_at": referral.answered_at or now,
            "closed_at": now,
        },
        chain_title=_title(
            referral, _("declined by %(department)s") % {"department": referral.department}
        ),
        chain_detail=reason,
    )
    _follow(referral, MaterialStatus.REFUSED)
    _tell_sender(referral, _("Referral declined: %(kind)s") % {"kind": referral.get_kind_display()})
    return referral


@transaction.atomic
def referral_complete(
    *, actor: User, referral: DepartmentReferral, outcome: str, note: str = ""
) -> DepartmentReferral:
    REFERRAL_FLOW.require("complete", obj=referral, actor=actor)
    policy.require_referral_answerer(actor, referral)
    if outcome not in ReferralOutcome.values:
        raise ValidationFailed({"outcome": [_("Choose the outcome.")]})
    note = note.strip()
    if len(note) > 500:
        raise ValidationFailed({"note": [_("At most 500 characters.")]})
    label = ReferralOutcome(outcome).label
    referral = REFERRAL_FLOW.apply(
        obj=referral,
        action="complete",
        actor=actor,
        note=note,
        changes={"outcome": outcome, "outcome_note": note, "closed_at": timezone.now()},
        chain_title=_title(referral, str(label)),
        chain_detail=note,
    )
    _follow(
        referral,
        MaterialStatus.GRANTED if outcome == ReferralOutcome.GRANTED else MaterialStatus.REFUSED,
    )
    if outcome == ReferralOutcome.GRANTED:
        # Granted assistance covers the household: off the stored hidden-poverty list now.
        hidden_poverty_recheck(household_id=referral.household_id)
    _tell_sender(
        referral,
        _("Referral completed: %(kind)s, %(outcome)s")
        % {"kind": referral.get_kind_display(), "outcome": label},
    )
    return referral


@transaction.atomic
def referral_withdraw(
    *, actor: User, referral: DepartmentReferral, reason: str
) -> DepartmentReferral:
    REFERRAL_FLOW.require("withdraw", obj=referral, actor=actor)
    if not visible(actor, DepartmentReferral.objects.filter(pk=referral.pk)).exists():
        raise PermissionDenied(_("This referral is outside your area."))
    reason = reason.strip()
    if not reason:
        raise ValidationFailed({"reason": [_("Say why the referral is withdrawn.")]})
    if len(reason) > 500:
        raise ValidationFailed({"reason": [_("At most 500 characters.")]})
    referral = REFERRAL_FLOW.apply(
        obj=referral,
        action="withdraw",
        actor=actor,
        note=reason,
        changes={"closed_at": timezone.now()},
        chain_title=_title(referral, _("referral withdrawn")),
        chain_detail=reason,
    )
    _follow(referral, MaterialStatus.RECOMMENDED)
    notify(
        users=_department_staff(referral),
        title=_("Referral withdrawn: %(kind)s") % {"kind": referral.get_kind_display()},
        body=str(referral),
        url=referral_url(referral),
    )
    return referral


def overdue_q(now: dt.datetime) -> Q:
    """Open referrals past their deadline: no answer by ``respond_by``, or accepted and not
    completed by ``complete_by``."""
    return Q(status=S.SENT, respond_by__lt=now) | Q(status=S.ACCEPTED, complete_by__lt=now)


def referral_escalate(*, referral: DepartmentReferral, now: dt.datetime) -> bool:
    """Escalate one overdue referral to the district (once per deadline); False if another run
    did it first or it is no longer overdue."""
    with transaction.atomic():
        matched = (
            DepartmentReferral.objects.filter(pk=referral.pk, escalated_at__isnull=True)
            .filter(overdue_q(now))
            .update(escalated_at=now)
        )
        if matched != 1:
            return False
        referral.refresh_from_db()
        DepartmentReferralEvent.objects.create(referral=referral, action="escalate", actor=None)
        audit.record(
            actor=None,
            actor_label="discovery.referrals_escalate",
            action=AuditAction.UPDATE,
            obj=referral,
            detail={"escalated": True, "status": referral.status},
        )
        chain_add(
            household=referral.household,
            source="referral",
            source_id=referral.pk,
            title=_title(referral, _("overdue, escalated to the district")),
            url=referral_url(referral),
        )
        managers = User.objects.filter(
            role=Role.DISTRICT_MANAGER, area_id=referral.district_id, is_active=True
        )
        notify(
            users=[*managers, referral.sent_by, *_department_staff(referral)],
            title=_("Referral overdue: %(kind)s, %(department)s")
            % {"kind": referral.get_kind_display(), "department": referral.department},
            body=str(referral),
            url=referral_url(referral),
            sms=True,
        )
    return True


def referrals_escalate_overdue(*, now: dt.datetime | None = None) -> int:
    """The periodic job: escalate every overdue open referral not yet escalated."""
    now = now or timezone.now()
    late = (
        DepartmentReferral.objects.filter(status__in=OPEN_STATUSES, escalated_at__isnull=True)
        .filter(overdue_q(now))
        .select_related("household", "department", "sent_by")
    )
    return sum(referral_escalate(referral=r, now=now) for r in late)
