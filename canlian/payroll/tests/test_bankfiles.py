"""The bank file of an approved roll (masked accounts unless revealed, logged, formulas escaped)
and the bank's result file read back: counts, totals and every difference, row by row."""

from __future__ import annotations

import codecs
import csv
import hashlib
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from python_calamine import CalamineWorkbook

from canlian.accounts.operator import CommandLineOperator
from canlian.accounts.roles import Perm, Role
from canlian.audit.models import Entry
from canlian.conftest import _user
from canlian.payroll import bankfiles
from canlian.payroll.models import (
    BankExport,
    Line,
    PaymentResult,
    PaymentStatus,
    Reconciliation,
    Roll,
    reference_filter,
)
from canlian.payroll.tests.test_rolls import (
    ACCOUNT,
    NOV,
    WEN,
    approve_all,
    enrol,
    generate,
    roll_of,
)
from canlian.people.models import Person

pytestmark = pytest.mark.django_db

MASKED = "***************0123"
RESULT_HEADER = ["支付参考号", "金额", "结果", "原因"]


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def persons(make_person: Any, county_clerk: Any) -> list[Any]:
    """Three persons of 温县 receiving the care subsidy; one named like a formula."""
    found = []
    for name, grade in (("张护理", 1), ("李护理", 2), ("=1+1", 2)):
        person = make_person(name=name, grade=grade)
        enrol(person, county_clerk)
        found.append(person)
    return found


@pytest.fixture
def draft(persons: list[Any], finance: Any) -> Roll:
    generate(finance, county=WEN)
    return roll_of(WEN)


@pytest.fixture
def roll(draft: Roll, finance_reviewer: Any) -> Roll:
    approve_all(finance_reviewer, NOV)
    draft.refresh_from_db()
    return draft


def export(roll: Roll, path: Path, user: Any, full: bool = False) -> BankExport:
    return bankfiles.export_roll(roll_id=roll.pk, path=path, full=full, acting_user=user)


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return list(csv.reader(stream))


def read_xlsx(path: Path) -> list[list[Any]]:
    book = CalamineWorkbook.from_path(str(path))
    return [list(row) for row in book.get_sheet_by_index(0).to_python()]


def write_csv(path: Path, rows: list[list[Any]], header: list[str] = RESULT_HEADER) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[list[Any]], header: list[str] = RESULT_HEADER) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("结果")
    for col, value in enumerate(header):
        sheet.write_string(0, col, value)
    for r, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            if isinstance(value, Decimal | float | int):
                sheet.write_number(r, col, float(value))
            else:
                sheet.write_string(r, col, str(value))
    book.close()
    return path


def all_paid(roll: Roll) -> list[list[Any]]:
    return [
        [line.reference, f"{line.amount:.2f}", "成功", ""]
        for line in Line.objects.filter(roll=roll).order_by("id")
    ]


def line_named(reference: str) -> Line:
    named = reference_filter(reference)
    assert named is not None, reference
    return Line.objects.get(named)


def reconcile(roll: Roll, path: Path, user: Any) -> bankfiles.Reconciled:
    return bankfiles.reconcile(roll_id=roll.pk, path=path, filename=path.name, acting_user=user)


# --- Export ----------------------------------------------------------------------------------


def test_only_an_approved_roll_goes_to_the_bank(draft: Roll, finance: Any, tmp_path: Path) -> None:
    path = tmp_path / "bank.csv"
    with pytest.raises(ValidationError):
        export(draft, path, finance)
    assert not path.exists()
    assert not BankExport.objects.exists()


