"""Backups checked by restoring them: the copy of an untouched database passes; a roll line's
amount changed in the copy, or an audit entry altered in it, is found and named. PostgreSQL's
check (pg_dump, pg_restore into a fresh database) runs in the PostgreSQL pass of .ci/run, the
SQLite backup in the SQLite pass; each refuses the other engine."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.utils import translation

from canlian.audit.models import Entry
from canlian.payroll.models import Line, Roll, RollStatus
from canlian.payroll.selectors import county_names
from canlian.payroll.tests.test_rolls import NOV, WEN, approve_all, enrol, generate, roll_of
from canlian.people.models import Person
from canlian.web import backups

ON_SQLITE = connection.vendor == "sqlite"
# pg_dump reads the database from another process: the data is committed, and the places the
# migrations loaded are put back after the flush.
committed = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def _chinese() -> Iterator[None]:
    with translation.override("zh-hans"):
        yield


def _approved_roll(make_person: Any, county_clerk: Any, finance: Any, reviewer: Any) -> Roll:
    """Three persons of 温县 with the care subsidy, and November's approved roll of 温县."""
    for name, grade in (("张护理", 1), ("李护理", 2), ("王护理", 2)):
        enrol(make_person(name=name, grade=grade), county_clerk)
    generate(finance, county=WEN)
    approve_all(reviewer, NOV)
    roll = roll_of(WEN)
    assert roll.status == RollStatus.APPROVED and roll.line_count == 3
    return roll


def _alter_a_line(alias: str, line: Line, amount: Decimal) -> None:
    with connections[alias].cursor() as cursor:
        if connections[alias].vendor == "postgresql":
            cursor.execute("ALTER TABLE benefits_line DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER benefits_line_no_update")
        cursor.execute("UPDATE benefits_line SET amount = %s WHERE id = %s", [amount, line.pk])


def _alter_an_entry(alias: str, entry: Entry) -> None:
    with connections[alias].cursor() as cursor:
        if connections[alias].vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_entry DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER audit_entry_no_update")
        cursor.execute(
            "UPDATE audit_entry SET actor_label = %s WHERE id = %s", ["someone else", entry.pk]
        )


def _label(roll: Roll) -> str:
    return backups.roll_label(roll, county_names())


def _run(command: str, *args: Any, **options: Any) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(command, *args, stdout=out, stderr=err, **options)
    except CommandError as e:
        return e.returncode, out.getvalue(), str(e)
    return 0, out.getvalue(), err.getvalue()


def _expected_figures() -> tuple[int, int, int, str]:
    """Persons, approved rolls, their lines and the lines' sum, read from the database."""
    lines = Line.objects.filter(roll__status=RollStatus.APPROVED)
    total = sum(line.amount for line in lines)
    rolls = Roll.objects.filter(status=RollStatus.APPROVED).count()
    return Person.objects.count(), rolls, lines.count(), f"{total:,.2f}"


@pytest.mark.django_db
def test_each_engine_refuses_the_other_engines_backup(tmp_path: Path) -> None:
    if ON_SQLITE:
        code, out, message = _run("backup_check", output=tmp_path / "b.dump")
        assert code == 1 and "SQLite" in message and "canlian sqlite-backup" in message
    else:
        code, out, message = _run("sqlite_backup", str(tmp_path / "b.sqlite3"))
        assert code == 1 and "PostgreSQL" in message and "canlian backup-check" in message
    assert out == "" and not list(tmp_path.iterdir())


# --- PostgreSQL ---------------------------------------------------------------------------------


def _copy_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return cursor.fetchone() is not None


@pytest.mark.postgresql
@committed
def test_postgresql_an_untouched_copy_matches_and_is_dropped(
    flushable_db: None, make_person, county_clerk, finance, finance_reviewer, tmp_path
) -> None:
    roll = _approved_roll(make_person, county_clerk, finance, finance_reviewer)
    persons, rolls, lines, total = _expected_figures()
    name = "canlian_backup_test_untouched"
    dump = tmp_path / "canlian.dump"
    code, out, message = _run("backup_check", output=dump, restore_into=name)
    assert code == 0, message
    assert f"人员：原库 {persons:,} 人，副本 {persons:,} 人" in out
    assert f"原库 {rolls} 册，{lines} 行，合计 {total} 元" in out
    assert f"副本 {rolls} 册，{lines} 行，合计 {total} 元" in out
    assert total == f"{roll.total:,.2f}" and lines == 3
    entries = Entry.objects.count()
    assert f"副本的审计链：核验 {entries:,} 条，完整" in out
    assert "结果：副本与原库一致。" in out
    assert dump.stat().st_size > 0 and dump.stat().st_mode & 0o777 == 0o600
    assert not _copy_exists(name)


