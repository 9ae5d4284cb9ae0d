"""One-time sign-in codes sent by SMS. Codes are six digits, live five minutes, allow five
tries, and only their keyed hash is stored.

Sending is limited before anyone looks at whether the number is registered — one request per
number every 30 seconds and a few a day, a few an hour per client address, and a daily cap for
the whole platform — so the answers (and the refusals) are the same for a registered and an
unknown number, and nobody can run up the SMS bill or flood a phone.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiuzhu.core import crypto
from jiuzhu.core.jobs import periodic
from jiuzhu.core.models import SignInCode, SignInRequest
from jiuzhu.core.request_context import current_request_info
from jiuzhu.core.sms import send_sms

MAX_ATTEMPTS = 5
RESEND_INTERVAL = timedelta(seconds=30)


class CodeRefused(Exception):
    """Why a code was not sent or not accepted, as a translated message."""


KEEP_REQUESTS = timedelta(days=2)


def code_request_admit(*, mobile: str) -> None:
    """Record a request for a code to ``mobile`` or raise :class:`CodeRefused` when a limit is
    reached. Call it for every request, before deciding whether the number is registered. The
    request is recorded in its own transaction, so a refusal or a caller's rollback still
    counts it."""
    now = timezone.now()
    mobile_hash = crypto.lookup_hash(f"signin-request:{mobile}")
    ip_address = current_request_info().ip_address
    with transaction.atomic():
        SignInRequest.objects.filter(created_at__lt=now - KEEP_REQUESTS).delete()
        for_number = SignInRequest.objects.filter(mobile_hash=mobile_hash)
        if for_number.filter(created_at__gt=now - RESEND_INTERVAL).exists():
            refusal = _("A code was sent less than 30 seconds ago. Please wait.")
        elif (
            for_number.filter(created_at__gt=now - timedelta(days=1)).count()
            >= settings.SMS_PER_NUMBER_PER_DAY
        ):
            refusal = _("Too many codes were asked for this number today. Try again tomorrow.")
        elif (
            ip_address
            and SignInRequest.objects.filter(
                ip_address=ip_address, created_at__gt=now - timedelta(hours=1)
            ).count()
            >= settings.SMS_PER_ADDRESS_PER_HOUR
        ):
            refusal = _("Too many codes were asked from this network. Try again in an hour.")
        elif (
            SignInRequest.objects.filter(created_at__gt=now - timedelta(days=1)).count()
            >= settings.SMS_PER_DAY
        ):
            refusal = _("Sign-in by SMS is not available right now. Please call the hotline.")
        else:
            refusal = None
            SignInRequest.objects.create(
                mobile_hash=mobile_hash, ip_address=ip_address, created_at=now
            )
    if refusal is not None:
        raise CodeRefused(refusal)


@transaction.atomic
def code_issue(*, mobile: str) -> str:
    """Create and send a code to ``mobile`` (admitted by :func:`code_request_admit`); returns
    it (demo mode shows it on the page)."""
    now = timezone.now()
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


@periodic("core.signin_codes_purge", every_seconds=3600)
def signin_codes_purge(*, now: datetime | None = None) -> int:
    """Delete the codes that have expired. A code row holds the beneficiary's mobile number in
    clear (it is looked up by it for its five minutes); once expired nothing reads it, so it
    is not kept (minimum necessary, docs/data-classification.md). Returns how many went."""
    deleted, _per_model = SignInCode.objects.filter(expires_at__lt=now or timezone.now()).delete()
    return deleted


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
