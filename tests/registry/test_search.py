"""Search that scales (issue 15 item 5): the trigram-indexed search table answers exactly what
the substring rule says for names, for queries of every length, and the triggers keep it
current. Phone numbers are encrypted at rest (issue 16 item 15): a whole number is found by its
keyed hash, a part of one finds nothing."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from factories import identity_number, years_ago
from factories_registry import add_member, make_household
from jiuzhu.core.encrypted_fields import phone_search_key
from jiuzhu.registry import search
from jiuzhu.registry.models import Household, Member
from jiuzhu.registry.selectors import households as households_selector
from jiuzhu.registry.selectors.households import (
    PHONE_NUMBER,
    HouseholdFilters,
    household_count,
    household_list,
)

pytestmark = pytest.mark.django_db


def found(user, q: str) -> set[int]:
    return set(
        household_list(user=user, filters=HouseholdFilters(q=q)).values_list("pk", flat=True)
    )


def by_rule(q: str) -> set[int]:
    """The rule, in Python over every stored field: the query is a substring of the head's
    name or a member's name (ASCII letters in any case on SQLite, which ignores their case),
    or the last four characters of a member's identity number, or it is the whole of the
    household's phone or a member's mobile, spaces and hyphens aside."""
    q = q.strip()
    number = phone_search_key(q) if PHONE_NUMBER.match(q) else None
    # Four digits (or three and an X) are also the last four of an identity number: the
    # members' numbers are random, and one may end in a query such as "8555".
    last4 = (
        q.upper() if len(q) == 4 and q[:3].isdigit() and (q[3].isdigit() or q[3] in "xX") else None
    )

    def has(text: str) -> bool:
        if connection.vendor == "sqlite":
            return q.lower() in text.lower()
        return q in text

    hits = set()
    for household in Household.objects.all():
        names = [household.head_name, *(m.name for m in household.members.all())]
        phones = [household.phone, *(m.mobile for m in household.members.all())]
        if (
            any(has(name) for name in names)
            or (number and any(phone_search_key(phone) == number for phone in phones if phone))
            or (last4 and any(m.id_last4 == last4 for m in household.members.all()))
        ):
            hits.add(household.pk)
    return hits


@pytest.fixture
def people(areas, caseworker):
    """Households with names of one to four characters, phones, a former member, and a phone
    with LIKE's special characters."""
    made = {}

    def household(key, phone, *names, mobile=""):
        h = make_household(actor=caseworker, community=areas["yaohua_a"], phone=phone)
        for i, name in enumerate(names):
            add_member(
                actor=caseworker,
                household=h,
                name=name,
                relation="head" if i == 0 else "child",
                age=60 if i == 0 else 30,
                mobile=mobile if i == 0 else "",
            )
        made[key] = h
        return h

    household("wangfang", "025-85550001", "王芳", "王小明", mobile="13912345678")
    household("zhangxiuying", "025-85550002", "张秀英", "李四")
    household("ouyang", "025-85550003", "欧阳修文", "欧阳娜")
    household("fang", "025-8555_04%", "方", "芳芳芳")
    household("latin", "13800000000", "Anna Wang", "王")
    former = household("former", "025-85550006", "赵钱孙", "周吴郑")
    leaver = Member.objects.get(household=former, name="周吴郑")
    Member.objects.filter(pk=leaver.pk).update(is_active=False)
    return made


QUERIES = [
    "王", "芳", "方", "芳芳", "芳芳芳", "王芳", "芳王", "王小", "小明", "王小明", "秀英",
    "张秀英", "张秀英李", "欧阳", "阳修", "欧阳修文", "欧阳娜", "周吴", "周吴郑",  # a former member
    "李", "0", "55", "025", "8555", "85550002", "0002", "13912345678", "1391", "5678",
    "_", "%", "_04%", "8555_", "anna", "ANNA", "a w", "wang", "nn", "不存在", "王芳王",
    " 王芳 ", "025-85550002", "02585550002", "025 8555 0002", "０２５－８５５５０００２",
    "025-8555_04%", "13800000000", "139 1234 5678", '王"芳', '"', '""', "王*", "AND", "芳 OR 王",
]  # fmt: skip


