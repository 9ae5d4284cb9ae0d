"""The six-group rules, on households written out by hand (reference date 2026-11-28)."""

import datetime as dt

from jiuzhu.registry.groups import MemberFacts, age_on, classify, encode_groups

ON = dt.date(2026, 11, 28)


def person(born: str, relation: str = "head", **facts) -> MemberFacts:
    return MemberFacts(birth_date=dt.date.fromisoformat(born), relation=relation, **facts)


def test_age_counts_completed_years():
    assert age_on(dt.date(1966, 11, 28), ON) == 60  # birthday today
    assert age_on(dt.date(1966, 11, 29), ON) == 59  # birthday tomorrow


def test_an_elderly_person_living_alone():
    assert classify([person("1950-03-01", employment="retired")], on=ON) == (
        ["elderly"],
        "elderly",
    )


def test_a_single_mother_with_a_disabled_child():
    # head 35, no spouse; child 9 with an intellectual disability grade 2.
    members = [
        person("1991-06-01", employment="employed"),
        person("2017-02-01", "child", disability_type="intellectual", disability_grade=2),
    ]
    groups, primary = classify(members, on=ON)
    assert groups == ["disability", "single_parent", "minors"]
    assert primary == "disability"


def test_a_couple_with_a_child_is_not_single_parent():
    members = [
        person("1988-01-01", employment="unemployed"),
        person("1989-01-01", "spouse", employment="employed"),
        person("2015-01-01", "child", employment="student"),
    ]
    assert classify(members, on=ON) == (["minors", "unemployed"], "minors")


def test_unemployed_requires_working_age_and_ability():
    # 62 and unemployed: not "able to work but unemployed" (over 59); 45 with a serious illness:
    # not able; 30 with a grade-3 disability: able, so unemployed counts.
    assert classify([person("1964-01-01", employment="unemployed")], on=ON)[0] == ["elderly"]
    sick = person("1981-01-01", employment="unemployed", illness="serious")
    assert classify([sick], on=ON) == (["serious_illness"], "serious_illness")
    mild = person(
        "1996-01-01", employment="unemployed", disability_type="physical", disability_grade=3
    )
    assert classify([mild], on=ON) == (["disability", "unemployed"], "disability")


def test_chronic_illness_alone_is_not_serious():
    assert classify([person("1980-01-01", illness="chronic", employment="employed")], on=ON) == (
        [],
        "",
    )


def test_encoding_is_bar_delimited():
    assert encode_groups(["elderly", "minors"]) == "|elderly|minors|"
    assert encode_groups([]) == ""
