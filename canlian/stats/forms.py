"""The statistics pages' forms: the day or period, the breakdown, a drill-down's cell."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from canlian.lib.forms import FilterForm, date_field
from canlian.stats import catalogue, report
from canlian.stats.catalogue import AS_OF, Figure, Query


class DayForm(FilterForm):
    """The dashboard's day (GET): today when left empty."""

    as_of = date_field(gettext_lazy("Count on"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _add_date_problems(self, data)
        return data


def _add_date_problems(form: forms.Form, data: dict[str, Any]) -> None:
    """The figures' limits on the form's days (`catalogue.date_problems`), each on its field."""
    problems = catalogue.date_problems(
        as_of=data.get("as_of"),
        start=data.get("start"),
        end=data.get("end"),
        today=timezone.localdate(),
    )
    for name, messages in problems.items():
        for message in messages:
            form.add_error(name, message)


class _Dates(FilterForm):
    """The day (a figure counted on a day) or the period (one counted over a period), each
    required by the figure's timing: the fields are not marked optional."""

    as_of = date_field(gettext_lazy("Count on"), required=False)
    start = date_field(gettext_lazy("First day"), required=False)
    end = date_field(gettext_lazy("Last day"), required=False)

    def __init__(self, *args: Any, figure: Figure, **kwargs: Any) -> None:
        self.figure = figure
        super().__init__(*args, **kwargs)
        if figure.timing == AS_OF:
            del self.fields["start"], self.fields["end"]
        else:
            del self.fields["as_of"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.figure.timing == AS_OF:
            if not data.get("as_of") and "as_of" not in self.errors:
                self.add_error("as_of", _("Enter the date to count on, for example 2026-06-30."))
        else:
            for name in ("start", "end"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, _("Enter the day, for example 2026-06-30."))
        _add_date_problems(self, data)
        return data


class FigureForm(_Dates):
    by = forms.MultipleChoiceField(
        label=gettext_lazy("Break down by"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("At most two"),
    )
    publish = forms.BooleanField(
        label=gettext_lazy(
            "For publication: show small counts as “<5” and hide what would give them away"
        ),
        required=False,
    )

    def __init__(self, *args: Any, figure: Figure, **kwargs: Any) -> None:
        super().__init__(*args, figure=figure, **kwargs)
        by = self.fields["by"]
        assert isinstance(by, forms.MultipleChoiceField)
        by.choices = [(d, catalogue.dimension(d).label) for d in figure.dimensions]

    def clean_by(self) -> list[str]:
        chosen: list[str] = self.cleaned_data.get("by") or []
        if len(chosen) > 2:
            raise ValidationError(_("Choose at most two ways to break the figure down."))
        return chosen

    def query(self, region: str) -> Query:
        data = self.cleaned_data
        return Query(
            region=region,
            as_of=data.get("as_of"),
            start=data.get("start"),
            end=data.get("end"),
            by=tuple(data.get("by") or ()),
        )


class CellForm(_Dates):
    """A drill-down: the figure's dates and the cell's keys, as the table's links give them."""

    def __init__(self, data: Any, *, figure: Figure) -> None:
        super().__init__(data, figure=figure)
        for dimension in figure.dimensions:
            self.fields[dimension] = forms.CharField(required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        self.cell: dict[str, Any] = {}
        for dimension in self.figure.dimensions:
            text = (data.get(dimension) or "").strip()
            if not text:
                continue
            try:
                self.cell[dimension] = catalogue.dimension(dimension).parse(text)
            except (ValueError, KeyError):
                self.add_error(
                    None,
                    _("%(dimension)s has no value %(value)s.")
                    % {"dimension": catalogue.dimension(dimension).label, "value": text},
                )
        return data

    def query(self, region: str) -> Query:
        data = self.cleaned_data
        return Query(
            region=region,
            as_of=data.get("as_of"),
            start=data.get("start"),
            end=data.get("end"),
            cell=self.cell,
        )

    def cell_words(self) -> list[tuple[str, str]]:
        return [
            (str(catalogue.dimension(d).label), catalogue.dimension(d).words(key))
            for d, key in self.cell.items()
        ]


class ReportForm(FilterForm):
    """The report's period (GET): the last five whole calendar years when both days are left
    empty; every problem of the period at once (`report.period_problems`)."""

    start = date_field(gettext_lazy("First day"), required=False)
    end = date_field(gettext_lazy("Last day"), required=False)
    publish = forms.BooleanField(
        label=gettext_lazy(
            "For publication: show small counts as “<5” and hide what would give them away"
        ),
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        today = timezone.localdate()
        start, end = data.get("start"), data.get("end")
        if start is None and end is None and not self.errors:
            default = report.default_period(today)
            data["start"], data["end"] = default.start, default.end
            return data
        for name in ("start", "end"):
            if not data.get(name) and name not in self.errors:
                self.add_error(name, _("Enter the day, for example 2026-06-30."))
        for name, messages in report.period_problems(start, end, today).items():
            for message in messages:
                self.add_error(name, message)
        return data

    def period(self) -> tuple[Any, Any]:
        return self.cleaned_data["start"], self.cleaned_data["end"]
