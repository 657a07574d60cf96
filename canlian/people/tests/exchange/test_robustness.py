"""Robustness of the import engine: thousands of malformed inputs, no crash, no partial write,
every rejection with a reason.

The contract of `import_persons` checked here, for any input:

* it returns an `Outcome` and never raises;
* either the file is refused with a non-empty reason, or every data row is counted
  (rows = created + updated + unchanged + rejected rows) and every problem names a data row
  of the file, a recognised column (or none) and a non-empty reason; the rejected rows are
  exactly the rows with problems;
* the file is applied only when it has no problem at all, and then completely; otherwise the
  database is exactly as before (persons, status periods, audit entries);
* a dry run reports exactly what the real run does, and writes nothing.

Hypothesis runs every example of a test inside the one transaction pytest-django opens for the
test, so each example runs in a savepoint that is rolled back (`rolled_back`): every example
starts from the same registry.
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import io
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import xlsxwriter
import xlwt
from django.db import connection, models, transaction
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from canlian.audit.models import Entry
from canlian.audit.records import verify_chain
from canlian.lib import idcard
from canlian.people.exchange import importing as imports
from canlian.people.exchange.columns import COLUMNS, match_headers, missing_columns
from canlian.people.exchange.importing import Outcome, import_persons
from canlian.people.models import Person, StatusPeriod
from canlian.people.tests.exchange.helpers import id_for, row, write_csv
from canlian.spreadsheets.reading import Cell
from canlian.spreadsheets.values import read_text

TODAY = datetime.date(2026, 11, 28)
XLSX_MAX_STRING = 32_767  # Excel's (and xlsxwriter's) longest cell text

# --- The valid file every mutation starts from ------------------------------------------------

HEADER = [
    "姓名", "公民身份号码", "性别", "出生日期", "民族", "户籍所在乡镇（街道）",
    "户籍所在村（社区）", "户籍地址", "联系电话", "监护人姓名", "监护人关系", "残疾类别",
    "残疾等级", "发证日期", "开户银行", "是否低保",
]  # fmt: skip
MINOR_BORN = datetime.date(2012, 3, 4)
FOREIGN_ID = id_for(900, region="410883")  # registered in 孟州市, outside the clerk's county


def _sex(number: str) -> str:
    return "男" if int(number[16]) % 2 else "女"


def _base_row(
    sequence: int, born: datetime.date = datetime.date(1970, 5, 17), **values: Any
) -> list[Cell]:
    number = id_for(sequence, born=born)
    cells = {
        "姓名": f"测试{sequence}",
        "公民身份号码": number,
        "性别": _sex(number),
        "出生日期": born.isoformat(),
        "民族": "汉族",
        "户籍所在乡镇（街道）": "测试一镇",
        "残疾类别": "4",
        "残疾等级": "2",
        "发证日期": "2019-03-01",
        **values,
    }
    return [cells.get(name, "") for name in HEADER]


BASE_ROWS: list[list[Cell]] = [
    # Row 2: the same as registry person 1 → unchanged.
    _base_row(1, 联系电话="13800000000"),
    # Row 3: registry person 2 with another grade → updated.
    _base_row(2, 残疾等级="一级", 联系电话="13800000000"),
    # Rows 4-7: new persons, with words, a village, a status, guardians.
    _base_row(
        3, **{"户籍所在村（社区）": "测试一村"}, 户籍地址="测试一村3号", 联系电话="0391-6123456",
        残疾类别="肢体", 残疾等级="三级", 是否低保="是",
    ),
    _base_row(4, 残疾类别="1", 残疾等级="4", 发证日期="2020年1月5日", 开户银行="农业银行"),
    _base_row(5, 残疾类别="精神", 残疾等级="贰级", 监护人姓名="测试五父", 监护人关系="父子"),
    _base_row(
        6, born=MINOR_BORN, 残疾类别="2", 监护人姓名="测试六母", 监护人关系="母女",
        发证日期="2020-06-01", 是否低保="否",
    ),
]  # fmt: skip
BASE_IDS = [str(r[1]) for r in BASE_ROWS]
N = len(BASE_ROWS)


def base_grid() -> list[list[Cell]]:
    return [list(HEADER), *(list(r) for r in BASE_ROWS)]


@pytest.fixture
def registry(county_clerk: Any, make_person: Any) -> Any:
    """Persons 1 and 2 of the file already registered (1 on dibao, 2 with a bank account),
    plus one person of 孟州市."""
    first = make_person(
        id_number=id_for(1), name="测试1", place_code="410825001000", phone="13800000000"
    )
    StatusPeriod.objects.create(person=first, kind="dibao", start=datetime.date(2020, 1, 1))
    make_person(
        id_number=id_for(2),
        name="测试2",
        place_code="410825001000",
        phone="13800000000",
        bank_account="6222021234567890123",
    )
    make_person(id_number=FOREIGN_ID, name="外县人", place_code="410883001001")
    return county_clerk


# --- Writing a grid as a file ------------------------------------------------------------------

FORMATS = ("utf-8-sig", "gb18030", "utf-16", "xlsx")


def _csv_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


class Formula(str):
    """A cell written as an xlsx formula (CSV: as its text)."""

    @property
    def text(self) -> str:
        return str(self)


def write_grid(directory: Path, grid: list[list[Cell]], fmt: str) -> Path:
    """The grid as a file; a CSV not encodable in `fmt` is written as UTF-8 with a BOM."""
    if fmt == "xlsx":
        path = directory / "upload.xlsx"
        book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
        sheet = book.add_worksheet("Sheet1")
        day = book.add_format({"num_format": "yyyy-mm-dd"})
        for r, cells in enumerate(grid):
            for c, value in enumerate(cells):
                if isinstance(value, Formula):
                    sheet.write_formula(r, c, value.text, None, 2)
                elif isinstance(value, bool):
                    sheet.write_boolean(r, c, value)
                elif isinstance(value, int | float):
                    sheet.write_number(r, c, value)
                elif isinstance(value, datetime.date):
                    sheet.write_datetime(r, c, value, day)
                elif value:
                    sheet.write_string(r, c, value)
        book.close()
        return path
    path = directory / "upload.csv"
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows([[_csv_text(v) for v in cells] for cells in grid])
    try:
        data = buffer.getvalue().encode(fmt)
    except UnicodeEncodeError:
        data = buffer.getvalue().encode("utf-8-sig")
    path.write_bytes(data)
    return path


def normalised(grid: list[list[Cell]], fmt: str) -> list[list[Cell]]:
    """The grid as the file will hold it: xlsx text is cut at Excel's limit."""
    if fmt != "xlsx":
        return [[_csv_text(v) if not isinstance(v, str) else v for v in r] for r in grid]
    return [[v[:XLSX_MAX_STRING] if isinstance(v, str) else v for v in r] for r in grid]


