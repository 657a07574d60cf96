"""The bank file of an approved roll, and the bank's result file read back (对账).

**Export** (:func:`export_roll`): one row per line: payment reference, name, bank, account
(masked, or in full for a user who may export full bank accounts; logged either way), amount,
programme, month paid for and kind; .xlsx or .csv (UTF-8 with BOM, which Excel and WPS open).
Cells that a spreadsheet would run as a formula are escaped.

**Reconciliation** (:func:`reconcile`): the bank returns a file with, per row, the payment
reference, the amount and the result (成功/失败 or paid/failed) with a reason for failures.
Read with the import machinery (the same checks of type, size and formulas). Every row is
checked: a reference not in the roll, a reference twice, an amount that differs from the
line's, a result that is neither paid nor failed; lines the file does not mention are listed as
missing. The totals of the roll, of its latest export and of the file are compared, and the
difference is listed when they disagree. The results of the rows that check out are recorded
per line (the latest file wins); nothing is recorded when the file cannot be read.
"""

from __future__ import annotations

import dataclasses
import hashlib
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from canlian.accounts import reveal as gate
from canlian.accounts.roles import Perm
from canlian.accounts.scoping import covers
from canlian.audit import records as audit
from canlian.benefits.models import (
    BankExport,
    Line,
    PaymentAccount,
    PaymentResult,
    PaymentStatus,
    Programme,
    Reconciliation,
    Roll,
    RollStatus,
    line_reference,
)
from canlian.spreadsheets.reading import FileRefused, open_table
from canlian.spreadsheets.writing import Book, safe_cell, write_csv

__all__ = ["EXPORT_HEADERS", "Reconciled", "export_roll", "reconcile"]

EXPORT_HEADERS = ["支付参考号", "姓名", "开户银行", "账号", "金额", "项目", "所属月份", "类别"]
REFERENCE_HEADERS = ("支付参考号", "参考号", "reference")
AMOUNT_HEADERS = ("金额", "amount")
RESULT_HEADERS = ("结果", "状态", "result", "status")
REASON_HEADERS = ("原因", "失败原因", "reason")
PAID_WORDS = {"成功", "已支付", "paid", "success", "ok"}
FAILED_WORDS = {"失败", "未支付", "failed", "fail", "failure"}
LIMIT = 5000  # differences listed at most (the counts are always complete)


def _roll(roll_id: int, user: Any) -> Roll:
    roll = Roll.objects.filter(pk=roll_id).first()
    if roll is None:
        raise ValidationError(_("No such payment roll."))
    if not user.can(Perm.PREPARE_PAYROLL) or not covers(user, roll.county):
        raise PermissionDenied(_("You may not handle this roll's bank files."))
    if roll.status != RollStatus.APPROVED:
        raise ValidationError(_("Only an approved roll goes to the bank."))
    return roll


def _rows(roll: Roll, opener: gate.Opener | None) -> list[list[Any]]:
    """The file's rows; accounts opened by `opener` (a full file) or masked (None)."""
    lines = (
        Line.objects.filter(roll=roll)
        .select_related("person", "account", "account__person")
        .order_by("id")
        .only(
            "person_id", "amount", "programme", "month", "kind", "person__name",
            "account__bank_name", "account__account_masked", "account__account_cipher",
            "account__person__place_id",
        )
    )  # fmt: skip
    rows = []
    for line in lines.iterator(chunk_size=5000):
        account = opener(line.account, "account") if opener else line.account.account_masked
        rows.append(
            [
                line.reference,
                line.person.name,
                line.account.bank_name,
                account,
                f"{line.amount:.2f}",
                str(Programme(line.programme).label),
                f"{line.month:%Y-%m}",
                line.get_kind_display(),
            ]
        )
    return rows


