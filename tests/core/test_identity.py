import datetime as dt

import pytest

from jiuzhu.core.identity import (
    InvalidIdentityNumber,
    complete_identity_number,
    mask_identity_number,
    parse_identity_number,
    validate_mobile,
)

# 11010519491231002X is the standard's own example: weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
# over 1 1 0 1 0 5 1 9 4 9 1 2 3 1 0 0 2 give 7+9+0+5+0+20+2+9+24+27+7+18+30+5+0+0+4 = 167;
# 167 mod 11 = 2, and remainder 2 maps to X.
STANDARD_EXAMPLE = "11010519491231002X"


def test_it_accepts_the_standards_example_and_derives_birth_and_sex():
    facts = parse_identity_number(STANDARD_EXAMPLE)
    assert facts.birth_date == dt.date(1949, 12, 31)
    assert facts.sex == "F"  # sequence 002 is even


def test_it_accepts_a_lower_case_x_and_spaces():
    assert parse_identity_number("110105 19491231 002x").number == STANDARD_EXAMPLE


def test_it_never_rejects_an_unknown_or_renamed_area_code():
    # 320113 (Qixia) did not exist in 1950 under that code; python-stdnum's validate() rejects
    # it. 999999 is no area at all. Both are valid numbers by the standard's rules.
    qixia_1950 = complete_identity_number("32011319500101001")
    assert parse_identity_number(qixia_1950).birth_date == dt.date(1950, 1, 1)
    unknown = complete_identity_number("99999919800101001")
    assert parse_identity_number(unknown).sex == "M"


@pytest.mark.parametrize(
    ("number", "fragment"),
    [
        ("1101051949123100", "18 characters; this one has 16"),
        ("11010519491231002A", "17 digits followed by a digit or X"),
        ("110105194913310029", "real birth date"),
        ("110105194912310021", "should be X, not 1"),
    ],
)
def test_it_says_what_is_wrong(number, fragment):
    with pytest.raises(InvalidIdentityNumber, match=fragment):
        parse_identity_number(number)


def test_it_refuses_a_birth_date_in_the_future():
    future = complete_identity_number("32011320990101001")
    with pytest.raises(InvalidIdentityNumber, match="not plausible"):
        parse_identity_number(future, today=dt.date(2026, 11, 28))


def test_masking_keeps_first_three_and_last_four():
    assert mask_identity_number(STANDARD_EXAMPLE) == "110***********002X"


@pytest.mark.parametrize("raw", ["13800000001", "138 0000 0001", "19912345678"])
def test_valid_mobiles(raw):
    assert validate_mobile(raw) == raw.replace(" ", "")


@pytest.mark.parametrize("raw", ["12800000001", "1380000000", "138000000011", "abc", ""])
def test_invalid_mobiles(raw):
    with pytest.raises(ValueError):
        validate_mobile(raw)


def test_the_messages_are_chinese_on_the_chinese_ui():
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(InvalidIdentityNumber) as error:
        parse_identity_number("110105194912310021")
    assert str(error.value) == "校验码错误：应为 X，而不是 1。"
