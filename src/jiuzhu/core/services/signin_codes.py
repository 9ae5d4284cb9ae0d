"""One-time sign-in codes sent by SMS. Codes are six digits, live five minutes, allow five
tries, and only their keyed hash is stored."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiuzhu.core import crypto
from jiuzhu.core.models import SignInCode
from jiuzhu.core.sms import send_sms

MAX_ATTEMPTS = 5
RESEND_INTERVAL = timedelta(seconds=30)


class CodeRefused(Exception):
    """Why a code was not sent or not accepted, as a translated message."""


@transaction.atomic
def code_issue(*, mobile: str) -> str:
    """Create and send a code to ``mobile``; returns it (demo mode shows it on the page)."""
    now = timezone.now()
    recent = SignInCode.objects.filter(mobile=mobile, created_at__gt=now - RESEND_INTERVAL)
    if recent.exists():
        raise CodeRefused(_("A code was sent less than 30 seconds ago. Please wait."))
    code = f"{secrets.randbelow(1_000_000):06d}"
    SignInCode.objects.create(
        mobile=mobile,
        code_hash=crypto.lookup_hash(f"signin:{mobile}:{code}"),
        expires_at=now + timedelta(seconds=settings.OTP_TTL_SECONDS),
    )
    send_sms(
        mobile,
        _("Your jiuzhu sign-in code is %(code)s. It is valid for 5 minutes.") % {"code": code},
    )
    return code


def code_verify(*, mobile: str, code: str) -> None:
    """Accept the latest unused code for ``mobile`` or raise :class:`CodeRefused`.

    A wrong try is counted in its own committed transaction before the refusal is raised, so
    a caller's rollback cannot reset the count. Call it outside any outer transaction.
    """
    now = timezone.now()
    refusal = None
    with transaction.atomic():
        latest = (
            SignInCode.objects.select_for_update()
            .filter(mobile=mobile, used_at__isnull=True)
            .order_by("-created_at", "-id")
            .first()
        )
        if latest is None or latest.expires_at < now:
            refusal = _("The code has expired or was never sent. Ask for a new one.")
        elif latest.attempts >= MAX_ATTEMPTS:
            refusal = _("Too many wrong codes. Ask for a new one.")
        elif not secrets.compare_digest(
            crypto.lookup_hash(f"signin:{mobile}:{code.strip()}"), latest.code_hash
        ):
            SignInCode.objects.filter(pk=latest.pk).update(attempts=latest.attempts + 1)
            refusal = _("The code is not correct.")
        else:
            SignInCode.objects.filter(pk=latest.pk).update(used_at=now)
    if refusal is not None:
        raise CodeRefused(refusal)
