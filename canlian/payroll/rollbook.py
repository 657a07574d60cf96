"""The printed payment roll (发放花名册): an .xlsx laid out for printing and signing.

Federations print a month's roll for the township and county to check and sign, and keep it
with the payment records. The book has two sheets:

- 花名册: a title (county, programme, month), the roll's status and who prepared and
  approved (审核) it, by name and office, then one row per line, ordered by township, village
  and name: number, township, village, name, ID number and account (both masked: a printed
  sheet is read by many), bank, amount, month paid for, kind and reason; a total row; and the
  signature rows (制表人, 审核人, each with a date: the roll's four eyes, docs/glossary.md).
  Printed A4 landscape, one page wide, the header row repeated on every page,
  "第 n 页 共 m 页" in the footer.
- 汇总: lines and amount per township, the roll's total below.

With ``township`` (a 9-digit code) the book holds that township's lines only, for the township
to sign its own part. Every book written is an access record in the audit log.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from canlian.accounts.actors import Actor
from canlian.accounts.display import actor_name
from canlian.accounts.roles import Perm
from canlian.accounts.scoping import covers
from canlian.audit import records as audit
from canlian.benefits.terms import PROGRAMME
from canlian.payroll.models import Line, Roll, RollStatus
from canlian.payroll.terms import LINE_KIND
from canlian.places.models import Place
from canlian.spreadsheets.writing import Book, safe_cell

__all__ = ["HEADERS", "write_roll_book"]

HEADERS = (
    "序号", "乡镇（街道）", "村（社区）", "姓名", "公民身份号码", "开户银行", "银行账号",
    "金额（元）", "所属月份", "类别", "说明",
)  # fmt: skip
STATUS_WORDS = {RollStatus.DRAFT: "草稿（待审核）", RollStatus.APPROVED: "已审核"}
WIDTHS = (6, 16, 16, 10, 20, 20, 22, 11, 10, 9, 24)


def _names(codes: set[str]) -> dict[str, str]:
    return dict(Place.objects.filter(code__in=codes).values_list("code", "name"))


def write_roll_book(
    *, roll_id: int, path: Path, acting_user: Actor, township: str = ""
) -> dict[str, Any]:
    """Write the printed roll of ``roll_id`` (or of one township of it) to ``path``; return
    {"lines", "total"} of what it holds."""
    roll = _roll(roll_id, acting_user, township)
    rows = _rows(roll, township)
    county_code = f"{roll.county}000000"
    codes = {r[0] + "000" for r in rows} | {r[1] for r in rows} | {county_code}
    names = _names(codes | {f"{township}000"} if township else codes)
    total = sum((r[3].amount for r in rows), Decimal("0.00"))
    _write(path, _Book(roll, rows, names, total, township, actor_name(acting_user)))
    with transaction.atomic():
        audit.record_access(
            acting_user=acting_user,
            action="payroll.roll_book",
            target=roll,
            detail={"township": township, "lines": len(rows), "total": f"{total:.2f}"},
            region=roll.county,
        )
    return {"lines": len(rows), "total": total}


def _roll(roll_id: int, acting_user: Actor, township: str) -> Roll:
    """The roll, if the user may see it and ``township`` (if any) is one of its county's."""
    if not acting_user.can(Perm.VIEW_SUBSIDY):
        raise PermissionDenied(_("You may not see payment rolls."))
    roll = (
        Roll.objects.select_related(
            "prepared_by__place__parent__parent", "approved_by__place__parent__parent"
        )
        .filter(pk=roll_id)
        .first()
    )
    if roll is None or not covers(acting_user, roll.county):
        raise ValidationError(_("No such payment roll."))
    if township and not (
        len(township) == 9 and township.isdigit() and township.startswith(roll.county)
    ):
        raise ValidationError(_("Choose a township of the roll's county."))
    return roll


Row = tuple[str, str, str, Line]  # township code, place code, name, line


def _rows(roll: Roll, township: str) -> list[Row]:
    """The roll's lines (of ``township`` only, if given) by township, village and name."""
    lines = Line.objects.filter(roll=roll).select_related("person", "account")
    if township:
        lines = lines.filter(person__place__code__startswith=township)
    rows = []
    for line in lines.only(
        "kind", "programme", "month", "amount", "reason", "person__name", "person__place_id",
        "person__id_number_masked", "account__bank_name", "account__account_masked",
    ).iterator(chunk_size=5000):  # fmt: skip
        place = line.person.place_id
        rows.append((place[:9], place, line.person.name, line))
    rows.sort(key=lambda r: (r[0], r[1], r[2], r[3].pk))
    return rows


@dataclasses.dataclass(frozen=True)
class _Book:
    """What the book shows."""

    roll: Roll
    rows: list[Row]
    names: dict[str, str]  # place code → name
    total: Decimal
    township: str
    printed_by: str


