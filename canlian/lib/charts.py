"""A chart described in Python: what the page draws (ECharts, SVG), the table that holds the
same numbers and the sentence that says what the chart shows.

The include ``_chart.html`` renders a chart as a ``<figure>``: the title, the drawing (hidden
from screen readers: the table is the accessible version), the summary and the data table.
``canlian/static/charts.js`` draws it from the data island ``Chart.data()``. Without
JavaScript, the summary and the table are the whole content (decision 0019).

    chart = Chart(
        key="persons-by-county",
        kind="bar",
        title=_("Certified persons by county"),
        unit=_("persons"),
        category_label=_("County"),
        categories=["孟州市", "温县"],
        series=[Series(_("Persons"), [12345, 2001], urls=[url_meng, url_wen])],
    )
    chart.summary()  # 孟州市最多，12,345人；温县最少，2,001人；共14,346人。

Values are whole numbers or Decimals (an amount to the fen is printed with its two decimal
places, as everywhere else); None is a cell with no figure (not counted, or withheld), shown
as such and left out of the extremes, and a total over it is unknown.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Literal

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from canlian.lib import money

__all__ = ["KINDS", "Cell", "Chart", "Number", "Row", "Series", "Table", "figure"]

Number = int | Decimal
Kind = Literal["bar", "line", "stacked_bar"]
KINDS: tuple[Kind, ...] = ("bar", "line", "stacked_bar")
# The chart's key names its HTML ids (the figure, the data island, the table's caption).
KEY = re.compile(r"[a-z][a-z0-9-]*")


def figure(value: Number) -> str:
    """A number grouped by thousands, as the `grouped` template filter prints it (the table's
    cells): 96,118; a Decimal to the fen with two places, 69,440.00 (and 87.50); one with
    more places as it is, 0.125."""
    if isinstance(value, Decimal) and value == value.quantize(money.FEN):
        return money.figures(value)
    return format(value, ",")


def _check_number(value: object, where: str) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise TypeError(f"{where}: a chart's value is an int, a Decimal or None, not {value!r}")
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValueError(f"{where}: {value} is not a number")


@dataclasses.dataclass(frozen=True)
class Series:
    """One series: a name (a column of the table, an entry of the legend), a value for each
    category and, optionally, the link behind each value and behind the series' total (the
    drill-down to the records counted)."""

    name: str
    values: Sequence[Number | None]
    urls: Sequence[str | None] | None = None
    total_url: str | None = None

    def total(self) -> Number | None:
        """The sum of the values; None (unknown) when any value is missing."""
        if any(v is None for v in self.values):
            return None
        return sum((v for v in self.values if v is not None), start=0)

    def url(self, index: int) -> str | None:
        return self.urls[index] if self.urls else None


@dataclasses.dataclass(frozen=True)
class Cell:
    value: Number | None
    url: str | None = None


@dataclasses.dataclass(frozen=True)
class Row:
    """A row of the table: its header (a category, or the total) and its cells."""

    header: str
    cells: list[Cell]
    is_total: bool = False


@dataclasses.dataclass(frozen=True)
class Table:
    caption: str
    head: list[str]  # the first column's header, then one per column of numbers
    rows: list[Row]


@dataclasses.dataclass(frozen=True)
class Chart:
    """A bar, line or stacked bar chart over `categories` (counties, months, grades, …).

    `unit` follows each number in the summary and each column header (人, 元, 件; a
    translated string: "persons" in English). `sum_categories`: the values of a series add up
    over the categories (persons by county: yes; persons on the last day of each month: no),
    giving a total row and the total in the summary. `sum_series`: the series add up within a
    category, giving a total column (by default only for a stacked bar), with
    `category_total_urls` and `grand_total_url` as its links.
    """

    key: str
    kind: Kind
    title: str
    unit: str
    category_label: str
    categories: Sequence[str]
    series: Sequence[Series]
    sum_categories: bool = True
    sum_series: bool | None = None
    category_total_urls: Sequence[str | None] | None = None
    grand_total_url: str | None = None

    def __post_init__(self) -> None:
        problems = []
        if not KEY.fullmatch(self.key):
            problems.append(f"key {self.key!r}: lower-case letters, digits and hyphens")
        if self.kind not in KINDS:
            problems.append(f"kind {self.kind!r}: one of {', '.join(KINDS)}")
        if not self.categories:
            problems.append("no categories")
        if not self.series:
            problems.append("no series")
        n = len(self.categories)
        for s in self.series:
            if len(s.values) != n:
                problems.append(f"series {s.name!r}: {len(s.values)} values for {n} categories")
            if s.urls is not None and len(s.urls) != n:
                problems.append(f"series {s.name!r}: {len(s.urls)} links for {n} categories")
            for i, v in enumerate(s.values):
                _check_number(v, f"series {s.name!r}, value {i}")
        if self.category_total_urls is not None and len(self.category_total_urls) != n:
            problems.append(f"{len(self.category_total_urls)} total links for {n} categories")
        names = [str(s.name) for s in self.series]
        if len(set(names)) != len(names):
            problems.append("two series have the same name")
        if problems:
            raise ValueError(f"chart {self.key!r}: " + "; ".join(problems))
        if self.sum_series is None:
            object.__setattr__(self, "sum_series", self.kind == "stacked_bar")

    # --- the numbers ---------------------------------------------------------------------

    @property
    def category_totals(self) -> list[Number | None]:
        """Each category summed over the series (None where a value is missing)."""
        totals: list[Number | None] = []
        for i in range(len(self.categories)):
            values = [s.values[i] for s in self.series]
            if any(v is None for v in values):
                totals.append(None)
            else:
                totals.append(sum((v for v in values if v is not None), start=0))
        return totals

    @property
    def grand_total(self) -> Number | None:
        totals = self.category_totals
        if any(v is None for v in totals):
            return None
        return sum((v for v in totals if v is not None), start=0)

    # --- the table -----------------------------------------------------------------------

    def table(self) -> Table:
        """The table with the chart's numbers: a row per category, a column per series, the
        total column and row where the numbers add up; each cell with its link if any."""
        head = [str(self.category_label)]
        head += [_with_unit(str(s.name), str(self.unit)) for s in self.series]
        if self.sum_series:
            head.append(_with_unit(_("Total"), str(self.unit)))
        rows = []
        for i, category in enumerate(self.categories):
            cells = [Cell(s.values[i], s.url(i)) for s in self.series]
            if self.sum_series:
                url = self.category_total_urls[i] if self.category_total_urls else None
                cells.append(Cell(self.category_totals[i], url))
            rows.append(Row(str(category), cells))
        if self.sum_categories:
            cells = [Cell(s.total(), s.total_url) for s in self.series]
            if self.sum_series:
                cells.append(Cell(self.grand_total, self.grand_total_url))
            rows.append(Row(_("Total"), cells, is_total=True))
        return Table(caption=_("Table: %(title)s") % {"title": self.title}, head=head, rows=rows)

    # --- the summary ---------------------------------------------------------------------

    def summary_sentences(self) -> list[str]:
        """What the chart shows, in the active language, a sentence per series (and one for
        the totals of a stacked bar, first): the largest and smallest values, the change from
        first to last on a line, the total where the values add up."""
        end = "。" if _chinese() else "."
        parts: list[tuple[str | None, Sequence[Number | None]]] = []
        if self.sum_series and len(self.series) > 1:
            parts.append((_("In all"), self.category_totals))
        for s in self.series:
            parts.append((str(s.name) if len(self.series) > 1 else None, s.values))
        sentences = []
        for name, values in parts:
            text = _join_clauses(self._clauses(values, self.sum_categories))
            if name is not None:
                text = _("%(series)s: %(summary)s") % {"series": name, "summary": text}
            sentences.append(text + end)
        return sentences

    def summary(self) -> str:
        """The summary as one text: 孟州市最多，12,345人；温县最少，2,001人；共14,346人。"""
        return ("" if _chinese() else " ").join(self.summary_sentences())

    def _clauses(self, values: Sequence[Number | None], add_up: bool) -> list[str]:
        known = [(str(c), v) for c, v in zip(self.categories, values, strict=True) if v is not None]
        missing = [str(c) for c, v in zip(self.categories, values, strict=True) if v is None]
        if not known:
            return [_("no figures")]
        clauses = []
        if len(known) == 1:
            name, value = known[0]
            clauses.append(_("%(name)s: %(value)s") % {"name": name, "value": self._v(value)})
        else:
            if self.kind == "line":
                clauses.append(self._change(known))
            clauses += self._extremes(known)
            if add_up and not missing:
                clauses.append(_("total %(value)s") % {"value": self._v(_sum(values))})
        if missing:
            clauses.append(_("no figure for %(names)s") % {"names": _join_names(missing)})
        return clauses

    def _extremes(self, known: list[tuple[str, Number]]) -> list[str]:
        top = max(v for _name, v in known)
        bottom = min(v for _name, v in known)
        if top == bottom:
            names = _join_names([name for name, _v in known])
            return [_("%(names)s: %(value)s each") % {"names": names, "value": self._v(top)}]
        most = [name for name, v in known if v == top]
        fewest = [name for name, v in known if v == bottom]
        return [
            (
                _("%(names)s has the most, %(value)s")
                if len(most) == 1
                else _("%(names)s have the most, %(value)s each")
            )
            % {"names": _join_names(most), "value": self._v(top)},
            (
                _("%(names)s has the fewest, %(value)s")
                if len(fewest) == 1
                else _("%(names)s have the fewest, %(value)s each")
            )
            % {"names": _join_names(fewest), "value": self._v(bottom)},
        ]

    def _change(self, known: list[tuple[str, Number]]) -> str:
        (first, a), (last, b) = known[0], known[-1]
        if b > a:
            change = _("up %(value)s") % {"value": self._v(b - a)}
        elif b < a:
            change = _("down %(value)s") % {"value": self._v(a - b)}
        else:
            change = _("unchanged")
        return _("from %(a)s in %(first)s to %(b)s in %(last)s, %(change)s") % {
            "a": self._v(a), "first": first, "b": self._v(b), "last": last, "change": change
        }  # fmt: skip

    def _v(self, value: Number) -> str:
        return _with_unit(figure(value), str(self.unit), number=True)

    # --- the data island -----------------------------------------------------------------

    def data(self) -> dict[str, Any]:
        """What charts.js draws, for `json_script`: numbers as JSON numbers (a Decimal would
        become a string), missing values as null, and each value with its unit as the summary
        writes it (for the tooltip)."""
        return {
            "kind": self.kind,
            "unit": str(self.unit),
            "categories": [str(c) for c in self.categories],
            "series": [
                {
                    "name": str(s.name),
                    "values": [_json_number(v) for v in s.values],
                    "labels": [None if v is None else self._v(v) for v in s.values],
                }
                for s in self.series
            ],
        }


def _json_number(value: Number | None) -> int | float | None:
    if value is None or isinstance(value, int):
        return value
    return int(value) if value == value.to_integral_value() else float(value)


def _sum(values: Sequence[Number | None]) -> Number:
    return sum((v for v in values if v is not None), start=0)


def _chinese() -> bool:
    return (get_language() or "").lower().startswith("zh")


def _with_unit(text: str, unit: str, *, number: bool = False) -> str:
    """A number followed by its unit (12,345人, 12,345 persons), or a column header with the
    unit in brackets (人数（人）, Persons (persons))."""
    if not unit:
        return text
    if number:
        return _("%(number)s %(unit)s") % {"number": text, "unit": unit}
    return _("%(name)s (%(unit)s)") % {"name": text, "unit": unit}


def _join_names(names: Sequence[str]) -> str:
    """孟州市、温县 in Chinese; 孟州市, 温县 and 沁阳市 otherwise."""
    if _chinese():
        return "、".join(names)
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _join_clauses(clauses: Sequence[str]) -> str:
    return ("；" if _chinese() else "; ").join(clauses)
