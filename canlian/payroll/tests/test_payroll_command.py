"""`canlian payroll generate|approve|export|reconcile|recoveries`: one line of JSON; exit 2 with
the reason on bad input, 1 when the bank's file and the roll disagree."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from canlian.audit.models import Entry
from canlian.payroll.models import BankExport, Line, Recovery, Roll, RollStatus
from canlian.payroll.tests.test_rolls import (
    ACCOUNT,
    LIVING,
    MENG,
    NOV,
    OCT,
    WEN,
    d,
    enrol,
    generate,
    record_life_status,
    roll_of,
    snapshot_lines,
)
from canlian.people import services as people
from canlian.people.models import LifeStatus, StatusKind

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings: Any) -> Iterator[None]:
    """An English deployment: the commands speak LANGUAGE_CODE (canlian/lib/commands.py)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def payroll(*args: Any) -> tuple[dict[str, Any], str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("payroll", *[str(a) for a in args], stdout=out, stderr=err)
    return json.loads(out.getvalue()), err.getvalue()


def payroll_exit(*args: Any) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("payroll", *[str(a) for a in args], stdout=out, stderr=err)
    return int(exited.value.code or 0), out.getvalue(), err.getvalue()


@pytest.fixture
def enrolled(make_person: Any, county_clerk: Any, other_county_clerk: Any) -> list[Any]:
    wen = make_person(grade=1)
    wen_living = make_person(grade=2)
    people.add_status_period(
        person=wen_living, kind=StatusKind.DIBAO, start=d(1), end=None, acting_user=county_clerk
    )
    meng = make_person(grade=2, place_code="410883001001")
    people.add_status_period(
        person=meng,
        kind=StatusKind.REGISTERED_POOR,
        start=d(1, 1, 2020),
        end=None,
        acting_user=other_county_clerk,
    )
    enrol(wen, county_clerk)
    enrol(wen_living, county_clerk, programme=LIVING)
    enrol(meng, other_county_clerk)
    return [wen, wen_living, meng]


def test_generate_prints_the_months_figures_as_json(enrolled: list[Any]) -> None:
    data, err = payroll("generate", "--month", "2026-11")
    assert err == ""
    assert {"rolls", "lines", "total", "programmes", "created", "month"} <= set(data)
    assert (data["month"], data["rolls"], data["created"]) == ("2026-11", 20, 20)
    assert (data["lines"], data["total"]) == (3, "210.00")
    care, living = data["programmes"]["care"], data["programmes"]["living"]
    assert (care["rolls"], care["lines"], care["total"]) == (10, 2, "160.00")
    assert (living["rolls"], living["lines"], living["total"]) == (10, 1, "50.00")
    assert Line.objects.count() == 3
    roll = roll_of(MENG)
    assert (roll.prepared_by, roll.prepared_by_name) == (None, "command-line")
    assert Entry.objects.filter(action="payroll.generate", source="cli").count() == 20


def test_generate_run_again_prints_the_same_figures_and_writes_nothing(
    enrolled: list[Any],
) -> None:
    first, _err = payroll("generate", "--month", "2026-11")
    lines = snapshot_lines()
    again, _err = payroll("generate", "--month", "2026-11")
    assert again["created"] == 0
    assert {**again, "created": first["created"]} == first
    assert snapshot_lines() == lines
    assert Roll.objects.count() == 20


def test_generate_for_one_county_as_a_named_user(enrolled: list[Any], finance: Any) -> None:
    data, _err = payroll("generate", "--month", "2026-11", "--county", MENG, "--user", "finance")
    assert (data["rolls"], data["lines"], data["total"]) == (2, 1, "100.00")
    assert set(Roll.objects.values_list("county", flat=True)) == {MENG}
    assert roll_of(MENG).prepared_by == finance


@pytest.mark.parametrize("month", ["2026-13", "2026/11", "11-2026", "next month", "2026-1"])
def test_generate_with_a_bad_month_exits_2_with_the_reason(places: Any, month: str) -> None:
    code, out, err = payroll_exit("generate", "--month", month)
    assert code == 2
    assert out == ""
    assert month.strip() in err and "2026-06" in err
    assert not Roll.objects.exists()


def test_generate_for_a_month_not_begun_exits_2(places: Any) -> None:
    code, _out, err = payroll_exit("generate", "--month", "2099-01")
    assert code == 2 and "2099-01" in err
    assert not Roll.objects.exists()


def test_generate_for_an_unknown_county_exits_2(places: Any) -> None:
    code, _out, err = payroll_exit("generate", "--month", "2026-11", "--county", "999999")
    assert code == 2 and "999999" in err


def test_generate_as_a_user_who_may_not_prepare_rolls_exits_2(
    enrolled: list[Any], county_clerk: Any
) -> None:
    code, _out, err = payroll_exit("generate", "--month", "2026-11", "--user", "clerk-wen")
    assert code == 2 and err.strip()
    assert not Roll.objects.exists()


def test_approve_needs_another_named_account_than_the_preparer(
    enrolled: list[Any], finance: Any, finance_reviewer: Any
) -> None:
    generate(finance)
    roll = roll_of(WEN)
    code, _out, err = payroll_exit("approve", "--roll", roll.pk, "--user", "finance")
    assert code == 2 and "another" in err
    roll.refresh_from_db()
    assert roll.status == RollStatus.DRAFT
    data, _err = payroll("approve", "--roll", roll.pk, "--user", "finance-2")
    assert data == {"roll": roll.pk, "status": "approved", "lines": 1, "total": "60.00"}
    roll.refresh_from_db()
    assert (roll.status, roll.approved_by) == (RollStatus.APPROVED, finance_reviewer)


@pytest.fixture
def approved(enrolled: list[Any], finance: Any, finance_reviewer: Any) -> Roll:
    generate(finance)
    payroll("approve", "--roll", roll_of(WEN).pk, "--user", "finance-2")
    return roll_of(WEN)


def test_export_writes_a_masked_file_unless_revealed(approved: Roll, tmp_path: Path) -> None:
    path = tmp_path / "bank.csv"
    data, _err = payroll("export", "--roll", approved.pk, path)
    assert (data["roll"], data["lines"], data["total"], data["full"]) == (
        approved.pk,
        1,
        "60.00",
        False,
    )
    assert ACCOUNT.encode() not in path.read_bytes()
    revealed = tmp_path / "full.csv"
    data, _err = payroll("export", "--roll", approved.pk, revealed, "--reveal")
    assert data["full"] is True
    assert ACCOUNT.encode() in revealed.read_bytes()
    assert list(BankExport.objects.order_by("id").values_list("full_accounts", flat=True)) == [
        False,
        True,
    ]


def test_export_of_a_draft_roll_exits_2(enrolled: list[Any], finance: Any, tmp_path: Path) -> None:
    generate(finance)
    code, _out, err = payroll_exit("export", "--roll", roll_of(WEN).pk, tmp_path / "bank.csv")
    assert code == 2 and "approved" in err
    assert not (tmp_path / "bank.csv").exists()


def bank_result(approved: Roll, path: Path, *, drop: int = 0) -> Path:
    lines = list(Line.objects.filter(roll=approved).order_by("id"))
    with path.open("w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["支付参考号", "金额", "结果"])
        for line in lines[drop:]:
            writer.writerow([line.reference, f"{line.amount:.2f}", "成功"])
    return path


def test_reconcile_prints_the_figures_and_exits_0_when_the_file_agrees(
    approved: Roll, tmp_path: Path
) -> None:
    data, _err = payroll(
        "reconcile", "--roll", approved.pk, bank_result(approved, tmp_path / "r.csv")
    )
    assert data["agrees"] is True
    assert (data["roll"], data["paid"], data["paid_total"], data["difference"]) == (
        approved.pk,
        1,
        "60.00",
        "0.00",
    )


def test_reconcile_exits_1_when_the_file_and_the_roll_disagree(
    approved: Roll, tmp_path: Path
) -> None:
    path = bank_result(approved, tmp_path / "r.csv", drop=1)
    code, out, _err = payroll_exit("reconcile", "--roll", approved.pk, path)
    assert code == 1
    data = json.loads(out)
    assert data["agrees"] is False
    assert data["missing"] == [Line.objects.get(roll=approved).reference]
    assert (data["roll_total"], data["file_total"], data["difference"]) == (
        "60.00",
        "0.00",
        "-60.00",
    )


def test_reconcile_without_the_file_exits_2(approved: Roll, tmp_path: Path) -> None:
    code, out, err = payroll_exit("reconcile", "--roll", approved.pk, tmp_path / "none.csv")
    assert code == 2 and out == "" and "none.csv" in err


def test_reconcile_of_an_unreadable_file_exits_2(approved: Roll, tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("金额,结果\n60.00,成功\n", encoding="utf-8")
    code, _out, err = payroll_exit("reconcile", "--roll", approved.pk, path)
    assert code == 2 and "支付参考号" in err


def test_recoveries_opens_the_items_once(
    enrolled: list[Any], county_clerk: Any, finance: Any, finance_reviewer: Any
) -> None:
    wen = enrolled[0]
    for month in (OCT, NOV):
        generate(finance, month)
        payroll("approve", "--roll", roll_of(WEN, month=month).pk, "--user", "finance-2")
    record_life_status(wen, LifeStatus.DECEASED, d(10, 2), county_clerk)
    data, _err = payroll("recoveries", "--county", WEN)
    assert data == {"opened": 1, "counties": [WEN]}
    assert Recovery.objects.get().line.month == d(11)
    again, _err = payroll("recoveries")
    assert again["opened"] == 0 and len(again["counties"]) == 10


def test_recoveries_as_a_user_who_may_not_prepare_rolls_exits_2(
    approved: Roll, county_clerk: Any
) -> None:
    code, _out, err = payroll_exit("recoveries", "--user", "clerk-wen")
    assert code == 2 and "clerk-wen" in err


def exit_code(*args: Any) -> int:
    """The exit code a shell would see (CommandError exits with its returncode)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("payroll", *[str(a) for a in args], stdout=out, stderr=err)
    except SystemExit as exited:
        return int(exited.code or 0)
    except CommandError as error:
        return error.returncode
    return 0


def test_approving_an_unknown_roll_exits_2(places: Any, finance_reviewer: Any) -> None:
    code, _out, err = payroll_exit("approve", "--roll", 999999, "--user", "finance-2")
    assert code == 2 and err.strip()


def test_an_unknown_user_never_exits_1_which_means_the_bank_disagrees(
    approved: Roll, tmp_path: Path
) -> None:
    # Guards against a fault once present: acting_user() raises
    # CommandError for an unknown --user; handle() does not catch it, so the command exits 1,
    # the code its docstring reserves for "reconcile: the bank's file and the roll disagree".
    # A script running `payroll reconcile ... --user typo` reads a typo as a disagreement.
    # Fix: catch CommandError in handle() with the other refusals (stderr, sys.exit(INVALID)).
    path = bank_result(approved, tmp_path / "r.csv")
    assert exit_code("reconcile", "--roll", approved.pk, path, "--user", "nobody") == 2
    assert exit_code("generate", "--month", "2026-11", "--user", "nobody") == 2


def test_export_to_a_directory_that_does_not_exist_exits_2(approved: Roll, tmp_path: Path) -> None:
    # Guards against a fault once present: handle() catches only
    # ValidationError, PermissionDenied and ValueError; export_roll() opening a file in a
    # missing (or unwritable) directory raises FileNotFoundError/PermissionError (OSError),
    # which escapes as a traceback instead of "exit 2 with the reason on stderr". Fix: catch
    # OSError in handle() as INVALID (or check the directory in _export).
    path = tmp_path / "missing" / "bank.csv"
    assert exit_code("export", "--roll", approved.pk, path) == 2
    assert not BankExport.objects.exists()