# --- Mutations ---------------------------------------------------------------------------------

ODD_CHARS = (
    "０１２３４５６７８９Ｘｘ－／年月日\x00\x01\x07\x08\t\n\x0b\x0c\r\x1b\x1f\x7f\x85\xa0"
    "\u200b\u200e\u202e\u2028\u3000\ufeff\ufffd😀👍🏽𠮷𪚥㐀ﾃ\u0301é٣Ⅳ,\"';=+-@_"
)
FORMULA_TEXTS = [
    "=1+1", "'=1+1", "=HYPERLINK(\"http://example.com\",\"点击\")", "'=cmd|' /C calc'!A0",
    "+8613800000000", "-1", "@SUM(A1)", "'", "=", "'+", "'-2", "'@x", "=A1*2",
]  # fmt: skip
WORDS = [
    "0", "8", "9", "-1", "4.0", "4.5", "10", "07", "04", "1e0", "肢体", "肢体残疾",
    "肢体残", "视力", "言语残", "多重", "精神残疾", "智力", "Physical", "PHYSICAL",
    "physical disability", "１", "４", "十", "五级", "贰级", "叁", "一", "1级", "四级",
    "零级", "Grade 2", "grade2", "IV", "二 级", " 2 ", "汉", "01", "57", "58", "满族", "Han",
    "汉族人", "族", "男", "女", "M", "F", "Male", "未知", "是", "否", "√", "×", "Y", "N",
    "maybe", "2", "有", "无", "true", "正常", "死亡",
]  # fmt: skip
BAD_DATES = [
    "2019-02-30", "2019-13-01", "0000-00-00", "0001-01-01", "1899-12-31", "昨天", "2019年",
    "2019-3", "99999999", "20191301", "-1", "0", "60", "2958466", "2958465", "1e5", "2019/03/01/01",
    "2019-03-01 25:61", "2019-03-01T08:00", "２０１９－０３－０１", "3/1/2019", "9999-12-31",
    "9990-01-01", "2019-03-01 08:00:00.1234567", "19700517", "2019.3.1", "2019-3-1 ",
]  # fmt: skip
long_sizes = st.sampled_from([1000, 1001, 4096, 40_000, 140_000])


def _long(piece: str, size: int) -> str:
    return (piece * size)[:size]


