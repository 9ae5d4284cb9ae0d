"""Helpers for the discovery tests: department files written on the fly."""

from __future__ import annotations

import datetime as dt

import pytest

from discovery_cast import HEAD_ID
from factories import MemberFactory
from factories_registry import make_household
from jiuzhu.discovery.engine.validate import check_character


def ident(first17: str) -> str:
    return first17 + check_character(first17)


@pytest.fixture
def department(actors, areas):
    """The department account, its organisation in Qixia (batches and potential cases land in
    Qixia)."""
    user = actors["department"]
    user.organisation.area = areas["qixia"]
    user.organisation.save()
    return user


@pytest.fixture
def write_csv(tmp_path):
    def write(
        rows, *, header="身份证号,姓名,结算日期,个人自付", name="medical.csv", encoding="utf-8"
    ):
        path = tmp_path / name
        text = header + "\n" + "".join(",".join(str(c) for c in row) + "\n" for row in rows)
        path.write_bytes(text.encode(encoding))
        return path

    return write


@pytest.fixture
def registered(actors, areas):
    """A near-dibao household in 尧化门 with an income of 1,000 a month and its head."""
    household = make_household(
        actor=actors["yaohua_caseworker"],
        community=areas["yaohua_a"],
        tier="near_dibao",
        income="1000",
    )
    head = MemberFactory(
        household=household, relation="head", birth_date=dt.date(1970, 3, 4), id_number=HEAD_ID
    )
    return household, head
