"""Named rule checks (lib/rules.py): every problem of every check is kept, field by
field, in the order the checks are listed; nothing is refused when nothing is wrong."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from canlian.lib import rules
from canlian.lib.rules import Problem


def _name_given(case: dict[str, str]) -> Iterator[Problem]:
    if not case["name"]:
        yield "name", "Enter the name."


def _name_short(case: dict[str, str]) -> Iterator[Problem]:
    if len(case["name"]) > 3:
        yield "name", "Too long."


def _no_digits(case: dict[str, str]) -> Iterator[Problem]:
    if any(c.isdigit() for c in case["name"]):
        yield "name", "No digits."


def test_every_check_runs_and_problems_of_one_field_keep_the_checks_order() -> None:
    assert rules.collect({"name": "1234"}, [_name_given, _name_short, _no_digits]) == {
        "name": ["Too long.", "No digits."]
    }
    assert rules.collect({"name": "1234"}, [_no_digits, _name_short]) == {
        "name": ["No digits.", "Too long."]
    }
    assert rules.collect({"name": "赵"}, [_name_given, _name_short, _no_digits]) == {}


def test_problems_are_added_to_the_errors_given() -> None:
    errors: rules.Errors = {"place": ["Choose the place."]}
    rules.collect({"name": ""}, [_name_given], errors)
    assert errors == {"place": ["Choose the place."], "name": ["Enter the name."]}


def test_problems_from_several_sources_are_gathered_in_order() -> None:
    first = iter([("on", "The date is in the future.")])
    second = iter([("on", "The date is before the application was received."), ("x", "y")])
    assert rules.errors_of(first, second) == {
        "on": ["The date is in the future.", "The date is before the application was received."],
        "x": ["y"],
    }


def test_enforce_refuses_with_every_problem_and_passes_when_there_is_none() -> None:
    rules.enforce({})
    with pytest.raises(ValidationError) as exc:
        rules.enforce({"name": ["Enter the name."], "place": ["Choose the place."]})
    assert exc.value.message_dict == {"name": ["Enter the name."], "place": ["Choose the place."]}


def test_a_date_after_today_is_in_the_future_and_today_is_not() -> None:
    today = timezone.localdate()
    assert list(rules.not_future(today, "on")) == []
    assert [field for field, _message in rules.not_future(today + datetime.timedelta(1), "on")] == [
        "on"
    ]


def _date_not_future(case: dict[str, str]) -> Iterator[Problem]:
    if datetime.date.fromisoformat(case["date"]) > timezone.localdate():
        yield "date", "The date is in the future."


def test_a_partial_subject_skips_the_checks_that_need_a_missing_value() -> None:
    case = {"name": ""}  # no date given: the date's check cannot run
    checks = (_name_given, _date_not_future, _name_short)
    assert rules.collect(case, checks, partial=True) == {"name": ["Enter the name."]}
    with pytest.raises(KeyError):
        rules.collect(case, checks)  # the saving service never skips a check
