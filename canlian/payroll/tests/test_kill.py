"""Kill-safety of `canlian payroll generate`: SIGKILL at random moments, then run it again.

A small registry on a SQLite file (300 demo persons, enrolled here in both subsidies: the
eligible ones carried over and settled, some with back pay owed from August, some no longer
eligible so that their roll shows a stop). One uninterrupted run on a copy of the file is the
reference. Then, 20 times, on a fresh copy: start the command, SIGKILL it after a seeded random
delay (half spread over the whole run, half over the part after start-up, from the moment the
run opens the database), run it again to completion, and compare the month's lines, stops, roll
totals and settled enrolments with the reference's.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[3]
MONTH = "2026-11"
KILLS = 20
SEED = 20261129

# Run in a child process on the database file: enrol the persons eligible in MONTH (carried
# over, settled), every fifth of them with back pay owed from August instead, and a few
# persons who are not eligible (their enrolments stop).
ENROL = """
import datetime
import django
django.setup()
from django.db import connection
from canlian.accounts.operator import CommandLineOperator
from canlian.accounts.roles import Perm
from canlian.benefits import eligibility, services
from canlian.benefits.models import Enrolment
month = eligibility.Month.parse({month!r})
user = CommandLineOperator(perms=frozenset({{Perm.APPROVE_SUBSIDY}}))
result = eligibility.compute_month(month)
taken = set(Enrolment.objects.filter(status="active").values_list("person_id", "programme"))
made = 0
for programme, decided in result.programmes.items():
    ids = decided.person_ids.tolist()
    eligible = [pk for pk, ok in zip(ids, decided.eligible.tolist()) if ok]
    others = [pk for pk, ok in zip(ids, decided.eligible.tolist()) if not ok][:8]
    for pk in eligible + others:
        if (pk, programme) in taken:
            continue
        services.enrol_existing(
            person_id=pk, programme=programme, start_month=datetime.date(2025, 1, 1),
            approved_on=datetime.date(2024, 12, 20), bank_name="Demo Bank",
            account="6228480012345678{{:03d}}".format(pk % 1000), acting_user=user,
            long_term_care_months=12 if programme == "care" else None,
        )
        made += 1
with connection.cursor() as cursor:
    cursor.execute(
        "UPDATE benefits_enrolment SET back_pay_settled = 0, start_month = '2026-08-01' "
        "WHERE id % 5 = 0"
    )