@pytest.mark.parametrize("q", QUERIES)
@pytest.mark.parametrize("few", [1000, 0], ids=["ids listed", "subquery"])
def test_search_finds_exactly_the_substring_matches(people, actors, q, few, monkeypatch):
    # A search with few matches filters by the list of their ids, a broad one by the subquery:
    # both give the same answer.
    monkeypatch.setattr(households_selector, "FEW_MATCHES", few)
    assert found(actors["city_admin"], q) == by_rule(q)


@pytest.mark.parametrize("actor", ["yaohua_caseworker", "yaohua_a_worker", "qixia_manager"])
@pytest.mark.parametrize("few", [1000, 0], ids=["ids listed", "subquery"])
def test_an_area_scoped_search_finds_exactly_the_substring_matches_of_its_area(
    people, actors, actor, few, monkeypatch
):
    # Where the search table indexes places, a street's or community's search is narrowed in
    # the index: still exactly the rule's matches among the households the user may see.
    monkeypatch.setattr(households_selector, "FEW_MATCHES", few)
    user = actors[actor]
    mine = set(household_list(user=user).values_list("pk", flat=True))
    assert mine  # every household of the fixture is in Yaohua A, Qixia
    for q in QUERIES:
        assert found(user, q) == by_rule(q) & mine, q


def test_the_cases_mean_what_they_say(people, actors):
    """A few answers written out by hand, so the rule above is checked too."""
    city = actors["city_admin"]
    ids = {key: h.pk for key, h in people.items()}
    assert found(city, "王芳") == {ids["wangfang"]}
    assert found(city, "芳") == {ids["wangfang"], ids["fang"]}
    assert found(city, "芳芳") == {ids["fang"]}
    assert found(city, "王") == {ids["wangfang"], ids["latin"]}
    assert found(city, "秀英") == {ids["zhangxiuying"]}
    assert found(city, "周吴") == {ids["former"]}  # former members are still found
    assert found(city, "芳王") == set()  # not across the boundary between two names
    # Phones: the whole number, however it is spaced, hyphenated or typed (full-width).
    assert found(city, "13912345678") == {ids["wangfang"]}  # a member's mobile
    assert found(city, "139 1234 5678") == {ids["wangfang"]}
    assert found(city, "025-85550002") == {ids["zhangxiuying"]}  # the household's phone
    assert found(city, "02585550002") == {ids["zhangxiuying"]}
    assert found(city, "０２５－８５５５０００２") == {ids["zhangxiuying"]}
    assert found(city, "13800000000") == {ids["latin"]}
    # A part of a number finds nothing: only its keyed hash is searchable.
    assert found(city, "5678") == set()
    assert found(city, "85550002") == set()
    assert found(city, "_04%") == set()


COUNTED_BY = [
    "city_admin",  # sees every household: a search alone is counted in the search table
    "qixia_manager",
    "jianye_manager",
    "yaohua_caseworker",
    "maqun_caseworker",
    "yaohua_b_worker",
    "assessor",
    "volunteer",  # sees no household
]


@pytest.mark.parametrize("actor", COUNTED_BY)
def test_the_count_is_the_lists_length(people, actors, areas, actor):
    user = actors[actor]
    for q in QUERIES:
        for filters in (
            HouseholdFilters(q=q),
            HouseholdFilters(q=q, district=areas["qixia"].pk),
            HouseholdFilters(q=q, tier="dibao"),
            HouseholdFilters(q=q, tier="tekun"),  # no household here is tekun
            HouseholdFilters(q=q, community=areas["yaohua_b"].pk),
            HouseholdFilters(q=q, status="active", sort="head"),
        ):
            listed = household_list(user=user, filters=filters)
            assert household_count(user=user, filters=filters) == len(list(listed)), filters


