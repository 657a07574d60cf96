"""Named rule checks: each check looks at one thing and yields what is wrong with it.

A check is a small function of the case being decided that yields (field, message) pairs, the
message in the UI language. A service lists its checks in the order their messages should be
read; `collect` runs them all, so the person at the window learns every problem at once, and
`enforce` refuses the case with all of them in one ValidationError (written as
benefits/eligibility.py writes its conditions: one name per rule, one short loop over them).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

__all__ = ["Check", "Errors", "Problem", "collect", "enforce", "errors_of", "not_future"]

Problem = tuple[str, str]  # (form field, message)
Errors = dict[str, list[str]]
Subject = TypeVar("Subject")
Check = Callable[[Subject], Iterable[Problem]]


def errors_of(*problems: Iterable[Problem], errors: Errors | None = None) -> Errors:
    """`problems` gathered field by field, in order, into `errors` (a new dict when None)."""
    found: Errors = {} if errors is None else errors
    for group in problems:
        for field, message in group:
            found.setdefault(field, []).append(message)
    return found


# What a check raises when the value it looks at was not given (a partial subject).
UNANSWERABLE = (TypeError, ValueError, AttributeError, AssertionError, LookupError)


def collect(
    subject: Subject,
    checks: Iterable[Check[Subject]],
    errors: Errors | None = None,
    *,
    partial: bool = False,
) -> Errors:
    """Run every check on `subject` in order and gather their problems into `errors` (a new
    dict when None); a check sees the problems of the checks before it in `errors`.

    With `partial`, `subject` was built from a form whose other fields are missing or
    malformed: a check that needs one of them (and fails on its absence) is skipped, the
    others report, so that one submit lists the form's problems and the rules' together."""
    found: Errors = {} if errors is None else errors
    for check in checks:
        if not partial:
            errors_of(check(subject), errors=found)
            continue
        try:
            problems = list(check(subject))
        except UNANSWERABLE:
            continue
        errors_of(problems, errors=found)
    return found


def enforce(errors: Errors) -> None:
    """Refuse with every problem found, if there is one."""
    if errors:
        raise ValidationError(errors)


def not_future(value: datetime.date, field: str) -> Iterator[Problem]:
    """The date in `field` has happened (today or before)."""
    if value > timezone.localdate():
        yield field, _("The date is in the future.")
