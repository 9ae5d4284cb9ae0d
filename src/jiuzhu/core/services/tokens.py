"""API bearer tokens: shown once on creation, stored as a SHA-256 digest, revocable."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from jiuzhu.core import audit
from jiuzhu.core.models import ApiToken, AuditAction, User

TOKEN_PREFIX = "jz_"  # noqa: S105 - a prefix, not a secret


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@transaction.atomic
def token_create(*, user: User, name: str = "", actor: User | None = None) -> tuple[ApiToken, str]:
    """Create a token for ``user``; returns the row and the secret, which is not kept."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=raw[:8], digest=_digest(raw))
    audit.record(
        actor=actor,
        actor_label="cli",
        action=AuditAction.TOKEN,
        obj=user,
        detail={"event": "created", "token": token.prefix},
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


def token_authenticate(raw: str) -> User | None:
    """The active user a live token belongs to, or None."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user", "user__area")
        .filter(digest=_digest(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