def test_counts_written_out_by_hand(people, actors, areas, caseworker):
    city = actors["city_admin"]

    def count(user, q, **filters):
        return household_count(user=user, filters=HouseholdFilters(q=q, **filters))

    assert count(city, "芳") == 2  # 王芳's household and 方's (芳芳芳)
    assert count(city, "王") == 2  # 王芳's household (twice: head and 王小明) and Anna Wang's
    assert count(city, "周吴") == 1  # a former member
    assert count(city, "不存在") == 0
    assert count(city, "王\n芳") == 0
    assert count(city, "芳", tier="tekun") == 0  # every household here is dibao
    assert count(actors["maqun_caseworker"], "芳") == 0
    assert count(actors["volunteer"], "芳") == 0
    # A number found twice in one household (its phone and its head's mobile) is one household.
    twice = make_household(actor=caseworker, community=areas["yaohua_a"], phone="13611112222")
    add_member(actor=caseworker, household=twice, name="双号", age=50, mobile="13611112222")
    assert count(city, "13611112222") == 1
    # A renamed member is counted under the new name only (the search table's row follows).
    Member.objects.filter(household=people["fang"], name="芳芳芳").update(name="方方")
    assert count(city, "芳") == 1
    assert count(city, "方") == 1


def test_a_search_alone_over_every_household_is_counted_without_reading_them(people, actors):
    """The point of ``household_count``: a broad search is one count over the search's own ids,
    with no read of the households table, for the city administrator and for a district
    manager (the search table holds each household's areas)."""
    from django.test.utils import CaptureQueriesContext

    def count_queries(actor, q):
        with CaptureQueriesContext(connection) as queries:
            household_count(user=actors[actor], filters=HouseholdFilters(q=q))
        return [query["sql"] for query in queries.captured_queries]

    def reads_households(sql: str) -> bool:
        return '"registry_household"' in sql or "registry_household " in sql

    (city,) = count_queries("city_admin", "王")
    assert not reads_households(city), city
    (district,) = count_queries("qixia_manager", "王")
    assert not reads_households(district), district  # the search table holds the areas
    # A number's lookups are not in the search table: counted through the households.
    (number,) = count_queries("qixia_manager", "13912345678")
    assert reads_households(number), number


def test_a_household_that_moves_is_counted_in_its_new_place(people, actors, areas):
    wangfang = people["wangfang"]
    manager, street_worker = actors["qixia_manager"], actors["yaohua_caseworker"]

    def count(user, q="王芳", **filters):
        return household_count(user=user, filters=HouseholdFilters(q=q, **filters))

    assert count(actors["yaohua_a_worker"]) == 1 and count(actors["yaohua_b_worker"]) == 0
    Household.objects.filter(pk=wangfang.pk).update(community=areas["yaohua_b"])
    assert count(actors["yaohua_a_worker"]) == 0 and count(actors["yaohua_b_worker"]) == 1
    assert count(street_worker, community=areas["yaohua_b"].pk) == 1
    assert count(street_worker, community=areas["yaohua_a"].pk) == 0
    Household.objects.filter(pk=wangfang.pk).update(
        district=areas["jianye"], street=areas["shazhou"], community=areas["shazhou_a"]
    )
    assert count(manager) == 0 and count(street_worker) == 0
    assert count(actors["jianye_manager"]) == 1
    assert count(actors["city_admin"], district=areas["jianye"].pk) == 1
    assert count(actors["city_admin"], district=areas["qixia"].pk) == 0
    # A district filter that is not the manager's own district: nothing.
    assert count(actors["jianye_manager"], district=areas["qixia"].pk) == 0


def test_place_markers_are_one_trigram_each_and_match_only_their_own_area():
    markers = search.place_markers({"district": 4, "community": 6023})
    assert markers == ["\ue000\ue100\ue104", "\ue002\ue101\ue117"]  # 6023 = 1 × 6000 + 23
    assert search.place_markers({}) == []
    with pytest.raises(ValueError):
        search.place_markers({"district": 6000 * 6000})


