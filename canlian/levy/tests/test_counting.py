"""Tests for canlian.levy.counting: the rule cases of counting_cases.yaml."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.utils import translation

from canlian.levy import counting
from canlian.levy.formula import PARAMETERS_DIRECTORY
from canlian.lib.parameters import load_directory

CASES: dict[str, list[dict[str, Any]]] = yaml.safe_load(
    (Path(__file__).parent / "counting_cases.yaml").read_text("utf-8")
)
PARAMETERS = load_directory(PARAMETERS_DIRECTORY)
PARAMETERS_DATE = datetime.date(2025, 12, 31)
BEFORE_72 = datetime.date(2015, 9, 30)  # 财税〔2015〕72号 took effect on 2015-10-01


def ids(table: str) -> list[str]:
    return [case["name"] for case in CASES[table]]


@pytest.mark.parametrize("case", CASES["veteran_weight"], ids=ids("veteran_weight"))
def test_veteran_weight(case: dict[str, Any]) -> None:
    counts, reason = counting.veteran_weight(
        case["grade"], parameters=PARAMETERS, on=case["date"], region=case.get("region", "41")
    )
    assert counts == case["counts"]
    assert (reason is None) == (counts > 0)


@pytest.mark.parametrize("case", CASES["veteran_number"], ids=ids("veteran_number"))
def test_veteran_number(case: dict[str, Any]) -> None:
    number, problem = counting.check_veteran_number(case["number"])
    assert (problem is None) == case["valid"]
    if "normalized" in case:
        assert number == case["normalized"]


@pytest.mark.parametrize("case", CASES["veteran_grade"], ids=ids("veteran_grade"))
def test_veteran_grade(case: dict[str, Any]) -> None:
    assert (counting.check_veteran_grade(case["grade"]) is None) == case["valid"]


def test_the_veteran_grades_follow_the_parameters() -> None:
    values = {
        name: PARAMETERS.value(name, on=PARAMETERS_DATE, region="41")
        for name in (counting.VETERAN_MAX_GRADE, counting.VETERAN_SEVERE_MAX_GRADE)
    }
    assert {name: value.value for name, value in values.items() if value} == {
        "levy.veteran_max_grade": 8,
        "levy.veteran_severe_max_grade": 3,
    }
    assert all(value and "财税〔2015〕72号" in value.reference for value in values.values())


def test_no_veteran_grade_counts_before_the_rules_took_effect() -> None:
    with pytest.raises(ValueError, match=r"levy\.veteran_max_grade"):
        counting.veteran_weight(3, parameters=PARAMETERS, on=BEFORE_72, region="41")


@pytest.mark.parametrize("case", CASES["retirement_date"], ids=ids("retirement_date"))
def test_retirement_date(case: dict[str, Any]) -> None:
    retires = counting.retirement_date(
        case["birth"], case["track"], parameters=PARAMETERS, on=PARAMETERS_DATE, region="41"
    )
    assert retires == case["retires"]


@pytest.mark.parametrize("case", CASES["working_age"], ids=ids("working_age"))
def test_working_age(case: dict[str, Any]) -> None:
    problem = counting.working_age_problem(
        case["birth"], case["track"], day=case["day"], parameters=PARAMETERS, region="41"
    )
    assert (problem[0] if problem else "none") == case["problem"]
    if problem:
        birth = case["birth"]
        assert birth.isoformat() not in problem[1] and str(birth.year) not in problem[1]
    if "reason" in case:
        with translation.override("en"):
            again = counting.working_age_problem(
                case["birth"], case["track"], day=case["day"], parameters=PARAMETERS, region="41"
            )
        assert again is not None and again[1] == case["reason"]


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (datetime.date(1965, 1, 10), datetime.date(2025, 2, 10), 721),
        (datetime.date(1965, 1, 10), datetime.date(2025, 2, 9), 720),
        (datetime.date(1976, 2, 29), datetime.date(2026, 9, 29), 607),
        (datetime.date(1964, 8, 31), datetime.date(2024, 9, 30), 721),  # day kept as the last
    ],
)
def test_months_between(start: datetime.date, end: datetime.date, months: int) -> None:
    assert counting.months_between(start, end) == months


def test_every_retirement_track_has_its_parameters_with_sources() -> None:
    for track in counting.RetirementTrack.values:
        for name in (
            f"levy.retirement_age_{track}",
            f"levy.retirement_delay_{track}_step_months",
            f"levy.retirement_delay_{track}_max_months",
        ):
            value = PARAMETERS.value(name, on=PARAMETERS_DATE, region="410883")
            assert value is not None and value.reference and not value.sample, name


def test_before_the_reform_no_delay_is_in_force() -> None:
    on = datetime.date(2024, 12, 31)
    assert PARAMETERS.value("levy.retirement_delay_male_step_months", on=on, region="41") is None


@pytest.mark.parametrize("case", CASES["established_post"], ids=ids("established_post"))
def test_established_post(case: dict[str, Any]) -> None:
    assert counting.has_established_posts(case["kind"]) is case["allowed"]
