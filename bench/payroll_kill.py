"""SIGKILL `canlian payroll generate` at random moments on PostgreSQL, then run it again.

Usage: python bench/payroll_kill.py [--persons 100000] [--kills 20] [--month 2026-11]
                                    [--base-db NAME] [--seed N] [--no-record]

The test suite's kill test (canlian/payroll/tests/test_kill.py, slow marker) does this on a
SQLite file of 300 persons. This script does it on PostgreSQL at scale, where a kill lands in
the middle of reading a million persons or of the COPY of 400,000 lines.

The base registry is a demo of --persons on a new database (or, with --base-db, an existing
database holding no rolls for the month; its keys from CANLIAN_KEY_DIR). Every run
works on a copy of it (CREATE DATABASE … TEMPLATE). One uninterrupted run is the reference.
Then, --kills times, on a fresh copy: start the command, SIGKILL it after a seeded random
delay (stratified over the reference run's duration, start-up included), note whether the
month's rolls had been committed, run the command again to completion, and compare the
month's lines (person, programme, month, kind, amount), stops, roll totals, the total in fen
and the enrolments' settled flags with the reference's. Any difference is a failure (exit 1).
The outcome is appended to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from common import postgres_version, record  # noqa: E402

SERVER = "postgres://postgres@127.0.0.1:5432"
WORK = "canlian_bench_kill_work"
BASE = "canlian_bench_kill_base"


def admin(statement: str) -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(statement)


def copy_of(base: str) -> str:
    admin(f"DROP DATABASE IF EXISTS {WORK} WITH (FORCE)")
    admin(f"CREATE DATABASE {WORK} TEMPLATE {base}")
    return f"{SERVER}/{WORK}"


def connected() -> bool:
    """Whether a session is open on the work database (the command has started its work)."""
    with psycopg.connect(f"{SERVER}/postgres") as conn:
        row = conn.execute(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = %s", [WORK]
        ).fetchone()
    return bool(row and row[0])


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "canlian.cli", *args]


def state(url: str, month: str) -> dict[str, Any]:
    """The month's lines, stops, rolls, total in fen, and every enrolment's settled flag."""
    day = f"{month}-01"
    with psycopg.connect(url) as conn:
        lines = conn.execute(
            "SELECT l.person_id, l.programme, l.month, l.kind, l.amount::text "
            "FROM benefits_line l JOIN benefits_roll r ON r.id = l.roll_id WHERE r.month = %s",
            [day],
        ).fetchall()
        stops = conn.execute(
            "SELECT s.person_id, r.programme, s.conditions::text FROM benefits_stop s "
            "JOIN benefits_roll r ON r.id = s.roll_id WHERE r.month = %s",
            [day],
        ).fetchall()
        rolls = conn.execute(
            "SELECT county, programme, line_count, total::text, stopped_count "
            "FROM benefits_roll WHERE month = %s ORDER BY county, programme",
            [day],
        ).fetchall()
        settled = conn.execute(
            "SELECT id, back_pay_settled FROM benefits_enrolment ORDER BY id"
        ).fetchall()
    fen = sum(round(float(amount) * 100) for *_x, amount in lines)
    return {"lines": lines, "stops": stops, "rolls": rolls, "fen": fen, "settled": settled}


def committed(url: str, month: str) -> bool:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT COUNT(*) FROM benefits_roll WHERE month = %s", [f"{month}-01"]
        ).fetchone()
    return bool(row and row[0])


def differences(got: dict[str, Any], want: dict[str, Any]) -> list[str]:
    found = []
    if len(set(got["lines"])) != len(got["lines"]):
        found.append("duplicate lines")
    keys = [tuple(line[:3]) for line in got["lines"]]  # generation makes no adjustments
    if len(set(keys)) != len(keys):
        found.append("two lines for one person, programme and month")
    missing = set(want["lines"]) - set(got["lines"])
    extra = set(got["lines"]) - set(want["lines"])
    if missing or extra:
        found.append(f"{len(missing)} lines missing, {len(extra)} extra")
    for key in ("fen", "rolls", "settled"):
        if got[key] != want[key]:
            found.append(f"{key} differ")
    if sorted(got["stops"]) != sorted(want["stops"]):
        found.append("stops differ")
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--month", default="2026-11")
    parser.add_argument("--base-db", default="")
    parser.add_argument("--seed", type=int, default=20261129)
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    generate = ("payroll", "generate", "--month", args.month)
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "CANLIAN_KEY_DIR": os.environ.get("CANLIAN_KEY_DIR", f"{tmp}/keys"),
        }
        base, notes = args.base_db, []
        if not base:
            base = BASE
            admin(f"DROP DATABASE IF EXISTS {BASE} WITH (FORCE)")
            admin(f"CREATE DATABASE {BASE}")
            env_base = {**env, "DATABASE_URL": f"{SERVER}/{BASE}"}
            start = time.perf_counter()
            subprocess.run(command("migrate", "-v0"), env=env_base, cwd=ROOT, check=True)
            subprocess.run(
                command("demo", "--persons", str(args.persons)),
                env=env_base, cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
            )  # fmt: skip
            seconds = time.perf_counter() - start
            notes.append(f"base: demo of {args.persons:,} persons, {seconds:.0f} s")
        else:
            notes.append(f"base: the existing database {base}")
        if committed(f"{SERVER}/{base}", args.month):
            sys.exit(f"{base} holds rolls of {args.month} already: the base must not.")
        with psycopg.connect(f"{SERVER}/{base}") as conn:
            row = conn.execute("SELECT COUNT(*) FROM people_person").fetchone()
            persons = int(row[0]) if row else 0

        url = copy_of(base)
        run_env = {**env, "DATABASE_URL": url}
        start = time.perf_counter()
        subprocess.run(command(*generate), env=run_env, cwd=ROOT, check=True, capture_output=True)
        duration = time.perf_counter() - start
        reference = state(url, args.month)
        if not reference["lines"]:
            sys.exit("The reference run made no lines.")
        print(
            f"reference: {len(reference['lines']):,} lines, {len(reference['stops']):,} stops, "
            f"{duration:.2f} s",
            flush=True,
        )

        rng = random.Random(args.seed)
        delays = [duration * (i + rng.random()) / args.kills for i in range(args.kills)]
        rng.shuffle(delays)
        outcome: Counter[str] = Counter()
        failures: list[str] = []
        for delay in delays:
            url = copy_of(base)
            process = subprocess.Popen(
                command(*generate),
                env=run_env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            time.sleep(delay)
            if process.poll() is None:
                was_open = connected()
                process.send_signal(signal.SIGKILL)
                process.wait()
                if committed(url, args.month):
                    kind = "after commit, before exit"
                else:
                    kind = f"before commit, {'database open' if was_open else 'during start-up'}"
            else:
                kind = "after exit"
            outcome[kind] += 1
            subprocess.run(
                command(*generate), env=run_env, cwd=ROOT, check=True, capture_output=True
            )
            found = differences(state(url, args.month), reference)
            said = "; ".join(found) or "the same rolls"
            print(f"kill at {delay:.2f} s ({kind}): {said}", flush=True)
            failures += [f"kill at {delay:.2f} s: {text}" for text in found]
        admin(f"DROP DATABASE IF EXISTS {WORK} WITH (FORCE)")

    lines = [
        f"registry: {persons:,} persons on {postgres_version(f'{SERVER}/postgres')}; {notes[0]}",
        f"reference run of `canlian payroll generate --month {args.month}` (whole process): "
        f"{duration:.2f} s, {len(reference['lines']):,} lines, {len(reference['stops']):,} "
        f"stops, {reference['fen'] / 100:,.2f} yuan",
        f"{args.kills} SIGKILLs at seeded random delays over that duration (seed {args.seed}): "
        + ", ".join(f"{kind} {n}" for kind, n in sorted(outcome.items())),
        "after each kill the command was run again on the same copy and compared with the "
        "reference (lines, stops, roll totals, total in fen, settled flags): "
        + ("every run the same rolls" if not failures else f"DIFFERENCES: {failures}"),
    ]
    for line in lines:
        print(line)
    if not args.no_record:
        record(f"Payment rolls killed and run again, {persons:,} persons (PostgreSQL)", lines)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
