"""What an import found: its counts, every problem (row, column, value, reason) and every change."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_LISTED = 100_000  # problems and changes kept for the report; the counts are always exact


@dataclasses.dataclass(frozen=True)
class Problem:
    row: int
    column: str  # letter and header, e.g. "B 公民身份号码"; "" for the whole row
    value: str  # as in the file, masked when sensitive
    reason: str


@dataclasses.dataclass(frozen=True)
class Change:
    row: int
    person: str  # masked ID number and name
    field: str
    before: str
    after: str


@dataclasses.dataclass
class Outcome:
    filename: str
    dry_run: bool
    kind: str = ""
    sha256: str = ""
    refused: str = ""
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected_rows: int = 0
    problem_count: int = 0
    change_count: int = 0
    applied: bool = False
    # Rows that name a record already there (for persons: people.exchange.matches).
    matched: int = 0
    problems: list[Problem] = dataclasses.field(default_factory=list)
    changes: list[Change] = dataclasses.field(default_factory=list)
    ignored_columns: list[str] = dataclasses.field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.refused and self.rejected_rows == 0 and self.rows > 0

    def counts(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected_rows": self.rejected_rows,
        }

    def summary(self) -> dict[str, Any]:
        return {
            **self.counts(),
            "problems": self.problem_count,
            "applied": self.applied,
            "dry_run": self.dry_run,
            "refused": self.refused or None,
        }

    def problem(self, row: int, column: str, value: str, reason: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_LISTED:
            # Control characters (NUL above all) from a cell would break JSON on PostgreSQL
            # and the report; they are shown as �.
            self.problems.append(
                Problem(row, column, _CONTROLS.sub("�", value), _CONTROLS.sub("�", reason))
            )

    def change(self, change: Change) -> None:
        self.change_count += 1
        if len(self.changes) < MAX_LISTED:
            self.changes.append(change)
