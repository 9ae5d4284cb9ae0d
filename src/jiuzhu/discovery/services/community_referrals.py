"""Community referrals (熟人网络): "帮邻居报一下" — anyone signed in, or the hotline for a caller,
refers a neighbour in a few taps; the referral joins the verification queue as a warning."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from jiuzhu.core import audit
from jiuzhu.core.errors import ValidationFailed
from jiuzhu.core.models import Area, AreaLevel, AuditAction, User
from jiuzhu.discovery import policy
from jiuzhu.discovery.models import CommunityReferral, EarlyWarning, Grade, WarningOrigin
from jiuzhu.discovery.services.warnings import _create

#: Days a community worker has to visit a referred neighbour.
REFERRAL_VERIFY_DAYS = 7


def _district(area: Area | None) -> Area | None:
    while area is not None and area.level != AreaLevel.DISTRICT:
        area = area.parent
    return area


@transaction.atomic
def referral_submit(
    *,
    actor: User,
    community: Area | None,
    noticed: str,
    name: str = "",
    address: str = "",
    consent_note: str = "",
) -> CommunityReferral:
    """Refer a neighbour. ``community`` is where they live (a community worker's own by
    default); the referral becomes a warning for that community's workers."""
    policy.require_referrer(actor)
    if community is None and actor.area is not None and actor.area.level == AreaLevel.COMMUNITY:
        community = actor.area
    errors: dict[str, list[str]] = {}
    if not (name.strip() or address.strip()):
        errors["name"] = [_("Give a name or an address so that a worker can find them.")]
    if not noticed.strip():
        errors["noticed"] = [_("Say what you noticed.")]
    if community is None or community.level != AreaLevel.COMMUNITY:
        errors["community"] = [_("Choose the community where they live.")]
    if errors:
        raise ValidationFailed(errors)
    assert community is not None
    district = _district(community)
    assert district is not None
    referral = CommunityReferral.objects.create(
        referrer=actor,
        referrer_role=actor.role,
        name=name.strip()[:64],
        address=address.strip()[:200],
        noticed=noticed.strip()[:500],
        consent_note=consent_note.strip()[:200],
        district=district,
        community=community,
    )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=referral)
    _create(
        origin=WarningOrigin.REFERRAL,
        dedupe_key=f"referral:{referral.pk}",
        grade=Grade.YELLOW,
        due_days=REFERRAL_VERIFY_DAYS,
        district=district,
        street=community.parent,
        community=community,
        referral=referral,
        explanation={"referral": referral.pk, "referrer_role": actor.role},
    )
    return referral


def referral_warning(referral: CommunityReferral) -> EarlyWarning | None:
    return EarlyWarning.objects.filter(referral=referral).first()