def export_roll(*, roll_id: int, path: Path, full: bool, acting_user: Any) -> BankExport:
    """Write the bank file of an approved roll to ``path`` (.xlsx or .csv)."""
    roll = _roll(roll_id, acting_user)
    if full and not acting_user.can(Perm.EXPORT_REVEAL):
        raise PermissionDenied(_("You may not export full bank account numbers."))
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise ValidationError(_("The file name must end in .xlsx or .csv."))
    opener = None
    if full:
        opener = gate.reveal_many(
            model=PaymentAccount, fields=("account",), purpose=gate.Purpose.BANK_FILE,
            acting_user=acting_user, region=roll.county, action="payroll.export.open",
            detail={"roll": roll.pk, "file": path.name},
        )  # fmt: skip
    rows = _rows(roll, opener)
    if suffix == ".xlsx":
        book = Book(str(path))
        sheet = book.sheet("发放明细")
        book.headers(sheet, EXPORT_HEADERS, [20, None, None, 24, None, None, None, None])
        text = book.format("text")
        for r, row in enumerate(rows, start=1):
            for col, value in enumerate(row):
                # Every cell as text, amounts too: the bank reads what it is given.
                sheet.write_string(r, col, safe_cell(value), text)
        book.close()
    else:
        write_csv(path, EXPORT_HEADERS, rows)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    total = sum((Decimal(row[4]) for row in rows), Decimal("0.00"))
    with transaction.atomic():
        export = BankExport.objects.create(
            roll=roll,
            file_name=path.name,
            lines=len(rows),
            total=total,
            full_accounts=full,
            sha256=digest,
            by=acting_user if getattr(acting_user, "pk", None) else None,
            by_name=acting_user.get_username(),
        )
        audit.record_access(
            acting_user=acting_user,
            action="payroll.export",
            target=roll,
            detail={"file": path.name, "lines": len(rows), "total": f"{total:.2f}", "full": full},
            region=roll.county,
        )
    return export


@dataclasses.dataclass
class Reconciled:
    record: Reconciliation | None  # None when the file had problems and nothing was recorded
    paid: int
    paid_total: Decimal
    failed: int
    failed_total: Decimal
    roll_total: Decimal
    export_total: Decimal | None
    file_total: Decimal
    problems: list[dict[str, Any]]  # row, reference, problem (in words)
    missing: list[str]  # references of the roll the file does not mention

    @property
    def agrees(self) -> bool:
        totals = {self.roll_total, self.file_total}
        if self.export_total is not None:
            totals.add(self.export_total)
        return not self.problems and not self.missing and len(totals) == 1

    def summary(self) -> dict[str, Any]:
        return {
            "paid": self.paid,
            "paid_total": f"{self.paid_total:.2f}",
            "failed": self.failed,
            "failed_total": f"{self.failed_total:.2f}",
            "roll_total": f"{self.roll_total:.2f}",
            "export_total": None if self.export_total is None else f"{self.export_total:.2f}",
            "file_total": f"{self.file_total:.2f}",
            "difference": f"{self.file_total - self.roll_total:.2f}",
            "agrees": self.agrees,
            "problems": self.problems[:LIMIT],
            "missing": self.missing[:LIMIT],
            "missing_count": len(self.missing),
            "problem_count": len(self.problems),
        }


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    folded = [h.strip().lower() for h in header]
    for name in names:
        if name.lower() in folded:
            return folded.index(name.lower())
    return None


