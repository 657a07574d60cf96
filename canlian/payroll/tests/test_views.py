"""The payment roll pages (/payroll/): generation, the roll, four-eyes approval and discarding
after a confirmation, adjustments, the bank file and the bank's result file, recoveries."""

from __future__ import annotations

import dataclasses
import datetime
import io
import re
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext
from python_calamine import CalamineWorkbook

from canlian.audit.models import Entry
from canlian.benefits import services
from canlian.benefits.eligibility import Month
from canlian.conftest import client_for, opened
from canlian.payroll import rollbook, rolls
from canlian.payroll.forms import roll_token
from canlian.payroll.models import (
    LineKind,
    PaymentResult,
    PaymentStatus,
    Recovery,
    RecoveryStatus,
    Roll,
    RollStatus,
)

pytestmark = pytest.mark.django_db

ACCOUNT = "6228480012345678901"
MASKED = "*" * 15 + "8901"
MONTH = Month(2026, 10)  # begun: generation refuses months that have not


def zh(msgid: str) -> str:
    """A message as the pages show it (Simplified Chinese, or the msgid until translated),
    escaped as in HTML."""
    with translation.override("zh-hans"):
        return escape(gettext(msgid))


def text(response: Any) -> str:
    return response.content.decode()


@pytest.fixture
def enrolled(make_person: Any, civil_affairs: Any) -> Any:
    """A grade-2 person of 温县 receiving the care subsidy (60.00 a month in Jiaozuo)."""
    person = make_person(grade=2, name="李护理")
    services.enrol_existing(
        person_id=person.pk,
        programme="care",
        start_month=datetime.date(2026, 1, 1),
        approved_on=datetime.date(2025, 12, 20),
        bank_name="农业银行",
        account=ACCOUNT,
        long_term_care_months=12,
        acting_user=civil_affairs,
    )
    return person


@pytest.fixture
def roll(enrolled: Any, finance: Any) -> Roll:
    """The draft care roll of 温县 for MONTH, prepared by `finance`."""
    rolls.generate(month=MONTH, county="410825", acting_user=finance)
    return Roll.objects.get(county="410825", programme="care", month=MONTH.first)


@pytest.fixture
def approved(roll: Roll, finance_reviewer: Any) -> Roll:
    return rolls.approve(roll_id=roll.pk, acting_user=finance_reviewer)


# --- The month's rolls and their generation --------------------------------------------------