chars = st.one_of(st.characters(exclude_categories=("Cs",)), st.sampled_from(ODD_CHARS))
nasty_text = st.one_of(
    st.text(max_size=30),
    st.text(st.sampled_from(ODD_CHARS), min_size=1, max_size=20),
    st.sampled_from(FORMULA_TEXTS),
    st.builds(
        _long,
        st.sampled_from(["测", "a", "𠮷", "1", " ", "测试😀", "\x00"]),
        long_sizes,
    ),
)
date_values = st.one_of(
    st.sampled_from(BAD_DATES),
    st.one_of(
        st.dates(min_value=datetime.date(1, 1, 1)).map(datetime.date.isoformat),
        st.dates().map(lambda d: f"{d.year}年{d.month}月{d.day}日"),
    ).map(str),
    st.one_of(  # in the future: soon, or in the calendar's last years
        st.integers(1, 400).map(lambda d: (TODAY + datetime.timedelta(days=d)).isoformat()),
        st.dates(min_value=datetime.date(9990, 1, 1)).map(datetime.date.isoformat),
    ).map(str),
    st.one_of(  # typed cells (xlsx; CSV writes them as text)
        st.dates(min_value=datetime.date(1900, 3, 1)),
        st.datetimes(min_value=datetime.datetime(1900, 3, 1)),
        st.floats(-1e6, 1e7, allow_nan=False),
        st.integers(-100, 99_999_999),
    ).map(lambda value: value),
)
cell_values = st.one_of(
    nasty_text,
    st.sampled_from(WORDS),
    date_values,
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
)
HEADER_NAMES = sorted(
    {name for column in COLUMNS for name in (column.header, *column.aliases)}
    | {
        "备注",
        "序号",
        "",
        "  ",
        "姓名*",
        "（姓名）",
        "Name ",
        "NAME",
        "残疾类别(代码)",
        "身份证号\n",
    }
)
header_names = st.one_of(st.sampled_from(HEADER_NAMES), nasty_text)
ID_KINDS = [
    "check", "old15", "sci", "sci_full", "float", "int", "000", "wide", "spaced", "lower_x",
    "row1", "existing2", "foreign", "minor", "unborn", "region0", "short", "long", "quote",
    "born1800", "feb30",
]  # fmt: skip
WORD_COLUMNS = ["残疾类别", "残疾等级", "民族", "性别", "是否低保"]
DATE_COLUMNS = ["发证日期", "出生日期"]
TEXT_COLUMNS = [
    "姓名", "户籍地址", "联系电话", "监护人姓名", "监护人关系", "开户银行", "户籍所在乡镇（街道）",
    "户籍所在村（社区）",
]  # fmt: skip
ID_X = next(id_for(n) for n in range(100, 999) if id_for(n).endswith("X"))
_ID_RE = re.compile(r"[0-9]{17}[0-9X]")
_WIDE = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")

PLACE_CODES = [
    "410825001001", "410825001000", "410825002000", "410883001001", "410825000000",
    "410800000000", "4108250010011", "41082500100", "", "410825001999",
]  # fmt: skip
flags = st.sampled_from(["是", "否", "", "√", "×", "Y", "N", "1", "0", "maybe", "是否"])
phones = st.one_of(
    st.from_regex(r"1[0-9]{10}|0[0-9]{2,3}-?[0-9]{7,8}", fullmatch=True),
    st.sampled_from(["１３８００００００００", "1٣٨٠٠٠٠٠٠٠٠", "138-0000-0000", "+8613800000000"]),
    nasty_text,
)
# Optional columns a mutation may add, with values of the kind offices put in them.
OPTIONAL_COLUMNS: dict[str, st.SearchStrategy[Cell]] = {
    "残疾人证号": st.one_of(
        st.sampled_from([f"{number}42" for number in BASE_IDS] + [BASE_IDS[0], BASE_IDS[0] + "4"]),
        nasty_text,
    ),
    "有效期至": date_values,
    "人员状态": st.sampled_from(
        ["正常", "死亡", "迁出", "残疾人证注销", "注销", "已故", "", "活着"]
    ),
    "状态变更日期": date_values,
    "银行账号": st.one_of(
        st.from_regex(r"[0-9]{10,32}", fullmatch=True),
        st.sampled_from(
            ["６２２２０２１２３４５６７８９０", "٦٢٢٢٠٢١٢٣٤٥٦٧٨٩٠", "6222 0212 3456 7890"]
        ),
        nasty_text,
    ),
    "户籍地行政区划代码": st.sampled_from(PLACE_CODES),
    "县（市、区）": st.sampled_from(["温县", "孟州市", "", "不存在县", "温 县"]),
    "是否特困": flags,
    "是否建档立卡": flags,
    "是否低保边缘": flags,
    "监护人电话": phones,
}
PLACE_NAMES = ["测试一镇", "测试二镇", "测试三镇", "测试一村", "测试三村", "温县", "", "测试 一镇"]

