"""Opening uploaded spreadsheets: what is read, and every way a file is refused."""

from __future__ import annotations

import contextlib
import datetime
import io
import struct
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
import xlwt
from django.utils import translation
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from canlian.spreadsheets.reading import FileRefused, Limits, cell_date, cell_text, open_table

SMALL = Limits(max_bytes=5 * 1024 * 1024, max_uncompressed=64 * 1024 * 1024, max_ratio=200)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are asserted in English, whatever translations are added later."""
    with translation.override("en"):
        yield


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def read(path: Path, filename: str | None = None, limits: Limits = SMALL) -> list[Any]:
    table = open_table(path, filename=filename or path.name, limits=limits)
    return list(table.rows())


def refusal(path: Path, filename: str | None = None, limits: Limits = SMALL) -> str:
    with pytest.raises(FileRefused) as caught:
        read(path, filename, limits)
    return caught.value.message


# --- Building files --------------------------------------------------------------------------


def xlsx_bytes(build: Callable[[Any], None]) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    build(workbook)
    workbook.close()
    return buffer.getvalue()


def xls_bytes(build: Callable[[Any], None]) -> bytes:
    workbook = xlwt.Workbook(encoding="utf-8")
    build(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def zip_bytes(members: dict[str, bytes | str], *, stored: tuple[str, ...] = ()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            method = zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=method)
    return buffer.getvalue()


ODS_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
 manifest:version="1.2">
 <manifest:file-entry manifest:full-path="/"
  manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
 {extra}
</manifest:manifest>"""


def ods_bytes(tables: str, *, manifest_extra: str = "") -> bytes:
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f"<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    return zip_bytes(
        {
            "mimetype": "application/vnd.oasis.opendocument.spreadsheet",
            "META-INF/manifest.xml": ODS_MANIFEST.format(extra=manifest_extra),
            "content.xml": content,
        },
        stored=("mimetype",),
    )


def ods_text(text: str, repeat: int = 1) -> str:
    return (
        f'<table:table-cell table:number-columns-repeated="{repeat}"'
        f' office:value-type="string"><text:p>{text}</text:p></table:table-cell>'
    )


def ods_number(value: float) -> str:
    return (
        f'<table:table-cell office:value-type="float" office:value="{value}">'
        f"<text:p>{value}</text:p></table:table-cell>"
    )


ODS_EMPTY = "<table:table-cell/>"

XLSX_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
XLSX_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def handmade_xlsx(
    sheet_data: str,
    *,
    prefix: str = "",
    extra: dict[str, str] | None = None,
    part: str = "xl/worksheets/s1.xml",
    target: str = "worksheets/s1.xml",
    workbook: str = "xl/workbook.xml",
) -> bytes:
    """The smallest .xlsx calamine reads: a workbook (which the package's relationships call
    `workbook`) with one sheet holding `sheet_data`, stored in `part`, which
    xl/_rels/workbook.xml.rels names as `target`."""
    p = f"{prefix}:" if prefix else ""
    xmlns = f'xmlns{":" + prefix if prefix else ""}="{XLSX_MAIN}"'
    members = {
        "_rels/.rels": (
            '<?xml version="1.0"?><Relationships '
            'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{XLSX_RELS}/officeDocument" Target="{workbook}"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0"?><{p}workbook {xmlns} xmlns:r="{XLSX_RELS}"><{p}sheets>'
            f'<{p}sheet name="名单" sheetId="1" r:id="rId1"/></{p}sheets></{p}workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0"?><Relationships '
            'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{XLSX_RELS}/worksheet" Target="{target}"/>'
            "</Relationships>"
        ),
        part: (
            f'<?xml version="1.0"?><{p}worksheet {xmlns}><{p}sheetData>{sheet_data}'
            f"</{p}sheetData></{p}worksheet>"
        ),
    }
    members.update(extra or {})
    return zip_bytes(dict(members))