def _write(path: Path, content: _Book) -> None:
    book = Book(str(path))
    formats = {
        "title": book.format("title"),
        "bold": book.format("bold", border=1, text_wrap=True, valign="top"),
        "text": book.format("text", border=1, valign="top"),
        "money": book.format("yuan", border=1, valign="top"),
        "plain": book.format("plain"),
    }
    sheet = book.sheet("花名册")
    _heading(sheet, formats, content)
    _lines(sheet, formats, content)
    _summary(book.sheet("汇总"), formats, content)
    book.close()


def _heading(sheet: Any, formats: dict[str, Any], content: _Book) -> None:
    """The title, the status line (who prepared, approved and printed it) and the headers."""
    roll, names, township = content.roll, content.names, content.township
    county_code = f"{roll.county}000000"
    where = names.get(county_code, roll.county)
    where += names.get(f"{township}000", township) if township else ""
    title = f"{where}{PROGRAMME[roll.programme].zh}发放花名册（{roll.month:%Y年%m月}）"
    sheet.merge_range(0, 0, 0, len(HEADERS) - 1, title, formats["title"])
    approver = actor_name(roll.approved_by)
    preparer = actor_name(roll.prepared_by, roll.prepared_by_name)
    approved = (
        f"；审核：{approver}，{timezone.localtime(roll.approved_at):%Y-%m-%d}"
        if roll.status == RollStatus.APPROVED and roll.approved_at
        else ""
    )
    sheet.write_string(
        1,
        0,
        f"状态：{STATUS_WORDS.get(RollStatus(roll.status), roll.status)}；"
        f"制表：{preparer}，{timezone.localtime(roll.prepared_at):%Y-%m-%d}{approved}；"
        f"共 {len(content.rows)} 人次，合计 {content.total:,.2f} 元；"
        f"打印：{content.printed_by}，{timezone.localtime():%Y-%m-%d %H:%M}",
        formats["plain"],
    )
    for col, (header, width) in enumerate(zip(HEADERS, WIDTHS, strict=True)):
        sheet.write_string(2, col, header, formats["bold"])
        sheet.set_column(col, col, width)


def _lines(sheet: Any, formats: dict[str, Any], content: _Book) -> None:
    """One row per line, the total row, the signature rows; the page set-up for printing."""
    text, money, bold, plain = formats["text"], formats["money"], formats["bold"], formats["plain"]
    names = content.names
    r = 2
    for number, (town, place, name, line) in enumerate(content.rows, start=1):
        r += 1
        values = (
            str(number), names.get(town + "000", town), names.get(place, place), name,
            line.person.id_number_masked, line.account.bank_name,
            line.account.account_masked,
        )  # fmt: skip
        for col, value in enumerate(values):
            sheet.write_string(r, col, safe_cell(value), text)
        sheet.write_number(r, 7, float(line.amount), money)
        sheet.write_string(r, 8, f"{line.month:%Y-%m}", text)
        sheet.write_string(r, 9, LINE_KIND[line.kind].zh, text)
        sheet.write_string(r, 10, safe_cell(line.reason), text)
    r += 1
    sheet.write_string(r, 0, "合计", bold)
    sheet.merge_range(r, 1, r, 6, f"{len(content.rows)} 人次", bold)
    sheet.write_number(r, 7, float(content.total), money)
    r += 2
    for offset, who in enumerate(("制表人", "审核人")):
        sheet.write_string(r, offset * 4, f"{who}（签字）：", plain)
        sheet.write_string(r, offset * 4 + 2, "日期：", plain)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(2)
    sheet.set_footer("&C第 &P 页 共 &N 页")
    sheet.freeze_panes(3, 0)


def _summary(summary: Any, formats: dict[str, Any], content: _Book) -> None:
    """Lines and amount per township, the roll's total below."""
    text, money, bold = formats["text"], formats["money"], formats["bold"]
    for col, (header, width) in enumerate((("乡镇（街道）", 20), ("人次", 8), ("金额（元）", 14))):
        summary.write_string(0, col, header, bold)
        summary.set_column(col, col, width)
    per_town: dict[str, list[Any]] = defaultdict(lambda: [0, Decimal("0.00")])
    for town, _place, _name, line in content.rows:
        per_town[town][0] += 1
        per_town[town][1] += line.amount
    for i, (town, (count, amount)) in enumerate(sorted(per_town.items()), start=1):
        summary.write_string(i, 0, content.names.get(town + "000", town), text)
        summary.write_number(i, 1, count, text)
        summary.write_number(i, 2, float(amount), money)
    last = len(per_town) + 1
    summary.write_string(last, 0, "合计", bold)
    summary.write_number(last, 1, len(content.rows), bold)
    summary.write_number(last, 2, float(content.total), money)
    summary.set_paper(9)
