"""Time a month's payment rolls on PostgreSQL with the caches cold and warm, on fresh copies.

Usage (as root on a machine whose PostgreSQL serves nothing else: it is restarted):
  python bench/rolls_cold_warm.py \
      --database-url postgres://postgres@127.0.0.1:5432/canlian_bench_1m --month 2026-12

The source database is a loaded registry (`canlian demo --persons 1000000`; it is never
written). For each of --runs rounds, two fresh copies are made from it (`CREATE DATABASE …
TEMPLATE`) and `canlian payroll generate --month M` is timed as a subprocess, wall clock:

- **cold**: the server restarted (`pg_ctlcluster … restart`: its shared buffers empty) and the
  kernel's page cache dropped (`echo 3 > /proc/sys/vm/drop_caches`) just before: the first
  run after a fresh load or a reboot;
- **warm**: the copy just made (its files in the page cache), the server running.

Each copy is dropped after its run. Records the medians beside each other in
bench/RESULTS.md, with the lines and total of each run (they must agree).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from common import postgres_version, record  # noqa: E402

COPY = "canlian_rolls_copy"


def psql(admin: str, sql: str) -> None:
    subprocess.run(["psql", admin, "-qc", sql], check=True)


def restart_and_drop_caches() -> None:
    clusters = sorted(os.listdir("/etc/postgresql"))
    version = clusters[-1]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"], check=True
    )
    subprocess.run(["sync"], check=True)
    Path("/proc/sys/vm/drop_caches").write_text("3\n")
    for _ in range(60):  # the server accepting connections again
        ready = subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"], check=False)
        if ready.returncode == 0:
            return
        time.sleep(0.5)
    raise SystemExit("PostgreSQL did not come back")


def generate(url: str, month: str) -> tuple[float, str]:
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "False", "ALLOWED_HOSTS": "localhost"}
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "canlian.cli", "payroll", "generate", "--month", month],
        env=env, cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    seconds = time.perf_counter() - start
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return seconds, f"{result.get('lines')} lines, {result.get('total')} yuan"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--month", default="2026-12")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--note", action="append", default=[], help="a line added to the record")
    args = parser.parse_args()
    base, source = args.database_url.rsplit("/", 1)
    admin, copy = f"{base}/postgres", f"{base}/{COPY}"

    times: dict[str, list[float]] = {"cold": [], "warm": []}
    outcomes: set[str] = set()
    lines = []
    for round_ in range(1, args.runs + 1):
        for kind in ("cold", "warm"):
            psql(admin, f'DROP DATABASE IF EXISTS "{COPY}"')
            start = time.perf_counter()
            psql(admin, f'CREATE DATABASE "{COPY}" TEMPLATE "{source}"')
            copied = time.perf_counter() - start
            if kind == "cold":
                restart_and_drop_caches()
            seconds, outcome = generate(copy, args.month)
            times[kind].append(seconds)
            outcomes.add(outcome)
            lines.append(
                f"round {round_}, {kind}: {seconds:.2f} s ({outcome}; copy made in {copied:.1f} s)"
            )
            print(lines[-1], flush=True)
    psql(admin, f'DROP DATABASE IF EXISTS "{COPY}"')
    summary = (
        f"`canlian payroll generate --month {args.month}` (subprocess, wall clock), median of "
        f"{args.runs} on fresh copies: cold {statistics.median(times['cold']):.2f} s, warm "
        f"{statistics.median(times['warm']):.2f} s"
    )
    agree = "every run the same" if len(outcomes) == 1 else "runs DIFFER: " + "; ".join(outcomes)
    record(
        f"Rolls cold and warm ({postgres_version(args.database_url)}, copies of {source})",
        [summary, *lines, f"rolls: {agree}", *args.note],
    )
    print(summary)


if __name__ == "__main__":
    main()