SECTOR = 512
FREE, END, FAT_SECTOR, NO_STREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def ole_bytes(streams: dict[str, bytes]) -> bytes:
    """A compound (OLE2) file holding up to three streams, as Office writes its files.

    Every stream is padded to 4,096 bytes or more so that it lives in ordinary sectors."""
    assert len(streams) <= 3
    padded = [
        data.ljust(max(4096, -(-len(data) // SECTOR) * SECTOR), b"\0") for data in streams.values()
    ]
    fat = [FAT_SECTOR, END]
    starts = []
    for data in padded:
        starts.append(len(fat))
        count = len(data) // SECTOR
        fat += [len(fat) + i + 1 for i in range(count - 1)] + [END]
    assert len(fat) <= SECTOR // 4
    fat += [FREE] * (SECTOR // 4 - len(fat))
    entries = [
        directory_entry("Root Entry", 5, child=1 if streams else NO_STREAM, start=END, size=0)
    ]
    for index, (name, start) in enumerate(zip(streams, starts, strict=True), start=1):
        right = index + 1 if index < len(streams) else NO_STREAM
        entries.append(
            directory_entry(name, 2, right=right, start=start, size=len(padded[index - 1]))
        )
    while len(entries) < 4:
        entries.append(
            b"\0" * 64
            + struct.pack("<HBB3I", 0, 0, 0, NO_STREAM, NO_STREAM, NO_STREAM)
            + b"\0" * 48
        )
    header = (
        bytes.fromhex("D0CF11E0A1B11AE1")
        + b"\0" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\0" * 6
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, END, 0, END, 0)
        + struct.pack("<109I", 0, *([FREE] * 108))
    )
    assert len(header) == SECTOR
    return header + struct.pack(f"<{SECTOR // 4}I", *fat) + b"".join(entries) + b"".join(padded)


def directory_entry(
    name: str, kind: int, *, child: int = NO_STREAM, right: int = NO_STREAM, start: int, size: int
) -> bytes:
    encoded = (name + "\0").encode("utf-16-le")
    return (
        encoded.ljust(64, b"\0")
        + struct.pack("<HBB3I", len(encoded), kind, 1, NO_STREAM, right, child)
        + b"\0" * 16  # CLSID
        + b"\0" * 4  # state bits
        + b"\0" * 16  # creation and modification times
        + struct.pack("<IQ", start, size)
    )


def biff(kind: int, data: bytes = b"") -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


def biff8_workbook(*sheet_records: bytes, globals_records: bytes = b"", misplace: int = 0) -> bytes:
    """A Workbook stream with one sheet named “数据” holding `sheet_records`; its BOUNDSHEET
    record gives the sheet's offset `misplace` bytes too far."""
    bof = biff(0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0, 0, 0, 0))
    name = "数据".encode("utf-16-le")
    sheet_at = len(bof) + 4 + 8 + len(name) + len(globals_records) + 4 + misplace
    boundsheet = biff(0x0085, struct.pack("<IBBBB", sheet_at, 0, 0, 2, 1) + name)
    sheet_bof = biff(0x0809, struct.pack("<HHHHII", 0x0600, 0x0010, 0, 0, 0, 0))
    sheet = sheet_bof + b"".join(sheet_records) + biff(0x000A)
    return bof + boundsheet + globals_records + biff(0x000A) + sheet


def number_record(row: int, col: int, value: float = 1.0) -> bytes:
    return biff(0x0203, struct.pack("<HHHd", row, col, 0, value))


# --- Spreadsheets that are read --------------------------------------------------------------


def people_workbook(workbook: Any) -> None:
    hidden = workbook.add_worksheet("隐藏")
    hidden.write("A1", "not this one")
    sheet = workbook.add_worksheet("名单")
    sheet.activate()
    hidden.hide()
    date = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row("C3", ["姓名", "身份证号", "出生日期", "人数"])
    sheet.write_row("C5", ["王建国", "410825197005170123"])
    sheet.write_datetime("E5", datetime.datetime(1970, 5, 17), date)
    sheet.write_number("F5", 4)
    sheet.write("C6", "  ")  # whitespace only: a blank row
    sheet.write_number("D7", 410825199001011234)
    sheet.write_boolean("F7", True)
    sheet.write_blank("H7", None, date)  # formatted but empty: trimmed


def test_an_xlsx_file_yields_the_first_visible_sheet_with_real_row_numbers_and_columns(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, "名单.xlsx", xlsx_bytes(people_workbook))
    table = open_table(path, filename="名单.XLSX", limits=SMALL)
    assert (table.kind, table.sheet_name, table.encoding) == ("xlsx", "名单", None)
    assert list(table.rows()) == [
        (3, [None, None, "姓名", "身份证号", "出生日期", "人数"]),
        (5, [None, None, "王建国", "410825197005170123", datetime.date(1970, 5, 17), 4.0]),
        (7, [None, None, None, 4.108251990010113e17, None, True]),
    ]


def test_rows_can_be_read_again_from_the_top(tmp_path: Path) -> None:
    table = open_table(write(tmp_path, "a.xlsx", xlsx_bytes(people_workbook)), filename="a.xlsx")
    assert list(table.rows()) == list(table.rows())
    assert next(iter(table.rows()))[0] == 3


def test_a_long_id_typed_as_a_number_reads_as_the_scientific_text_excel_shows(
    tmp_path: Path,
) -> None:
    rows = read(write(tmp_path, "a.xlsx", xlsx_bytes(people_workbook)))
    assert cell_text(rows[2][1][3]) == "4.10825199001011E+17"
    assert cell_text(rows[1][1][5]) == "4"


def test_xlsx_dates_and_times_come_back_as_python_values(tmp_path: Path) -> None:
    def build(workbook: Any) -> None:
        sheet = workbook.add_worksheet()
        sheet.write_datetime(
            "A1",
            datetime.datetime(2020, 1, 5, 10, 30),
            workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
        )
        sheet.write_datetime(
            "B1", datetime.date(2020, 1, 5), workbook.add_format({"num_format": "yyyy/m/d"})
        )

    rows = read(write(tmp_path, "a.xlsx", xlsx_bytes(build)))
    assert rows == [(1, [datetime.datetime(2020, 1, 5, 10, 30), datetime.date(2020, 1, 5)])]
    assert [cell_text(value) for value in rows[0][1]] == ["2020-01-05 10:30:00", "2020-01-05"]


def test_an_empty_first_visible_sheet_is_refused_naming_it(tmp_path: Path) -> None:
    def build(workbook: Any) -> None:
        workbook.add_worksheet("空表")
        workbook.add_worksheet("其他").write("A1", "data on another sheet")

    message = refusal(write(tmp_path, "a.xlsx", xlsx_bytes(build)))
    assert "“空表” is empty" in message


def test_a_sheet_holding_only_blank_text_is_refused_as_empty(tmp_path: Path) -> None:
    def build(workbook: Any) -> None:
        workbook.add_worksheet("Sheet1").write_string("B2", "   ")

    assert "“Sheet1” is empty" in refusal(write(tmp_path, "a.xlsx", xlsx_bytes(build)))


def test_an_xls_file_yields_its_first_visible_sheet(tmp_path: Path) -> None:
    def build(workbook: Any) -> None:
        hidden = workbook.add_sheet("隐藏")
        hidden.write(0, 0, "not this one")
        hidden.visibility = 1
        sheet = workbook.add_sheet("名单")
        sheet.write(1, 1, "姓名")
        sheet.write(1, 2, "电话")
        sheet.write(2, 1, "李四")
        sheet.write(2, 2, 13812345678)
        sheet.write(4, 3, datetime.date(2020, 1, 5), xlwt.easyxf(num_format_str="YYYY-MM-DD"))
        workbook.active_sheet = 1

    table = open_table(write(tmp_path, "a.xls", xls_bytes(build)), filename="a.xls", limits=SMALL)
    assert (table.kind, table.sheet_name) == ("xls", "名单")
    assert list(table.rows()) == [
        (2, [None, "姓名", "电话"]),
        (3, [None, "李四", 13812345678.0]),
        (5, [None, None, None, datetime.date(2020, 1, 5)]),
    ]
    assert cell_text(13812345678.0) == "13812345678"


def test_an_ods_file_yields_its_rows_with_repeated_cells_expanded(tmp_path: Path) -> None:
    tables = (
        '<table:table table:name="名单">'
        f'<table:table-row table:number-rows-repeated="2">{ODS_EMPTY}</table:table-row>'
        f"<table:table-row>{ODS_EMPTY}{ods_text('姓名')}{ods_text('是', repeat=2)}"
        "</table:table-row>"
        f"<table:table-row>{ODS_EMPTY}{ods_text('张三')}{ODS_EMPTY}{ods_number(4)}</table:table-row>"
        '<table:table-row table:number-rows-repeated="1048570">'
        '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
        "</table:table>"
    )
    table = open_table(write(tmp_path, "a.ods", ods_bytes(tables)), filename="a.ods", limits=SMALL)
    assert (table.kind, table.sheet_name) == ("ods", "名单")
    assert list(table.rows()) == [
        (3, [None, "姓名", "是", "是"]),
        (4, [None, "张三", None, 4.0]),
    ]


# --- CSV and text -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gb18030", "gb18030")],
)
def test_a_csv_file_is_read_in_its_encoding(tmp_path: Path, encoding: str, expected: str) -> None:
    text = "姓名,身份证号,备注\r\n吉𠮷,410825197005170123,\r\n"
    path = write(tmp_path, "名单.csv", text.encode(encoding))
    table = open_table(path, filename="名单.csv", limits=SMALL)
    assert (table.kind, table.encoding, table.sheet_name) == ("csv", expected, None)
    assert list(table.rows()) == [
        (1, ["姓名", "身份证号", "备注"]),
        (2, ["吉𠮷", "410825197005170123"]),
    ]


def test_gbk_text_is_read_as_gb18030(tmp_path: Path) -> None:
    path = write(tmp_path, "a.csv", "姓名,残疾类别\n王芳,肢体\n".encode("gbk"))
    assert open_table(path, filename="a.csv").encoding == "gb18030"
    assert read(path) == [(1, ["姓名", "残疾类别"]), (2, ["王芳", "肢体"])]


def test_excel_unicode_text_is_read_as_tab_separated_utf16(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", "姓名\t电话\r\n王芳\t138, 139\r\n".encode("utf-16"))
    table = open_table(path, filename="a.txt", limits=SMALL)
    assert table.encoding == "utf-16"
    assert list(table.rows()) == [(1, ["姓名", "电话"]), (2, ["王芳", "138, 139"])]


def test_a_tab_separated_file_is_detected_from_its_first_non_blank_line(tmp_path: Path) -> None:
    path = write(tmp_path, "a.csv", b"\n  \nname\tphone\nwang\t138\n")
    assert read(path) == [(3, ["name", "phone"]), (4, ["wang", "138"])]


def test_csv_rows_are_numbered_over_all_records_with_quoted_newlines(tmp_path: Path) -> None:
    data = b'name,address\n\n"Wang, Fang","Line 1\nLine 2"\n,,\n  ,\nLi,\n'
    assert read(write(tmp_path, "a.csv", data)) == [
        (1, ["name", "address"]),
        (3, ["Wang, Fang", "Line 1\nLine 2"]),
        (6, ["Li"]),
    ]


MEASURE_STREAMING = """
import sys
from pathlib import Path
from canlian.spreadsheets.reading import Limits, open_table

def memory(key):
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) * 1024 for line in status if line.startswith(key))

with open("/proc/self/clear_refs", "w") as clear:
    clear.write("5")  # the peak (VmHWM) starts again from what is in use now
before = memory("VmRSS")
table = open_table(Path(sys.argv[1]), filename="big.csv", limits=Limits(50 * 2**20, 2**30, 200))
count, last = 0, None
for row in table.rows():
    count, last = count + 1, row
print(count, last[0], last[1][1], memory("VmHWM") - before)
"""


def test_a_million_row_csv_is_streamed_with_little_memory(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8") as stream:
        stream.write("序号,姓名\n")
        stream.writelines(f"{number},名{number}\n" for number in range(1_000_000))
    size = path.stat().st_size
    result = subprocess.run(
        [sys.executable, "-c", MEASURE_STREAMING, str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parents[3],
    )
    count, last_number, last_name, grown = result.stdout.split()
    assert (count, last_number, last_name) == ("1000001", "1000001", "名999999")
    assert size > 16 * 2**20
    assert int(grown) < 8 * 2**20  # the file alone would be 16 MB, twice that as text


def test_an_empty_or_blank_csv_is_refused(tmp_path: Path) -> None:
    assert "no data" in refusal(write(tmp_path, "a.csv", b" \r\n\t\n,,\n"))


def test_text_in_another_encoding_is_refused_asking_for_csv_utf8(tmp_path: Path) -> None:
    message = refusal(write(tmp_path, "a.csv", "name\nJosé\n".encode("latin-1")))
    assert "UTF-8 or GB18030 (GBK)" in message
    assert "“CSV UTF-8”" in message


def test_a_csv_with_a_nul_after_the_first_64_kb_is_refused_naming_the_row(tmp_path: Path) -> None:
    data = b"a,b\n" * 20_000 + b"x,\x00y\n"
    assert "Row 20001 of the file cannot be read" in refusal(write(tmp_path, "a.csv", data))


def test_an_unclosed_quote_running_past_the_field_limit_is_refused_naming_the_row(
    tmp_path: Path,
) -> None:
    data = b'a,b\nc,"never closed\n' + b"x" * 200_000 + b"\n"
    assert "Row 2 of the file cannot be read" in refusal(write(tmp_path, "a.csv", data))


# --- Files refused for what they are ---------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused_naming_the_limit(tmp_path: Path) -> None:
    path = write(tmp_path, "a.csv", b"a,b\n" * (2**18 + 1))
    message = refusal(path, limits=Limits(max_bytes=2**20, max_uncompressed=2**30, max_ratio=200))
    assert "larger than 1 MB" in message


def test_the_default_limits_come_from_the_settings(settings: Any) -> None:
    settings.IMPORT_MAX_BYTES = 123
    limits = Limits.from_settings()
    assert (limits.max_bytes, limits.max_uncompressed, limits.max_ratio) == (123, 2**30, 200)
    assert limits.max_cells == 20_000_000
    settings.IMPORT_MAX_CELLS = 1000
    assert Limits.from_settings().max_cells == 1000
    assert (limits.max_memory, limits.max_seconds) == (2 * 2**30, 120)
    settings.IMPORT_READER_MAX_MEMORY, settings.IMPORT_READER_MAX_SECONDS = 2**29, 5
    assert (Limits.from_settings().max_memory, Limits.from_settings().max_seconds) == (2**29, 5)


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    assert "The file is empty" in refusal(write(tmp_path, "a.xlsx", b""))


@pytest.mark.parametrize("name", ["setup.exe", "名单.pdf", "名单", "名单.xlsx.zip"])
def test_a_file_name_without_a_spreadsheet_extension_is_refused(tmp_path: Path, name: str) -> None:
    message = refusal(write(tmp_path, "upload", b"a,b\n"), filename=name)
    assert f"“{name}” is not a spreadsheet file" in message
    assert ".xlsx, .xls, .ods, .csv or .txt" in message


@pytest.mark.parametrize(
    ("data", "name", "actual"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "名单.xlsx", "a PDF document"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "名单.csv", "an image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "名单.xls", "an image"),
        (b"MZ\x90\x00\x03\x00\x00\x00", "名单.ods", "a program"),
        (zip_bytes({"word/document.xml": "<w:document/>"}), "名单.xlsx", "a Word document"),
        (zip_bytes({"photos/1.jpg": "x"}), "名单.xlsx", "a compressed archive"),
        (ole_bytes({"WordDocument": b"x"}), "名单.xls", "a Word document"),
    ],
)
def test_a_file_that_is_not_a_spreadsheet_is_refused_saying_what_it_is(
    tmp_path: Path, data: bytes, name: str, actual: str
) -> None:
    message = refusal(write(tmp_path, "upload", data), filename=name)
    assert message.startswith(f"The file is really {actual}")
    assert "not a spreadsheet" in message


def test_an_old_xls_renamed_xlsx_is_refused_asking_to_rename_it(tmp_path: Path) -> None:
    data = xls_bytes(lambda workbook: workbook.add_sheet("a").write(0, 0, "x"))
    message = refusal(write(tmp_path, "upload", data), filename="名单.xlsx")
    assert "ends in “.xlsx” but the file is really an Excel 97-2003 workbook (.xls)" in message
    assert "Rename it to end in “.xls”" in message


def test_an_xlsx_renamed_csv_is_refused_asking_to_rename_it(tmp_path: Path) -> None:
    message = refusal(write(tmp_path, "upload", xlsx_bytes(people_workbook)), filename="名单.csv")
    assert "ends in “.csv” but the file is really an Excel workbook (.xlsx)" in message
    assert "Rename it to end in “.xlsx”" in message


def test_a_text_file_named_xls_is_refused_asking_to_rename_it_csv(tmp_path: Path) -> None:
    data = "姓名\t电话\n王芳\t138\n".encode("gbk")
    message = refusal(write(tmp_path, "upload", data), filename="导出.xls")
    assert "really a text (CSV) file. Rename it to end in “.csv”" in message


def test_a_web_page_named_xls_is_refused_asking_to_save_it_as_xlsx(tmp_path: Path) -> None:
    data = b"\xef\xbb\xbf  <html><body><table><tr><td>1</td></tr></table></body></html>"
    message = refusal(write(tmp_path, "upload", data), filename="导出.xls")
    assert "really a web page (HTML)" in message
    assert "save it as an Excel workbook (.xlsx)" in message


def test_a_binary_file_named_csv_is_refused_as_binary(tmp_path: Path) -> None:
    message = refusal(write(tmp_path, "a.csv", b"name,phone\n\x00\x01\x02\x03"))
    assert "it contains binary data" in message


def test_a_password_protected_workbook_is_refused_asking_to_remove_the_password(
    tmp_path: Path,
) -> None:
    data = ole_bytes({"EncryptionInfo": b"\x04\x00\x04\x00", "EncryptedPackage": b"\x01" * 5000})
    assert "protected by a password" in refusal(write(tmp_path, "a.xlsx", data))


def test_an_xls_with_a_filepass_record_is_refused_as_password_protected(tmp_path: Path) -> None:
    stream = biff8_workbook().replace(biff(0x000A), biff(0x002F, b"\x01\x00") + biff(0x000A), 1)
    data = ole_bytes({"Workbook": stream})
    assert "protected by a password" in refusal(write(tmp_path, "a.xls", data))


def test_an_encrypted_ods_is_refused_as_password_protected(tmp_path: Path) -> None:
    extra = (
        '<manifest:file-entry manifest:full-path="x"><manifest:encryption-data '
        'manifest:checksum="x"/></manifest:file-entry>'
    )
    data = ods_bytes('<table:table table:name="a"/>', manifest_extra=extra)
    assert "protected by a password" in refusal(write(tmp_path, "a.ods", data))


@pytest.mark.parametrize(
    "data",
    [
        b"PK\x03\x04" + b"\x14\x00" * 40,
        xlsx_bytes(people_workbook)[:3000],
        bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 600,
    ],
    ids=["garbage-after-zip-magic", "truncated-xlsx", "broken-ole"],
)
def test_a_damaged_file_is_refused_as_damaged(tmp_path: Path, data: bytes) -> None:
    assert "damaged or cannot be read" in refusal(write(tmp_path, "a.xlsx", data))


# --- Formulas and links ----------------------------------------------------------------------


def test_an_xlsx_file_with_a_formula_is_refused_naming_the_sheet_and_cell(tmp_path: Path) -> None:
    def build(workbook: Any) -> None:
        workbook.add_worksheet("名单").write_row("A1", ["人数", 4])
        sheet = workbook.add_worksheet("合计")
        sheet.write("A1", "总数")
        sheet.write_formula("B2", "=SUM(名单!B1:B9)", None, 4)

    message = refusal(write(tmp_path, "a.xlsx", xlsx_bytes(build)))
    assert "formulas (sheet “合计”, cell B2)" in message
    assert "paste as values" in message


def test_a_formula_written_with_a_namespace_prefix_is_found(tmp_path: Path) -> None:
    data = handmade_xlsx(
        '<x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c>'
        '<x:c r="C1"><x:f>A1*2</x:f><x:v>2</x:v></x:c></x:row>',
        prefix="x",
    )
    assert "(sheet “名单”, cell C1)" in refusal(write(tmp_path, "a.xlsx", data))


def test_a_data_validation_list_is_not_taken_for_a_formula(tmp_path: Path) -> None:
    def build(workbook: Any) -> None:
        sheet = workbook.add_worksheet("名单")
        sheet.write("A1", "类别")
        workbook.add_worksheet("选项").write_column("A1", ["视力", "听力"])
        sheet.data_validation("A2:A9", {"validate": "list", "source": "=选项!$A$1:$A$2"})

    assert read(write(tmp_path, "a.xlsx", xlsx_bytes(build))) == [(1, ["类别"])]


def test_an_excel_list_referring_to_another_sheet_is_not_taken_for_a_formula(
    tmp_path: Path,
) -> None:
    data = handmade_xlsx('<row r="1"><c r="A1" t="inlineStr"><is><t>视力</t></is></c></row>')
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        members: dict[str, bytes | str] = {name: source.read(name) for name in source.namelist()}
    extension = (
        '<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" xmlns:x14='
        '"http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"><x14:dataValidations'
        ' xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main" count="1">'
        '<x14:dataValidation type="list"><x14:formula1><xm:f>选项!$A$1:$A$2</xm:f>'
        "</x14:formula1><xm:sqref>A2:A9</xm:sqref></x14:dataValidation>"
        "</x14:dataValidations></ext></extLst>"
    )
    sheet = members["xl/worksheets/s1.xml"]
    assert isinstance(sheet, bytes)
    members["xl/worksheets/s1.xml"] = sheet.replace(
        b"</sheetData>", b"</sheetData>" + extension.encode()
    )
    assert read(write(tmp_path, "a.xlsx", zip_bytes(members))) == [(1, ["视力"])]


def test_an_xlsx_with_external_links_is_refused(tmp_path: Path) -> None:
    data = handmade_xlsx(
        '<row r="1"><c r="A1"><v>1</v></c></row>',
        extra={"xl/externalLinks/externalLink1.xml": "<externalLink/>"},
    )
    assert "links to other workbooks" in refusal(write(tmp_path, "a.xlsx", data))


def test_an_xls_file_with_a_formula_is_refused_naming_the_sheet_and_cell(tmp_path: Path) -> None:
    def build(workbook: Any) -> None:
        sheet = workbook.add_sheet("合计")
        sheet.write(0, 0, 2)
        sheet.write(3, 1, xlwt.Formula("A1*2"))

    message = refusal(write(tmp_path, "a.xls", xls_bytes(build)))
    assert "formulas (sheet “合计”, cell B4)" in message


def test_an_xls_shared_formula_record_is_refused_naming_its_first_cell(tmp_path: Path) -> None:
    shared = biff(0x04BC, struct.pack("<HHBBH", 9, 12, 2, 3, 0) + b"\x00\x00")
    data = ole_bytes({"Workbook": biff8_workbook(number_record(0, 0), shared)})
    assert "(sheet “数据”, cell C10)" in refusal(write(tmp_path, "a.xls", data))


def test_an_ods_file_with_a_formula_is_refused_naming_the_sheet_and_cell(tmp_path: Path) -> None:
    tables = (
        '<table:table table:name="合计"><table:table-row>'
        f"{ods_number(2)}{ODS_EMPTY}</table:table-row><table:table-row>{ODS_EMPTY}"
        '<table:table-cell table:formula="of:=[.A1]*2" office:value-type="float"'
        ' office:value="4"><text:p>4</text:p></table:table-cell>'
        "</table:table-row></table:table>"
    )
    assert "(sheet “合计”, cell B2)" in refusal(write(tmp_path, "a.ods", ods_bytes(tables)))


# --- Bombs: files that would take far more memory than their size ------------------------------


@pytest.fixture(scope="module")
def zip_bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An .xlsx-looking zip of 300 KB holding a 300 MB worksheet of zeros."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            zeros = bytes(2**20)
            for _ in range(300):
                member.write(zeros)
    return path


def test_a_zip_bomb_is_refused_for_its_compression_ratio(zip_bomb: Path) -> None:
    message = refusal(zip_bomb, limits=Limits(50 * 2**20, 2**30, 200))
    assert "“zip bomb”" in message


def test_a_zip_bomb_is_refused_for_its_unpacked_size(zip_bomb: Path) -> None:
    limits = Limits(max_bytes=50 * 2**20, max_uncompressed=100 * 2**20, max_ratio=10**9)
    assert "more than 100 MB" in refusal(zip_bomb, limits=limits)


def test_a_zip_with_too_many_members_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        for number in range(10_000):
            archive.writestr(f"m/{number}", "")
    assert "more than 10,000 parts" in refusal(path)


def _understate(data: bytes, member: str, size: int) -> bytes:
    """The zip with `member`'s uncompressed size given as `size` in its directory and its local
    header."""
    patched = bytearray(data)
    name = member.encode()
    for signature, name_at, size_at in ((b"PK\x01\x02", 28, 24), (b"PK\x03\x04", 26, 22)):
        at = patched.find(signature)
        while at != -1:
            length = struct.unpack_from("<H", patched, at + name_at)[0]
            start = at + name_at + (18 if signature == b"PK\x01\x02" else 4)
            if patched[start : start + length] == name:
                struct.pack_into("<I", patched, at + size_at, size)
            at = patched.find(signature, at + 1)
    return bytes(patched)


def test_a_zip_whose_directory_understates_a_member_is_refused_as_damaged(tmp_path: Path) -> None:
    text = '<row r="1"><c r="A1" t="inlineStr"><is><t>' + "a" * (20 * 2**20) + "</t></is></c></row>"
    data = _understate(handmade_xlsx(text), "xl/worksheets/s1.xml", 1000)  # 20 MB said 1 KB
    assert len(data) < 2**20
    assert "damaged" in refusal(write(tmp_path, "a.xlsx", data))


def test_an_xlsx_with_a_value_in_the_far_corner_is_refused_before_calamine_allocates(
    tmp_path: Path,
) -> None:
    data = handmade_xlsx(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c></row>'
        '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    )
    assert "more than 20,000,000 cells" in refusal(write(tmp_path, "a.xlsx", data))


def test_cells_without_references_are_placed_as_calamine_places_them(tmp_path: Path) -> None:
    row = "<row>" + "<c/>" * 2000 + "<c><v>1</v></c></row>"
    path = write(
        tmp_path, "a.xlsx", handmade_xlsx('<row r="1"><c r="A1"><v>1</v></c></row>' + row * 3)
    )
    limits = Limits(50 * 2**20, 2**30, 200, max_cells=4 * 2001 - 1)
    assert "more than 8,003 cells" in refusal(path, limits=limits)
    rows = read(path, limits=Limits(50 * 2**20, 2**30, 200, max_cells=4 * 2001))
    assert rows == [(1, [1.0])] + [(number, [None] * 2000 + [1.0]) for number in (2, 3, 4)]


def test_a_package_pointing_calamine_at_another_workbook_is_refused(tmp_path: Path) -> None:
    data = handmade_xlsx('<row r="1"><c r="A1"><v>1</v></c></row>', workbook="other/workbook.xml")
    assert "damaged" in refusal(write(tmp_path, "a.xlsx", data))


def test_empty_styled_cells_far_away_do_not_count(tmp_path: Path) -> None:
    def build(workbook: Any) -> None:
        sheet = workbook.add_worksheet()
        sheet.write("A1", "x")
        sheet.write_blank("XFD1048576", None, workbook.add_format({"bold": True}))

    assert read(write(tmp_path, "a.xlsx", xlsx_bytes(build))) == [(1, ["x"])]


def test_a_long_shared_string_used_in_many_cells_is_refused(tmp_path: Path) -> None:
    def build(workbook: Any) -> None:
        sheet = workbook.add_worksheet()
        for row in range(40):
            sheet.write_string(row, 0, "长" * 30_000)

    path = write(tmp_path, "a.xlsx", xlsx_bytes(build))
    limits = Limits(max_bytes=2**20, max_uncompressed=10**6, max_ratio=1000)
    assert "Once unpacked, the file would take more than 0.95 MB" in refusal(path, limits=limits)
    assert len(read(path, limits=Limits(2**20, 2 * 10**6, 1000))) == 40


def test_an_ods_with_a_repeated_value_covering_a_huge_area_is_refused(tmp_path: Path) -> None:
    tables = (
        '<table:table table:name="a"><table:table-row table:number-rows-repeated="100000">'
        '<table:table-cell table:number-columns-repeated="1000" office:value-type="float"'
        ' office:value="1"/></table:table-row></table:table>'
    )
    assert "more than 20,000,000 cells" in refusal(write(tmp_path, "a.ods", ods_bytes(tables)))


def test_an_xls_with_values_far_apart_is_refused(tmp_path: Path) -> None:
    data = ole_bytes({"Workbook": biff8_workbook(number_record(0, 0), number_record(65535, 255))})
    limits = Limits(50 * 2**20, 2**30, 200, max_cells=1_000_000)
    assert "more than 1,000,000 cells" in refusal(write(tmp_path, "a.xls", data), limits=limits)


def test_an_xls_declaring_an_upside_down_used_range_is_refused(tmp_path: Path) -> None:
    dimensions = biff(0x0200, struct.pack("<IIHHH", 253, 2, 0, 2, 0))  # rows 253 to 1
    data = ole_bytes({"Workbook": biff8_workbook(dimensions, number_record(0, 0))})
    assert "more than 20,000,000 cells" in refusal(write(tmp_path, "a.xls", data))


def test_an_xls_sheet_said_to_start_inside_a_record_is_refused_as_damaged(tmp_path: Path) -> None:
    data = ole_bytes({"Workbook": biff8_workbook(number_record(0, 0), misplace=6)})
    assert "damaged" in refusal(write(tmp_path, "a.xls", data))


def test_an_xls_string_table_claiming_more_strings_than_it_holds_is_read_within_the_limits(
    tmp_path: Path,
) -> None:
    sst = biff(0x00FC, struct.pack("<IIHB", 2**31 - 1, 2**31 - 1, 1, 0) + b"a")
    data = ole_bytes({"Workbook": biff8_workbook(number_record(0, 0), globals_records=sst)})
    path = write(tmp_path, "a.xls", data)
    try:
        rows = read(path)
    except FileRefused as refused:  # a reader reserving room for the claim runs out of memory
        assert "more than 20,000,000 cells" in refused.message
    else:
        assert rows == [(1, [1.0])]


@pytest.mark.parametrize("formula_first", [False, True])
def test_an_xls_listing_two_workbook_streams_yields_the_plain_one_or_refuses_the_formula(
    tmp_path: Path, formula_first: bool
) -> None:
    plain = biff8_workbook(number_record(0, 0))
    formula = biff8_workbook(number_record(0, 0), biff(0x0006, struct.pack("<HHH", 3, 1, 0)))
    first, second = (formula, plain) if formula_first else (plain, formula)
    twin = "Workbooq".encode("utf-16-le")
    data = ole_bytes({"Workbook": first, "Workbooq": second}).replace(
        twin, "Workbook".encode("utf-16-le")
    )
    try:
        rows = read(write(tmp_path, "a.xls", data))
    except FileRefused as refused:
        assert "formulas (sheet “数据”, cell B4)" in refused.message
    else:
        assert rows == [(1, [1.0])]


def long_string_workbook(uses: int) -> Callable[[Any], None]:
    def build(workbook: Any) -> None:
        sheet = workbook.add_sheet("a")
        for row in range(uses):
            sheet.write(row, 0, "长" * 20_000)  # split over CONTINUE records
        for row in range(200):
            sheet.write(row, 1, "短")

    return build


def test_an_xls_shared_string_table_is_measured_across_continue_records(tmp_path: Path) -> None:
    limits = Limits(max_bytes=2**20, max_uncompressed=10**6, max_ratio=200)
    assert (
        len(read(write(tmp_path, "a.xls", xls_bytes(long_string_workbook(3))), limits=limits))
        == 200
    )
    message = refusal(write(tmp_path, "b.xls", xls_bytes(long_string_workbook(60))), limits=limits)
    assert "Once unpacked" in message


def test_a_sheet_stored_outside_the_worksheets_folder_is_checked_too(tmp_path: Path) -> None:
    data = handmade_xlsx(
        '<row r="2"><c r="D2"><f>1+1</f><v>2</v></c></row>',
        part="xl/data/list.xml",
        target="/xl/data/list.xml",
    )
    assert "(sheet “名单”, cell D2)" in refusal(write(tmp_path, "a.xlsx", data))


def test_a_zip_with_two_members_named_alike_but_for_case_is_refused(tmp_path: Path) -> None:
    data = handmade_xlsx(
        '<row r="1"><c r="A1"><v>1</v></c></row>', extra={"XL/Worksheets/S1.xml": "<worksheet/>"}
    )
    assert "damaged" in refusal(write(tmp_path, "a.xlsx", data))


def test_a_worksheet_declaring_a_dtd_is_refused_as_damaged(tmp_path: Path) -> None:
    laughs = '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;">]>'
    data = handmade_xlsx('<row r="1"><c r="A1" t="inlineStr"><is><t>&b;</t></is></c></row>')
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        members: dict[str, bytes | str] = {name: source.read(name) for name in source.namelist()}
    sheet = source_sheet = members["xl/worksheets/s1.xml"]
    assert isinstance(source_sheet, bytes)
    members["xl/worksheets/s1.xml"] = sheet.replace(b"?>", b"?>" + laughs.encode(), 1)
    assert "damaged" in refusal(write(tmp_path, "a.xlsx", zip_bytes(members)))


# --- Whatever the bytes, the answer is rows or FileRefused -----------------------------------


def sample_files() -> dict[str, bytes]:
    def build_xls(workbook: Any) -> None:
        sheet = workbook.add_sheet("a")
        sheet.write(0, 0, "姓名")
        sheet.write(1, 0, "王芳")
        sheet.write(1, 1, 3.5)

    return {
        ".xlsx": xlsx_bytes(people_workbook),
        ".xls": xls_bytes(build_xls),
        ".ods": ods_bytes(
            f'<table:table table:name="a"><table:table-row>{ods_text("x")}{ods_number(2)}'
            "</table:table-row></table:table>"
        ),
        ".csv": "姓名,电话\n王芳,138\n".encode("gb18030"),
    }


SAMPLES = sample_files()


@st.composite
def damaged_samples(draw: st.DrawFn) -> tuple[str, bytes]:
    extension = draw(st.sampled_from(sorted(SAMPLES)))
    data = bytearray(SAMPLES[draw(st.sampled_from(sorted(SAMPLES)))])
    for _ in range(draw(st.integers(0, 6))):
        data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    return extension, bytes(data[: draw(st.integers(1, len(data)))])


@hypothesis_settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.tuples(st.sampled_from(sorted(SAMPLES)), st.binary(max_size=2000)),
        st.tuples(
            st.sampled_from(sorted(SAMPLES)),
            st.sampled_from(
                [b"PK\x03\x04", bytes.fromhex("D0CF11E0A1B11AE1"), b"\xff\xfe"]
            ).flatmap(lambda magic: st.binary(max_size=2000).map(lambda rest: magic + rest)),
        ),
        damaged_samples(),
    )
)
def test_any_bytes_either_open_and_yield_rows_or_are_refused(sample: tuple[str, bytes]) -> None:
    extension, data = sample
    with translation.override("en"), temporary_file(extension, data) as path:
        try:
            table = open_table(path, filename=f"upload{extension}", limits=SMALL)
            rows = list(table.rows())
        except FileRefused as refused:
            assert refused.message
        else:
            assert rows
            assert all(number >= 1 and cells and cells[-1] is not None for number, cells in rows)


@contextlib.contextmanager
def temporary_file(extension: str, data: bytes) -> Iterator[Path]:
    """A file for one example: hypothesis runs many examples in one test, so no tmp_path."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"upload{extension}"
        path.write_bytes(data)
        yield path


# --- Cell values -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        ("  王芳 \n", "王芳"),
        (True, "是"),
        (False, "否"),
        (13812345678, "13812345678"),
        (13812345678.0, "13812345678"),
        (4.0, "4"),
        (-3.0, "-3"),
        (1.5, "1.5"),
        (410825199001011234.0, "4.10825199001011E+17"),
        (1e15, "1E+15"),
        (-4.1e17, "-4.1E+17"),
        (datetime.date(2020, 1, 5), "2020-01-05"),
        (datetime.datetime(2020, 1, 5), "2020-01-05"),
        (datetime.datetime(2020, 1, 5, 8, 5, 9, 123), "2020-01-05 08:05:09"),
        (datetime.time(8, 30), "08:30:00"),
        (datetime.timedelta(hours=30), "1 day, 6:00:00"),
    ],
)
def test_cell_text_reads_a_cell_as_a_person_would(value: Any, text: str) -> None:
    assert cell_text(value) == text


@pytest.mark.parametrize(
    ("value", "date"),
    [
        (None, None),
        ("  ", None),
        (datetime.date(2020, 1, 5), datetime.date(2020, 1, 5)),
        (datetime.datetime(2020, 1, 5, 23, 59), datetime.date(2020, 1, 5)),
        ("2020-01-05", datetime.date(2020, 1, 5)),
        ("2020/1/5", datetime.date(2020, 1, 5)),
        ("2020.1.5", datetime.date(2020, 1, 5)),
        ("2020年1月5日", datetime.date(2020, 1, 5)),
        ("２０２０年１月５日", datetime.date(2020, 1, 5)),
        ("２０２０－０１－０５", datetime.date(2020, 1, 5)),
        ("20200105", datetime.date(2020, 1, 5)),
        ("2020-01-05 00:00:00", datetime.date(2020, 1, 5)),
        (20200105, datetime.date(2020, 1, 5)),
        (43831, datetime.date(2020, 1, 1)),
        (43831.75, datetime.date(2020, 1, 1)),
        ("43831", datetime.date(2020, 1, 1)),
        (1, datetime.date(1900, 1, 1)),
        (59, datetime.date(1900, 2, 28)),
        (61, datetime.date(1900, 3, 1)),
        (2958465, datetime.date(9999, 12, 31)),
    ],
)
def test_cell_date_reads_the_ways_people_write_dates(
    value: Any, date: datetime.date | None
) -> None:
    assert cell_date(value) == date


@pytest.mark.parametrize(
    "value",
    [
        True,
        0,
        60,
        2958466,
        -1,
        float("nan"),
        "2020-13-01",
        "2020-02-30",
        "2020-1/5",
        "明天",
        "1.2.3",
        datetime.time(8),
        "20201301",
    ],
)
def test_cell_date_refuses_what_is_not_a_date(value: Any) -> None:
    with pytest.raises(ValueError):
        cell_date(value)


dates = st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(9999, 12, 31))


def excel_serial(date: datetime.date) -> int:
    days = (date - datetime.date(1899, 12, 30)).days
    return days if days >= 61 else days - 1


@given(dates)
def test_cell_date_reads_back_every_way_of_writing_a_date(date: datetime.date) -> None:
    chinese = f"{date.year}年{date.month}月{date.day}日"
    full_width = date.isoformat().translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789-"})
    for written in (date.isoformat(), chinese, full_width, date.strftime("%Y%m%d")):
        assert cell_date(written) == date
    assert cell_date(excel_serial(date)) == date
    assert cell_date(float(excel_serial(date))) == date
    assert cell_date(str(excel_serial(date))) == date
    assert cell_date(cell_text(date)) == date
    assert cell_date(cell_text(datetime.datetime.combine(date, datetime.time(13, 5)))) == date


@given(st.integers(min_value=-(10**15) + 1, max_value=10**15 - 1))
def test_a_whole_number_stored_as_a_float_reads_without_a_decimal_point(number: int) -> None:
    assert cell_text(float(number)) == str(int(float(number)))


@given(st.floats(min_value=1e15, max_value=1e300))
def test_a_number_of_1e15_or_more_reads_as_excel_scientific_notation(number: float) -> None:
    mantissa, exponent = cell_text(number).split("E+")
    assert len(mantissa.replace(".", "")) <= 15
    assert float(f"{mantissa}E{exponent}") == pytest.approx(number, rel=1e-14)


@given(
    st.one_of(
        st.none(),
        st.text(),
        st.booleans(),
        st.integers(),
        st.floats(),
        st.dates(),
        st.datetimes(),
        st.times(),
        st.timedeltas(),
    )
)
def test_cell_text_reads_every_kind_of_cell(value: Any) -> None:
    text = cell_text(value)
    assert isinstance(text, str)
    assert text == text.strip()
    text.encode("utf-8", "surrogatepass")


# --- Ordinary worksheets and far cells ----------------------------------------------------------


def test_an_ordinary_export_is_read_whole(tmp_path: Path) -> None:
    def build(workbook: Any) -> None:
        sheet = workbook.add_worksheet("名单")
        for row in range(300):
            sheet.write_row(row, 0, [f"名{row}", "410825197005171234", 4, "二级"] * 8)

    rows = read(write(tmp_path, "a.xlsx", xlsx_bytes(build)))
    assert len(rows) == 300
    assert rows[299] == (300, ["名299", "410825197005171234", 4.0, "二级"] * 8)


def test_cells_without_references_are_read_in_order(tmp_path: Path) -> None:
    data = handmade_xlsx('<row r="1"><c><v>1</v></c><c><v>2</v></c></row>')
    assert read(write(tmp_path, "b.xlsx", data)) == [(1, [1, 2])]


def test_a_far_cell_inside_a_low_row_is_still_refused(tmp_path: Path) -> None:
    data = handmade_xlsx('<row r="1"><c r="A1"><v>1</v></c><c r="Z900000"><v>2</v></c></row>')
    small = Limits(max_bytes=2**20, max_uncompressed=2**20, max_ratio=200, max_cells=1_000_000)
    assert "cells" in refusal(write(tmp_path, "b.xlsx", data), limits=small)
