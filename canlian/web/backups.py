"""Backups checked by restoring them (docs/operations.md, "Backups and restore"; decision 0022).

PostgreSQL: `pg_dump --format=custom` of the configured database, taken in a snapshot the
figures of the source are read in too, restored by `pg_restore` into a fresh database, then
the figures compared and the audit chain verified on the copy. SQLite: a copy made by SQLite's
backup API while writers wait, compared the same way. The figures: persons, certified persons
today, and every approved roll's stored total and line count with the sum and count of its
lines. The chain is walked by `canlian.audit.records.verify_chain`, the code `canlian
audit_verify` runs.
"""

from __future__ import annotations

import datetime
import os
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.db import DatabaseError, connections, transaction
from django.db.models import Count, F, Sum, Value
from django.db.models.functions import Round
from django.db.utils import load_backend
from django.utils import timezone
from django.utils.translation import gettext as _

from canlian.audit.models import Entry
from canlian.audit.records import verify_chain
from canlian.lib import money
from canlian.payroll.models import Line, Roll, RollStatus
from canlian.people.models import LifeStatus, Person
from canlian.places.models import Level, Place

#: The alias under which the restored copy is read.
COPY = "backup_copy"
#: Every database the check creates is named with this prefix.
PREFIX = "canlian_backup_"
#: The differences listed one by one; more are counted.
SHOWN = 20


class BackupError(Exception):
    """The backup, the restore or the check could not be done (the message says why)."""


@dataclass(frozen=True)
class RollFigures:
    label: str
    line_count: int  # as stored on the roll
    total_fen: int  # as stored on the roll
    lines: int  # lines counted
    lines_fen: int  # their amounts summed


@dataclass(frozen=True)
class Figures:
    persons: int
    certified: int
    rolls: dict[int, RollFigures]
    entries: int  # audit entries
    last_entry: int | None

    @property
    def lines(self) -> int:
        return sum(r.lines for r in self.rolls.values())

    @property
    def total_fen(self) -> int:
        return sum(r.lines_fen for r in self.rolls.values())


@dataclass
class Result:
    engine: str
    source_name: str
    copy_name: str
    backup: Path
    size: int
    source: Figures
    copy: Figures
    seconds: dict[str, float] = field(default_factory=dict)
    chain_checked: int = 0
    chain_broken_at: int | None = None
    differences: list[str] = field(default_factory=list)

    @classmethod
    def taken(
        cls, engine: str, source_name: str, copy_name: str, backup: Path, source: Figures,
        seconds: dict[str, float],
    ) -> Result:  # fmt: skip
        """A backup just taken, its copy not yet read (its figures are the source's until
        then)."""
        return cls(
            engine=engine,
            source_name=source_name,
            copy_name=copy_name,
            backup=backup,
            size=backup.stat().st_size,
            source=source,
            copy=source,
            seconds=seconds,
        )

    @property
    def ok(self) -> bool:
        return not self.differences