def test_a_query_with_a_newline_matches_nothing_across_fields(people, actors):
    assert found(actors["city_admin"], "王芳\n王小明") == set()


def test_scoping_still_applies(people, actors):
    assert found(actors["maqun_caseworker"], "王芳") == set()
    assert found(actors["yaohua_caseworker"], "王芳") == {people["wangfang"].pk}


def test_last_four_of_an_identity_number_and_the_whole_number(areas, caseworker, actors):
    household = make_household(actor=caseworker, community=areas["yaohua_a"])
    number = identity_number(years_ago(70), sex="F")
    add_member(actor=caseworker, household=household, name="孙丽", id_number=number, age=70)
    other = make_household(actor=caseworker, community=areas["yaohua_a"])
    add_member(actor=caseworker, household=other, name="钱多", age=40)
    city = actors["city_admin"]
    assert found(city, number) == {household.pk}
    assert found(city, number[-4:]) == {household.pk} | by_rule(number[-4:])
    assert found(city, number[:-1] + ("0" if number[-1] != "0" else "1")) == set()


def test_the_triggers_follow_every_write(people, actors, areas, caseworker):
    city = actors["city_admin"]
    wangfang = people["wangfang"]
    member = Member.objects.get(household=wangfang, name="王小明")
    Member.objects.filter(pk=member.pk).update(name="王大明")
    assert found(city, "小明") == set() and found(city, "大明") == {wangfang.pk}
    member.refresh_from_db()
    member.mobile = "13700001111"
    member.save()  # the lookup hash follows every save
    assert found(city, "13700001111") == {wangfang.pk}
    wangfang.refresh_from_db()
    wangfang.phone = "025-12345678"
    wangfang.save()
    assert found(city, "025-12345678") == {wangfang.pk}
    assert found(city, "025-85550001") == set()
    Member.objects.filter(pk=member.pk).update(household=people["ouyang"])
    assert found(city, "大明") == {people["ouyang"].pk}
    Member.objects.filter(pk=member.pk).delete()
    assert found(city, "大明") == set()
    lone = make_household(actor=caseworker, community=areas["yaohua_a"], phone="025-77778888")
    assert found(city, "025-77778888") == {lone.pk}
    for q in QUERIES:
        assert found(city, q) == by_rule(q), q


def test_a_bulk_load_with_the_triggers_paused_is_rebuilt(people, actors, areas, caseworker):
    city = actors["city_admin"]
    with transaction.atomic(), search.paused():
        h = Household.objects.create(
            district=areas["qixia"],
            street=areas["yaohua"],
            community=areas["yaohua_a"],
            address="批量路1号",
            head_name="批量户",
            tier="dibao",
            monthly_income=0,
        )
        assert found(city, "批量户") == set()  # paused: not indexed yet
        search.rebuild(first_id=h.pk, last_id=h.pk)
    assert found(city, "批量户") == {h.pk}
    Household.objects.filter(pk=h.pk).update(head_name="批量改")  # triggers are back
    assert found(city, "批量改") == {h.pk}


def test_the_search_uses_the_trigram_index(people, actors):
    """The lookup in the search table reads its trigram index (on PostgreSQL with sequential
    scans discouraged: on a table this small the planner would rightly prefer one)."""
    for q in ("王芳", "张秀英", "王", "5678"):
        sql, params = search.matching_household_ids(q)
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
                plan = " ".join(str(row[-1]) for row in cursor.fetchall())
                assert "VIRTUAL TABLE INDEX" in plan, plan
            else:
                cursor.execute("SET LOCAL enable_seqscan = off")
                cursor.execute(f"EXPLAIN {sql}", params)
                plan = " ".join(row[0] for row in cursor.fetchall())
                column = "text3" if len(q) < 3 else "text"
                assert f"Bitmap Index Scan on registry_search_{column}_trgm" in plan, plan
