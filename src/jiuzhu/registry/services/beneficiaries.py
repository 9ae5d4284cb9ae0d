"""Beneficiaries sign in with a member's mobile number and a one-time code."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from jiuzhu.core import audit
from jiuzhu.core.encrypted_fields import phone_hashes
from jiuzhu.core.errors import PermissionDenied
from jiuzhu.core.identity import mask_mobile, validate_mobile
from jiuzhu.core.models import AuditAction, AuditResult, Role, User
from jiuzhu.core.services.signin_codes import (
    CodeRefused,
    code_issue,
    code_request_admit,
    code_verify,
)
from jiuzhu.registry.models import BeneficiaryAccount, HouseholdStatus, Member
from jiuzhu.registry.policy import require_beneficiary


def _member_for(mobile: str) -> Member | None:
    return (
        Member.objects.select_related("household")
        .filter(
            mobile_hash__in=phone_hashes(mobile),
            is_active=True,
            household__status=HouseholdStatus.ACTIVE,
        )
        .order_by("id")
        .first()
    )


def beneficiary_request_code(*, mobile: str) -> str | None:
    """Send a code when the number belongs to a current member. Returns the code (for demo
    mode) or None; the caller shows the same message either way, and the sending limits apply
    before registration is looked at, so neither the answer nor a refusal reveals who is
    registered. Every request is audited (the number masked)."""
    try:
        mobile = validate_mobile(mobile)
    except ValueError as error:
        raise CodeRefused(str(error)) from None
    try:
        code_request_admit(mobile=mobile)
    except CodeRefused as refusal:
        _audit_request(mobile, AuditResult.DENIED, "limit")
        raise refusal from None
    if _member_for(mobile) is None:
        _audit_request(mobile, AuditResult.FAILURE, "unknown number")
        return None
    code = code_issue(mobile=mobile)
    _audit_request(mobile, AuditResult.SUCCESS, "code sent")
    return code


def _audit_request(mobile: str, result: str, step: str) -> None:
    audit.record(
        actor=None,
        actor_label=mask_mobile(mobile),
        action=AuditAction.LOGIN,
        result=result,
        detail={"method": "sms", "step": step},
    )


def beneficiary_sign_in(*, mobile: str, code: str) -> User:
    """Verify the code and return the beneficiary's account, created on first sign-in."""
    try:
        mobile = validate_mobile(mobile)
        code_verify(mobile=mobile, code=code)
    except (CodeRefused, ValueError) as error:
        audit.record(
            actor=None,
            actor_label=mask_mobile(mobile),
            action=AuditAction.LOGIN,
            result=AuditResult.FAILURE,
            detail={"method": "sms", "step": "wrong code"},
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


def beneficiary_account_of(user: User) -> BeneficiaryAccount | None:
    """The household account behind ``user`` (None for staff and unlinked accounts)."""
    if not user.is_authenticated or user.role != Role.BENEFICIARY:
        return None
    return BeneficiaryAccount.objects.filter(user=user).first()


@transaction.atomic
def beneficiary_set_elderly_mode(*, actor: User, on: bool) -> BeneficiaryAccount:
    """Turn the elderly-friendly mode (large text, high contrast, fewer choices) on or off for
    the household's own account; it is kept with the account, so every device shows it."""
    require_beneficiary(actor)
    account = BeneficiaryAccount.objects.select_for_update().filter(user=actor).first()
    if account is None:
        raise PermissionDenied(_("Your account is not linked to a household."))
    if account.elderly_mode != on:
        account.elderly_mode = on
        account.full_clean()
        account.save(update_fields=["elderly_mode"])
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=account,
            detail={"elderly_mode": on},
        )
    return account
