"""The grade bands of GB/T 26341-2010: the ranges of a measured value and the grade each gives,
with the range written in symbols for the reasons grading.py gives in words."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from django.utils.translation import gettext as _

__all__ = [
    "ACUITY_BANDS",
    "DQ_BANDS",
    "FIELD_BANDS",
    "HEARING_BANDS",
    "IQ_BANDS",
    "SPEECH_BANDS",
    "WHODAS_BANDS",
    "Band",
    "band_of",
    "number_text",
]


@dataclasses.dataclass(frozen=True)
class Band:
    """A range of a measure and the grade it gives. `low`/`high` of None: unbounded."""

    grade: int | None
    low: Decimal | None = None
    high: Decimal | None = None
    low_open: bool = False  # True: value > low; False: value >= low
    high_open: bool = False  # True: value < high; False: value <= high

    def contains(self, value: Decimal) -> bool:
        if self.low is not None and (value <= self.low if self.low_open else value < self.low):
            return False
        return self.high is None or (value < self.high if self.high_open else value <= self.high)

    def text(self, unit: str) -> str:
        """The range in symbols: "≥91 dB HL", "81–90 dB HL", "0.02–<0.05", ">65%"."""
        if self.low is None:
            assert self.high is not None
            return ("<" if self.high_open else "≤") + number_text(self.high) + unit
        if self.high is None:
            return (">" if self.low_open else "≥") + number_text(self.low) + unit
        low = (">" if self.low_open else "") + number_text(self.low)
        high = ("<" if self.high_open else "") + number_text(self.high)
        return _("%(low)s–%(high)s") % {"low": low, "high": high} + unit


def _rows(*rows: tuple[int | None, str | None, str | None, bool, bool]) -> tuple[Band, ...]:
    return tuple(
        Band(
            grade=grade,
            low=None if low is None else Decimal(low),
            high=None if high is None else Decimal(high),
            low_open=low_open,
            high_open=high_open,
        )
        for grade, low, high, low_open, high_open in rows
    )


# (grade, low, high, low_open, high_open); whole-number measures use closed ranges as in the text
# of the standard, and the bands together cover the whole accepted range without overlap.
# Hearing loss is an average that may carry one decimal. The standard writes grade 1 as "大于90
# dB HL" and the others as 81～90, 61～80, 41～60; a value between two printed ranges (80.5) is
# read as above the lower range's top, the way grade 1 is written: >90, >80–90, >60–80, >40–60.
HEARING_BANDS = _rows(
    (1, "90", None, True, False),
    (2, "80", "90", True, False),
    (3, "60", "80", True, False),
    (4, "40", "60", True, False),
    (None, None, "40", False, False),
)
ACUITY_BANDS = _rows(
    (1, None, "0.02", False, True),
    (2, "0.02", "0.05", False, True),
    (3, "0.05", "0.1", False, True),
    (4, "0.1", "0.3", False, True),
    (None, "0.3", None, False, False),
)
FIELD_BANDS = _rows(
    (1, None, "5", False, True),
    (2, "5", "10", False, True),
    (None, "10", None, False, False),
)
SPEECH_BANDS = _rows(
    (1, None, "10", False, False),
    (2, "11", "25", False, False),
    (3, "26", "45", False, False),
    (4, "46", "65", False, False),
    (None, "65", None, True, False),
)
DQ_BANDS = _rows(
    (1, None, "25", False, False),
    (2, "26", "39", False, False),
    (3, "40", "54", False, False),
    (4, "55", "75", False, False),
    (None, "75", None, True, False),
)
IQ_BANDS = _rows(
    (1, None, "20", False, True),
    (2, "20", "34", False, False),
    (3, "35", "49", False, False),
    (4, "50", "69", False, False),
    (None, "70", None, False, False),
)
WHODAS_BANDS = _rows(
    (1, "116", None, False, False),
    (2, "106", "115", False, False),
    (3, "96", "105", False, False),
    (4, "52", "95", False, False),
    (None, None, "52", False, True),
)


def band_of(value: int | Decimal, bands: tuple[Band, ...]) -> Band:
    number = Decimal(value)
    for band in bands:
        if band.contains(number):
            return band
    raise AssertionError(f"no band holds {value}")  # pragma: no cover - the bands cover all


def number_text(value: int | Decimal) -> str:
    """A number as entered, never in exponent notation (Decimal('1E-2') shows as 0.01)."""
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)
