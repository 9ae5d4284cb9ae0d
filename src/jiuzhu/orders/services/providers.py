"""Registering and editing providers (district managers and city administrators)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from stdnum.cn import uscc as uscc_number
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength

from jiuzhu.catalog.models import ServiceItem
from jiuzhu.core import audit
from jiuzhu.core.errors import ValidationFailed
from jiuzhu.core.models import (
    Area,
    AreaLevel,
    AuditAction,
    Organisation,
    OrganisationKind,
    User,
)
from jiuzhu.core.selectors.areas import areas_within
from jiuzhu.orders import policy
from jiuzhu.orders.models import Provider

PROFILE_FIELDS = (
    "supply_type",
    "staff_count",
    "social_workers",
    "signature_projects",
    "daily_capacity",
    "contact_name",
    "contact_phone",
    "active",
)


def clean_uscc(raw: str) -> str:
    """A unified social credit code (GB 32100-2015), checked by its check character."""
    try:
        return uscc_number.validate(raw or "")
    except InvalidLength:
        raise ValidationFailed(
            {"uscc": [_("A unified social credit code has 18 characters.")]}
        ) from None
    except InvalidFormat:
        raise ValidationFailed(
            {"uscc": [_("Use digits and capital letters (no I, O, S, V or Z).")]}
        ) from None
    except InvalidChecksum:
        expected = uscc_number.calc_check_digit(uscc_number.compact(raw))
        raise ValidationFailed(
            {
                "uscc": [
                    _("The check character is wrong: it should be %(expected)s.")
                    % {"expected": expected}
                ]
            }
        ) from None


def _check_areas(
    actor: User, base: Area, streets: Sequence[Area], communities: Sequence[Area]
) -> None:
    mine = areas_within(actor)
    errors: dict[str, list[str]] = {}
    if base.level != AreaLevel.COMMUNITY or not mine.filter(pk=base.pk).exists():
        errors["base"] = [_("Choose a community in your area.")]
    if any(s.level != AreaLevel.STREET for s in streets):
        errors["streets"] = [_("Choose streets.")]
    if any(c.level != AreaLevel.COMMUNITY for c in communities):
        errors["communities"] = [_("Choose communities.")]
    if not streets and not communities:
        errors["streets"] = [_("Choose at least one street or community it serves.")]
    if errors:
        raise ValidationFailed(errors)


@transaction.atomic
def provider_create(
    *,
    actor: User,
    name: str,
    uscc: str,
    base: Area,
    streets: list[Area],
    communities: list[Area],
    items: list[ServiceItem],
    location: tuple[Decimal, Decimal] | None = None,
    **profile: Any,
) -> Provider:
    """``location`` (latitude, longitude) defaults to the base community's."""
    policy.require_provider_editor(actor)
    code = clean_uscc(uscc)
    if Provider.objects.filter(uscc=code).exists():
        raise ValidationFailed({"uscc": [_("A provider with this code is registered already.")]})
    _check_areas(actor, base, streets, communities)
    organisation = Organisation.objects.create(
        name=name.strip(),
        kind=OrganisationKind.PROVIDER,
        area=base.parent.parent if base.parent is not None else None,
    )
    provider = Provider(
        organisation=organisation,
        uscc=code,
        base=base,
        latitude=location[0] if location else base.latitude or 0,
        longitude=location[1] if location else base.longitude or 0,
        **{key: value for key, value in profile.items() if key in PROFILE_FIELDS},
    )
    provider.full_clean()
    provider.save()
    provider.streets.set(streets)
    provider.communities.set(communities)
    provider.items.set(items)
    audit.record(actor=actor, action=AuditAction.CREATE, obj=provider)
    return provider


@transaction.atomic
def provider_update(
    *,
    actor: User,
    provider: Provider,
    name: str | None = None,
    base: Area | None = None,
    streets: list[Area] | None = None,
    communities: list[Area] | None = None,
    items: list[ServiceItem] | None = None,
    **profile: Any,
) -> Provider:
    policy.require_provider_editor(actor)
    _check_areas(
        actor,
        base or provider.base,
        streets if streets is not None else list(provider.streets.all()),
        communities if communities is not None else list(provider.communities.all()),
    )
    if name:
        Organisation.objects.filter(pk=provider.organisation_id).update(name=name.strip())
    if base is not None:
        provider.base = base
        provider.latitude, provider.longitude = base.latitude or 0, base.longitude or 0
    for key, value in profile.items():
        if key in PROFILE_FIELDS:
            setattr(provider, key, value)
    provider.full_clean()
    provider.save()
    if streets is not None:
        provider.streets.set(streets)
    if communities is not None:
        provider.communities.set(communities)
    if items is not None:
        provider.items.set(items)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=provider,
        detail={
            "fields": sorted(profile)
            + [
                k
                for k, v in (
                    ("name", name),
                    ("base", base),
                    ("streets", streets),
                    ("communities", communities),
                    ("items", items),
                )
                if v is not None
            ]
        },
    )
    return provider
