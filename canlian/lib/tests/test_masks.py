"""Masks hide: what a page shows beside a mask never narrows the full value to one."""

from __future__ import annotations

import datetime
import itertools

from hypothesis import given
from hypothesis import strategies as st

from canlian.lib import idcard, masks


def test_an_id_number_keeps_only_its_last_two_characters():
    assert masks.id_number("410825197005170123") == "****************23"
    assert masks.id_number("11010519491231002X") == "****************2X"
    assert masks.id_number("1234") == "****"


def test_a_bank_account_keeps_its_last_four_digits_and_its_length():
    assert masks.bank_account("6228480012345678901") == "***************8901"
    assert masks.bank_account("622848001234") == "********1234"


def test_a_mobile_keeps_three_and_four_digits_and_a_landline_its_area_code_and_two():
    assert masks.phone("13812345678") == "138****5678"
    assert masks.phone("0391-6123456") == "0391-*****56"
    assert masks.phone("03916123456") == "0391*****56"
    assert masks.phone("") == ""


def candidates(region: str, birth: datetime.date, sex: str, mask: str) -> list[str]:
    """Every valid ID number of this region, birth date and sex that fits `mask`: what an
    attacker who reads the mask beside the birth date, sex and household place can rebuild."""
    found = []
    for sequence in range(1 if sex == "M" else 0, 1000, 2):
        number = idcard.build(region_code=region, birth_date=birth, sequence=sequence)
        if all(m == "*" or m == c for m, c in zip(mask, number, strict=True)):
            found.append(number)
    return found


def _old_mask(number: str) -> str:
    """The mask used before: first four and last four characters."""
    return number[:4] + "*" * 10 + number[-4:]


@given(
    region=st.sampled_from(["410825", "410883", "410802", "410881", "110105"]),
    birth=st.dates(datetime.date(1920, 1, 1), datetime.date(2025, 12, 31)),
    sequence=st.integers(0, 999),
)
def test_at_least_nine_valid_numbers_fit_any_id_mask_beside_birth_date_sex_and_place(
    region, birth, sequence
):
    number = idcard.build(region_code=region, birth_date=birth, sequence=sequence)
    sex = "M" if sequence % 2 else "F"
    assert len(candidates(region, birth, sex, masks.id_number(number))) >= 9


def test_the_old_mask_gave_the_number_away_so_the_attack_above_is_real():
    # The same attack on the first-four-last-four mask finds exactly the number.
    birth = datetime.date(1970, 5, 17)
    for sequence in (1, 122, 999):
        number = idcard.build(region_code="410825", birth_date=birth, sequence=sequence)
        sex = "M" if sequence % 2 else "F"
        assert candidates("410825", birth, sex, _old_mask(number)) == [number]


def test_the_check_characters_weights_spread_the_two_hidden_digits_over_all_eleven_values():
    # Why nine: the 100 pairs of the sequence's first two digits (weights 8 and 4) fall 9 or 10
    # to each of the 11 check characters, whatever the other 15 digits.
    first17 = "41082519700517012"
    counts: dict[str, int] = {}
    for a, b in itertools.product("0123456789", repeat=2):
        digits = list(first17)
        digits[14], digits[15] = a, b
        check = idcard.check_char("".join(digits))
        counts[check] = counts.get(check, 0) + 1
    assert len(counts) == 11 and min(counts.values()) >= 9
