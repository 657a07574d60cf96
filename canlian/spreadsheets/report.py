"""The spreadsheets an import gives its user: the report of a run, and the empty template.

Written through canlian.spreadsheets.writing: the report in constant memory (rows go to disk
as they are written); no text in either runs as a formula.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from canlian.spreadsheets.columns import Column
from canlian.spreadsheets.outcome import Outcome
from canlian.spreadsheets.writing import Book


def _outcome_text(outcome: Outcome) -> str:
    if outcome.refused:
        return _("Refused: %(reason)s") % {"reason": outcome.refused}
    if outcome.applied:
        return _("Imported: every row was applied.")
    if outcome.rejected_rows:
        return _("Rejected: nothing was written. Correct the rows listed and import again.")
    return _("Checked: no problems. Nothing has been written yet.")


def write_report(outcome: Outcome, path: Path, *, user_label: str = "") -> None:
    """The report of one run: summary, every problem, every change."""
    book = Book(str(path), constant_memory=True)
    bold = book.format("bold")
    summary = book.sheet(_("Summary"))
    summary.set_column(0, 0, 20)
    summary.set_column(1, 1, 70)
    lines: list[tuple[str, Any]] = [
        (_("File"), outcome.filename),
        (_("SHA-256"), outcome.sha256),
        (_("Checked at"), timezone.localtime().strftime("%Y-%m-%d %H:%M:%S")),
        (_("By"), user_label),
        (_("Result"), _outcome_text(outcome)),
        (_("Data rows"), outcome.rows),
        (_("New persons"), outcome.created),
        (_("Updated persons"), outcome.updated),
        (_("Unchanged rows"), outcome.unchanged),
        (_("Rejected rows"), outcome.rejected_rows),
        (_("Problems"), outcome.problem_count),
        (_("Columns ignored"), "、".join(outcome.ignored_columns)),
    ]
    if outcome.problem_count > len(outcome.problems):
        lines.append((_("Note"), _("Only the first %(n)s problems are listed.")
                      % {"n": len(outcome.problems)}))  # fmt: skip
    for row, (label, value) in enumerate(lines):
        summary.write_string(row, 0, label, bold)
        _write(summary, row, 1, value)

    problems = book.sheet(_("Problems"))
    _table(book, problems, [_("Row"), _("Column"), _("Value (masked)"), _("Reason")],
           [8, 24, 26, 80],
           ((p.row, p.column, p.value, p.reason) for p in outcome.problems))  # fmt: skip
    changes = book.sheet(_("Changes"))
    _table(book, changes, [_("Row"), _("Person"), _("Field"), _("Before"), _("After")],
           [8, 30, 18, 30, 30],
           ((c.row, c.person, c.field, c.before, c.after) for c in outcome.changes))  # fmt: skip
    book.close()


def _write(sheet: Any, row: int, col: int, value: Any) -> None:
    """A report's cell as it is: its text shows the file's values (masked) and reasons, not
    escaped (the workbook never turns text into formulas)."""
    if isinstance(value, int):
        sheet.write_number(row, col, value)
    else:
        sheet.write_string(row, col, "" if value is None else str(value))


def _table(book: Book, sheet: Any, headers: list[str], widths: list[int], rows: Any) -> None:
    book.headers(sheet, headers, widths)
    sheet.freeze_panes(1, 0)
    for r, values in enumerate(rows, start=1):
        for c, value in enumerate(values):
            _write(sheet, r, c, value)


def write_template(
    path: Path, *, columns: tuple[Column, ...], sheet: str, intro: list[str]
) -> None:
    """The empty import file: the header row of `sheet` (required columns marked *), and a
    sheet of instructions: the `intro` lines, then each column's note and aliases."""
    book = Book(str(path))
    header = book.format("header")
    text = book.format("text")
    data = book.sheet(sheet)
    for col, column in enumerate(columns):
        title = column.header + ("*" if column.required else "")
        data.write_string(0, col, title, header)
        # Text format for every column keeps long numbers (ID, bank account) from turning
        # into 4.10825E+17 as they are typed.
        data.set_column(col, col, column.width, text)
    data.freeze_panes(1, 2)
    notes = book.sheet("填写说明")
    notes.set_column(0, 0, 22)
    notes.set_column(1, 1, 90)
    intro = [*intro, f"模板生成日期：{datetime.date.today():%Y-%m-%d}"]
    for row, line in enumerate(intro):
        notes.write_string(row, 0, line)
    start = len(intro) + 1
    notes.write_string(start, 0, "列名", header)
    notes.write_string(start, 1, "说明（可用的其他列名）", header)
    for offset, column in enumerate(columns, start=start + 1):
        notes.write_string(offset, 0, column.header + ("*" if column.required else ""))
        aliases = "、".join(a for a in column.aliases if not a.isascii())
        detail = column.note + (f"（也可写作：{aliases}）" if aliases else "")
        notes.write_string(offset, 1, detail)
    book.close()