index = st.integers(0, 255)
# The kinds of mutation, in four groups that are each drawn about as often.
cell_edits = st.one_of(
    st.tuples(st.just("delete_char"), index, index, index),
    st.tuples(st.just("insert_char"), index, index, index, chars),
    st.tuples(st.just("replace_char"), index, index, index, chars),
    st.tuples(st.just("replace_cell"), index, index, cell_values),
    st.tuples(st.just("blank_cell"), index, index),
    st.tuples(st.just("swap"), index, index, index, index),
    st.tuples(st.just("formula"), index, index, st.sampled_from(["=1+1", "=A1*2"])),
)
row_edits = st.one_of(
    st.tuples(st.just("dup_row"), index),
    st.tuples(st.just("delete_row"), index),
    st.tuples(st.just("blank_row"), index),
    st.tuples(st.just("title_row"), nasty_text),
)
column_edits = st.one_of(
    st.tuples(st.just("drop_col"), index),
    st.tuples(st.just("drop_header_cell"), index),
    st.tuples(
        st.just("add_col"), index, header_names, st.lists(cell_values, min_size=1, max_size=3)
    ),
    st.tuples(st.just("rename_header"), index, header_names),
    *(
        st.tuples(
            st.just("add_col"), index, st.just(name), st.lists(values, min_size=1, max_size=4)
        )
        for name, values in OPTIONAL_COLUMNS.items()
    ),
)
value_edits = st.one_of(
    st.tuples(st.just("date"), index, st.sampled_from(DATE_COLUMNS), date_values),
    st.tuples(st.just("id"), index, st.sampled_from(ID_KINDS)),
    st.tuples(st.just("word"), index, st.sampled_from(WORD_COLUMNS), st.sampled_from(WORDS)),
    st.tuples(st.just("text"), index, st.sampled_from(TEXT_COLUMNS), nasty_text),
    st.tuples(
        st.just("word"),
        index,
        st.sampled_from(["户籍所在乡镇（街道）", "户籍所在村（社区）"]),
        st.sampled_from(PLACE_NAMES),
    ),
    st.tuples(st.just("word"), index, st.just("联系电话"), phones),
    st.tuples(st.just("word"), index, st.just("是否低保"), flags),
)
# (`map` keeps one_of from flattening the groups into one list of ~30 equally likely choices.)
mutation = st.one_of(
    *(group.map(tuple) for group in (cell_edits, row_edits, column_edits, value_edits))
)


def _mutated_id(current: Cell, kind: str, seed: int) -> Cell:
    text = read_text(current)
    number = text if _ID_RE.fullmatch(text) else id_for(50 + seed % 40)
    first17 = number[:17]
    others = {
        "check": first17 + next(c for c in "0123456789X" if c != number[17]),
        "old15": number[:6] + number[8:17],
        "sci": f"{float(first17 + '0'):.5E}",
        "sci_full": f"{float(first17 + '0'):.14E}",
        "float": float(first17 + "0"),
        "int": int(first17 + "0"),
        "000": number[:15] + "000",
        "wide": number.translate(_WIDE),
        "spaced": f" {number[:6]} {number[6:14]}\t{number[14:]} ",
        "lower_x": ID_X.lower(),
        "row1": BASE_IDS[0],
        "existing2": BASE_IDS[1],
        "foreign": FOREIGN_ID,
        "minor": id_for(60 + seed % 40, born=datetime.date(2015, 1, 2)),
        "unborn": id_for(60 + seed % 40, born=TODAY + datetime.timedelta(days=30)),
        "region0": id_for(60 + seed % 40, region="000000"),
        "short": number[:-1],
        "long": number + "0",
        "quote": "'" + number,
        "born1800": id_for(60 + seed % 40, born=datetime.date(1800, 1, 1)),
        "feb30": "41082519700230001" + idcard.check_char("41082519700230001"),
    }
    return others[kind]


def _column(grid: list[list[Cell]], name: str) -> tuple[int, int] | None:
    """(row, column) of the first cell named `name` in the top rows: the header."""
    for r, cells in enumerate(grid[: imports.HEADER_SEARCH_ROWS]):
        texts = [read_text(v) for v in cells]
        if name in texts:
            return r, texts.index(name)
    return None


def _set(grid: list[list[Cell]], r: int, c: int, value: Cell) -> None:
    cells = grid[r]
    cells.extend([None] * (c + 1 - len(cells)))
    cells[c] = value


def apply_mutation(grid: list[list[Cell]], op: tuple[Any, ...]) -> None:
    """Change `grid` (header first) in place; positions are taken modulo its size."""
    kind, *args = op
    width = max(len(r) for r in grid)
    data = len(grid) - 1  # rows below the first one

    def data_row(n: int) -> int | None:
        return 1 + n % data if data else None

    if kind in ("delete_char", "insert_char", "replace_char", "replace_cell", "blank_cell"):
        r = data_row(args[0])
        if r is None:
            return
        c = args[1] % width
        text = _csv_text(grid[r][c]) if c < len(grid[r]) else ""
        if kind == "replace_cell":
            _set(grid, r, c, args[2])
        elif kind == "blank_cell":
            _set(grid, r, c, None)
        elif kind == "insert_char":
            at = args[2] % (len(text) + 1)
            _set(grid, r, c, text[:at] + args[3] + text[at:])
        elif text:
            at = args[2] % len(text)
            extra = args[3] if kind == "replace_char" else ""
            _set(grid, r, c, text[:at] + extra + text[at + 1 :])
    elif kind == "swap":
        r1, r2 = args[0] % len(grid), args[2] % len(grid)
        c1, c2 = args[1] % width, args[3] % width
        first = grid[r1][c1] if c1 < len(grid[r1]) else None
        second = grid[r2][c2] if c2 < len(grid[r2]) else None
        _set(grid, r1, c1, second)
        _set(grid, r2, c2, first)
    elif kind in ("dup_row", "delete_row", "blank_row"):
        r = data_row(args[0])
        if r is None:
            return
        if kind == "dup_row":
            grid.insert(r + 1, list(grid[r]))
        elif kind == "delete_row":
            del grid[r]
        else:
            grid[r] = [None] * len(grid[r])
    elif kind == "drop_col":
        c = args[0] % width
        for cells in grid:
            if c < len(cells):
                del cells[c]
        if not any(grid[0]):
            grid[0] = ["备注"]  # keep a first row so that positions stay meaningful
    elif kind == "drop_header_cell":  # the headers after it shift left, over other data
        c = args[0] % width
        if c < len(grid[0]) and len(grid[0]) > 1:
            del grid[0][c]
    elif kind == "add_col":
        c, name, values = args[0] % (width + 1), args[1], args[2]
        for r, cells in enumerate(grid):
            cells.extend([None] * (c - len(cells)))
            cells.insert(c, name if r == 0 else values[r % len(values)])
    elif kind == "rename_header":
        _set(grid, 0, args[0] % width, args[1])
    elif kind == "title_row":
        grid.insert(0, [args[0]])
    elif kind in ("date", "word", "text", "id"):
        found = _column(grid, "公民身份号码" if kind == "id" else args[1])
        if found is None or found[0] + 1 >= len(grid):
            return
        r = found[0] + 1 + args[0] % (len(grid) - found[0] - 1)
        c = found[1]
        if kind == "id":
            current = grid[r][c] if c < len(grid[r]) else None
            _set(grid, r, c, _mutated_id(current, args[1], r))
        else:
            _set(grid, r, c, args[2])
    elif kind == "formula":
        r = data_row(args[0])
        if r is not None:
            _set(grid, r, args[1] % width, Formula(args[2]))
    else:  # pragma: no cover
        raise AssertionError(kind)


