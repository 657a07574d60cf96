"""Masks hide: what a page shows beside a mask never narrows the full value to a few."""

from __future__ import annotations

import datetime

from hypothesis import given
from hypothesis import strategies as st

from canlian.lib import idcard, masks


def test_an_id_number_shows_none_of_its_characters():
    assert masks.id_number("410825197005170123") == "*" * 18
    assert masks.id_number("11010519491231002X") == "*" * 18


def test_a_bank_account_keeps_its_last_four_digits_and_its_length():
    assert masks.bank_account("6228480012345678901") == "***************8901"
    assert masks.bank_account("622848001234") == "********1234"


def test_a_mobile_keeps_three_and_four_digits_and_a_landline_its_area_code_and_two():
    assert masks.phone("13812345678") == "138****5678"
    assert masks.phone("0391-6123456") == "0391-*****56"
    assert masks.phone("03916123456") == "0391*****56"
    assert masks.phone("") == ""


def test_a_name_keeps_its_first_and_last_characters_only_beyond_two():
    assert masks.name("张三") == "张*"
    assert masks.name("张护理") == "张*理"
    assert masks.name("欧阳小明") == "欧**明"
    assert masks.name("李") == "李"


def candidates(
    region: str, birth: datetime.date, sex: str, mask: str, *, hundreds: int | None = None
) -> list[str]:
    """Every valid ID number of this region, birth date and sex that fits `mask`: what an
    attacker who reads the mask beside the birth date, sex and household place can rebuild;
    `hundreds`, the sequence's hundreds digit when the attacker knows it (sequences given out
    in small blocks, by police station)."""
    found = []
    for sequence in range(1 if sex == "M" else 0, 1000, 2):
        if hundreds is not None and sequence // 100 != hundreds:
            continue
        number = idcard.build(region_code=region, birth_date=birth, sequence=sequence)
        if all(m == "*" or m == c for m, c in zip(mask, number, strict=True)):
            found.append(number)
    return found


def _old_mask(number: str) -> str:
    """The first mask: the first four and the last four characters."""
    return number[:4] + "*" * 10 + number[-4:]


def _last_two(number: str) -> str:
    """A mask keeping the last two characters (the sequence's last digit, the check)."""
    return "*" * 16 + number[-2:]


numbers = st.tuples(
    st.sampled_from(["410825", "410883", "410802", "410881", "110105"]),
    st.dates(datetime.date(1920, 1, 1), datetime.date(2025, 12, 31)),
    st.integers(0, 999),
)


@given(numbers)
def test_at_least_fifty_valid_numbers_fit_an_id_mask_even_with_the_sequence_block_known(parts):
    region, birth, sequence = parts
    number = idcard.build(region_code=region, birth_date=birth, sequence=sequence)
    sex = "M" if sequence % 2 else "F"
    mask = masks.id_number(number)
    assert len(candidates(region, birth, sex, mask)) == 500
    assert len(candidates(region, birth, sex, mask, hundreds=sequence // 100)) == 50


@given(numbers)
def test_masks_that_kept_the_last_characters_gave_the_number_away(parts):
    # The attack above is real: on the first mask it finds the number outright, and on a
    # mask keeping only the last two characters as soon as the sequence's block is known.
    region, birth, sequence = parts
    number = idcard.build(region_code=region, birth_date=birth, sequence=sequence)
    sex = "M" if sequence % 2 else "F"
    assert candidates(region, birth, sex, _old_mask(number)) == [number]
    block = sequence // 100
    assert candidates(region, birth, sex, _last_two(number), hundreds=block) == [number]