def reconcile(*, roll_id: int, path: Path, filename: str, acting_user: Any) -> Reconciled:
    """Read the bank's result file for an approved roll; record what checks out."""
    roll = _roll(roll_id, acting_user)
    try:
        table = open_table(path, filename=filename)
        rows = list(table.rows())
    except FileRefused as refused:
        raise ValidationError(refused.message) from None
    header_row, header_cells = rows[0]
    header = ["" if c is None else str(c) for c in header_cells]
    at = {
        "reference": _column(header, REFERENCE_HEADERS),
        "amount": _column(header, AMOUNT_HEADERS),
        "result": _column(header, RESULT_HEADERS),
        "reason": _column(header, REASON_HEADERS),
    }
    missing_columns = [name for name in ("reference", "amount", "result") if at[name] is None]
    if missing_columns:
        words = {"reference": "支付参考号", "amount": "金额", "result": "结果"}
        raise ValidationError(
            _("The result file has no column %(columns)s in its first row.")
            % {"columns": "、".join(words[n] for n in missing_columns)}
        )
    lines = {
        line_reference(kind, pk, programme, month, person): (pk, amount)
        for pk, kind, programme, month, person, amount in Line.objects.filter(
            roll=roll
        ).values_list("pk", "kind", "programme", "month", "person_id", "amount")
    }
    seen: dict[str, int] = {}
    problems: list[dict[str, Any]] = []
    results: dict[int, tuple[str, str]] = {}
    file_total = paid_total = failed_total = Decimal("0.00")
    paid = failed = 0

    def cell(values: list[Any], name: str) -> str:
        index = at[name]
        if index is None or index >= len(values) or values[index] is None:
            return ""
        return str(values[index]).strip()

    for number, values in rows[1:]:
        cells = list(values)
        reference = cell(cells, "reference").lstrip("'")
        problem = None
        try:
            amount = Decimal(cell(cells, "amount").replace(",", ""))
            if not amount.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            amount = None
        result = cell(cells, "result").lower()
        if amount is not None:
            file_total += amount
        if reference in seen:
            problem = _("reference %(reference)s appears twice (rows %(first)s and %(row)s)") % {
                "reference": reference,
                "first": seen[reference],
                "row": number,
            }
        elif reference not in lines:
            problem = _("reference %(reference)s is not a line of this roll") % {
                "reference": reference or "—"
            }
        elif amount is None:
            problem = _("the amount is not a number")
        elif amount != lines[reference][1]:
            problem = _("the bank's amount %(bank)s differs from the roll's %(roll)s") % {
                "bank": f"{amount:.2f}",
                "roll": f"{lines[reference][1]:.2f}",
            }
        elif result not in PAID_WORDS | FAILED_WORDS:
            problem = _("the result is neither 成功 (paid) nor 失败 (failed)")
        seen.setdefault(reference, number)
        if problem:
            problems.append({"row": number, "reference": reference, "problem": problem})
            continue
        assert amount is not None
        line_pk = lines[reference][0]
        if result in PAID_WORDS:
            paid, paid_total = paid + 1, paid_total + amount
            results[line_pk] = (PaymentStatus.PAID, "")
        else:
            failed, failed_total = failed + 1, failed_total + amount
            results[line_pk] = (PaymentStatus.FAILED, cell(cells, "reason")[:200])
    missing = sorted(set(lines) - set(seen))
    latest = roll.exports.order_by("-at", "-id").first()
    outcome = Reconciled(
        record=None,
        paid=paid,
        paid_total=paid_total,
        failed=failed,
        failed_total=failed_total,
        roll_total=roll.total,
        export_total=latest.total if latest else None,
        file_total=file_total,
        problems=problems,
        missing=missing,
    )
    with transaction.atomic():
        record = Reconciliation.objects.create(
            roll=roll,
            file_name=filename[:200],
            paid=paid,
            paid_total=paid_total,
            failed=failed,
            failed_total=failed_total,
            agrees=outcome.agrees,
            differences={
                "problems": problems[:LIMIT],
                "missing": missing[:LIMIT],
                "missing_count": len(missing),
                "roll_total": f"{roll.total:.2f}",
                "file_total": f"{file_total:.2f}",
                "export_total": outcome.summary()["export_total"],
            },
            by=acting_user if getattr(acting_user, "pk", None) else None,
            by_name=acting_user.get_username(),
        )
        for line_pk, (status, reason) in results.items():
            PaymentResult.objects.update_or_create(
                line_id=line_pk,
                defaults={"reconciliation": record, "status": status, "reason": reason},
            )
        audit.record(
            acting_user=acting_user,
            action="payroll.reconcile",
            target=roll,
            detail={
                "file": filename,
                **{k: v for k, v in outcome.summary().items() if k not in ("problems", "missing")},
            },
            region=roll.county,
        )
    outcome.record = record
    del header_row
    return outcome
