"""API bearer tokens: shown once on creation, stored as a SHA-256 digest, revocable, expiring,
and dead while their account is inactive or locked out (a lockout that the API ignored would let
whoever guessed a password keep going through a token)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from jiuzhu.core import audit
from jiuzhu.core.models import ApiToken, AuditAction, User
from jiuzhu.core.services.accounts import locked_usernames

TOKEN_PREFIX = "jz_"  # noqa: S105 - a prefix, not a secret


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@transaction.atomic
def token_create(
    *, user: User, name: str = "", actor: User | None = None, days: int | None = None
) -> tuple[ApiToken, str]:
    """Create a token for ``user`` valid for ``days`` (default JIUZHU_API_TOKEN_DAYS); returns
    the row and the secret, which is not kept."""
    lifetime = days if days is not None else settings.API_TOKEN_DAYS
    if lifetime < 1:
        raise ValueError("a token lives at least one day")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires = timezone.now() + dt.timedelta(days=lifetime)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=raw[:8],
        digest=_digest(raw),
        expires_at=expires,
    )
    audit.record(
        actor=actor,
        actor_label="cli",
        action=AuditAction.TOKEN,
        obj=user,
        detail={"event": "created", "token": token.prefix, "expires": expires.isoformat()},
    )
    return token, raw


@transaction.atomic
def token_revoke(*, token: ApiToken, actor: User | None = None) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(
        actor=actor,
        actor_label="cli",
        action=AuditAction.TOKEN,
        obj=token.user,
        detail={"event": "revoked", "token": token.prefix},
    )


def token_expiry(token: ApiToken) -> dt.datetime:
    return token.expires_at or token.created_at + dt.timedelta(days=settings.API_TOKEN_DAYS)


def token_authenticate(raw: str) -> User | None:
    """The user a live token belongs to, or None: not revoked, not expired, the account active,
    its own password chosen, and not locked out after failed sign-ins."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user", "user__area")
        .filter(digest=_digest(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active or token.user.must_change_password:
        return None
    now = timezone.now()
    if token_expiry(token) <= now or locked_usernames([token.user.username]):
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
