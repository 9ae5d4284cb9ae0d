"""Households and members made through the real services, so tests exercise the real paths."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from factories import identity_number, years_ago
from jiuzhu.core.models import Area, User
from jiuzhu.registry.models import Household, Member
from jiuzhu.registry.services.households import household_create
from jiuzhu.registry.services.members import member_add


def make_household(
    *, actor: User, community: Area, tier: str = "dibao", income: str = "1200", **extra
) -> Household:
    return household_create(
        actor=actor,
        community=community,
        address=extra.pop("address", "测试路1号"),
        phone=extra.pop("phone", "025-85550000"),
        tier=tier,
        monthly_income=Decimal(income),
        **extra,
    )


def add_member(
    *,
    actor: User,
    household: Household,
    name: str = "张三",
    age: int = 40,
    relation: str = "head",
    employment: str = "employed",
    sex: str | None = None,
    birth: dt.date | None = None,
    **extra,
) -> Member:
    birth = birth or years_ago(age)
    return member_add(
        actor=actor,
        household=household,
        name=name,
        id_number=extra.pop("id_number", None) or identity_number(birth, sex=sex),
        relation=relation,
        employment=employment,
        **extra,
    )
