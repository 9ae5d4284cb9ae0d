"""Two-factor sign-in with an authenticator app (TOTP, RFC 6238, through django-otp) and
one-time recovery codes.

Required for the roles in ``TWO_FACTOR_ROLES`` (every administrator and district managers by
default: MLPS level 3 asks for two factors for administrators), optional for everyone else.
django-otp throttles wrong codes per device (each failure doubles the wait); every enrolment,
verification, failure and reset is audited.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from jiuzhu.core import audit
from jiuzhu.core.errors import PermissionDenied, ValidationFailed
from jiuzhu.core.models import AuditAction, AuditResult, Role, User

RECOVERY_CODES = 10


def two_factor_required(user: User) -> bool:
    return user.role in settings.TWO_FACTOR_ROLES


def two_factor_enabled(user: User) -> bool:
    return user.two_factor_enabled


def two_factor_pending_device(*, user: User) -> TOTPDevice:
    """The authenticator being set up (created on first call): scan its QR code, then confirm."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


@dataclass(frozen=True)
class Enrolment:
    device: TOTPDevice
    recovery_codes: list[str]


@transaction.atomic
def two_factor_enrol(*, user: User, code: str) -> Enrolment:
    """Confirm the pending authenticator with a code it shows; returns fresh recovery codes
    (shown once)."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token(code.strip()):
        raise ValidationFailed({"code": [_("The code does not match. Check the phone's time.")]})
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    user.two_factor_enabled = True
    user.save(update_fields=["two_factor_enabled"])
    codes = _new_recovery_codes(user)
    audit.record(actor=user, action=AuditAction.ACCOUNT, obj=user, detail={"event": "2fa enrolled"})
    return Enrolment(device=device, recovery_codes=codes)


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name="recovery codes", confirmed=True)
    codes = [f"{secrets.randbelow(10**8):08d}" for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=static, token=code) for code in codes)
    return codes


def two_factor_verify(*, user: User, code: str) -> Any:
    """The device that accepts ``code`` (an authenticator code or an unused recovery code), or
    a refusal. The failure is audited outside any transaction, so it survives the refusal."""
    device = match_token(user, code.strip().replace(" ", ""))
    if device is None:
        audit.record(
            actor=user,
            action=AuditAction.LOGIN,
            obj=user,
            result=AuditResult.FAILURE,
            detail={"method": "2fa"},
        )
        raise ValidationFailed({"code": [_("The code is not correct, or was tried too soon.")]})
    audit.record(
        actor=user,
        action=AuditAction.LOGIN,
        obj=user,
        detail={
            "method": "2fa",
            "device": "recovery" if isinstance(device, StaticDevice) else "totp",
        },
    )
    return device


@transaction.atomic
def two_factor_reset(*, actor: User, account: User) -> None:
    """The security administrator removes a person's devices (a lost phone); they enrol again
    at their next sign-in."""
    if actor.role != Role.SECURITY_ADMIN:
        raise PermissionDenied(_("Only the security administrator manages accounts."))
    TOTPDevice.objects.filter(user=account).delete()
    StaticDevice.objects.filter(user=account).delete()
    account.two_factor_enabled = False
    account.save(update_fields=["two_factor_enabled"])
    audit.record(
        actor=actor, action=AuditAction.ACCOUNT, obj=account, detail={"event": "2fa reset"}
    )
