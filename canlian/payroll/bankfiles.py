"""The bank file of an approved roll, and the bank's result file read back (对账).

**Export** (:func:`export_roll`): one row per line: payment reference, name, bank, account
(in full, opened through the reveal gate for the bank file, for a user who may export full
bank accounts; masked only for the command line's check copy; logged either way), amount,
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
from canlian.accounts.actors import Actor
from canlian.accounts.roles import Perm
from canlian.accounts.scoping import covers
from canlian.audit import records as audit
from canlian.benefits.models import PaymentAccount
from canlian.benefits.terms import PROGRAMME
from canlian.payroll.actors import account_of
from canlian.payroll.models import (
    BankExport,
    Line,
    PaymentResult,
    PaymentStatus,
    Reconciliation,
    Roll,
    RollStatus,
    line_reference,
)
from canlian.payroll.terms import LINE_KIND
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


def _roll(roll_id: int, user: Actor) -> Roll:
    roll = Roll.objects.filter(pk=roll_id).first()
    if roll is None:
        raise ValidationError(_("No such payment roll."))
    if not user.can(Perm.PREPARE_PAYROLL) or not covers(user, roll.county):
        raise PermissionDenied(_("You may not handle this roll's bank files."))
    if roll.status != RollStatus.APPROVED:
        raise ValidationError(_("Only an approved roll goes to the bank."))
    return roll


def _open_region(roll: Roll, user: Actor) -> str:
    """The jurisdiction the full file's accounts are opened in: the roll's county, or the
    user's wider one when a holder has since moved to another county. Checked before anything
    is opened or logged, so that a file is never refused half-way: the lines whose holder now
    lives outside the user's jurisdiction are named, and no file is written."""
    moved = list(
        Line.objects.filter(roll=roll)
        .exclude(account__person__place__code__startswith=roll.county)
        .select_related("account__person")
        .order_by("id")
        .only("kind", "programme", "month", "person_id", "account__person__place_id")
    )
    if not moved:
        return roll.county
    outside = [line for line in moved if not covers(user, line.account.person.place_id)]
    if outside:
        shown = "、".join(line.reference for line in outside[:20])
        raise ValidationError(
            _(
                "The holders of %(count)d lines have moved out of your jurisdiction since the "
                "roll was made (payment references %(references)s): their accounts cannot be "
                "opened by you. A finance officer of the city exports this file. No file was "
                "written."
            )
            % {"count": len(outside), "references": shown}
        )
    return str(user.scope_prefix)


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
                PROGRAMME[line.programme].zh,  # for the bank: Chinese in any language
                f"{line.month:%Y-%m}",
                LINE_KIND[line.kind].zh,
            ]
        )
    return rows


def export_roll(*, roll_id: int, path: Path, full: bool, acting_user: Actor) -> BankExport:
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
            acting_user=acting_user, region=_open_region(roll, acting_user),
            action="payroll.export.open", detail={"roll": roll.pk, "file": path.name},
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
            by=account_of(acting_user),
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


def reconcile(*, roll_id: int, path: Path, filename: str, acting_user: Actor) -> Reconciled:
    """Read the bank's result file for an approved roll; record what checks out."""
    roll = _roll(roll_id, acting_user)
    try:
        table = open_table(path, filename=filename)
        rows = list(table.rows())
    except FileRefused as refused:
        raise ValidationError(refused.message) from None
    _header_row, header_cells = rows[0]
    at = _columns(["" if c is None else str(c) for c in header_cells])
    lines = {
        line_reference(kind, pk, programme, month, person): (pk, amount)
        for pk, kind, programme, month, person, amount in Line.objects.filter(
            roll=roll
        ).values_list("pk", "kind", "programme", "month", "person_id", "amount")
    }
    tally = _Tally()
    for number, values in rows[1:]:
        _check_row(tally, number, list(values), at, lines)
    latest = roll.exports.order_by("-at", "-id").first()
    outcome = Reconciled(
        record=None,
        paid=tally.paid,
        paid_total=tally.paid_total,
        failed=tally.failed,
        failed_total=tally.failed_total,
        roll_total=roll.total,
        export_total=latest.total if latest else None,
        file_total=tally.file_total,
        problems=tally.problems,
        missing=sorted(set(lines) - set(tally.seen)),
    )
    outcome.record = _record(roll, filename, outcome, tally.results, acting_user)
    return outcome


