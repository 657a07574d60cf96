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


def collect(
    subject: Subject, checks: Iterable[Check[Subject]], errors: Errors | None = None
) -> Errors:
    """Run every check on `subject` in order and gather their problems into `errors` (a new
    dict when None); a check sees the problems of the checks before it in `errors`."""
    found: Errors = {} if errors is None else errors
    for check in checks:
        errors_of(check(subject), errors=found)
    return found


def enforce(errors: Errors) -> None:
    """Refuse with every problem found, if there is one."""
    if errors:
        raise ValidationError(errors)


def not_future(value: datetime.date, field: str) -> Iterator[Problem]:
    """The date in `field` has happened (today or before)."""
    if value > timezone.localdate():
        yield field, _("The date is in the future.")
