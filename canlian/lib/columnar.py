"""Integer columns out of the database and fixed-width text rows into it, without a Python
object per value: what a month's payment rolls need to move a million rows in seconds.

- :func:`read_ints`: the rows of a query whose every column is an integer, as an (n, k) int64
  array. On PostgreSQL through ``COPY (…) TO STDOUT (FORMAT binary)`` parsed by numpy (every
  column must be ``bigint`` and never NULL: cast and COALESCE in the query); elsewhere through
  ``fetchall``.
- :func:`digits`, :func:`text` and :func:`copy_text`: the rows of a COPY in text format built
  as byte matrices (zero-padded numbers, constant strings), joined by numpy.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from django.db import connection

__all__ = ["copy_text", "digits", "read_ints", "text"]

PG_BINARY_HEADER = 19  # signature (11), flags (4), header extension length (4)
PG_BINARY_TRAILER = 2  # the field count -1
MAX_DIGITS = 19  # 2**63 - 1 has 19 digits

Bytes = npt.NDArray[np.uint8]


def read_ints(sql: str, params: Sequence[Any], columns: int) -> npt.NDArray[np.int64]:
    """The rows of ``sql`` (every column a non-NULL integer; ``bigint`` on PostgreSQL)."""
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute(sql, list(params))
            if len(cursor.description) != columns:  # else reshape would mix the rows up
                raise ValueError(f"read_ints: the query has {len(cursor.description)} columns")
            return np.array(cursor.fetchall(), dtype=np.int64).reshape(-1, columns)
        chunks: list[bytes] = []
        statement = f"COPY ({sql}) TO STDOUT (FORMAT binary)"
        with connection.wrap_database_errors, cursor.cursor.copy(statement, params) as copy:
            for data in copy:
                chunks.append(bytes(data))
    buffer = b"".join(chunks)
    fields: list[tuple[str, str]] = [("count", ">i2")]
    for i in range(columns):
        fields += [(f"length{i}", ">i4"), (f"value{i}", ">i8")]
    row = np.dtype(fields)
    # A NULL or a narrower column makes its row shorter: a remainder (or a misread length
    # below), never a row left out.
    count, rest = divmod(len(buffer) - PG_BINARY_HEADER - PG_BINARY_TRAILER, row.itemsize)
    rows = np.frombuffer(buffer, dtype=row, offset=PG_BINARY_HEADER, count=count)
    whole = (
        not rest
        and bool((rows["count"] == columns).all())
        and all(bool((rows[f"length{i}"] == 8).all()) for i in range(columns))
    )
    if not whole:
        raise ValueError("read_ints: every column must be a non-NULL bigint")
    out = np.empty((count, columns), dtype=np.int64)
    for i in range(columns):
        out[:, i] = rows[f"value{i}"]
    return out


def digits(values: npt.NDArray[np.int64], width: int) -> Bytes:
    """Non-negative integers as zero-padded decimal text, one row of ``width`` bytes each
    (``width`` at most 19: the widest int64; a wider power of ten would overflow)."""
    if width > MAX_DIGITS:
        raise ValueError(f"digits: {width} digits, more than an int64 has ({MAX_DIGITS})")
    if len(values) and (values.min() < 0 or values.max() >= 10**width):
        raise ValueError(f"digits: a value does not fit in {width} digits")
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return ((values[:, None] // powers) % 10 + ord("0")).astype(np.uint8)


def text(value: str, rows: int) -> Bytes:
    """The same text on every row."""
    encoded = np.frombuffer(value.encode(), dtype=np.uint8)
    return np.broadcast_to(encoded, (rows, len(encoded)))


def copy_text(columns: Sequence[Bytes]) -> bytes:
    """COPY text rows of the given columns (tab between them, newline after the last); the
    columns must hold no tab, newline or backslash."""
    if not columns:
        return b""
    rows = len(columns[0])
    tab, newline = text("\t", rows), text("\n", rows)
    parts: list[Bytes] = []
    for index, column in enumerate(columns):
        parts += [column, tab if index < len(columns) - 1 else newline]
    return np.concatenate(parts, axis=1).tobytes()
