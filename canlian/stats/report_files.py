"""The report (`stats.report.Report`) laid out: its tables for the page and the PDF, the
.xlsx workbook (through the project's writer, one sheet per area) and the A4 PDF (through
`lib.pdf`, decision 0005)."""

from __future__ import annotations

import dataclasses
from typing import IO, TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from canlian.lib import pdf
from canlian.spreadsheets.writing import Book
from canlian.stats.report import WITHHELD, Line, Report

if TYPE_CHECKING:
    from django.http import HttpRequest

# Excel's forbidden characters in a sheet's name, and its longest name.
SHEET_FORBIDDEN = str.maketrans({c: "_" for c in "[]:*?/\\"})
SHEET_NAME_LENGTH = 31


@dataclasses.dataclass
class TableRow:
    name: str
    definition: str
    unit: str
    texts: list[str]
    hidden: list[bool]


@dataclasses.dataclass
class Table:
    id: str
    title: str
    headers: list[str]
    rows: list[TableRow]


def title(built: Report) -> str:
    return _("Report of the figures, %(period)s") % {"period": built.period.label}


def headers(built: Report) -> list[str]:
    """The columns after the figure's name."""
    return [
        _("Whole period"),
        *built.year_labels,
        _("Previous period (%(period)s)") % {"period": built.previous.label},
        _("Change against the previous period"),
        _("Change (%)"),
    ]


def sections(built: Report) -> list[Table]:
    """Each area as a table: a row per figure, its texts in the order of `headers`."""
    tables = []
    for number, section in enumerate(built.sections, start=1):
        rows = [
            TableRow(
                name=str(line.figure.name),
                definition=str(line.figure.definition),
                unit=str(line.figure.unit),
                texts=line.texts(built.threshold),
                hidden=[v.hidden for v in line.values()],
            )
            for line in section.lines
        ]
        tables.append(Table(f"area-{number}", section.title, headers(built), rows))
    return tables


def period_sentence(built: Report) -> str:
    return _("%(place)s; period %(period)s, compared with %(previous)s.") % {
        "place": built.region_name,
        "period": built.period.label,
        "previous": built.previous.label,
    }


def left_out_sentence(built: Report) -> str:
    """Which figures were not computed (`report.SLOW`, not asked for); "" when none."""
    if not built.left_out:
        return ""
    return _(
        "Left out because the eligibility of some month they need has not been worked out "
        "and kept yet (it is kept every night; the system administrator keeps earlier "
        "months): %(figures)s."
    ) % {"figures": "、".join(str(figure.name) for figure in built.left_out)}


# --- .xlsx -----------------------------------------------------------------------------------


def _cell(book: Book, sheet: Any, row: int, col: int, line: Line, index: int, text: str) -> None:
    """A number as a number (a ratio in a percent format, a change in per cent as its
    number), "<5" or "—" as text."""
    value = line.values()[index]
    if value.hidden or value.value is None:
        sheet.write_string(row, col, text, book.format("plain", align="right"))
        return
    last = len(line.values()) - 1
    if index == last:
        fmt = book.format("number", num_format="0.00")
    elif line.figure.is_ratio:
        fmt = book.format("number", num_format="0.00%")
    elif line.figure.is_count:
        fmt = book.format("number", num_format="#,##0")
    else:
        fmt = book.format("yuan")
    sheet.write_number(row, col, float(value.value), fmt)


def write_xlsx(built: Report, target: str | IO[bytes]) -> None:
    """One sheet per area: the federation and the period in the title rows, the headers, a
    row per figure with its numbers and definition; landscape A4, fitted to the width, the
    header row repeated on every page."""
    book = Book(target, in_memory=True)
    columns = [_("Figure"), _("Unit"), *headers(built), _("Definition")]
    notes = [period_sentence(built)]
    if built.publication:
        notes.append(publication_sentence(built))
    if built.left_out:
        notes.append(left_out_sentence(built))
    header_row = 2 + len(notes)
    used: set[str] = set()
    for section in built.sections:
        name = section.title.translate(SHEET_FORBIDDEN)[:SHEET_NAME_LENGTH]
        while name in used:
            name = name[: SHEET_NAME_LENGTH - 1] + "_"
        used.add(name)
        sheet = book.sheet(name)
        sheet.write_string(0, 0, f"{built.federation_name} {title(built)}", book.format("bold"))
        sheet.write_string(1, 0, section.title, book.format("bold"))
        for row, note in enumerate(notes, start=2):
            sheet.write_string(row, 0, note)
        for col, header in enumerate(columns):
            sheet.write_string(header_row, col, header, book.format("header", text_wrap=True))
        for number, line in enumerate(section.lines, start=header_row + 1):
            sheet.write_string(number, 0, str(line.figure.name))
            sheet.write_string(number, 1, str(line.figure.unit))
            for index, text in enumerate(line.texts(built.threshold)):
                _cell(book, sheet, number, 2 + index, line, index, text)
            sheet.write_string(number, len(columns) - 1, str(line.figure.definition))
        sheet.set_column(0, 0, 36)
        sheet.set_column(1, 1, 8)
        sheet.set_column(2, len(columns) - 2, 14)
        sheet.set_column(len(columns) - 1, len(columns) - 1, 80)
        sheet.freeze_panes(header_row + 1, 1)
        sheet.set_landscape()
        sheet.set_paper(9)  # A4
        sheet.fit_to_pages(1, 0)
        sheet.repeat_rows(header_row)
    book.close()


def publication_sentence(built: Report) -> str:
    return _(
        "For publication: counts below %(limit)s are shown as “%(shown)s”, and other cells "
        "that would give a hidden count away are shown as “%(withheld)s”."
    ) % {"limit": built.threshold, "shown": f"<{built.threshold}", "withheld": WITHHELD}


# --- PDF -------------------------------------------------------------------------------------


def render_pdf(built: Report, *, request: HttpRequest | None = None) -> bytes:
    """The report on A4 (landscape: up to eleven years beside the period), Chinese first."""
    return pdf.render_pdf(
        "stats/report_print.html",
        {
            "title": title(built),
            "federation_name": built.federation_name,
            "report": built,
            "sections": sections(built),
            "period_sentence": period_sentence(built),
            "publication_sentence": publication_sentence(built) if built.publication else "",
            "left_out_sentence": left_out_sentence(built),
        },
        request=request,
    )