def test_the_csv_file_has_a_bom_the_headers_and_one_masked_row_per_line(
    roll: Roll, finance: Any, tmp_path: Path, persons: list[Any]
) -> None:
    path = tmp_path / "bank.csv"
    export(roll, path, finance)
    data = path.read_bytes()
    assert data.startswith(codecs.BOM_UTF8)
    assert ACCOUNT.encode() not in data
    rows = read_csv(path)
    assert rows[0] == bankfiles.EXPORT_HEADERS
    assert rows[0][0] == "支付参考号"
    lines = list(Line.objects.filter(roll=roll).order_by("id"))
    assert [row[0] for row in rows[1:]] == [line.reference for line in lines]
    first = rows[1]
    assert first == [
        lines[0].reference,
        "张护理",
        "中国农业银行",
        MASKED,
        "60.00",
        "重度残疾人护理补贴",  # for the bank: Chinese with the English interface too
        "2026-11",
        "按月发放",
    ]


@pytest.mark.parametrize("language", ["zh-hans", "en", None])
def test_the_programme_and_the_kind_are_chinese_in_any_language(
    roll: Roll, finance: Any, tmp_path: Path, language: str | None
) -> None:
    path = tmp_path / "bank.csv"
    with translation.override(language):
        export(roll, path, finance)
    assert {(row[5], row[7]) for row in read_csv(path)[1:]} == {("重度残疾人护理补贴", "按月发放")}


def test_a_name_that_looks_like_a_formula_is_escaped(
    roll: Roll, finance: Any, tmp_path: Path
) -> None:
    path = tmp_path / "bank.csv"
    export(roll, path, finance)
    names = [row[1] for row in read_csv(path)[1:]]
    assert "'=1+1" in names
    assert "=1+1" not in names
    xlsx = tmp_path / "bank.xlsx"
    export(roll, xlsx, finance)
    assert "'=1+1" in [row[1] for row in read_xlsx(xlsx)[1:]]


def test_the_xlsx_file_holds_the_same_rows_as_text(
    roll: Roll, finance: Any, tmp_path: Path
) -> None:
    csv_path, xlsx_path = tmp_path / "bank.csv", tmp_path / "bank.xlsx"
    export(roll, csv_path, finance)
    export(roll, xlsx_path, finance)
    assert read_xlsx(xlsx_path) == read_csv(csv_path)


def test_an_export_is_recorded_with_its_digest_and_logged_as_an_access(
    roll: Roll, finance: Any, tmp_path: Path
) -> None:
    path = tmp_path / "bank.csv"
    record = export(roll, path, finance)
    record.refresh_from_db()
    assert (record.roll_id, record.file_name, record.lines, record.total) == (
        roll.pk,
        "bank.csv",
        3,
        Decimal("180.00"),
    )
    assert record.full_accounts is False
    assert record.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (record.by, record.by_name) == (finance, "finance")
    entry = Entry.objects.get(action="payroll.export")
    assert entry.kind == Entry.Kind.ACCESS
    assert entry.target_id == str(roll.pk) and entry.region == WEN
    assert entry.detail == {"file": "bank.csv", "lines": 3, "total": "180.00", "full": False}


def test_full_account_numbers_are_written_for_whoever_may_reveal_them_and_logged(
    roll: Roll, finance: Any, tmp_path: Path
) -> None:
    assert finance.can(Perm.EXPORT_REVEAL)
    path = tmp_path / "bank.csv"
    record = export(roll, path, finance, full=True)
    assert {row[3] for row in read_csv(path)[1:]} == {ACCOUNT}
    assert record.full_accounts is True
    assert Entry.objects.get(action="payroll.export").detail["full"] is True


def test_full_account_numbers_are_refused_to_whoever_may_not_reveal_them(
    roll: Roll, tmp_path: Path
) -> None:
    without_reveal = CommandLineOperator(perms=frozenset({Perm.VIEW_SUBSIDY, Perm.PREPARE_PAYROLL}))
    path = tmp_path / "bank.csv"
    with pytest.raises(PermissionDenied):
        export(roll, path, without_reveal, full=True)
    assert not path.exists()
    assert not BankExport.objects.exists()
    assert not Entry.objects.filter(action="payroll.export").exists()
    # The masked file is theirs to make.
    record = export(roll, path, without_reveal)
    assert (record.full_accounts, record.by, record.by_name) == (False, None, "command-line")
    assert ACCOUNT.encode() not in path.read_bytes()


