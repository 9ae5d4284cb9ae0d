"""Small things the order services share: the order's page, who hears about it."""

from __future__ import annotations

from django.urls import reverse

from jiuzhu.core.models import Role, User
from jiuzhu.orders.models import Order, Provider
from jiuzhu.registry.models import Household


def order_url(order: Order) -> str:
    return reverse("orders:order_detail", args=[order.pk])


def beneficiaries(household: Household) -> list[User]:
    return [account.user for account in household.accounts.select_related("user")]


def provider_staff(provider: Provider) -> list[User]:
    return list(
        User.objects.filter(
            organisation_id=provider.organisation_id, is_active=True, role=Role.PROVIDER_STAFF
        )
    )