mutations = st.lists(mutation, min_size=1, max_size=6)
formats = st.sampled_from(FORMATS)
chunks = st.sampled_from([imports.CHUNK_ROWS, 1, 2, 3])  # rows the engine checks at a time


def mutated_grid(ops: list[tuple[Any, ...]], fmt: str) -> list[list[Cell]]:
    """The base file after `ops`, as a file of `fmt` will hold it. Hypothesis draws the
    operations, not the grid, so that a failing example prints short."""
    grid = base_grid()
    for op in ops:
        apply_mutation(grid, op)
    return normalised(grid, fmt)


# --- The contract ------------------------------------------------------------------------------


class _Discard(Exception):
    """Raised at the end of an example to roll its savepoint back."""


@contextlib.contextmanager
def rolled_back() -> Iterator[None]:
    """Run the block in a savepoint that is always rolled back."""
    try:
        with transaction.atomic():
            yield
            raise _Discard
    except _Discard:
        pass


def run(path: Path, user: Any, *, dry_run: bool = False, filename: str = "") -> Outcome:
    return import_persons(
        path, filename=filename or path.name, acting_user=user, dry_run=dry_run, today=TODAY
    )


def db_state() -> tuple[Any, ...]:
    """(persons, their main columns, status periods, audit entries), read with plain SQL: it
    runs twice per example."""
    table = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_number_index, name, phone_cipher, grade, category, place_id, updated_at "
            f"FROM {table(Person._meta.db_table)} ORDER BY id"
        )
        persons = tuple(tuple(values) for values in cursor.fetchall())
        cursor.execute(
            f"SELECT (SELECT COUNT(*) FROM {table(StatusPeriod._meta.db_table)}), "
            f"(SELECT COUNT(*) FROM {table(Entry._meta.db_table)})"
        )
        periods, entries = cursor.fetchone()
    return len(persons), persons, periods, entries


def _blank(value: Cell) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def expected_layout(grid: list[list[Cell]]) -> tuple[int | None, dict[str, int], list[int]]:
    """(header row number or None, its columns, numbers of the non-blank rows below it), as a
    spreadsheet program numbers rows: the engine must find the same header and data rows."""
    filled = [(n, cells) for n, cells in enumerate(grid, start=1) if not all(map(_blank, cells))]
    for number, cells in filled[: imports.HEADER_SEARCH_ROWS]:
        found, _unknown = match_headers([read_text(c) for c in cells])
        if len(found) >= 3:
            return number, found, [n for n, _c in filled if n > number]
    return None, {}, []


def _letter_index(letters: str) -> int:
    value = 0
    for letter in letters:
        value = value * 26 + ord(letter) - 64
    return value - 1


_LETTER_LABEL = re.compile(r"([A-Z]{1,3}) (.+)", re.DOTALL)
_HEADERS = {c.header for c in COLUMNS}
_SENSITIVE_KEYS = {c.key for c in COLUMNS if c.sensitive}


def _csv_lines(grid: list[list[Cell]]) -> list[str]:
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows([[_csv_text(v) for v in cells] for cells in grid])
    return re.split(r"\r\n|\r|\n", buffer.getvalue())