def _columns(header: list[str]) -> dict[str, int | None]:
    """Where each column is in the result file's first row; a refusal naming the missing."""
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
    return at


@dataclasses.dataclass
class _Tally:
    """What the rows of a result file said, as they are checked."""

    seen: dict[str, int] = dataclasses.field(default_factory=dict)  # reference → first row
    problems: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    # line id → (status, reason)
    results: dict[int, tuple[str, str]] = dataclasses.field(default_factory=dict)
    file_total: Decimal = Decimal("0.00")
    paid: int = 0
    paid_total: Decimal = Decimal("0.00")
    failed: int = 0
    failed_total: Decimal = Decimal("0.00")


def _cell(values: list[Any], index: int | None) -> str:
    if index is None or index >= len(values) or values[index] is None:
        return ""
    return str(values[index]).strip()


# No payment line comes near a billion yuan: an "amount" of ten digits or more before the point
# (1E9999999) is not one, and any arithmetic on it could overflow the decimal context.
MOST_DIGITS = 9


def _amount(text: str) -> Decimal | None:
    try:
        amount = Decimal(text.replace(",", ""))
        if not amount.is_finite() or amount.adjusted() >= MOST_DIGITS:
            raise InvalidOperation
    except InvalidOperation:
        return None
    return amount


def _check_row(
    tally: _Tally,
    number: int,
    cells: list[Any],
    at: dict[str, int | None],
    lines: dict[str, tuple[int, Decimal]],
) -> None:
    """Check one row of the file and count it in ``tally``: a problem, or a line's result."""
    reference = _cell(cells, at["reference"]).lstrip("'")
    amount = _amount(_cell(cells, at["amount"]))
    result = _cell(cells, at["result"]).lower()
    if amount is not None:
        tally.file_total += amount
    problem = _problem(reference, amount, result, number, tally.seen, lines)
    tally.seen.setdefault(reference, number)
    if problem:
        tally.problems.append({"row": number, "reference": reference, "problem": problem})
        return
    assert amount is not None
    line_pk = lines[reference][0]
    if result in PAID_WORDS:
        tally.paid, tally.paid_total = tally.paid + 1, tally.paid_total + amount
        tally.results[line_pk] = (PaymentStatus.PAID, "")
    else:
        tally.failed, tally.failed_total = tally.failed + 1, tally.failed_total + amount
        tally.results[line_pk] = (PaymentStatus.FAILED, _cell(cells, at["reason"])[:200])


def _problem(
    reference: str,
    amount: Decimal | None,
    result: str,
    number: int,
    seen: dict[str, int],
    lines: dict[str, tuple[int, Decimal]],
) -> str | None:
    """What is wrong with a row, in words; None when it checks out."""
    if reference in seen:
        return _("reference %(reference)s appears twice (rows %(first)s and %(row)s)") % {
            "reference": reference,
            "first": seen[reference],
            "row": number,
        }
    if reference not in lines:
        return _("reference %(reference)s is not a line of this roll") % {
            "reference": reference or "—"
        }
    if amount is None:
        return _("the amount is not a number")
    if amount != lines[reference][1]:
        return _("the bank's amount %(bank)s differs from the roll's %(roll)s") % {
            "bank": f"{amount:,.2f}",
            "roll": f"{lines[reference][1]:,.2f}",
        }
    if result not in PAID_WORDS | FAILED_WORDS:
        return _("the result is neither 成功 (paid) nor 失败 (failed)")
    return None


def _record(
    roll: Roll,
    filename: str,
    outcome: Reconciled,
    results: dict[int, tuple[str, str]],
    acting_user: Actor,
) -> Reconciliation:
    """The reconciliation, the lines' results (the latest file wins) and the audit entry."""
    with transaction.atomic():
        record = Reconciliation.objects.create(
            roll=roll,
            file_name=filename[:200],
            paid=outcome.paid,
            paid_total=outcome.paid_total,
            failed=outcome.failed,
            failed_total=outcome.failed_total,
            agrees=outcome.agrees,
            differences={
                "problems": outcome.problems[:LIMIT],
                "missing": outcome.missing[:LIMIT],
                "missing_count": len(outcome.missing),
                "roll_total": f"{roll.total:.2f}",
                "file_total": f"{outcome.file_total:.2f}",
                "export_total": outcome.summary()["export_total"],
            },
            by=account_of(acting_user),
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
    return record