print(made, Enrolment.objects.count())
"""


def _env(folder: Path, db: Path) -> dict[str, str]:
    keys = ("CANLIAN_FIELD_KEY", "CANLIAN_AUDIT_KEY")  # and their _FILE variables
    env = {k: v for k, v in os.environ.items() if not k.startswith(keys)}
    env.update(
        DATABASE_URL=f"sqlite:///{db}",
        # The demo creates both keys there: beside the folder of the databases, not in it,
        # which the production settings refuse.
        CANLIAN_KEY_DIR=str(folder.parent / f"{folder.name}-keys"),
        CANLIAN_VAR_DIR=str(folder),
        CANLIAN_FILES_DIR=str(folder / "files"),
        DJANGO_SETTINGS_MODULE="config.settings",
        SECRET_KEY="canlian-tests-only-secret-key-" + "k" * 40,
    )
    return env


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "canlian.cli", *args]


GENERATE = ("payroll", "generate", "--month", MONTH)


def _restore(base: Path, db: Path) -> None:
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(base, db)


def _state(db: Path) -> dict[str, Any]:
    """The month's lines, stops, rolls and the enrolments' settled flags, read directly."""
    with sqlite3.connect(db) as conn:
        lines = conn.execute(
            "SELECT l.person_id, l.programme, l.month, l.kind, CAST(l.amount AS TEXT) "
            "FROM benefits_line l JOIN benefits_roll r ON r.id = l.roll_id WHERE r.month = ?",
            (f"{MONTH}-01",),
        ).fetchall()
        stops = conn.execute(
            "SELECT s.person_id, r.programme, s.conditions FROM benefits_stop s "
            "JOIN benefits_roll r ON r.id = s.roll_id WHERE r.month = ?",
            (f"{MONTH}-01",),
        ).fetchall()
        rolls = conn.execute(
            "SELECT county, programme, line_count, CAST(total AS TEXT), stopped_count "
            "FROM benefits_roll WHERE month = ? ORDER BY county, programme",
            (f"{MONTH}-01",),
        ).fetchall()
        fen = conn.execute(
            "SELECT COALESCE(SUM(CAST(ROUND(l.amount * 100) AS INTEGER)), 0) FROM benefits_line l "
            "JOIN benefits_roll r ON r.id = l.roll_id WHERE r.month = ?",
            (f"{MONTH}-01",),
        ).fetchone()[0]
        settled = conn.execute(
            "SELECT id, back_pay_settled FROM benefits_enrolment ORDER BY id"
        ).fetchall()
    conn.close()
    return {"lines": lines, "stops": stops, "rolls": rolls, "fen": fen, "settled": settled}


def _rolls_exist(db: Path) -> bool:
    with sqlite3.connect(db) as conn:
        (count,) = conn.execute(
            "SELECT COUNT(*) FROM benefits_roll WHERE month = ?", (f"{MONTH}-01",)
        ).fetchone()
    conn.close()
    return bool(count)


def _run(env: dict[str, str], *args: str, check: bool = True) -> float:
    start = time.perf_counter()
    subprocess.run(_command(*args), env=env, cwd=ROOT, check=check, capture_output=True)
    return time.perf_counter() - start


def _start(env: dict[str, str], db: Path) -> tuple[subprocess.Popen[bytes], float | None]:
    """Start a run; wait until it opens the database (the WAL file appears: start-up is over)
    and return the process and the seconds that took (None when it ended first)."""
    wal = Path(f"{db}-wal")
    start = time.perf_counter()
    process = subprocess.Popen(
        _command(*GENERATE), env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    while not wal.exists():
        if process.poll() is not None:
            return process, None
        time.sleep(0.0005)
    return process, time.perf_counter() - start


def _timed_run(env: dict[str, str], db: Path) -> tuple[float, float]:
    """A complete run: (seconds of start-up, seconds from opening the database to the end)."""
    process, startup = _start(env, db)
    assert startup is not None
    opened = time.perf_counter()
    assert process.wait() == 0
    return startup, time.perf_counter() - opened


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("payroll-kill")
    db = folder / "base.sqlite3"
    env = _env(folder, db)
    subprocess.run(_command("migrate", "-v0"), env=env, cwd=ROOT, check=True)
    subprocess.run(
        _command("demo", "--persons", "300"), env=env, cwd=ROOT, check=True, capture_output=True
    )
    code = ENROL.format(month=MONTH)
    subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True, capture_output=True)
    return db


def test_generate_killed_at_random_moments_then_run_again_makes_the_reference_rolls(
    base: Path,
) -> None:
    folder = base.parent
    db = folder / "work.sqlite3"
    env = _env(folder, db)

    # The reference: one uninterrupted run. Its start-up (until it opens the database) and the
    # rest (reading, deciding, writing, committing, exiting), the shorter of two runs.
    _restore(base, db)
    startup, working = _timed_run(env, db)
    reference = _state(db)
    assert reference["lines"], "the reference run made no lines"
    assert any(kind == "back_pay" for *_x, kind, _a in reference["lines"])
    assert reference["stops"], "the reference run stopped nobody"
    _restore(base, db)
    again = _timed_run(env, db)
    startup, working = min(startup, again[0]), min(working, again[1])

    # Half the kills at a delay spread over the whole run from its start; the other half at a
    # delay spread over the working part, counted from the moment the run opens the database.
    rng = random.Random(SEED)
    half = KILLS // 2
    whole = startup + working
    delays = [("start", whole * (i + rng.random()) / half) for i in range(half)]
    delays += [("opened", working * (i + rng.random()) / half) for i in range(KILLS - half)]
    rng.shuffle(delays)

    outcome: Counter[str] = Counter()
    for since, delay in delays:
        _restore(base, db)
        if since == "start":
            process = subprocess.Popen(
                _command(*GENERATE),
                env=env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            opened = None
        else:
            process, opened = _start(env, db)
        time.sleep(delay)
        if process.poll() is None:
            was_open = opened is not None or Path(f"{db}-wal").exists()
            process.send_signal(signal.SIGKILL)
            process.wait()
            if _rolls_exist(db):
                outcome["after commit, before exit"] += 1
            elif was_open:
                outcome["before commit, database open"] += 1
            else:
                outcome["before commit, during start-up"] += 1
        else:
            outcome["after exit"] += 1
        _run(env, *GENERATE)
        state = _state(db)
        keys = [(p, programme, month, kind) for p, programme, month, kind, *_x in state["lines"]]
        assert len(set(state["lines"])) == len(state["lines"]), "duplicate lines"
        assert len(set(keys)) == len(keys), "two lines for one person, programme and month"
        assert set(state["lines"]) == set(reference["lines"]), (
            f"after a kill {delay:.2f} s after the {since}: "
            f"{len(set(reference['lines']) - set(state['lines']))} missing, "
            f"{len(set(state['lines']) - set(reference['lines']))} extra"
        )
        assert state["fen"] == reference["fen"]
        assert state["rolls"] == reference["rolls"]
        assert sorted(state["stops"]) == sorted(reference["stops"])
        assert state["settled"] == reference["settled"]

    print(
        f"\npayroll generate: start-up {startup:.2f} s, then {working:.2f} s, "
        f"{len(reference['lines'])} lines; {KILLS} kills: {dict(outcome)}"
    )
    assert outcome["before commit, database open"] >= 1, f"no kill landed mid-run: {outcome}"