def _move_to_mengzhou(person: Any) -> None:
    """The holder moves to 孟州市 after the roll was made (a move is not this test's subject)."""
    Person.objects.filter(pk=person.pk).update(place_id="410883001001")


def test_a_holder_who_moved_county_is_in_a_city_officers_full_file(
    roll: Roll, persons: list[Any], finance: Any, tmp_path: Path
) -> None:
    """A city officer opens the accounts in the city's jurisdiction: the file is whole, never
    refused half-way because one holder has since moved to another county."""
    _move_to_mengzhou(persons[0])
    path = tmp_path / "bank.csv"
    record = export(roll, path, finance, full=True)
    assert [row[3] for row in read_csv(path)[1:]] == [ACCOUNT] * 3
    assert record.lines == 3
    opened = Entry.objects.get(action="payroll.export.open")
    assert opened.region == "4108"


def test_a_holder_outside_a_county_officers_jurisdiction_is_named_before_anything_is_opened(
    roll: Roll, persons: list[Any], tmp_path: Path
) -> None:
    """A county's finance officer may not open the account of a holder now living in another
    county: the line is named, no file is written and no opening is logged."""
    county_finance = _user("finance-wen", Role.FINANCE, "410825000000")
    _move_to_mengzhou(persons[1])
    moved = Line.objects.get(roll=roll, person=persons[1])
    path = tmp_path / "bank.csv"
    with pytest.raises(ValidationError) as refused:
        export(roll, path, county_finance, full=True)
    assert moved.reference in str(refused.value)
    assert Line.objects.get(roll=roll, person=persons[0]).reference not in str(refused.value)
    assert not path.exists()
    assert not BankExport.objects.exists()
    assert not Entry.objects.filter(action__startswith="payroll.export").exists()
    # Once the holder is back in the county the same officer's file is whole.
    Person.objects.filter(pk=persons[1].pk).update(place_id=persons[0].place_id)
    export(roll, path, county_finance, full=True)
    assert Entry.objects.get(action="payroll.export.open").region == WEN


def test_bank_files_are_refused_to_whoever_may_not_prepare_rolls(
    roll: Roll, county_clerk: Any, auditor: Any, tmp_path: Path
) -> None:
    for user in (county_clerk, auditor):
        with pytest.raises(PermissionDenied):
            export(roll, tmp_path / "bank.csv", user)
    assert not BankExport.objects.exists()


def test_an_export_file_must_be_xlsx_or_csv(roll: Roll, finance: Any, tmp_path: Path) -> None:
    with pytest.raises(ValidationError):
        export(roll, tmp_path / "bank.txt", finance)
    assert not BankExport.objects.exists()


# --- Reconciliation --------------------------------------------------------------------------


def test_a_result_file_where_every_line_was_paid_agrees(
    roll: Roll, finance: Any, tmp_path: Path
) -> None:
    export(roll, tmp_path / "bank.csv", finance)
    outcome = reconcile(roll, write_csv(tmp_path / "result.csv", all_paid(roll)), finance)
    assert outcome.agrees
    assert (outcome.paid, outcome.paid_total) == (3, Decimal("180.00"))
    assert (outcome.failed, outcome.failed_total) == (0, Decimal("0.00"))
    assert outcome.problems == [] and outcome.missing == []
    assert outcome.summary()["difference"] == "0.00"
    assert outcome.summary()["export_total"] == "180.00"
    record = Reconciliation.objects.get()
    assert outcome.record == record
    assert (record.agrees, record.paid, record.paid_total, record.by) == (
        True,
        3,
        Decimal("180.00"),
        finance,
    )
    results = PaymentResult.objects.filter(line__roll=roll)
    assert results.count() == 3
    assert set(results.values_list("status", flat=True)) == {PaymentStatus.PAID}
    assert Entry.objects.filter(action="payroll.reconcile").count() == 1