def reading_may_refuse(grid: list[list[Cell]], fmt: str) -> bool:
    """Whether the reading layer may refuse the file as a whole before checking its rows:
    formulas in a workbook; in a CSV a NUL character, a cell over the csv module's limit, a
    first line that looks tab-separated, or text that starts like an XML or HTML file."""
    cells = [v for row in grid for v in row]
    if fmt == "xlsx":
        return any(isinstance(v, Formula) for v in cells)
    texts = [_csv_text(v) for v in cells]
    if any("\x00" in t or len(t) > csv.field_size_limit() for t in texts):
        return True
    first = next((line for line in _csv_lines(grid) if line.strip()), "")
    return ("\t" in first and "," not in first) or first.lstrip().startswith("<")


def check_contract(outcome: Outcome, grid: list[list[Cell]], fmt: str) -> None:
    """The invariants of any outcome, for the grid the file was written from."""
    assert isinstance(outcome, Outcome)
    header_row, mapping, data_rows = expected_layout(grid)
    missing = missing_columns(mapping) if header_row is not None else []
    must_refuse = header_row is None or bool(missing) or not data_rows
    if not must_refuse and not reading_may_refuse(grid, fmt):
        assert not outcome.refused, outcome.refused
    if outcome.refused or must_refuse:
        assert isinstance(outcome.refused, str) and outcome.refused.strip(), outcome
        assert not outcome.applied
        if missing and not reading_may_refuse(grid, fmt):
            assert all(name in outcome.refused for name in missing), (missing, outcome.refused)
        return
    counted = outcome.created + outcome.updated + outcome.unchanged + outcome.rejected_rows
    assert outcome.rows == counted == len(data_rows), (outcome.counts(), data_rows)
    assert outcome.problem_count == len(outcome.problems)
    assert outcome.rejected_rows == len({p.row for p in outcome.problems})
    assert outcome.clean == (outcome.problem_count == 0)
    assert outcome.applied == (outcome.clean and not outcome.dry_run)
    header = grid[header_row - 1]
    for problem in outcome.problems:
        assert problem.row >= 2 and problem.row in data_rows, problem
        assert isinstance(problem.reason, str) and problem.reason.strip(), problem
        for number in BASE_IDS:
            assert number not in problem.reason
        labelled = _LETTER_LABEL.fullmatch(problem.column)
        if labelled:
            position = _letter_index(labelled[1])
            assert position < len(header), problem
            text = read_text(header[position])
            assert labelled[2] == text, (problem, text)
            keys = match_headers([text])[0]
            assert keys, problem  # a problem is only ever about a recognised column
            if set(keys) & _SENSITIVE_KEYS:
                assert not re.search(r"\d{5}", problem.value), problem  # masked
        else:
            assert problem.column in _HEADERS | {""}, problem


def _string_lengths_fit() -> None:
    """Every text stored for a person fits its column (PostgreSQL enforces max_length)."""
    fields = [
        f for f in Person._meta.concrete_fields if isinstance(f, models.CharField) and f.max_length
    ]
    for values in Person.objects.values_list(*(f.attname for f in fields)):
        for field, value in zip(fields, values, strict=True):
            assert len(value) <= field.max_length, (field.name, len(value), value[:80])


def describe(outcome: Outcome) -> str:
    """How an example ended, for `--hypothesis-show-statistics`."""
    if outcome.refused:
        return "refused"
    return "applied" if outcome.applied else "rows rejected" if outcome.rejected_rows else "clean"


def check_database(outcome: Outcome, before: tuple[Any, ...]) -> None:
    """Nothing written unless applied; all of it, audited, when applied."""
    after = db_state()
    if not outcome.applied:
        assert after == before
        return
    assert outcome.clean and not outcome.dry_run
    assert after[0] == before[0] + outcome.created
    assert after[2] >= before[2]
    changed = sum(1 for old in before[1] if old not in after[1])
    assert changed <= outcome.updated  # only updated persons' rows change
    new_entries = Entry.objects.order_by("-id")[: after[3] - before[3]]
    actions = [e.action for e in new_entries]
    assert actions.count("person.import") == 1
    assert actions.count("person.create") == outcome.created
    assert actions.count("person.update") <= outcome.updated
    summary = next(e for e in new_entries if e.action == "person.import")
    assert {k: summary.detail[k] for k in outcome.counts()} == outcome.counts()
    assert verify_chain()[1] is None
    _string_lengths_fit()


HYPOTHESIS = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}


# --- Baseline: the unmutated file does what the mutations start from ----------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_unmutated_file_creates_updates_and_keeps(registry, tmp_path, fmt):
    grid = normalised(base_grid(), fmt)
    path = write_grid(tmp_path, grid, fmt)
    before = db_state()
    outcome = run(path, registry)
    assert outcome.problems == [] and not outcome.refused
    assert outcome.counts() == {
        "rows": N, "created": N - 2, "updated": 1, "unchanged": 1, "rejected_rows": 0
    }  # fmt: skip
    check_contract(outcome, grid, fmt)
    check_database(outcome, before)
    assert StatusPeriod.objects.count() == before[2] + 1  # 是否低保 = 是 on row 4


# --- 1. Mutations: no crash, no partial write, every rejection with a reason ---------------------


