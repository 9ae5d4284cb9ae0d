import datetime as dt

import pytest

from jiuzhu.core.identity import (
    InvalidIdentityNumber,
    complete_identity_number,
    mask_mobile,
    normalise_identity_number,
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
    ("number", "message"),
    [
        ("1101051949123100", "An identity number has 18 characters; this one has 16."),
        ("", "An identity number has 18 characters; this one has 0."),
        (None, "An identity number has 18 characters; this one has 0."),
        ("11010519491231002A", "An identity number is 17 digits followed by a digit or X."),
        (
            "110105194913310029",
            "Characters 7 to 14 must be a real birth date (YYYYMMDD); 19491331 is not.",
        ),
        ("110105194912310021", "The check character is wrong: it should be X, not 1."),
        ("110105187912310021", "The birth date 1879-12-31 in the number is not plausible."),
    ],
)
def test_it_says_what_is_wrong(number, message):
    with pytest.raises(InvalidIdentityNumber) as error:
        parse_identity_number(number)
    assert str(error.value) == message


def test_the_earliest_and_latest_plausible_birth_dates_are_accepted():
    today = dt.date(2026, 11, 28)
    born_today = complete_identity_number("32011320261128001")
    assert parse_identity_number(born_today, today=today).birth_date == today
    earliest = complete_identity_number("32011318800101001")
    assert parse_identity_number(earliest, today=today).birth_date == dt.date(1880, 1, 1)


@pytest.mark.parametrize(("digit", "sex"), [(str(d), "M" if d % 2 else "F") for d in range(10)])
def test_the_seventeenth_digit_odd_means_male(digit, sex):
    number = complete_identity_number(f"3201131980010100{digit}")
    assert parse_identity_number(number).sex == sex


def test_it_refuses_a_birth_date_in_the_future():
    future = complete_identity_number("32011320990101001")
    with pytest.raises(InvalidIdentityNumber, match="not plausible"):
        parse_identity_number(future, today=dt.date(2026, 11, 28))


def test_an_x_is_only_accepted_where_the_check_computes_to_x():
    # The standard's example with sequence 001 instead of 002: the weighted sum is 167 - 2 =
    # 165, 165 mod 11 = 0, and remainder 0 maps to 1 — so the check character is 1, and an X
    # there is wrong like any other wrong character.
    assert parse_identity_number("110105194912310011").birth_date == dt.date(1949, 12, 31)
    with pytest.raises(InvalidIdentityNumber, match="should be 1, not X"):
        parse_identity_number("11010519491231001X")
    with pytest.raises(InvalidIdentityNumber, match="should be 1, not X"):
        parse_identity_number("11010519491231001x")


@pytest.mark.parametrize(
    ("mobile", "shown"),
    [
        ("13912340000", "139****0000"),
        ("1391234000", "******4000"),  # mistyped: never shown whole
        ("139123400001", "********0001"),
        ("12345", "*2345"),
        ("1234", "****"),
        ("", ""),
    ],
)
def test_a_masked_mobile_shows_at_most_the_first_three_and_last_four(mobile, shown):
    assert mask_mobile(mobile) == shown


@pytest.mark.parametrize("raw", ["13800000001", "138 0000 0001", "19912345678"])
def test_valid_mobiles(raw):
    assert validate_mobile(raw) == raw.replace(" ", "")


@pytest.mark.parametrize("raw", ["12800000001", "1380000000", "138000000011", "abc", "", None])
def test_invalid_mobiles(raw):
    with pytest.raises(ValueError) as error:
        validate_mobile(raw)
    assert str(error.value) == "A mobile number is 11 digits starting with 13 to 19."


def test_the_messages_are_chinese_on_the_chinese_ui():
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(InvalidIdentityNumber) as error:
        parse_identity_number("110105194912310021")
    assert str(error.value) == "校验码错误：应为 X，而不是 1。"


def test_full_width_digits_in_a_mobile_number_become_ascii():
    assert validate_mobile("１３８ ００００ ０００１") == "13800000001"


def test_other_unicode_digits_are_not_a_mobile_number():
    with pytest.raises(ValueError):
        validate_mobile("١٣٨٠٠٠٠٠٠٠١")  # Arabic-Indic digits are not normalised to 0-9 by NFKC


def test_a_full_width_identity_number_is_read_as_ascii():
    assert normalise_identity_number("１１０１０５１９４９１２３１００２ｘ") == STANDARD_EXAMPLE
