"""Open an uploaded spreadsheet safely and yield its rows.

This is the first stage of the import engine (parse → validate → report → apply) and knows
nothing about persons. `open_table` makes the cheap checks (size, extension, signature, a
zip's directory) in this process, then reads a workbook with python-calamine in a child
process with memory and time limits, or a CSV file here; it returns a `Table` whose `rows()`
yields (row number, cell values). Every refusal is a `FileRefused` whose translated message
says what is wrong and what to do about it. See docs/decisions/0015-spreadsheet-isolation.md.
"""

from canlian.spreadsheets.reading.cells import cell_date, cell_text
from canlian.spreadsheets.reading.opening import open_table
from canlian.spreadsheets.reading.refusals import FileRefused
from canlian.spreadsheets.reading.table import (
    DEFAULT_MAX_CELLS,
    DEFAULT_MAX_MEMORY,
    DEFAULT_MAX_SECONDS,
    MAX_MEMBERS,
    MB,
    Cell,
    Limits,
    Row,
    Table,
)

__all__ = [
    "DEFAULT_MAX_CELLS",
    "DEFAULT_MAX_MEMORY",
    "DEFAULT_MAX_SECONDS",
    "MAX_MEMBERS",
    "MB",
    "Cell",
    "FileRefused",
    "Limits",
    "Row",
    "Table",
    "cell_date",
    "cell_text",
    "open_table",
]