# Contract violations found by this test, kept as examples so that every run tries them.
FOUND = [
    [("date", 0, "发证日期", "9999-12-31")],  # an uncaught ValueError (year 10009)
    [("text", 0, "户籍地址", "长" * 201)],  # written although 户籍地址 holds 200 characters
]


@settings(max_examples=300, **HYPOTHESIS)
@given(ops=mutations, fmt=formats, chunk=chunks)
@example(ops=FOUND[0], fmt="utf-8-sig", chunk=imports.CHUNK_ROWS)
@example(ops=FOUND[1], fmt="xlsx", chunk=imports.CHUNK_ROWS)
def test_a_mutated_file_is_applied_whole_or_not_at_all(registry, tmp_path, ops, fmt, chunk):
    """Also with chunks of a few rows: a chunk written before a later one's problem must be
    rolled back too."""
    grid = mutated_grid(ops, fmt)
    with rolled_back(), mock.patch.object(imports, "CHUNK_ROWS", chunk):
        path = write_grid(tmp_path, grid, fmt)
        before = db_state()
        outcome = run(path, registry)
        event(f"{fmt}: {describe(outcome)}")
        check_contract(outcome, grid, fmt)
        check_database(outcome, before)


# --- 2. A dry run reports exactly what the real run does -----------------------------------------


@settings(max_examples=150, **HYPOTHESIS)
@given(ops=mutations, fmt=formats, chunk=chunks)
@example(ops=FOUND[0], fmt="xlsx", chunk=2)
@example(ops=FOUND[1], fmt="utf-8-sig", chunk=2)
def test_a_dry_run_reports_what_the_real_run_does_and_writes_nothing(
    registry, tmp_path, ops, fmt, chunk
):
    grid = mutated_grid(ops, fmt)
    with rolled_back(), mock.patch.object(imports, "CHUNK_ROWS", chunk):
        path = write_grid(tmp_path, grid, fmt)
        before = db_state()
        dry = run(path, registry, dry_run=True)
        assert db_state() == before
        assert dry.dry_run and not dry.applied
        check_contract(dry, grid, fmt)
        real = run(path, registry)
        event(describe(real))
        check_database(real, before)
        assert (dry.refused, dry.counts(), dry.problem_count) == (
            real.refused, real.counts(), real.problem_count
        )  # fmt: skip
        assert [(p.row, p.column, p.value, p.reason) for p in dry.problems] == [
            (p.row, p.column, p.value, p.reason) for p in real.problems
        ]
        assert dry.changes == real.changes
        assert dry.ignored_columns == real.ignored_columns
        assert real.applied == dry.clean


# --- 3. Raw bytes: refused or read, never a crash, never a write -------------------------------


def _valid_bytes(fmt: str) -> bytes:
    with tempfile.TemporaryDirectory(prefix="canlian-fuzz-") as folder:
        return write_grid(Path(folder), normalised(base_grid(), fmt), fmt).read_bytes()