def _private_file(path: Path) -> None:
    """Create `path` empty, readable by its owner alone, before anything is written into it:
    a copy of the whole registry is never readable by others, not even while it is written
    (a file made by pg_dump or SQLite would follow the process's umask)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


def finish(run: Callable[[], Result], write: Callable[[str], object]) -> None:
    """What both backup commands do with a check: run it, write its report, and fail (exit
    1) on a refusal or on any difference."""
    try:
        result = run()
    except BackupError as e:
        raise CommandError(str(e)) from e
    for line in report(result):
        write(line)
    if not result.ok:
        raise CommandError(
            _("The copy differs from the database: %(count)s differences.")
            % {"count": len(result.differences)}
        )


def roll_label(roll: Roll, counties: dict[str, str]) -> str:
    """A roll named as the pages name it: the county, the programme, the month."""
    county = counties.get(roll.county, roll.county)
    return f"{county} {roll.get_programme_display()} {roll.month:%Y-%m}"


def figures(using: str, on: datetime.date) -> Figures:
    """The figures compared between a database and its copy, read through `using`."""
    persons = Person.objects.using(using)
    certified = persons.filter(
        life_status=LifeStatus.ACTIVE,
        certificate_issued_on__lte=on,
        certificate_expires_on__gte=on,
    )
    summed = {
        row["roll_id"]: row
        for row in Line.objects.using(using)
        .filter(roll__status=RollStatus.APPROVED)
        .values("roll_id")
        .annotate(n=Count("id"), fen=Sum(Round(F("amount") * Value(100))))
        .order_by()
    }
    counties = {
        code[:6]: name
        for code, name in Place.objects.using(using)
        .filter(level=Level.COUNTY)
        .values_list("code", "name")
    }
    rolls = {}
    for roll in Roll.objects.using(using).filter(status=RollStatus.APPROVED).order_by("id"):
        lines = summed.get(roll.pk, {"n": 0, "fen": 0})
        rolls[roll.pk] = RollFigures(
            label=roll_label(roll, counties),
            line_count=roll.line_count,
            total_fen=int(Decimal(roll.total) * 100),
            lines=lines["n"],
            lines_fen=int(lines["fen"] or 0),
        )
    entries = Entry.objects.using(using)
    return Figures(
        persons=persons.count(),
        certified=certified.count(),
        rolls=rolls,
        entries=entries.count(),
        last_entry=entries.order_by("-id").values_list("id", flat=True).first(),
    )


def _yuan(fen: int) -> str:
    return money.figures(Decimal(fen) / 100)


def differences(source: Figures, copy: Figures) -> list[str]:
    """Every way the copy's figures differ from the source's, each a sentence."""
    found = []
    if source.persons != copy.persons:
        found.append(
            _("persons: %(source)s in the database, %(copy)s in the copy")
            % {"source": f"{source.persons:,}", "copy": f"{copy.persons:,}"}
        )
    if source.certified != copy.certified:
        found.append(
            _("certified persons: %(source)s in the database, %(copy)s in the copy")
            % {"source": f"{source.certified:,}", "copy": f"{copy.certified:,}"}
        )
    if source.entries != copy.entries:
        found.append(
            _("audit entries: %(source)s in the database, %(copy)s in the copy")
            % {"source": f"{source.entries:,}", "copy": f"{copy.entries:,}"}
        )
    for roll_id, roll in source.rolls.items():
        other = copy.rolls.get(roll_id)
        if other is None:
            found.append(_("approved roll %(roll)s: missing from the copy") % {"roll": roll.label})
            continue
        if roll.lines != other.lines:
            found.append(
                _("approved roll %(roll)s: %(source)s lines in the database, %(copy)s in the copy")
                % {"roll": roll.label, "source": f"{roll.lines:,}", "copy": f"{other.lines:,}"}
            )
        if roll.line_count != other.line_count:
            found.append(
                _(
                    "approved roll %(roll)s: %(source)s lines recorded on the roll in the "
                    "database, %(copy)s in the copy"
                )
                % {
                    "roll": roll.label,
                    "source": f"{roll.line_count:,}",
                    "copy": f"{other.line_count:,}",
                }
            )
        if roll.lines_fen != other.lines_fen:
            found.append(
                _(
                    "approved roll %(roll)s: its lines add up to %(source)s yuan in the "
                    "database, %(copy)s yuan in the copy"
                )
                % {
                    "roll": roll.label,
                    "source": _yuan(roll.lines_fen),
                    "copy": _yuan(other.lines_fen),
                }
            )
        if roll.total_fen != other.total_fen:
            found.append(
                _(
                    "approved roll %(roll)s: a total of %(source)s yuan in the database, "
                    "%(copy)s yuan in the copy"
                )
                % {
                    "roll": roll.label,
                    "source": _yuan(roll.total_fen),
                    "copy": _yuan(other.total_fen),
                }
            )
    for roll_id, other in copy.rolls.items():
        if roll_id not in source.rolls:
            found.append(
                _("approved roll %(roll)s: in the copy, not in the database")
                % {"roll": other.label}
            )
    return found


def _check_copy(result: Result, on: datetime.date) -> None:
    """Read the copy's figures, verify its chain, and list every difference."""
    started = time.monotonic()
    result.copy = figures(COPY, on)
    result.chain_checked, result.chain_broken_at = verify_chain(using=COPY)
    result.differences = differences(result.source, result.copy)
    if result.chain_broken_at is not None:
        result.differences.append(
            _("the audit chain of the copy is broken at entry %(entry)s")
            % {"entry": result.chain_broken_at}
        )
    result.seconds["check"] = time.monotonic() - started


@contextmanager
def _alias(config: dict[str, Any]) -> Iterator[None]:
    """The copy, readable under the alias COPY while the block runs (a connection of its own,
    not one of the settings' databases)."""
    copy = load_backend(config["ENGINE"]).DatabaseWrapper(config, COPY)
    connections[COPY] = copy
    try:
        yield
    finally:
        copy.close()
        del connections[COPY]


# --- PostgreSQL -------------------------------------------------------------------------------


