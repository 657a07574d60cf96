"""The month the rules decide: a year and a month, written YYYY-MM."""

from __future__ import annotations

import calendar
import dataclasses
import datetime
import re

from django.utils.translation import gettext as _

__all__ = ["Month"]

MONTH_PATTERN = re.compile(r"(\d{4})-(\d{2})")


@dataclasses.dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        """A month written YYYY-MM; ValueError (translated) otherwise."""
        match = MONTH_PATTERN.fullmatch(text.strip())
        if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 1:
            message = _("%(value)s is not a month: write it like 2026-06.")
            raise ValueError(message % {"value": text})
        return cls(int(match[1]), int(match[2]))

    @classmethod
    def of(cls, day: datetime.date) -> Month:
        return cls(day.year, day.month)

    @classmethod
    def span(cls, first: Month, last: Month) -> list[Month]:
        """The months from ``first`` to ``last``, both included (none when last < first)."""
        index = first.year * 12 + first.month - 1
        stop = last.year * 12 + last.month - 1
        return [cls(i // 12, i % 12 + 1) for i in range(index, stop + 1)]

    def shift(self, months: int) -> Month:
        """The month ``months`` later (earlier when negative)."""
        index = self.year * 12 + self.month - 1 + months
        return Month(index // 12, index % 12 + 1)

    @property
    def first(self) -> datetime.date:
        return datetime.date(self.year, self.month, 1)

    @property
    def last(self) -> datetime.date:
        return datetime.date(self.year, self.month, self.days)

    @property
    def days(self) -> int:
        return calendar.monthrange(self.year, self.month)[1]

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"
