"""Load the jurisdiction tree from CSV: validate every row, then write all or nothing.

Format (UTF-8, with or without BOM): header `code,name,parent_code`; `code` is the 12-digit
statistical division code; `parent_code` is empty only for the province. Lines starting with
`#` are comments. See docs/places.md.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from canlian.audit import records as audit
from canlian.places.models import Level, Place, level_of, prefix_of

if TYPE_CHECKING:
    from canlian.accounts.actors import Actor

CODE_RE = re.compile(r"^\d{12}$")
REQUIRED_COLUMNS = ("code", "name", "parent_code")
BASE_FILE = Path(__file__).parent / "data" / "jiaozuo.csv"
DEMO_FILE = Path(__file__).parent / "data" / "demo_townships_invented.csv"


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        return _("Row %(row)s, column %(column)s: %(reason)s") % {
            "row": self.row,
            "column": self.column,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class PlaceRow:
    row: int
    code: str
    name: str
    parent_code: str


def read_rows(text: str) -> tuple[list[PlaceRow], list[RowError]]:
    lines = [line for line in text.lstrip("\ufeff").splitlines() if not line.startswith("#")]
    reader = csv.DictReader(io.StringIO("\n".join(lines)))
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        return [], [RowError(1, c, _("required column is missing")) for c in missing]
    rows = [
        PlaceRow(
            row=number,
            code=(raw.get("code") or "").strip(),
            name=(raw.get("name") or "").strip(),
            parent_code=(raw.get("parent_code") or "").strip(),
        )
        for number, raw in enumerate(reader, start=2)
    ]
    return rows, []


def validate(rows: Iterable[PlaceRow], known: dict[str, int]) -> list[RowError]:
    """Check each row against earlier rows and the stored places (`known`: code → level)."""
    errors: list[RowError] = []
    levels = dict(known)
    seen: set[str] = set()
    for r in rows:
        if not CODE_RE.match(r.code):
            errors.append(RowError(r.row, "code", _("must be 12 digits")))
            continue
        if r.code in seen:
            errors.append(RowError(r.row, "code", _("appears twice in the file")))
            continue
        seen.add(r.code)
        if not r.name:
            errors.append(RowError(r.row, "name", _("must not be empty")))
        level = level_of(r.code)
        if level == Level.PROVINCE:
            if r.parent_code:
                errors.append(RowError(r.row, "parent_code", _("a province has no parent")))
        elif r.parent_code not in levels:
            errors.append(RowError(r.row, "parent_code", _("unknown parent code")))
        elif levels[r.parent_code] != level - 1 or not r.code.startswith(prefix_of(r.parent_code)):
            errors.append(
                RowError(r.row, "parent_code", _("the code does not belong under this parent"))
            )
        levels[r.code] = level
    return errors


@transaction.atomic
def load_places(*, text: str, invented: bool, acting_user: Actor | None = None) -> int:
    """Validate then store every place in `text`; raise ValidationError listing all bad rows."""
    rows, errors = read_rows(text)
    if not errors:
        known = dict(Place.objects.values_list("code", "level"))
        errors = validate(rows, known)
    if errors:
        raise ValidationError([str(e) for e in errors])
    for r in rows:
        Place.objects.update_or_create(
            code=r.code,
            defaults={
                "name": r.name,
                "level": level_of(r.code),
                "parent_id": r.parent_code or None,
                "prefix": prefix_of(r.code),
                "invented": invented,
            },
        )
    audit.record(
        acting_user=acting_user,
        action="places.load",
        target=None,
        detail={"rows": len(rows), "invented": invented},
    )
    return len(rows)
