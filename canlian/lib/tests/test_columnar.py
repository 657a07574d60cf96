"""canlian.lib.columnar: integer columns out of the database, fixed-width COPY text into it."""

from __future__ import annotations

import numpy as np
import pytest

from canlian.holidays.models import Schedule
from canlian.lib import columnar

BIG = 2**40 + 7  # beyond 32 bits: the columns are int64 all through
TABLE = Schedule._meta.db_table


def ints(*values: int) -> np.ndarray:
    return np.array(values, dtype=np.int64)


# --- read_ints --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_read_ints_gives_one_int64_row_per_row_of_the_query() -> None:
    Schedule.objects.bulk_create(
        [Schedule(year=2031, reference="a"), Schedule(year=2032, reference="b")]
    )
    sql = (
        f"SELECT CAST(year AS bigint), CAST(year - 2000 AS bigint) FROM {TABLE}"
        " WHERE year >= %s ORDER BY year"
    )
    table = columnar.read_ints(sql, [2031], 2)
    assert table.dtype == np.int64
    assert table.tolist() == [[2031, 31], [2032, 32]]


@pytest.mark.django_db
def test_read_ints_of_no_row_is_an_empty_table_of_the_columns() -> None:
    sql = f"SELECT CAST(year AS bigint), CAST(id AS bigint) FROM {TABLE} WHERE year < %s"
    table = columnar.read_ints(sql, [0], 2)
    assert table.shape == (0, 2) and table.dtype == np.int64


@pytest.mark.django_db
def test_read_ints_keeps_values_beyond_32_bits_and_below_zero() -> None:
    sql = "SELECT CAST(%s AS bigint), CAST(%s AS bigint), CAST(%s AS bigint)"
    assert columnar.read_ints(sql, [BIG, -BIG, 2**63 - 1], 3).tolist() == [[BIG, -BIG, 2**63 - 1]]


NULL_ROW = "SELECT CAST(1 AS bigint), CAST(NULL AS bigint)"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sql", [NULL_ROW, f"SELECT CAST(1 AS bigint), CAST(2 AS bigint) UNION ALL {NULL_ROW}"]
)
def test_read_ints_refuses_a_null_rather_than_drop_its_row(sql: str) -> None:
    with pytest.raises((TypeError, ValueError)):
        columnar.read_ints(sql, [], 2)


@pytest.mark.django_db
def test_read_ints_refuses_a_query_of_another_number_of_columns() -> None:
    # Three rows of two columns are six values: as two rows of three they would read wrong.
    sql = " UNION ALL ".join(["SELECT CAST(1 AS bigint), CAST(2 AS bigint)"] * 3)
    with pytest.raises(ValueError):
        columnar.read_ints(sql, [], 3)


@pytest.mark.django_db
@pytest.mark.postgresql  # the binary COPY path is PostgreSQL's
def test_read_ints_on_postgresql_refuses_a_column_that_is_not_bigint() -> None:
    with pytest.raises(ValueError, match="bigint"):
        columnar.read_ints("SELECT 1, CAST(2 AS bigint)", [], 2)


# --- digits -----------------------------------------------------------------------------------


def test_digits_writes_each_value_zero_padded_to_the_width() -> None:
    block = columnar.digits(ints(0, 7, 123, 9999), 4)
    assert block.dtype == np.uint8 and block.shape == (4, 4)
    assert [bytes(row) for row in block] == [b"0000", b"0007", b"0123", b"9999"]


def test_digits_takes_the_widest_int64() -> None:
    largest = np.iinfo(np.int64).max
    assert columnar.digits(ints(largest, 1), 19).tobytes() == b"%d%019d" % (largest, 1)


def test_digits_takes_narrower_integer_types() -> None:
    assert columnar.digits(np.array([5, 42], dtype=np.int32), 3).tobytes() == b"005042"


def test_digits_of_no_value_is_an_empty_block_of_the_width() -> None:
    assert columnar.digits(ints(), 12).shape == (0, 12)


@pytest.mark.parametrize("value", [-1, 1000, BIG])
def test_digits_refuses_a_value_that_does_not_fit(value: int) -> None:
    with pytest.raises(ValueError, match="does not fit in 3 digits"):
        columnar.digits(ints(1, value), 3)


def test_digits_refuses_a_width_beyond_an_int64() -> None:
    # 10**19 overflows int64: the powers of ten would wrap round and write wrong digits.
    with pytest.raises(ValueError, match="19"):
        columnar.digits(ints(5), 20)


# --- text -------------------------------------------------------------------------------------


def test_text_repeats_the_utf8_bytes_on_every_row() -> None:
    block = columnar.text("补贴", 3)
    assert block.dtype == np.uint8 and block.shape == (3, 6)
    assert all(bytes(row) == "补贴".encode() for row in block)


@pytest.mark.parametrize(("value", "rows", "shape"), [("", 4, (4, 0)), ("care", 0, (0, 4))])
def test_text_of_nothing_is_an_empty_block(value: str, rows: int, shape: tuple[int, int]) -> None:
    assert columnar.text(value, rows).shape == shape


# --- copy_text --------------------------------------------------------------------------------


def test_copy_text_joins_columns_with_tabs_and_ends_each_row_with_a_newline() -> None:
    columns = [columnar.digits(ints(1, 22), 3), columnar.text("care", 2), columnar.text("", 2)]
    assert columnar.copy_text(columns) == b"001\tcare\t\n022\tcare\t\n"


def test_copy_text_of_one_column_has_no_tab() -> None:
    assert columnar.copy_text([columnar.digits(ints(4, 5), 1)]) == b"4\n5\n"


@pytest.mark.parametrize("rows", [0, None])
def test_copy_text_of_no_row_or_no_column_is_empty(rows: int | None) -> None:
    columns = [] if rows is None else [columnar.digits(ints(), 2), columnar.text("x", 0)]
    assert columnar.copy_text(columns) == b""


def test_copy_text_refuses_columns_of_different_lengths() -> None:
    with pytest.raises(ValueError):
        columnar.copy_text([columnar.digits(ints(1, 2), 1), columnar.text("x", 3)])
