"""Sums in figures and in Chinese capital numerals (大写金额)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from canlian.lib.money import MAX_CAPITALS, capitals, figures


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("0", "零元整"),
        ("0.00", "零元整"),
        ("0.05", "伍分"),
        ("0.50", "伍角"),
        ("0.55", "伍角伍分"),
        ("1", "壹元整"),
        ("10.00", "壹拾元整"),
        ("15", "壹拾伍元整"),
        ("101", "壹佰零壹元整"),
        ("1010", "壹仟零壹拾元整"),
        ("69440.00", "陆万玖仟肆佰肆拾元整"),
        ("100005.50", "壹拾万零伍元伍角"),
        ("107000.53", "壹拾万零柒仟元伍角叁分"),
        ("1000000.01", "壹佰万元零壹分"),
        ("1680.32", "壹仟陆佰捌拾元叁角贰分"),
        ("10000500", "壹仟万零伍佰元整"),
        ("100000000", "壹亿元整"),
        ("100010000", "壹亿零壹万元整"),
        ("123456789012.34", "壹仟贰佰叁拾肆亿伍仟陆佰柒拾捌万玖仟零壹拾贰元叁角肆分"),
        ("10000000000000", "壹拾万亿元整"),
    ],
)
def test_a_sum_is_written_in_capitals_as_payment_documents_require(
    amount: str, expected: str
) -> None:
    assert capitals(Decimal(amount)) == expected


def test_a_whole_number_of_yuan_may_be_given_as_an_int() -> None:
    assert capitals(69440) == "陆万玖仟肆佰肆拾元整"  # type: ignore[arg-type]


@pytest.mark.parametrize("amount", ["-0.01", "0.001", "NaN", "Infinity", str(MAX_CAPITALS + 1)])
def test_a_sum_that_cannot_be_written_is_refused(amount: str) -> None:
    with pytest.raises(ValueError):
        capitals(Decimal(amount))


def test_a_float_is_refused() -> None:
    with pytest.raises(TypeError):
        capitals(0.05)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("amount", "expected"),
    [("0", "0.00"), ("0.05", "0.05"), ("100005.5", "100,005.50"), ("1000000.01", "1,000,000.01")],
)
def test_figures_group_thousands_to_the_fen(amount: str, expected: str) -> None:
    assert figures(Decimal(amount)) == expected