def test_generating_by_post_shows_the_totals(enrolled: Any, finance: Any) -> None:
    client = client_for(finance)
    response = client.post(
        reverse("payroll:generate"),
        {"gen-month": str(MONTH), "gen-county": "410825"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == f"{reverse('payroll:list')}?month={MONTH}"
    page = text(response)
    assert 'id="generated-heading"' in page
    assert 'id="grand-total">60.00<' in page
    roll = Roll.objects.get(county="410825", programme="care", month=MONTH.first)
    assert (roll.line_count, roll.total, roll.status) == (1, 60, RollStatus.DRAFT)
    assert reverse("payroll:roll", args=[roll.pk]) in page
    # The summary is shown once, after the generation.
    assert 'id="generated-heading"' not in text(client.get(f"/payroll/?month={MONTH}"))


def test_a_month_not_begun_is_refused_on_the_form(enrolled: Any, finance: Any) -> None:
    response = client_for(finance).post(
        reverse("payroll:generate"), {"gen-month": "2099-01", "gen-county": ""}
    )
    assert response.status_code == 200
    page = text(response)
    assert "govuk-error-summary" in page and 'href="#id_gen-month"' in page
    assert not Roll.objects.exists()


@pytest.mark.parametrize("month", ["2026-13", "abc", "２０２６-1０x", "9" * 40])
def test_a_bad_month_parameter_is_a_message_not_an_error(finance: Any, month: str) -> None:
    response = client_for(finance).get(reverse("payroll:list"), {"month": month})
    assert response.status_code == 200
    assert "govuk-error-summary" in text(response)


def test_a_bad_month_on_the_generate_form_is_a_message(finance: Any) -> None:
    response = client_for(finance).post(reverse("payroll:generate"), {"gen-month": "next"})
    assert response.status_code == 200
    assert 'href="#id_gen-month"' in text(response)


def test_a_bad_month_message_gives_an_example_month_not_a_pattern(finance: Any) -> None:
    response = client_for(finance).post(reverse("payroll:generate"), {"gen-month": "2026-13"})
    page = text(response)
    assert "2026-13不是有效的月份，请按“2026-06”这样的写法填写。" in page
    assert "YYYY" not in page


def test_the_list_shows_each_county_with_status_in_words(roll: Roll, county_clerk: Any) -> None:
    response = client_for(county_clerk).get(reverse("payroll:list"), {"month": str(MONTH)})
    page = text(response)
    assert response.status_code == 200
    assert zh("Draft, awaiting approval") in page
    assert "<tfoot>" in page and "60.00" in page
    # Prepared by: the finance officer's role and office, not the login.
    assert "（焦作市）" in page and ">finance<" not in page
    # No generate form without PREPARE_PAYROLL.
    assert reverse("payroll:generate") not in page


def test_a_county_clerk_can_view_but_not_generate_or_act(roll: Roll, county_clerk: Any) -> None:
    client = client_for(county_clerk)
    assert client.get(reverse("payroll:roll", args=[roll.pk])).status_code == 200
    assert client.post(reverse("payroll:generate"), {"gen-month": str(MONTH)}).status_code == 403
    assert client.get(reverse("payroll:approve", args=[roll.pk])).status_code == 403
    assert client.get(reverse("payroll:discard", args=[roll.pk])).status_code == 403
    assert client.post(reverse("payroll:export", args=[roll.pk])).status_code == 403


def test_rolls_outside_the_jurisdiction_are_not_found(
    roll: Roll, other_county_clerk: Any, township_officer: Any
) -> None:
    for user in (other_county_clerk, township_officer):
        client = client_for(user)
        assert client.get(reverse("payroll:roll", args=[roll.pk])).status_code == 404
        listing = text(client.get(reverse("payroll:list"), {"month": str(MONTH)}))
        assert reverse("payroll:roll", args=[roll.pk]) not in listing


def test_unknown_ids_are_not_found(finance: Any, places: Any) -> None:
    client = client_for(finance)
    assert client.get(reverse("payroll:roll", args=[999999])).status_code == 404
    assert client.get(reverse("payroll:approve", args=[999999])).status_code == 404
    assert client.get(reverse("payroll:recovery", args=[999999])).status_code == 404
    assert client.get(reverse("payroll:reconciliation", args=[999999])).status_code == 404


# --- One roll --------------------------------------------------------------------------------


def test_the_roll_page_shows_lines_masked_and_can_be_searched(roll: Roll, finance: Any) -> None:
    client = client_for(finance)
    url = reverse("payroll:roll", args=[roll.pk])
    page = text(client.get(url))
    assert "李护理" in page and MASKED in page and ACCOUNT not in page
    assert "按月发放" in page  # the kind of line, from the data (payroll/terms.py)
    assert "govuk-!-display-none-print" in page  # forms are not printed
    # The county by its name alone: no place code beside it.
    county = re.search(r"县（市、区）</dt>\s*<dd[^>]*>([^<]*)<", page)
    assert county is not None and county.group(1).strip() == "温县"
    row = '<th scope="row" class="govuk-table__header">李护理</th>'
    assert row in page
    assert row not in text(client.get(url, {"q": "nobody"}))
    assert row in text(client.get(url, {"q": "护理", "kind": "regular"}))
    assert row in text(client.get(url, {"q": roll.lines.get().reference.lower()}))
    assert row not in text(client.get(url, {"kind": "back_pay"}))
    assert client.get(url, {"kind": "nonsense", "page": "x"}).status_code == 200


def test_stops_show_the_failed_conditions_in_words(
    enrolled: Any, finance: Any, make_person: Any, civil_affairs: Any
) -> None:
    # Grade 4: not severe, so the care subsidy stops with the condition in words.
    mild = make_person(grade=4, name="赵轻度")
    services.enrol_existing(
        person_id=mild.pk,
        programme="care",
        start_month=datetime.date(2026, 1, 1),
        approved_on=datetime.date(2025, 12, 20),
        bank_name="农业银行",
        account="6228480012345670000",
        long_term_care_months=12,
        acting_user=civil_affairs,
    )
    rolls.generate(month=MONTH, county="410825", acting_user=finance)
    roll = Roll.objects.get(county="410825", programme="care", month=MONTH.first)
    assert roll.stopped_count == 1
    page = text(client_for(finance).get(reverse("payroll:roll", args=[roll.pk])))
    assert "赵轻度" in page and zh("Grade and category") in page


def test_the_preparer_cannot_approve(roll: Roll, finance: Any) -> None:
    client = client_for(finance)
    approve_url = reverse("payroll:approve", args=[roll.pk])
    page = text(client.get(reverse("payroll:roll", args=[roll.pk])))
    assert approve_url not in page
    four_eyes = zh("You prepared this roll: another finance officer must approve it.")
    assert four_eyes in page
    confirm = text(client.get(approve_url))
    assert four_eyes in confirm and 'name="token"' not in confirm
    response = client.post(approve_url, {"token": roll_token(roll), "confirm": "on"})
    assert response.status_code == 200 and four_eyes in text(response)
    roll.refresh_from_db()
    assert roll.status == RollStatus.DRAFT


def test_the_reviewer_approves_after_the_confirmation(roll: Roll, finance_reviewer: Any) -> None:
    client = client_for(finance_reviewer)
    approve_url = reverse("payroll:approve", args=[roll.pk])
    assert approve_url in text(client.get(reverse("payroll:roll", args=[roll.pk])))
    confirm = client.get(approve_url)
    page = text(confirm)
    assert 'id="confirm-lines">1<' in page and 'id="confirm-total">60.00<' in page
    # A post without the figures shown (or with stale ones) only shows the page again.
    client.post(approve_url, {"token": "stale", "confirm": "on"})
    roll.refresh_from_db()
    assert roll.status == RollStatus.DRAFT
    # Without the box ticked: the error summary links to it, and nothing is approved.
    unticked = text(client.post(approve_url, {"token": roll_token(roll)}))
    assert 'href="#id_confirm"' in unticked
    assert zh("Confirm that you have checked the roll.") in unticked
    roll.refresh_from_db()
    assert roll.status == RollStatus.DRAFT
    response = client.post(approve_url, {"token": roll_token(roll), "confirm": "on"})
    assert response.status_code == 302
    assert response["Location"] == reverse("payroll:roll", args=[roll.pk])
    roll.refresh_from_db()
    assert roll.status == RollStatus.APPROVED and roll.approved_by == finance_reviewer
    # Approved: nothing left to approve or discard.
    again = text(client.get(approve_url))
    assert zh("This roll is already approved.") in again and 'name="token"' not in again


def test_the_messages_write_amounts_grouped_by_thousands(
    roll: Roll, finance: Any, finance_reviewer: Any, enrolled: Any
) -> None:
    # An adjustment of 12,285.00 brings the roll (60.00 a month) to 12,345.00.
    added = client_for(finance).post(
        reverse("payroll:adjust", args=[roll.pk]),
        {
            "adj-person": enrolled.pk,
            "adj-month": "2026-09",
            "adj-amount": "12285.00",
            "adj-reason": "补发",
        },
        follow=True,
    )
    assert "12,285.00" in text(added) and "12285.00" not in text(added)
    roll.refresh_from_db()
    assert roll.total == 12345
    approve_url = reverse("payroll:approve", args=[roll.pk])
    client = client_for(finance_reviewer)
    # The warning's message and the summary both say 12,345.00; the form's token (machine
    # text) keeps the plain figure.
    confirm = text(client.get(approve_url)).replace(roll_token(roll), "")
    assert confirm.count("12,345.00") == 2 and "12345.00" not in confirm
    approved = text(
        client.post(approve_url, {"token": roll_token(roll), "confirm": "on"}, follow=True)
    )
    with translation.override("zh-hans"):
        message = gettext("The roll was approved: %(lines)s lines, %(total)s yuan.") % {
            "lines": 2,
            "total": "12,345.00",
        }
    assert escape(message) in approved and "12345.00" not in approved


def test_approving_needs_a_post(roll: Roll, finance_reviewer: Any) -> None:
    client_for(finance_reviewer).get(
        reverse("payroll:approve", args=[roll.pk]), {"token": roll_token(roll)}
    )
    roll.refresh_from_db()
    assert roll.status == RollStatus.DRAFT


def test_discarding_needs_the_confirmation(roll: Roll, finance: Any) -> None:
    client = client_for(finance)
    url = reverse("payroll:discard", args=[roll.pk])
    page = text(client.get(url))
    assert 'name="token"' in page and "60.00" in page
    assert client.post(url, {}).status_code == 200
    assert Roll.objects.filter(pk=roll.pk).exists()
    unticked = client.post(url, {"token": roll_token(roll)})
    assert unticked.status_code == 200 and 'href="#id_confirm"' in text(unticked)
    assert Roll.objects.filter(pk=roll.pk).exists()
    response = client.post(url, {"token": roll_token(roll), "confirm": "on"})
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('payroll:list')}?month={MONTH}"
    assert not Roll.objects.filter(pk=roll.pk).exists()


def test_an_approved_roll_cannot_be_discarded(approved: Roll, finance: Any) -> None:
    client = client_for(finance)
    url = reverse("payroll:discard", args=[approved.pk])
    assert zh("An approved roll cannot be discarded.") in text(client.get(url))
    client.post(url, {"token": roll_token(approved), "confirm": "on"})
    assert Roll.objects.filter(pk=approved.pk).exists()


def test_an_adjustment_is_added_to_a_draft(roll: Roll, finance: Any, enrolled: Any) -> None:
    client = client_for(finance)
    url = reverse("payroll:adjust", args=[roll.pk])
    missing = client.post(url, {"adj-person": enrolled.pk, "adj-month": "2026-09"})
    page = text(missing)
    assert missing.status_code == 200
    assert 'href="#id_adj-amount"' in page and 'href="#id_adj-reason"' in page
    later = client.post(
        url,
        {"adj-person": enrolled.pk, "adj-month": "2026-12", "adj-amount": "60", "adj-reason": "x"},
    )
    assert zh("An adjustment is for the roll's month or an earlier one.") in text(later)
    response = client.post(
        url,
        {
            "adj-person": enrolled.pk,
            "adj-month": "2026-09",
            "adj-amount": "60.00",
            "adj-reason": "九月支付失败，重新发放",
        },
    )
    assert response.status_code == 302
    roll.refresh_from_db()
    assert roll.line_count == 2 and roll.total == 120
    assert roll.lines.filter(kind=LineKind.ADJUSTMENT).count() == 1
    assert client.post(url, {"adj-person": "abc"}).status_code == 200


# --- The bank file and the bank's result file ---------------------------------------------


def _export(client: Any, roll: Roll, **data: str) -> Any:
    return client.post(reverse("payroll:export", args=[roll.pk]), {"export-format": "csv", **data})


def test_the_bank_file_has_full_numbers_and_is_logged(approved: Roll, finance: Any) -> None:
    """The file a bank can take: full account numbers, opened through the reveal gate (an
    access record for the bank file) and the export itself recorded."""
    client = client_for(finance)
    page = text(client.get(reverse("payroll:roll", args=[approved.pk])))
    assert 'name="export-full"' not in page  # no masked file to choose
    assert 'name="export-format"' in page
    response = _export(client, approved)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "支付参考号" in content and ACCOUNT in content and MASKED not in content
    entry = Entry.objects.filter(action="payroll.export").get()
    assert entry.kind == Entry.Kind.ACCESS and entry.detail["full"] is True
    opened_entry = Entry.objects.filter(action="payroll.export.open").get()
    assert opened_entry.actor_id == finance.pk and opened_entry.detail["roll"] == approved.pk
    assert approved.exports.get().full_accounts is True


def test_a_role_that_may_not_export_accounts_is_refused(
    approved: Roll, finance: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A role that prepares rolls without the right to full bank accounts gets a refusal,
    never a masked file."""
    from canlian.accounts.roles import ROLE_PERMISSIONS, Perm, Role

    monkeypatch.setitem(
        ROLE_PERMISSIONS, Role.FINANCE, ROLE_PERMISSIONS[Role.FINANCE] - {Perm.EXPORT_REVEAL}
    )
    client = client_for(finance)
    page = text(client.get(reverse("payroll:roll", args=[approved.pk])))
    assert 'name="export-format"' not in page and 'id="export-refused"' in page
    response = _export(client, approved)
    assert response.status_code == 403
    assert not response.has_header("Content-Disposition")
    assert zh(
        "Your role may not export bank files: a bank file carries full account numbers. "
        "No file was written."
    ) in text(response)
    assert ACCOUNT not in text(response)
    assert not Entry.objects.filter(action="payroll.export").exists()
    assert not approved.exports.exists()


def test_the_bank_file_as_xlsx(approved: Roll, finance: Any) -> None:
    response = _export(client_for(finance), approved, **{"export-format": "xlsx"})
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:2] == b"PK"


def test_a_draft_has_no_bank_file(roll: Roll, finance: Any) -> None:
    response = _export(client_for(finance), roll)
    assert response.status_code == 200
    assert zh("Only an approved roll goes to the bank.") in text(response)
    assert not Entry.objects.filter(action="payroll.export").exists()


def _upload(client: Any, roll: Roll, name: str, content: bytes) -> Any:
    return client.post(
        reverse("payroll:reconcile", args=[roll.pk]),
        {"result-file": SimpleUploadedFile(name, content)},
    )


def test_the_bank_result_file_is_reconciled(approved: Roll, finance: Any) -> None:
    client = client_for(finance)
    line = approved.lines.get()
    csv = io.StringIO()
    csv.write("支付参考号,金额,结果,原因\n")
    csv.write(f"{line.reference},60.00,成功,\n")
    csv.write("C999999999999999,60.00,成功,\n")
    response = _upload(client, approved, "回盘.csv", csv.getvalue().encode("utf-8"))
    assert response.status_code == 302
    page = text(client.get(response["Location"]))
    assert 'id="paid-count">1<' in page and 'id="failed-count">0<' in page
    assert (
        "C999999999999999" in page and '<th scope="row" class="govuk-table__header">3</th>' in page
    )
    result = PaymentResult.objects.get(line=line)
    assert result.status == PaymentStatus.PAID
    # The roll's lines show the bank's result.
    assert zh("Paid by the bank") in text(client.get(reverse("payroll:roll", args=[approved.pk])))


def test_the_missing_lines_are_listed(approved: Roll, finance: Any) -> None:
    client = client_for(finance)
    line = approved.lines.get()
    response = _upload(client, approved, "r.csv", "支付参考号,金额,结果\nX1,1.00,成功\n".encode())
    page = text(client.get(response["Location"]))
    assert line.reference in page and "李护理" in page


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("result.pdf", b"%PDF-1.4 not a spreadsheet"),
        ("result.csv", b"%PDF-1.4\x00\x01\x02 not text"),
        ("result.csv", b""),
        ("result.xlsx", b"not a zip"),
        ("result.csv", "名字,数\n张三,1\n".encode()),
    ],
)
def test_a_wrong_result_file_is_a_message(
    approved: Roll, finance: Any, name: str, content: bytes
) -> None:
    response = _upload(client_for(finance), approved, name, content)
    assert response.status_code == 200
    assert 'href="#id_result-file"' in text(response)
    assert not PaymentResult.objects.exists()


def test_no_file_is_a_message(approved: Roll, finance: Any) -> None:
    response = client_for(finance).post(reverse("payroll:reconcile", args=[approved.pk]), {})
    assert response.status_code == 200 and 'href="#id_result-file"' in text(response)


# --- Recoveries ------------------------------------------------------------------------------


@pytest.fixture
def recovery(approved: Roll) -> Recovery:
    return Recovery.objects.create(line=approved.lines.get(), reason="paid for 2026-10 after death")


def test_the_recoveries_worklist(recovery: Recovery, county_clerk: Any) -> None:
    client = client_for(county_clerk)
    page = text(client.get(reverse("payroll:recoveries")))
    assert "李护理" in page and "paid for 2026-10 after death" in page
    assert zh("To recover") in page
    assert "李护理" not in text(client.get(reverse("payroll:recoveries"), {"status": "waived"}))
    assert client.get(reverse("payroll:recoveries"), {"status": "bad"}).status_code == 200
    detail = text(client.get(reverse("payroll:recovery", args=[recovery.pk])))
    assert 'name="note"' not in detail  # no PREPARE_PAYROLL: no form
    assert client.post(reverse("payroll:recovery", args=[recovery.pk])).status_code == 403


def test_resolving_a_recovery_needs_a_note(recovery: Recovery, finance: Any) -> None:
    client = client_for(finance)
    url = reverse("payroll:recovery", args=[recovery.pk])
    assert 'name="note"' in text(client.get(url))
    response = client.post(url, {"status": "recovered", "note": "  "})
    assert response.status_code == 200 and 'href="#id_note"' in text(response)
    recovery.refresh_from_db()
    assert recovery.status == RecoveryStatus.OPEN
    response = client.post(url, {"status": "recovered", "note": "2026-11-20 退回，收据 0012"})
    assert response.status_code == 302
    recovery.refresh_from_db()
    assert recovery.status == RecoveryStatus.RECOVERED and recovery.resolved_by == finance
    # Closed: shown with its note, no form.
    page = text(client.get(url))
    assert "收据 0012" in page and 'name="note"' not in page


# --- The printed roll ------------------------------------------------------------------------


@dataclasses.dataclass
class Book:
    sheets: dict[str, list[list[Any]]]  # rows of cell values, per sheet name
    print_titles: str  # the rows repeated on every printed page, as Excel defines them


def _book(response: Any) -> Book:
    """The .xlsx a response sends, read with calamine (values) and zipfile (print titles)."""
    assert response.status_code == 200, text(response)[:500]
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    content = b"".join(response.streaming_content)
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    sheets = {
        name: book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        for name in book.sheet_names
    }
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        workbook = archive.read("xl/workbook.xml").decode()
    titles = re.search(r'<definedName name="_xlnm.Print_Titles"[^>]*>([^<]*)<', workbook)
    return Book(sheets, titles.group(1) if titles else "")


def test_the_printed_roll_is_chinese_with_the_english_interface(
    approved: Roll, enrolled: Any, finance: Any, tmp_path: Any
) -> None:
    path = tmp_path / "roll.xlsx"
    with translation.override("en"):
        rollbook.write_roll_book(roll_id=approved.pk, path=path, acting_user=finance)
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("花名册").to_python()
    assert rows[0][0] == "温县重度残疾人护理补贴发放花名册（2026年10月）"
    assert rows[3][9] == "按月发放"


def test_the_printed_roll_lists_every_line_masked_with_totals_and_signature_rows(
    approved: Roll, enrolled: Any, finance: Any, finance_reviewer: Any
) -> None:
    finance.full_name, finance_reviewer.full_name = "赵会计", "钱复核"
    finance.save()
    finance_reviewer.save()
    book = _book(client_for(finance).get(reverse("payroll:roll_book", args=[approved.pk])))
    rows = book.sheets["花名册"]
    assert "温县重度残疾人护理补贴发放花名册（2026年10月）" in rows[0][0]
    # The glossary's term for the second finance officer's check (审核), users by name and office.
    assert "已审核" in rows[1][0] and "共 1 人次" in rows[1][0]
    assert "审批" not in str(rows)
    office = finance.place.name
    assert f"审核：钱复核（{office}）" in rows[1][0]
    assert f"制表：赵会计（{office}）" in rows[1][0] and f"打印：赵会计（{office}）" in rows[1][0]
    assert "finance" not in str(rows)  # no login (finance, finance-2) anywhere
    assert rows[2][:4] == ["序号", "乡镇（街道）", "村（社区）", "姓名"]
    line = rows[3]
    assert line[3] == "李护理" and line[7] == 60
    assert line[4] == enrolled.id_number_masked and opened(enrolled) not in str(rows)
    assert ACCOUNT not in str(rows) and "*" in line[6]
    assert (line[8], line[9]) == ("2026-10", "按月发放")
    assert rows[4][0] == "合计" and rows[4][7] == 60
    assert "制表人（签字）：" in rows[6] and "审核人（签字）：" in rows[6]
    assert book.print_titles.endswith("!$3:$3")  # the header row, on every printed page
    summary = book.sheets["汇总"]
    assert summary[-1] == ["合计", 1, 60]
    entry = Entry.objects.get(action="payroll.roll_book")
    assert entry.detail == {"township": "", "lines": 1, "total": "60.00"}


def test_a_township_part_holds_its_lines_only(approved: Roll, finance: Any) -> None:
    client = client_for(finance)
    url = reverse("payroll:roll_book", args=[approved.pk])
    own = _book(client.get(url, {"township": "410825001"})).sheets["花名册"]
    assert own[3][3] == "李护理"
    other_rows = _book(client.get(url, {"township": "410825002"})).sheets["花名册"]
    assert other_rows[3][0] == "合计" and other_rows[3][7] == 0
    # A township of another county is not a choice: a form error on the roll page, no file.
    refused = client.get(url, {"township": "410883001"})
    assert refused.status_code == 200 and 'href="#id_township"' in text(refused)


def test_the_printed_roll_is_refused_outside_the_jurisdiction(
    approved: Roll, other_county_clerk: Any, auditor: Any
) -> None:
    url = reverse("payroll:roll_book", args=[approved.pk])
    assert client_for(other_county_clerk).get(url).status_code == 404
    assert not Entry.objects.filter(action="payroll.roll_book").exists()


# --- Choosing the person of an adjustment -------------------------------------------------


@pytest.fixture
def by_search(monkeypatch: Any) -> None:
    """The enrolled persons too many for a list: the person is found by a search first."""
    monkeypatch.setattr("canlian.payroll.forms.PERSON_CHOICES_LIMIT", 0)


def test_the_person_is_found_by_name_and_offered_masked(
    roll: Roll, finance: Any, enrolled: Any, by_search: None
) -> None:
    client = client_for(finance)
    url = reverse("payroll:roll", args=[roll.pk])
    before = text(client.get(url))
    assert 'name="who"' in before and f'value="{enrolled.pk}"' not in before
    assert 'id="id_adj-person"' in before  # the error summary's link has its target
    page = text(client.get(url, {"who": "李护"}))
    assert 'type="radio"' in page and f'value="{enrolled.pk}"' in page
    assert enrolled.id_number_masked in page and 'role="status"' in page
    response = client.post(
        reverse("payroll:adjust", args=[roll.pk]),
        {
            "adj-person": enrolled.pk,
            "adj-month": "2026-09",
            "adj-amount": "60.00",
            "adj-reason": "九月支付失败，重新发放",
        },
    )
    assert response.status_code == 302
    assert roll.lines.filter(kind=LineKind.ADJUSTMENT, person=enrolled).count() == 1


def test_a_person_out_of_scope_is_not_offered_and_refused_on_submit(
    roll: Roll, finance: Any, enrolled: Any, make_person: Any, by_search: None
) -> None:
    elsewhere = make_person(place_code="410883001001", name="李外县")
    client = client_for(finance)
    page = text(client.get(reverse("payroll:roll", args=[roll.pk]), {"who": "李"}))
    assert f'value="{elsewhere.pk}"' not in page and "李外县" not in page
    assert f'value="{enrolled.pk}"' in page
    response = client.post(
        reverse("payroll:adjust", args=[roll.pk]),
        {
            "adj-person": elsewhere.pk,
            "adj-month": "2026-09",
            "adj-amount": "60.00",
            "adj-reason": "x",
        },
    )
    assert response.status_code == 200 and 'href="#id_adj-person"' in text(response)
    assert zh(
        "The person chosen is not among those you may choose here: find the person again and "
        "choose among those found."
    ) in text(response)
    assert "李外县" not in text(response)
    assert not roll.lines.filter(kind=LineKind.ADJUSTMENT).exists()


def test_the_person_to_pay_is_found_by_the_last_characters_of_the_id_number_with_the_name(
    roll: Roll, finance: Any, enrolled: Any, by_search: None
) -> None:
    client = client_for(finance)
    url = reverse("payroll:roll", args=[roll.pk])
    tail = opened(enrolled)[-4:]
    page = text(client.get(url, {"who": f"李护理 {tail}"}))
    assert f'value="{enrolled.pk}"' in page
    assert 'id="person-results" tabindex="-1" data-focus-on-load' in page
    # The last characters alone, in the whole city: refused with the registry's reason, the
    # error summary linking to the search box.
    refused = text(client.get(url, {"who": tail}))
    assert 'href="#id_who"' in refused and f'value="{enrolled.pk}"' not in refused
    assert (
        zh(
            "Searching by the last characters of the ID number needs the name as well "
            "(张三 12345X), or all six last characters and a township chosen as the area."
        )
        in refused
    )


def test_an_adjustment_lists_an_empty_amount_and_the_rolls_rules_together(
    roll: Roll, finance: Any, enrolled: Any
) -> None:
    # The amount is left out and the month is after the roll's: both in one round.
    response = client_for(finance).post(
        reverse("payroll:adjust", args=[roll.pk]),
        {"adj-person": enrolled.pk, "adj-month": "2026-12", "adj-reason": "九月支付失败"},
    )
    assert response.status_code == 200
    errors = response.context["adjust_form"].errors
    assert errors["amount"] == ["请输入金额。"]
    assert errors["month"] == ["调整只能针对本花名册月份或更早的月份。"]
    page = text(response)
    assert 'href="#id_adj-amount"' in page and 'href="#id_adj-month"' in page
    assert not roll.lines.filter(kind=LineKind.ADJUSTMENT).exists()