def test_a_result_file_from_the_bank_may_be_an_xlsx_with_numbers(
    roll: Roll, finance: Any, tmp_path: Path
) -> None:
    rows = [[ref, Decimal(amount), "paid", ""] for ref, amount, _r, _w in all_paid(roll)]
    outcome = reconcile(roll, write_xlsx(tmp_path / "result.xlsx", rows), finance)
    assert outcome.agrees, outcome.summary()
    assert (outcome.paid, outcome.paid_total) == (3, Decimal("180.00"))


def test_a_failed_payment_is_counted_and_recorded_with_its_reason(
    roll: Roll, finance: Any, tmp_path: Path
) -> None:
    rows = all_paid(roll)
    rows[1][2:] = ["失败", "账户已销户"]
    outcome = reconcile(roll, write_csv(tmp_path / "result.csv", rows), finance)
    assert (outcome.paid, outcome.paid_total) == (2, Decimal("120.00"))
    assert (outcome.failed, outcome.failed_total) == (1, Decimal("60.00"))
    assert outcome.agrees  # the bank answered for every line, for the roll's total
    failed = PaymentResult.objects.get(line=line_named(rows[1][0]))
    assert (failed.status, failed.reason) == (PaymentStatus.FAILED, "账户已销户")
    assert PaymentResult.objects.filter(status=PaymentStatus.PAID).count() == 2


def test_every_bad_row_is_listed_with_its_row_number_and_nothing_of_it_recorded(
    roll: Roll, finance: Any, tmp_path: Path
) -> None:
    paid = all_paid(roll)
    first, second, third = paid
    rows = [
        first,  # row 2: fine
        [second[0], "61.00", "成功", ""],  # row 3: amount differs
        ["C2026119999999999", "60.00", "成功", ""],  # row 4: not a line of the roll
        first,  # row 5: twice
        [third[0], third[1], "处理中", ""],  # row 6: neither paid nor failed
        [third[0], "abc", "成功", ""],  # row 7: twice, and no number
    ]
    outcome = reconcile(roll, write_csv(tmp_path / "result.csv", rows), finance)
    assert not outcome.agrees
    assert [(p["row"], p["reference"]) for p in outcome.problems] == [
        (3, second[0]),
        (4, "C2026119999999999"),
        (5, first[0]),
        (6, third[0]),
        (7, third[0]),
    ]
    words = [p["problem"] for p in outcome.problems]
    assert "61.00" in words[0] and "60.00" in words[0]
    assert "not a line" in words[1]
    assert "twice" in words[2] and "2" in words[2] and "5" in words[2]
    assert "neither" in words[3]
    assert outcome.missing == []  # every line was named, rightly or not
    assert (outcome.paid, outcome.failed) == (1, 0)
    assert {r.line.reference for r in PaymentResult.objects.all()} == {first[0]}
    record = Reconciliation.objects.get()
    assert record.agrees is False
    assert [p["row"] for p in record.differences["problems"]] == [3, 4, 5, 6, 7]


def test_lines_the_file_does_not_mention_are_missing_and_the_totals_differ(
    roll: Roll, finance: Any, tmp_path: Path
) -> None:
    export(roll, tmp_path / "bank.csv", finance)
    paid = all_paid(roll)
    outcome = reconcile(roll, write_csv(tmp_path / "result.csv", paid[:1]), finance)
    assert not outcome.agrees
    assert outcome.missing == sorted(row[0] for row in paid[1:])
    assert outcome.problems == []
    summary = outcome.summary()
    assert (summary["roll_total"], summary["export_total"], summary["file_total"]) == (
        "180.00",
        "180.00",
        "60.00",
    )
    assert summary["difference"] == "-120.00"
    assert summary["missing_count"] == 2
    assert Reconciliation.objects.get().differences["missing"] == outcome.missing


