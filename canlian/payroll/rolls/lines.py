"""Writing a run's lines: the regular lines of a programme as columns (one COPY on PostgreSQL),
the amounts as the database stores them, and the rule set each line refers to."""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import numpy as np
from django.db import connection

from canlian.benefits import eligibility
from canlian.benefits.eligibility import Month
from canlian.lib import columnar
from canlian.lib.bulk import copy_into, insert_rows
from canlian.lib.parameters import Parameters
from canlian.payroll.models import Line, LineKind, RuleSet

__all__ = [
    "LINE_COLUMNS",
    "Block",
    "amount_adapter",
    "insert_lines",
    "lookup",
    "rule_set",
    "yuan",
]

LINE_COLUMNS = (
    "roll_id", "person_id", "programme", "month", "kind", "amount", "rule_set_id",
    "account_id", "reason",
)  # fmt: skip


@dataclasses.dataclass
class Block:
    """The regular lines of one programme, as columns."""

    programme: str
    roll: np.ndarray
    person: np.ndarray
    fen: np.ndarray
    rule_set: np.ndarray
    account: np.ndarray


def lookup(keys: np.ndarray, table: dict[str, int]) -> np.ndarray:
    """``table[key]`` for every key, as an int64 array."""
    unique, inverse = np.unique(keys, return_inverse=True)
    values = np.array([table[str(k)] for k in unique.tolist()], dtype=np.int64)
    return values[inverse.reshape(-1)] if len(unique) else np.zeros(0, dtype=np.int64)


def _copy_rows(block: Block, month: Month) -> bytes:
    """The COPY text of a block's lines, in the order of LINE_COLUMNS."""
    n = len(block.person)
    amount = [columnar.digits(block.fen // 100, 8), columnar.text(".", n)]
    amount.append(columnar.digits(block.fen % 100, 2))
    return columnar.copy_text(
        [
            columnar.digits(block.roll, 12),
            columnar.digits(block.person, 12),
            columnar.text(block.programme, n),
            columnar.text(month.first.isoformat(), n),
            columnar.text(LineKind.REGULAR.value, n),
            np.concatenate(amount, axis=1),
            columnar.digits(block.rule_set, 12),
            columnar.digits(block.account, 12),
            columnar.text("", n),
        ]
    )


def insert_lines(
    blocks: list[Block], month: Month, amount_db: Callable[[int], Any], month_db: Any
) -> None:
    """Write the regular lines: on PostgreSQL one COPY of text rows built by numpy (no Python
    object per value), elsewhere prepared rows through insert_rows."""
    if connection.vendor == "postgresql":
        with copy_into(Line, LINE_COLUMNS) as copy:
            for block in blocks:
                copy.write(_copy_rows(block, month))
        return
    rows: list[tuple[Any, ...]] = []
    for b in blocks:
        rows.extend(
            zip(
                b.roll.tolist(),
                b.person.tolist(),
                itertools.repeat(b.programme),
                itertools.repeat(month_db),
                itertools.repeat(LineKind.REGULAR.value),
                [amount_db(f) for f in b.fen.tolist()],
                b.rule_set.tolist(),
                b.account.tolist(),
                itertools.repeat(""),
            )
        )
    insert_rows(Line, LINE_COLUMNS, rows)


def yuan(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(Decimal("0.01"))


def amount_adapter() -> Callable[[int], Any]:
    """Fen to the amount column's database value, each distinct amount adapted once."""
    field = Line._meta.get_field("amount")
    cache: dict[int, Any] = {}

    def adapt(fen: int) -> Any:
        if fen not in cache:
            cache[fen] = field.get_db_prep_save(yuan(fen), connection)
        return cache[fen]

    return adapt


def rule_set(parameters: Parameters, county: str, month: Month) -> RuleSet:
    """The rule set (parameter values with their notices, the rules version) that decides the
    lines of ``county`` for ``month``: one row per distinct content."""
    values = eligibility.rule_values(parameters, county, month)
    body = {"rules_version": eligibility.RULES_VERSION, "values": values}
    digest = hashlib.sha256(
        json.dumps([county, str(month), body], sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()
    found, _created = RuleSet.objects.get_or_create(
        digest=digest,
        defaults={
            "month": month.first,
            "region": county,
            "rules_version": eligibility.RULES_VERSION,
            "values": values,
        },
    )
    return found
