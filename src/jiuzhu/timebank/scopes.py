"""Accounts: a volunteer sees their own; district managers the accounts serving their district;
city administrators all. Entries and movements are seen with their account. Deposits: the
volunteer's own; the household's community worker and beneficiary, and the provider's staff,
those of orders they see; managers by account, and district managers also the volunteer work
done in their district whatever the account (volunteers' own accounts name no district, and
a district's dashboard counts the hours served there). A provider's staff see the redemptions
made at their provider's counter and the group activities their organisation recorded."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from jiuzhu.core.models import AreaLevel, Role, User
from jiuzhu.core.scoping import grant, visible
from jiuzhu.orders.models import Order
from jiuzhu.orders.scopes import provider_of
from jiuzhu.timebank.models import Account, Deposit, Entry, GroupActivity, Movement


def _own(queryset: QuerySet, user: User) -> QuerySet:
    return queryset.filter(holder=user)


def _managed(queryset: QuerySet, user: User) -> QuerySet:
    area = user.area
    if area is None:
        return queryset.none()
    if area.level == AreaLevel.CITY:
        return queryset
    if area.level == AreaLevel.DISTRICT:
        return queryset.filter(district=area)
    return queryset.none()


grant(Account, [Role.VOLUNTEER], _own)
grant(Account, [Role.DISTRICT_MANAGER, Role.CITY_ADMIN], _managed)


def _with_account(queryset: QuerySet, user: User) -> QuerySet:
    return queryset.filter(account__in=visible(user, Account.objects.all()))


grant(Entry, [Role.VOLUNTEER, Role.DISTRICT_MANAGER, Role.CITY_ADMIN], _with_account)


def _movements(queryset: QuerySet, user: User) -> QuerySet:
    accounts = visible(user, Account.objects.all())
    return queryset.filter(Q(source__in=accounts) | Q(target__in=accounts))


grant(Movement, [Role.VOLUNTEER, Role.DISTRICT_MANAGER, Role.CITY_ADMIN], _movements)
grant(Deposit, [Role.VOLUNTEER, Role.DISTRICT_MANAGER, Role.CITY_ADMIN], _with_account)


def _served_in_district(queryset: QuerySet, user: User) -> QuerySet:
    area = user.area
    if area is None or area.level != AreaLevel.DISTRICT:
        return queryset.none()
    return queryset.filter(street__parent=area)


grant(Deposit, [Role.DISTRICT_MANAGER], _served_in_district)


def _by_order(queryset: QuerySet, user: User) -> QuerySet:
    return queryset.filter(order__in=visible(user, Order.objects.all()))


grant(Deposit, [Role.BENEFICIARY, Role.COMMUNITY_WORKER, Role.PROVIDER_STAFF], _by_order)


def _at_counter(queryset: QuerySet, user: User) -> QuerySet:
    provider = provider_of(user)
    if provider is None:
        return queryset.none()
    return queryset.filter(provider=provider)


grant(Movement, [Role.PROVIDER_STAFF], _at_counter)


def _activities_of_organisation(queryset: QuerySet, user: User) -> QuerySet:
    if not user.organisation_id:
        return queryset.none()
    return queryset.filter(organisation_id=user.organisation_id)


def _activities_with_accounts(queryset: QuerySet, user: User) -> QuerySet:
    deposits = visible(user, Deposit.objects.filter(activity__isnull=False))
    return queryset.filter(pk__in=deposits.values("activity_id"))


grant(GroupActivity, [Role.PROVIDER_STAFF], _activities_of_organisation)
grant(GroupActivity, [Role.DISTRICT_MANAGER, Role.CITY_ADMIN], _activities_with_accounts)