def _valid_xls() -> bytes:
    workbook = xlwt.Workbook(encoding="utf-8")
    sheet = workbook.add_sheet("Sheet1")
    for r, cells in enumerate(base_grid()):
        for c, value in enumerate(cells):
            if value:
                sheet.write(r, c, value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


VALID_XLSX = _valid_bytes("xlsx")
VALID_CSV = _valid_bytes("utf-8-sig")
VALID_XLS = _valid_xls()
EXTENSIONS = [".xlsx", ".csv", ".xls", ".ods", ".txt", ".XLSX"]


@st.composite
def damaged(draw: st.DrawFn, data: bytes) -> bytes:
    """`data` with a few bytes replaced, then cut short."""
    damaged_data = bytearray(data)
    for _ in range(draw(st.integers(0, 8))):
        damaged_data[draw(st.integers(0, len(damaged_data) - 1))] = draw(st.integers(0, 255))
    return bytes(damaged_data[: draw(st.integers(1, len(damaged_data)))])


ASCII_POSITIONS = [i for i, byte in enumerate(VALID_CSV) if byte < 0x80]


@st.composite
def damaged_text(draw: st.DrawFn) -> bytes:
    """The valid CSV with ASCII bytes replaced by ASCII bytes (quotes, commas, line breaks,
    digits...): still UTF-8, so the rows are read and checked."""
    data = bytearray(VALID_CSV)
    for _ in range(draw(st.integers(1, 8))):
        position = draw(st.sampled_from(ASCII_POSITIONS))
        data[position] = draw(st.sampled_from(b"\",\r\n\t 0123456789X-='ab"))
    return bytes(data)


raw_files = st.one_of(
    st.binary(min_size=0, max_size=3000),
    st.sampled_from(
        [b"PK\x03\x04", bytes.fromhex("D0CF11E0A1B11AE1"), b"\xff\xfe", b"\xef\xbb\xbf", b"%PDF"]
    ).flatmap(lambda magic: st.binary(max_size=2000).map(lambda rest: magic + rest)),
    damaged(VALID_XLSX),
    damaged(VALID_XLS),
    damaged(VALID_CSV),
    damaged_text(),
    st.integers(1, len(VALID_XLSX) - 1).map(lambda n: VALID_XLSX[:n]),
)


@settings(max_examples=500, **HYPOTHESIS)
@given(data=raw_files, extension=st.sampled_from(EXTENSIONS), dry_run=st.booleans())
def test_any_bytes_give_an_outcome_and_never_a_partial_write(
    registry, tmp_path, data, extension, dry_run
):
    with rolled_back():
        path = tmp_path / "upload.bin"
        path.write_bytes(data)
        before = db_state()
        outcome = run(path, registry, dry_run=dry_run, filename=f"花名册{extension}")
        event(describe(outcome))
        assert isinstance(outcome, Outcome)
        if outcome.refused:
            assert outcome.refused.strip() and not outcome.applied
        else:
            counted = outcome.created + outcome.updated + outcome.unchanged + outcome.rejected_rows
            assert outcome.rows == counted >= 1
            assert outcome.rejected_rows == len({p.row for p in outcome.problems})
            assert all(p.row >= 2 and p.reason.strip() for p in outcome.problems)
            assert outcome.applied == (outcome.clean and not dry_run)
        check_database(outcome, before)


def test_random_bytes_named_as_spreadsheets_are_refused(registry, tmp_path):
    """The fuzzing above must not pass merely because everything is accepted."""
    path = tmp_path / "x.bin"
    before = db_state()
    for extension in (".xlsx", ".xls", ".ods", ".csv"):
        path.write_bytes(bytes(range(256)) * 4)
        assert run(path, registry, filename=f"x{extension}").refused
    path.write_bytes(VALID_XLSX[: len(VALID_XLSX) // 2])
    assert run(path, registry, filename="x.xlsx").refused
    path.write_bytes(VALID_XLSX)
    assert run(path, registry, filename="x.csv").refused  # a workbook named .csv
    assert db_state() == before


# --- 4. Importing the same file twice changes nothing the second time ---------------------------


@pytest.mark.parametrize("fmt", ["xlsx", "utf-8-sig", "gb18030"])
def test_the_same_file_imported_twice_is_unchanged_the_second_time(county_clerk, tmp_path, fmt):
    grid = normalised(base_grid(), fmt)
    path = write_grid(tmp_path, grid, fmt)
    first = run(path, county_clerk)
    assert first.applied and first.counts() == {
        "rows": N, "created": N, "updated": 0, "unchanged": 0, "rejected_rows": 0
    }  # fmt: skip
    assert Person.objects.count() == N
    after_first = db_state()
    assert after_first[2] == 1  # the one 是否低保 = 是

    second = run(path, county_clerk)
    assert second.counts() == {
        "rows": N, "created": 0, "updated": 0, "unchanged": N, "rejected_rows": 0
    }  # fmt: skip
    assert second.applied and second.problems == [] and second.changes == []
    persons, periods, entries = after_first[1], after_first[2], after_first[3]
    assert db_state() == (N, persons, periods, entries + 1)  # only the import's summary
    assert Entry.objects.order_by("-id").first().action == "person.import"

    third = run(path, county_clerk, dry_run=True)
    assert third.counts() == second.counts() and not third.applied
    assert db_state() == (N, persons, periods, entries + 1)
    assert verify_chain()[1] is None


# --- Minimal cases of contract violations the properties above found ----------------------------


@pytest.mark.parametrize("dry_run", [True, False])
@pytest.mark.parametrize("issued", ["9990-01-01", "9999-12-31"])
def test_an_issue_date_in_the_calendars_last_decade_is_a_problem_not_a_crash(
    county_clerk, tmp_path, dry_run, issued
):
    """Ten years after the issue date (the default expiry) is past 9999-12-31."""
    path = write_csv(tmp_path / "late.csv", [row(1, 发证日期=issued)])
    outcome = run(path, county_clerk, dry_run=dry_run)
    assert outcome.rejected_rows == 1 and not outcome.applied
    assert {p.row for p in outcome.problems} == {2}
    assert "G 发证日期" in {p.column for p in outcome.problems}
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    ("header", "longest"),
    [("户籍地址", 200), ("监护人姓名", 64), ("监护人关系", 32), ("开户银行", 64)],
)
def test_text_longer_than_its_registry_field_is_a_problem_and_nothing_is_written(
    county_clerk, tmp_path, header, longest
):
    path = write_csv(tmp_path / "long.csv", [row(1, **{header: "长" * (longest + 1)})])
    outcome = run(path, county_clerk)
    assert outcome.rejected_rows == 1 and not outcome.applied
    assert any(p.row == 2 and p.column.endswith(header) for p in outcome.problems)
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    ("header", "longest"),
    [("户籍地址", 200), ("监护人姓名", 64), ("监护人关系", 32), ("开户银行", 64)],
)
def test_text_as_long_as_its_registry_field_is_imported(county_clerk, tmp_path, header, longest):
    path = write_csv(tmp_path / "long.csv", [row(1, **{header: "长" * longest})])
    outcome = run(path, county_clerk)
    assert outcome.applied, outcome.problems
    _string_lengths_fit()
