"""The form to enter a year's schedule: one line a day, `2027-02-08 休 春节`."""

from __future__ import annotations

import datetime
import re
import unicodedata
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from canlian.holidays import services
from canlian.holidays.services import HOLIDAY_MARK, WORKING_MARK, DayEntry
from canlian.lib.forms import Form

MAX_LINES = 400
DATE_RE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")


def parse_days(text: str) -> tuple[list[DayEntry], list[ValidationError]]:
    """Read `text` into days; return them and one error for each line that cannot be read.
    Blank lines are skipped; full-width digits and spaces are read as ordinary ones."""
    days: list[DayEntry] = []
    errors: list[ValidationError] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = unicodedata.normalize("NFKC", raw).strip()
        if not line:
            continue
        parts = line.split(maxsplit=2)
        if len(parts) < 2 or not DATE_RE.match(parts[0]):
            errors.append(
                ValidationError(
                    _(
                        "Line %(line)s: write the date like 2026-06-30, then 休 (holiday) or "
                        "班 (working day), then the name of the holiday."
                    ),
                    code="syntax",
                    params={"line": number},
                )
            )
            continue
        try:
            year, month, day = (int(p) for p in parts[0].split("-"))
            date = datetime.date(year, month, day)
        except ValueError:
            errors.append(
                ValidationError(
                    _("Line %(line)s: %(value)s is not a real date."),
                    code="date",
                    params={"line": number, "value": parts[0]},
                )
            )
            continue
        mark = parts[1]
        if mark not in (HOLIDAY_MARK, WORKING_MARK):
            errors.append(
                ValidationError(
                    _(
                        "Line %(line)s: after the date write 休 (holiday) or 班 (working day), "
                        "not %(value)s."
                    ),
                    code="mark",
                    params={"line": number, "value": mark},
                )
            )
            continue
        name = parts[2] if len(parts) > 2 else ""
        days.append(DayEntry(day=date, is_working_day=mark == WORKING_MARK, name=name, line=number))
    return days, errors


def format_days(days: list[tuple[datetime.date, bool, str]]) -> str:
    """The text of the form for (day, is_working_day, name) triples."""
    return "\n".join(
        f"{day.isoformat()} {WORKING_MARK if working else HOLIDAY_MARK} {name}"
        for day, working, name in days
    )


class ScheduleForm(Form):
    year = forms.IntegerField(
        label=gettext_lazy("Year"),
        widget=forms.TextInput(
            attrs={"data-width": "4", "inputmode": "numeric", "autocomplete": "off"}
        ),
        error_messages={
            "required": gettext_lazy("Enter the year, for example 2027."),
            "invalid": gettext_lazy("Enter the year as four digits, for example 2027."),
        },
    )
    reference = forms.CharField(
        label=gettext_lazy("Notice reference"),
        help_text=gettext_lazy(
            "The number of the State Council notice, for example 国办发明电〔2026〕7号"
        ),
        max_length=services.REFERENCE_MAX,
        widget=forms.TextInput(attrs={"data-width": "20", "autocomplete": "off"}),
        error_messages={
            "required": gettext_lazy(
                "Enter the notice reference, for example 国办发明电〔2026〕7号."
            ),
        },
    )
    days = forms.CharField(
        label=gettext_lazy("Holidays and working weekends"),
        help_text=gettext_lazy(
            "One day a line: the date, 休 for an official holiday on Monday to Friday or 班 for "
            "a Saturday or Sunday that is worked, then the holiday's name. For example "
            "“2027-02-08 休 春节” or “2027-02-20 班 春节调休”. Holidays that fall on a Saturday or "
            "Sunday are left out: they are days off anyway."
        ),
        widget=forms.Textarea(attrs={"rows": 20, "spellcheck": "false", "autocomplete": "off"}),
        error_messages={"required": gettext_lazy("Enter the days of the schedule.")},
    )
    # The entry time of the schedule this one replaces, set by the confirmation page.
    replaces = forms.CharField(required=False, widget=forms.HiddenInput)

    parsed: list[DayEntry]
    _parse_errors: list[ValidationError]

    def clean_days(self) -> str:
        text: str = self.cleaned_data["days"]
        if len(text.splitlines()) > MAX_LINES:
            raise ValidationError(
                _("Enter at most %(limit)s lines."), code="lines", params={"limit": MAX_LINES}
            )
        self.parsed, self._parse_errors = parse_days(text)
        return text

    def clean(self) -> dict[str, Any]:
        """Every problem at once: the lines that cannot be read and, for the others, the
        rules of `services.validate_schedule`, in line order."""
        cleaned = super().clean() or {}
        if "days" not in cleaned:
            return cleaned
        problems: list[ValidationError] = list(self._parse_errors)
        year = cleaned.get("year")
        try:
            services.validate_schedule(
                year=year if year is not None else 0,
                reference=cleaned.get("reference") or "-",
                days=self.parsed,
            )
        except ValidationError as exc:
            found = exc.error_dict
            if year is not None and found.get("year"):
                self.add_error("year", found["year"])
            for error in found.get("days", []):
                if not isinstance(error, ValidationError):
                    continue
                if error.code == "other_year" and year is None:
                    continue  # the year field says what is wrong
                if error.code == "empty" and problems:
                    continue  # the lines that cannot be read say it
                problems.append(error)
        if problems:
            ordered = sorted(problems, key=services.line_of)
            self.add_error("days", ValidationError(ordered))
        return cleaned
