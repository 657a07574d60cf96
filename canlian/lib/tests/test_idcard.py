"""Tests for canlian.lib.idcard: Chinese citizen ID numbers (GB 11643-1999)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric

from canlian.lib import masks
from canlian.lib.idcard import (
    IdCheck,
    InvalidIdNumber,
    Sex,
    build,
    check,
    check_char,
    normalize,
    parse,
    region_name,
)

TODAY = datetime.date(2026, 1, 1)
JIAOZUO = [
    "410802",
    "410803",
    "410804",
    "410811",
    "410821",
    "410822",
    "410823",
    "410825",
    "410882",
    "410883",
]

MSG_EMPTY = "The ID number is empty."
MSG_SCIENTIFIC = (
    "Excel turned this number into scientific notation and its digits are lost. "
    "Re-enter it from the ID card, formatted as text."
)
MSG_DECIMAL = (
    "Excel stored this number as a decimal (ending in “.0”) and its last digits may be lost. "
    "Re-enter it from the ID card, formatted as text."
)
MSG_TRUNCATED = (
    "The last digits look truncated to 000 by Excel (numbers longer than 15 digits lose "
    "precision). Re-enter it from the ID card, formatted as text."
)
MSG_CHECK = "The check character does not match: the number was mistyped."
MSG_OLD_DIGITS = "An old 15-character ID number may contain only digits."


def msg_chars(chars: str) -> str:
    return (
        "The ID number may contain only digits, with X allowed as the last character "
        f"(found: {chars})."
    )


def msg_length(count: int) -> str:
    return f"The ID number must have 18 characters (or 15 for an old number), not {count}."


def msg_region(code: str) -> str:
    return f"The address code {code} is not in the national table of administrative divisions."


def with_check_char(first17: str) -> str:
    return first17 + check_char(first17)


def with_wrong_check_char(first17: str) -> str:
    right = check_char(first17)
    return first17 + ("1" if right != "1" else "2")


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    # The project default language is zh-hans; the assertions compare the English msgids.
    with translation.override("en"):
        yield


# --- the standard's examples -----------------------------------------------------------------


def test_first_example_of_the_standard_is_valid() -> None:
    result = check("11010519491231002X", today=TODAY)
    assert result == IdCheck(
        valid=True,
        normalized="11010519491231002X",
        birth_date=datetime.date(1949, 12, 31),
        sex=Sex.FEMALE,
        region_code="110105",
        region_name="北京市朝阳区",
        errors=(),
    )


def test_second_example_of_the_standard_is_valid() -> None:
    result = check("440524188001010014", today=TODAY)
    assert result.valid
    assert result.errors == ()
    assert result.birth_date == datetime.date(1880, 1, 1)
    assert result.sex is Sex.MALE
    assert result.region_name == "广东省潮阳县"


def test_check_char_matches_the_standard_examples() -> None:
    assert check_char("11010519491231002") == "X"
    assert check_char("44052418800101001") == "4"


def test_check_char_refuses_anything_but_17_ascii_digits() -> None:
    for bad in ["1101051949123100", "110105194912310021", "1101051949123100X", "１" * 17]:
        with pytest.raises(ValueError):
            check_char(bad)


def test_default_today_accepts_a_past_birth_date() -> None:
    assert check("11010519491231002X").valid


# --- normalisation ---------------------------------------------------------------------------


def test_lower_case_x_is_normalised_to_upper_case() -> None:
    assert normalize("11010519491231002x") == "11010519491231002X"
    assert check("11010519491231002x", today=TODAY).normalized == "11010519491231002X"


def test_full_width_digits_and_letters_are_normalised_to_ascii() -> None:
    assert normalize("４１０８０２１９９００１０１１２３ｘ") == "41080219900101123X"
    assert normalize("１１０１０５１９４９１２３１００２Ｘ") == "11010519491231002X"
    assert check("１１０１０５１９４９１２３１００２Ｘ", today=TODAY).valid


def test_spaces_ideographic_spaces_and_invisible_characters_are_stripped() -> None:
    raw = " 110105\u30001949 1231\t002X\n\u200b\ufeff"
    assert normalize(raw) == "11010519491231002X"
    assert check(raw, today=TODAY).valid


def test_normalize_does_not_validate() -> None:
    assert normalize("abc-12") == "abc-12"
    assert normalize("") == ""


# --- shape errors ----------------------------------------------------------------------------


def test_empty_or_blank_input_is_refused_as_empty() -> None:
    for raw in ["", "   ", "\u3000"]:
        assert check(raw, today=TODAY).errors == (MSG_EMPTY,)


def test_wrong_length_states_the_expected_and_actual_count() -> None:
    result = check("4108021990010112", today=TODAY)
    assert not result.valid
    assert result.errors == (msg_length(16),)
    assert result.normalized is None


def test_the_count_is_taken_after_normalisation() -> None:
    assert check("1101 0519 4912 3100 2X 1", today=TODAY).errors == (msg_length(19),)


def test_non_digit_characters_are_named_in_the_message() -> None:
    assert check("41080219900101123O", today=TODAY).errors == (msg_chars("“O”"),)


def test_x_anywhere_but_last_is_refused() -> None:
    assert check("41080X199001011234", today=TODAY).errors == (msg_chars("“X”"),)


def test_wrong_characters_and_wrong_length_are_both_reported() -> None:
    assert check("4108-02", today=TODAY).errors == (msg_chars("“-”"), msg_length(7))


def test_old_15_character_number_with_a_letter_is_refused() -> None:
    assert check("41080290010112X", today=TODAY).errors == (MSG_OLD_DIGITS,)


def test_shape_errors_carry_no_derived_fields() -> None:
    result = check("4108021990", today=TODAY)
    assert result.normalized is None
    assert result.birth_date is None
    assert result.sex is None
    assert result.region_code is None
    assert result.region_name is None


# --- Excel ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw", ["4.10802E+17", "4.10802199001011E+17", "4.1e17", "4.1E-3", "-4.10802e+17"]
)
def test_scientific_notation_from_excel_is_refused_with_the_excel_message(raw: str) -> None:
    result = check(raw, today=TODAY)
    assert not result.valid
    assert result.errors == (MSG_SCIENTIFIC,)


def test_decimal_ending_in_point_zero_is_refused_with_the_excel_message() -> None:
    assert check("410802199001011234.0", today=TODAY).errors == (MSG_DECIMAL,)
    assert check("410802900101123.0", today=TODAY).errors == (MSG_DECIMAL,)


def test_number_ending_in_000_with_a_bad_check_character_gets_the_excel_message() -> None:
    number = "410802199001011000"
    assert check_char(number[:17]) != "0"
    result = check(number, today=TODAY)
    assert not result.valid
    assert result.errors == (MSG_TRUNCATED,)
    assert MSG_CHECK not in result.errors
    # The first 15 digits survive Excel; the sequence digit that gives the sex does not.
    assert result.normalized == number
    assert result.birth_date == datetime.date(1990, 1, 1)
    assert result.region_name == "河南省解放区"
    assert result.sex is None


def test_number_ending_in_000_with_a_good_check_character_is_valid() -> None:
    number = build(region_code="410802", birth_date=datetime.date(1990, 1, 1), sequence=300)
    assert number == "410802199001013000"
    result = check(number, today=TODAY)
    assert result.valid
    assert result.sex is Sex.FEMALE


def test_excel_truncation_is_reported_alongside_other_errors() -> None:
    number = "410871199001011000"
    assert check_char(number[:17]) != "0"
    assert check(number, today=TODAY).errors == (MSG_TRUNCATED, msg_region("410871"))


# --- 15-digit numbers ------------------------------------------------------------------------


def test_old_15_digit_number_is_upgraded_to_18_with_a_computed_check_character() -> None:
    # 410802 900101 123 -> 410802 19900101 123 + check character.
    # Weighted sum of 41080219900101123:
    # 4*7 + 1*9 + 0*10 + 8*5 + 0*8 + 2*4 + 1*2 + 9*1 + 9*6 + 0*3 + 0*7 + 1*9 + 0*10 + 1*5
    # + 1*8 + 2*4 + 3*2 = 186; 186 % 11 = 10 -> "2".
    expected = "410802199001011232"
    assert build(region_code="410802", birth_date=datetime.date(1990, 1, 1), sequence=123) == (
        expected
    )
    result = check("410802900101123", today=TODAY)
    assert result.valid
    assert result.normalized == expected
    assert result.birth_date == datetime.date(1990, 1, 1)
    assert result.sex is Sex.MALE
    assert result.region_code == "410802"


def test_old_15_digit_number_is_validated_after_the_upgrade() -> None:
    result = check("410871900230124", today=TODAY)
    assert not result.valid
    assert result.normalized is not None
    assert result.normalized.startswith("41087119900230124")
    assert result.errors == (
        "The birth date 1990-02-30 is not a real calendar date.",
        msg_region("410871"),
    )


# --- check character ---------------------------------------------------------------------------


def test_wrong_check_character_is_refused_without_revealing_the_right_one() -> None:
    result = check("110105194912310021", today=TODAY)
    assert not result.valid
    assert result.errors == (MSG_CHECK,)
    assert "X" not in result.errors[0]
    # What could be read is still returned, to help spot the typo.
    assert result.normalized == "110105194912310021"
    assert result.birth_date == datetime.date(1949, 12, 31)
    assert result.region_name == "北京市朝阳区"


def test_every_single_digit_substitution_of_a_standard_example_is_caught() -> None:
    number = "11010519491231002X"
    for position in range(18):
        for replacement in "0123456789X" if position == 17 else "0123456789":
            if replacement == number[position]:
                continue
            mutated = number[:position] + replacement + number[position + 1 :]
            assert not check(mutated, today=TODAY).valid, mutated


# --- birth date --------------------------------------------------------------------------------


def test_february_30_is_refused_as_not_a_real_date() -> None:
    result = check(with_check_char("41080219900230123"), today=TODAY)
    assert not result.valid
    assert result.errors == ("The birth date 1990-02-30 is not a real calendar date.",)
    assert result.birth_date is None


def test_february_29_is_accepted_in_a_leap_year_only() -> None:
    assert check(with_check_char("41080220000229123"), today=TODAY).valid
    assert check(with_check_char("41080219000229123"), today=TODAY).errors == (
        "The birth date 1900-02-29 is not a real calendar date.",
    )


def test_month_13_and_day_00_are_refused() -> None:
    assert check(with_check_char("41080219901301123"), today=TODAY).errors == (
        "The birth date 1990-13-01 is not a real calendar date.",
    )
    assert check(with_check_char("41080219900100123"), today=TODAY).errors == (
        "The birth date 1990-01-00 is not a real calendar date.",
    )


def test_future_birth_date_is_refused() -> None:
    number = build(region_code="410802", birth_date=datetime.date(2026, 1, 2), sequence=1)
    assert check(number, today=TODAY).errors == ("The birth date 2026-01-02 is in the future.",)


def test_birth_date_of_today_is_accepted() -> None:
    number = build(region_code="410802", birth_date=TODAY, sequence=1)
    assert check(number, today=TODAY).valid


def test_birth_year_before_1880_is_refused() -> None:
    result = check(with_check_char("41080218791231123"), today=TODAY)
    assert result.errors == ("The birth year 1879 is before 1880.",)


# --- address code ------------------------------------------------------------------------------


def test_historical_address_code_410881_is_accepted() -> None:
    # 济源市 carried 410881 only in 1989-1997; a number issued then stays valid for life.
    number = build(region_code="410881", birth_date=datetime.date(2001, 5, 6), sequence=42)
    result = check(number, today=TODAY)
    assert result.valid
    assert result.region_name == "河南省济源市"


def test_address_code_created_after_the_birth_year_is_accepted_unlike_stdnum() -> None:
    # 孟州市 (410883) was created in 1996; someone born there in 1990 holds a 410883 number.
    number = build(region_code="410883", birth_date=datetime.date(1990, 1, 1), sequence=123)
    assert number == "410883199001011230"
    assert ric.is_valid(number) is False
    result = check(number, today=TODAY)
    assert result.valid is True
    assert result.region_name == "河南省孟州市"


def test_address_code_410871_without_a_county_entry_is_refused_as_unknown() -> None:
    number = with_check_char("41087119900101123")
    result = check(number, today=TODAY)
    assert result.errors == (msg_region("410871"),)
    assert result.region_code == "410871"
    assert result.region_name is None


def test_address_code_missing_from_the_table_is_refused_as_unknown() -> None:
    assert check(with_check_char("99999919900101123"), today=TODAY).errors == (
        msg_region("999999"),
    )


def test_city_level_address_code_is_accepted() -> None:
    number = build(region_code="410800", birth_date=datetime.date(1990, 1, 1), sequence=5)
    result = check(number, today=TODAY)
    assert result.valid
    assert result.region_name == "河南省焦作市"


def test_bad_date_bad_region_and_bad_check_character_are_all_reported() -> None:
    number = with_wrong_check_char("41087119900230123")
    assert check(number, today=TODAY).errors == (
        MSG_CHECK,
        "The birth date 1990-02-30 is not a real calendar date.",
        msg_region("410871"),
    )


def test_region_name_strips_year_brackets_and_joins_successive_names() -> None:
    assert region_name("410883") == "河南省孟州市"
    assert region_name("440524") == "广东省潮阳县"
    assert region_name("110105") == "北京市朝阳区"
    assert region_name("120110") == "天津市东郊区/东丽区"


def test_region_name_of_a_province_code_is_the_province_alone() -> None:
    assert region_name("410000") == "河南省"
    assert region_name("810000") == "香港特别行政区"


def test_region_name_is_none_for_unknown_or_malformed_codes() -> None:
    for code in ["410871", "999999", "830000", "41088", "4108831", "abcdef", "", "４１０８８３"]:
        assert region_name(code) is None, code


# --- sex ------------------------------------------------------------------------------------------


def test_odd_sequence_means_male_and_even_means_female() -> None:
    born = datetime.date(1990, 1, 1)
    for sequence, sex in [(1, Sex.MALE), (2, Sex.FEMALE), (0, Sex.FEMALE), (999, Sex.MALE)]:
        number = build(region_code="410802", birth_date=born, sequence=sequence)
        assert check(number, today=TODAY).sex is sex


def test_sex_values_are_m_and_f() -> None:
    assert Sex("M") is Sex.MALE
    assert Sex("F") is Sex.FEMALE
    assert f"{Sex.MALE}{Sex.FEMALE}" == "MF"


# --- build, parse, as_json ---------------------------------------------------------------


def test_build_refuses_out_of_range_arguments() -> None:
    born = datetime.date(1990, 1, 1)
    with pytest.raises(ValueError):
        build(region_code="410802", birth_date=born, sequence=1000)
    with pytest.raises(ValueError):
        build(region_code="410802", birth_date=born, sequence=-1)
    with pytest.raises(ValueError):
        build(region_code="41080", birth_date=born, sequence=1)
    with pytest.raises(ValueError):
        build(region_code="410802", birth_date=datetime.date(999, 1, 1), sequence=1)


def test_parse_returns_the_check_of_a_valid_number() -> None:
    result = parse("11010519491231002x", today=TODAY)
    assert result.valid
    assert result.normalized == "11010519491231002X"


def test_parse_raises_invalid_id_number_with_the_errors() -> None:
    with pytest.raises(InvalidIdNumber) as info:
        parse("110105194912310021", today=TODAY)
    assert info.value.errors == (MSG_CHECK,)
    assert isinstance(info.value, ValueError)
    assert str(info.value) == MSG_CHECK


def test_as_json_gives_plain_json_values() -> None:
    assert check("11010519491231002X", today=TODAY).as_json() == {
        "valid": True,
        "normalized": "11010519491231002X",
        "birth_date": "1949-12-31",
        "sex": "F",
        "region_code": "110105",
        "region_name": "北京市朝阳区",
        "errors": [],
    }
    assert check("4.1e17", today=TODAY).as_json() == {
        "valid": False,
        "normalized": None,
        "birth_date": None,
        "sex": None,
        "region_code": None,
        "region_name": None,
        "errors": [MSG_SCIENTIFIC],
    }


def test_messages_are_translated_with_the_active_language() -> None:
    # Without a catalogue the msgid comes back; with one it is the translation. Either way a str.
    with translation.override("zh-hans"):
        errors = check("4108021990", today=TODAY).errors
    assert len(errors) == 1
    assert isinstance(errors[0], str)


# --- properties --------------------------------------------------------------------------------

valid_numbers = st.builds(
    lambda region, born, sequence: (region, born, sequence),
    st.sampled_from(JIAOZUO),
    st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2025, 12, 31)),
    st.integers(min_value=0, max_value=999),
)


@given(valid_numbers)
def test_every_built_number_passes_check_with_matching_fields(
    parts: tuple[str, datetime.date, int],
) -> None:
    region, born, sequence = parts
    number = build(region_code=region, birth_date=born, sequence=sequence)
    result = check(number, today=TODAY)
    assert result.valid, result.errors
    assert result.normalized == number
    assert result.birth_date == born
    assert result.sex is (Sex.MALE if sequence % 2 else Sex.FEMALE)
    assert result.region_code == region
    assert result.region_name is not None
    assert masks.id_number(number) == "*" * 18


@given(
    valid_numbers,
    st.integers(min_value=0, max_value=17),
    st.sampled_from("0123456789X"),
)
def test_changing_any_single_character_makes_a_valid_number_invalid(
    parts: tuple[str, datetime.date, int], position: int, replacement: str
) -> None:
    region, born, sequence = parts
    number = build(region_code=region, birth_date=born, sequence=sequence)
    if position < 17 and replacement == "X":
        replacement = "0"
    if replacement == number[position]:
        replacement = str((int(replacement) + 1) % 10) if replacement != "X" else "0"
    mutated = number[:position] + replacement + number[position + 1 :]
    assert mutated != number
    assert not check(mutated, today=TODAY).valid
