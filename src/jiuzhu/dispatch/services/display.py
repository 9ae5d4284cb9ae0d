"""Wall-screen display links: a district manager names a screen and gets a secret link that
shows the board's figures (counts, streets, providers, order numbers; never a name, address or
phone) without anyone signed in. Only the SHA-256 digest of the secret is stored, so the link
is shown once; revoking it stops the screen at its next poll."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jiuzhu.core import audit
from jiuzhu.core.errors import Conflict, PermissionDenied, ValidationFailed
from jiuzhu.core.models import Area, AreaLevel, AuditAction, Role, User
from jiuzhu.dispatch import policy
from jiuzhu.dispatch.models import DisplayToken
from jiuzhu.dispatch.selectors.board import board_figures

TOKEN_BYTES = 32
MAX_TOKEN_LENGTH = 100
#: The fields of a listed order a wall screen may show.
ROW_FIELDS = ("number", "status", "item", "street", "provider", "deadline", "minutes_left")


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _require_manager_of(actor: User, district_id: int | None) -> Area:
    """The actor's district, if they manage it (and ``district_id``, when given, is it)."""
    area = actor.area
    if (
        not policy.can_manage_displays(actor)
        or area is None
        or area.level != AreaLevel.DISTRICT
        or (district_id is not None and area.pk != district_id)
    ):
        raise PermissionDenied(_("Only the district's manager manages its display links."))
    return area


@transaction.atomic
def display_token_create(*, actor: User, name: str) -> tuple[DisplayToken, str]:
    """A new display link for the actor's district; returns the token and its secret, which
    is not stored and cannot be shown again."""
    district = _require_manager_of(actor, None)
    name = name.strip()
    if not name:
        raise ValidationFailed({"name": [_("Name the screen, e.g. where it hangs.")]})
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    token = DisplayToken.objects.create(
        district=district, name=name[:60], digest=_digest(raw), created_by=actor
    )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=token)
    return token, raw


@transaction.atomic
def display_token_revoke(*, actor: User, token: DisplayToken) -> DisplayToken:
    _require_manager_of(actor, token.district_id)
    now = timezone.now()
    if not DisplayToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now):
        raise Conflict("already_revoked", _("This display link was already revoked."))
    token.revoked_at = now
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=token, detail={"revoked": True})
    return token


def display_token_resolve(raw: str) -> DisplayToken | None:
    """The live token a secret belongs to, or None (unknown, malformed or revoked)."""
    if not raw or len(raw) > MAX_TOKEN_LENGTH:
        return None
    return (
        DisplayToken.objects.select_related("district")
        .filter(digest=_digest(raw), revoked_at__isnull=True)
        .first()
    )


def display_tokens_for(*, actor: User) -> QuerySet[DisplayToken]:
    """The display links of the actor's district, live first."""
    _require_manager_of(actor, None)
    return (
        DisplayToken.objects.filter(district=actor.area)
        .select_related("created_by")
        .order_by("revoked_at", "-created_at")
    )


def _viewer(token: DisplayToken) -> User:
    """An unsaved stand-in that sees what a manager of the token's district sees."""
    return User(
        username=f"display-{token.pk}",
        role=Role.DISTRICT_MANAGER,
        area=token.district,
        is_active=True,
    )


def display_figures(
    *,
    token: DisplayToken,
    street: int | None = None,
    now: dt.datetime | None = None,
    limit: int = 30,
) -> dict[str, Any]:
    """The board's figures for the token's district with the personal data taken out."""
    figures = board_figures(user=_viewer(token), street=street, now=now, limit=limit)
    for key in ("at_risk", "overdue"):
        figures[key] = [{field: row[field] for field in ROW_FIELDS} for row in figures[key]]
    figures["district"] = token.district.name
    figures["screen"] = token.name
    return figures