@pytest.mark.postgresql
@committed
def test_postgresql_a_roll_line_changed_in_the_copy_is_found(
    flushable_db: None, make_person, county_clerk, finance, finance_reviewer, tmp_path
) -> None:
    roll = _approved_roll(make_person, county_clerk, finance, finance_reviewer)
    line = Line.objects.filter(roll=roll).order_by("id").first()
    altered = line.amount + Decimal("0.01")  # one fen
    result = backups.pg_check(
        output=tmp_path / "canlian.dump",
        copy_name="canlian_backup_test_line",
        after_restore=lambda alias: _alter_a_line(alias, line, altered),
    )
    assert not result.ok
    before = roll.total
    after = before + Decimal("0.01")
    assert result.differences == [
        f"已批准的花名册 {_label(roll)}：原库各行合计 {before:,.2f} 元，副本 {after:,.2f} 元"
    ]
    assert result.chain_broken_at is None  # the audit log was not touched
    assert not _copy_exists("canlian_backup_test_line")


@pytest.mark.postgresql
@committed
def test_postgresql_an_audit_entry_altered_in_the_copy_breaks_its_chain(
    flushable_db: None, make_person, county_clerk, finance, finance_reviewer, tmp_path
) -> None:
    _approved_roll(make_person, county_clerk, finance, finance_reviewer)
    entry = Entry.objects.order_by("id")[5]
    result = backups.pg_check(
        output=tmp_path / "canlian.dump",
        copy_name="canlian_backup_test_audit",
        after_restore=lambda alias: _alter_an_entry(alias, entry),
    )
    assert not result.ok
    assert result.chain_broken_at == entry.pk and result.chain_checked == 5
    assert result.differences == [f"副本的审计链在第 {entry.pk} 条断开"]
    lines = backups.report(result)
    assert f"副本的审计链：在第 {entry.pk} 条断开（此前 5 条完好）" in lines


@pytest.mark.postgresql
@committed
def test_postgresql_the_check_never_overwrites_a_file_or_a_database(
    flushable_db: None, tmp_path
) -> None:
    dump = tmp_path / "old.dump"
    dump.write_bytes(b"kept")
    code, out, message = _run("backup_check", output=dump)
    assert code == 1 and "已存在" in message and dump.read_bytes() == b"kept" and out == ""
    code, _out, message = _run("backup_check", output=tmp_path / "b.dump", restore_into="postgres")
    assert code == 1 and "canlian_backup_" in message and _copy_exists("postgres")


# --- SQLite -------------------------------------------------------------------------------------

on_sqlite = pytest.mark.skipif(not ON_SQLITE, reason="the SQLite backup (SQLite pass of .ci/run)")


@on_sqlite
@committed
def test_sqlite_an_untouched_copy_matches(
    flushable_db: None, make_person, county_clerk, finance, finance_reviewer, tmp_path
) -> None:
    _approved_roll(make_person, county_clerk, finance, finance_reviewer)
    persons, rolls, lines, total = _expected_figures()
    copy = tmp_path / "canlian.sqlite3"
    code, out, message = _run("sqlite_backup", str(copy))
    assert code == 0, message
    assert f"人员：原库 {persons:,} 人，副本 {persons:,} 人" in out
    assert f"原库 {rolls} 册，{lines} 行，合计 {total} 元" in out
    assert f"副本 {rolls} 册，{lines} 行，合计 {total} 元" in out
    entries = Entry.objects.count()
    assert f"副本的审计链：核验 {entries:,} 条，完整" in out
    assert "结果：副本与原库一致。" in out
    assert copy.stat().st_mode & 0o777 == 0o600


@on_sqlite
@committed
def test_sqlite_a_roll_line_or_an_audit_entry_changed_in_the_copy_is_found(
    flushable_db: None, make_person, county_clerk, finance, finance_reviewer, tmp_path
) -> None:
    roll = _approved_roll(make_person, county_clerk, finance, finance_reviewer)
    line = Line.objects.filter(roll=roll).order_by("id").last()
    entry = Entry.objects.order_by("id")[3]

    def alter(alias: str) -> None:
        _alter_a_line(alias, line, line.amount - 1)
        _alter_an_entry(alias, entry)

    result = backups.sqlite_backup(output=tmp_path / "canlian.sqlite3", after_backup=alter)
    before, after = roll.total, roll.total - 1
    assert result.differences == [
        f"已批准的花名册 {_label(roll)}：原库各行合计 {before:,.2f} 元，副本 {after:,.2f} 元",
        f"副本的审计链在第 {entry.pk} 条断开",
    ]


@on_sqlite
@committed
def test_sqlite_the_copy_is_never_readable_by_others_even_while_it_is_written(
    flushable_db: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole registry is in the copy: under the usual umask (022) a file made by SQLite
    would be readable by every user until the end; it is made private before the first byte."""
    modes: list[int] = []
    figures = backups.figures

    def seen(using: str, on: Any) -> Any:
        modes.append(copy.stat().st_mode & 0o777)  # the copy written, the check not begun
        return figures(using, on)

    monkeypatch.setattr(backups, "figures", seen)
    copy = tmp_path / "canlian.sqlite3"
    previous = os.umask(0o022)
    try:
        backups.sqlite_backup(output=copy)
    finally:
        os.umask(previous)
    assert modes and modes[0] == 0o600