def _pg_environment(config: dict[str, Any]) -> dict[str, str]:
    """libpq's variables for pg_dump and pg_restore: the server, port, user and password the
    open connection uses (however the settings gave them: fields, OPTIONS, a socket folder)."""
    source = connections["default"]
    source.ensure_connection()
    info = source.connection.info
    environment = dict(os.environ)
    environment.update({"PGHOST": info.host, "PGPORT": str(info.port), "PGUSER": info.user})
    if info.password:
        environment["PGPASSWORD"] = info.password
    for option, variable in (
        ("sslmode", "PGSSLMODE"),
        ("sslrootcert", "PGSSLROOTCERT"),
        ("sslcert", "PGSSLCERT"),
        ("sslkey", "PGSSLKEY"),
        ("passfile", "PGPASSFILE"),
    ):
        if config.get("OPTIONS", {}).get(option):
            environment[variable] = str(config["OPTIONS"][option])
    return environment


def _run(command: list[str], environment: dict[str, str]) -> None:
    program = shutil.which(command[0])
    if program is None:
        raise BackupError(
            _("%(program)s was not found: install the PostgreSQL client (postgresql-client).")
            % {"program": command[0]}
        )
    done = subprocess.run(  # noqa: S603 (the program found above, arguments as a list)
        [program, *command[1:]], env=environment, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BackupError(
            _("%(program)s failed: %(error)s")
            % {"program": command[0], "error": done.stderr.strip() or done.returncode}
        )


def _database_exists(name: str) -> bool:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return cursor.fetchone() is not None


def pg_check(
    *,
    output: Path,
    copy_name: str,
    keep: bool = False,
    jobs: int = 1,
    on: datetime.date | None = None,
    after_restore: Callable[[str], None] | None = None,
) -> Result:
    """Dump the configured PostgreSQL database to `output`, restore it into a new database
    `copy_name`, compare. `after_restore(alias)` runs on the copy before it is read (tests
    alter the copy there). The copy is dropped at the end unless `keep`."""
    source = connections["default"]
    config = source.settings_dict
    if not copy_name.startswith(PREFIX):
        raise BackupError(
            _("The copy's database name must begin with %(prefix)s.") % {"prefix": PREFIX}
        )
    if output.exists():
        raise BackupError(_("%(file)s exists already: give another file.") % {"file": output})
    if _database_exists(copy_name):
        raise BackupError(
            _("The database %(name)s exists already: give another name.") % {"name": copy_name}
        )
    if source.in_atomic_block:
        raise BackupError(_("The backup check cannot run inside a transaction."))
    on = on or timezone.localdate()
    environment = _pg_environment(config)
    _private_file(output)
    seconds: dict[str, float] = {}

    # One snapshot for the dump and the source's figures: a busy database gives a copy and
    # figures of the same moment.
    with transaction.atomic(using="default"), source.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        started = time.monotonic()
        _run(
            [
                "pg_dump",
                "--format=custom",
                f"--snapshot={snapshot}",
                "--no-password",
                f"--file={output}",
                f"--dbname={config['NAME']}",
            ],
            environment,
        )
        seconds["dump"] = time.monotonic() - started
        started = time.monotonic()
        source_figures = figures("default", on)
        seconds["source"] = time.monotonic() - started

    started = time.monotonic()
    quoted = source.ops.quote_name(copy_name)
    try:
        with source.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {quoted} TEMPLATE template0")
    except DatabaseError as e:
        raise BackupError(
            _("The database %(name)s could not be created (the account needs CREATEDB): %(error)s")
            % {"name": copy_name, "error": str(e).strip()}
        ) from e
    try:
        _run(
            [
                "pg_restore",
                "--exit-on-error",
                "--no-password",
                f"--jobs={jobs}",
                f"--dbname={copy_name}",
                str(output),
            ],
            environment,
        )
        seconds["restore"] = time.monotonic() - started
        result = Result.taken(
            "PostgreSQL", config["NAME"], copy_name, output, source_figures, seconds
        )
        with _alias({**config, "NAME": copy_name, "CONN_MAX_AGE": 0}):
            if after_restore is not None:
                after_restore(COPY)
            _check_copy(result, on)
    finally:
        if not keep:
            with source.cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")
    return result


# --- SQLite -----------------------------------------------------------------------------------


def sqlite_backup(
    *,
    output: Path,
    on: datetime.date | None = None,
    after_backup: Callable[[str], None] | None = None,
) -> Result:
    """Copy the configured SQLite database to `output` with SQLite's backup API (writers wait
    meanwhile), then compare the copy with the database and verify the copy's audit chain."""
    source = connections["default"]
    config = source.settings_dict
    if output.exists():
        raise BackupError(_("%(file)s exists already: give another file.") % {"file": output})
    on = on or timezone.localdate()
    _private_file(output)
    seconds: dict[str, float] = {}
    # A connection holds the write lock while another one copies: writers wait (up to the
    # settings' timeout) until the copy and the database's figures are done, and readers, the
    # figures' included, see what is copied (WAL mode). SQLite cannot copy through the
    # connection that holds the lock. A database in memory (the tests') has no other writer.
    name = str(config["NAME"])
    uri = name.startswith("file:")
    holder = None if "mode=memory" in name else sqlite3.connect(name, uri=uri, isolation_level=None)
    reader = sqlite3.connect(name, uri=uri, isolation_level=None)
    try:
        if holder is not None:
            holder.execute("BEGIN IMMEDIATE")
        started = time.monotonic()
        target = sqlite3.connect(output)
        try:
            reader.backup(target)
        finally:
            target.close()
        seconds["dump"] = time.monotonic() - started
        started = time.monotonic()
        source_figures = figures("default", on)
        seconds["source"] = time.monotonic() - started
    finally:
        reader.close()
        if holder is not None:
            holder.close()  # the lock is released with its transaction, nothing written
    result = Result.taken(
        "SQLite", str(config["NAME"]), str(output), output, source_figures, seconds
    )
    copy_config = {**config, "NAME": str(output), "CONN_MAX_AGE": 0, "TEST": {}}
    copy_config["OPTIONS"] = {
        k: v for k, v in config.get("OPTIONS", {}).items() if k not in {"init_command"}
    }
    with _alias(copy_config):
        if after_backup is not None:
            after_backup(COPY)
        _check_copy(result, on)
    return result


# --- The report ---------------------------------------------------------------------------------


def _size(size: int) -> str:
    return f"{size / 1_000_000:,.1f} MB"


def report(result: Result, on: datetime.date | None = None) -> list[str]:
    """The report's lines, in the active language."""
    on = on or timezone.localdate()
    src, copy = result.source, result.copy
    lines = [
        _("Backup check (%(engine)s): %(source)s, restored as %(copy)s")
        % {"engine": result.engine, "source": result.source_name, "copy": result.copy_name},
        _("Backup file: %(file)s, %(size)s") % {"file": result.backup, "size": _size(result.size)},
        _("Persons: %(source)s in the database, %(copy)s in the copy")
        % {"source": f"{src.persons:,}", "copy": f"{copy.persons:,}"},
        _("Certified persons on %(day)s: %(source)s in the database, %(copy)s in the copy")
        % {"day": on.isoformat(), "source": f"{src.certified:,}", "copy": f"{copy.certified:,}"},
        _(
            "Approved rolls: %(rolls)s with %(lines)s lines and %(total)s yuan in the database; "
            "%(copy_rolls)s with %(copy_lines)s lines and %(copy_total)s yuan in the copy"
        )
        % {
            "rolls": f"{len(src.rolls):,}",
            "lines": f"{src.lines:,}",
            "total": _yuan(src.total_fen),
            "copy_rolls": f"{len(copy.rolls):,}",
            "copy_lines": f"{copy.lines:,}",
            "copy_total": _yuan(copy.total_fen),
        },
    ]
    if result.chain_broken_at is None:
        lines.append(
            _("Audit chain of the copy: %(count)s entries verified, unbroken")
            % {"count": f"{result.chain_checked:,}"}
        )
    else:
        lines.append(
            _("Audit chain of the copy: broken at entry %(entry)s after %(count)s entries")
            % {"entry": result.chain_broken_at, "count": f"{result.chain_checked:,}"}
        )
    seconds = result.seconds
    lines.append(
        _("Time: backup %(dump)s s, restore %(restore)s s, figures %(check)s s, total %(total)s s")
        % {
            "dump": f"{seconds.get('dump', 0):,.1f}",
            "restore": f"{seconds.get('restore', 0):,.1f}",
            "check": f"{seconds.get('source', 0) + seconds.get('check', 0):,.1f}",
            "total": f"{sum(seconds.values()):,.1f}",
        }
    )
    if result.ok:
        lines.append(_("Result: the copy matches the database."))
    else:
        lines.append(
            _("Result: %(count)s differences between the copy and the database:")
            % {"count": len(result.differences)}
        )
        lines += [f"  - {line}" for line in result.differences[:SHOWN]]
        if len(result.differences) > SHOWN:
            lines.append(_("  … and %(count)s more") % {"count": len(result.differences) - SHOWN})
    return lines