def test_a_file_total_that_differs_from_the_roll_disagrees(
    roll: Roll, finance: Any, tmp_path: Path
) -> None:
    rows = all_paid(roll)
    rows[0][1] = "59.99"
    outcome = reconcile(roll, write_csv(tmp_path / "result.csv", rows), finance)
    assert not outcome.agrees
    assert outcome.file_total == Decimal("179.99") and outcome.roll_total == Decimal("180.00")
    assert outcome.summary()["difference"] == "-0.01"
    assert [p["row"] for p in outcome.problems] == [2]


def test_the_latest_result_file_wins_for_each_line(
    roll: Roll, finance: Any, tmp_path: Path
) -> None:
    reconcile(roll, write_csv(tmp_path / "first.csv", all_paid(roll)), finance)
    rows = all_paid(roll)
    rows[0][2:] = ["failed", "退票"]
    second = reconcile(roll, write_csv(tmp_path / "second.csv", rows), finance)
    assert PaymentResult.objects.count() == 3
    result = PaymentResult.objects.get(line=line_named(rows[0][0]))
    assert (result.status, result.reason, result.reconciliation) == (
        PaymentStatus.FAILED,
        "退票",
        second.record,
    )
    assert Reconciliation.objects.count() == 2


def test_a_result_file_without_a_reference_column_is_refused_and_nothing_is_written(
    roll: Roll, finance: Any, tmp_path: Path
) -> None:
    rows = [[amount, result] for _ref, amount, result, _w in all_paid(roll)]
    path = write_csv(tmp_path / "result.csv", rows, header=["金额", "结果"])
    with pytest.raises(ValidationError) as raised:
        reconcile(roll, path, finance)
    assert "支付参考号" in " ".join(raised.value.messages)
    assert not Reconciliation.objects.exists()
    assert not PaymentResult.objects.exists()
    assert not Entry.objects.filter(action="payroll.reconcile").exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("result.csv", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"),
        ("result.pdf", b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"),
        ("result.xlsx", b"this is not a zip file at all, only text pretending"),
        ("result.csv", b""),
    ],
)
def test_a_file_that_is_not_a_readable_spreadsheet_is_refused(
    roll: Roll, finance: Any, tmp_path: Path, name: str, content: bytes
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ValidationError):
        reconcile(roll, path, finance)
    assert not Reconciliation.objects.exists()
    assert not PaymentResult.objects.exists()


def test_a_draft_roll_is_not_reconciled(draft: Roll, finance: Any, tmp_path: Path) -> None:
    with pytest.raises(ValidationError):
        reconcile(draft, write_csv(tmp_path / "result.csv", all_paid(draft)), finance)
    assert not Reconciliation.objects.exists()


def test_reconciling_is_refused_to_whoever_may_not_prepare_rolls(
    roll: Roll, county_clerk: Any, tmp_path: Path
) -> None:
    with pytest.raises(PermissionDenied):
        reconcile(roll, write_csv(tmp_path / "result.csv", all_paid(roll)), county_clerk)
    assert not Reconciliation.objects.exists()


def test_a_reconciled_export_round_trips_from_the_exported_file(
    roll: Roll, finance: Any, tmp_path: Path
) -> None:
    """The bank returns our own file with a result column: references and amounts as given."""
    path = tmp_path / "bank.csv"
    export(roll, path, finance)
    exported = read_csv(path)
    header = [*exported[0], "结果"]
    rows = [[*row, "成功"] for row in exported[1:]]
    outcome = reconcile(roll, write_csv(tmp_path / "back.csv", rows, header=header), finance)
    assert outcome.agrees, outcome.summary()
    assert outcome.paid == 3


def test_an_amount_too_large_to_be_one_is_a_row_problem_not_a_server_error(
    roll: Roll, finance: Any, tmp_path: Path
) -> None:
    first, second, _third = all_paid(roll)
    rows = [first, [second[0], "1E9999999", "成功", ""]]
    outcome = reconcile(roll, write_csv(tmp_path / "result.csv", rows), finance)
    assert [(p["row"], p["reference"]) for p in outcome.problems] == [(3, second[0])]
    assert {r.line.reference for r in PaymentResult.objects.all()} == {first[0]}
