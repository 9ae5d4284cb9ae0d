"""Beneficiaries sign in with a member's mobile number and a one-time code."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from jiuzhu.core import audit
from jiuzhu.core.identity import validate_mobile
from jiuzhu.core.models import AuditAction, AuditResult, Role, User
from jiuzhu.core.services.signin_codes import CodeRefused, code_issue, code_verify
from jiuzhu.registry.models import BeneficiaryAccount, HouseholdStatus, Member


def _member_for(mobile: str) -> Member | None:
    return (
        Member.objects.select_related("household")
        .filter(mobile=mobile, is_active=True, household__status=HouseholdStatus.ACTIVE)
        .order_by("id")
        .first()
    )


def beneficiary_request_code(*, mobile: str) -> str | None:
    """Send a code when the number belongs to a current member. Returns the code (for demo
    mode) or None; the caller shows the same message either way, so the form does not reveal
    who is registered."""
    try:
        mobile = validate_mobile(mobile)
    except ValueError as error:
        raise CodeRefused(str(error)) from None
    if _member_for(mobile) is None:
        audit.record(
            actor=None,
            actor_label=mobile[:3] + "****" + mobile[7:],
            action=AuditAction.LOGIN,
            result=AuditResult.FAILURE,
            detail={"method": "sms", "reason": "unknown number"},
        )
        return None
    return code_issue(mobile=mobile)


def beneficiary_sign_in(*, mobile: str, code: str) -> User:
    """Verify the code and return the beneficiary's account, created on first sign-in."""
    try:
        mobile = validate_mobile(mobile)
        code_verify(mobile=mobile, code=code)
    except (CodeRefused, ValueError) as error:
        audit.record(
            actor=None,
            actor_label=mobile[:3] + "****" + mobile[7:],
            action=AuditAction.LOGIN,
            result=AuditResult.FAILURE,
            detail={"method": "sms"},
        )
        raise CodeRefused(str(error)) from None
    member = _member_for(mobile)
    if member is None:
        raise CodeRefused(_("This number does not belong to a current member."))
    with transaction.atomic():
        return _account_for(member, mobile)


def _account_for(member: Member, mobile: str) -> User:
    account = BeneficiaryAccount.objects.select_related("user").filter(member=member).first()
    if account is None:
        user = User.objects.filter(username=f"m{mobile}").first()
        if user is None:
            user = User(username=f"m{mobile}", role=Role.BENEFICIARY)
            user.set_unusable_password()
        user.display_name, user.mobile, user.is_active = member.name, mobile, True
        user.save()
        BeneficiaryAccount.objects.filter(user=user).delete()
        account = BeneficiaryAccount.objects.create(
            user=user, member=member, household=member.household
        )
    elif account.household_id != member.household_id:
        account.household = member.household
        account.save(update_fields=["household"])
    audit.record(
        actor=account.user, action=AuditAction.LOGIN, obj=account.user, detail={"method": "sms"}
    )
    return account.user
