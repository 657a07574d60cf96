"""What the security work costs and saves, measured beside the code before it in one run.

Usage: python bench/security_costs.py --before DIR [--persons N] [--rounds R]

DIR is a checkout of the code before the change with its own .venv (e.g. `git worktree add
/tmp/before c57d75e && cd /tmp/before && python3 -m venv .venv && .venv/bin/pip install -e .`).
For each code tree in turn (before, after, before, after, ... R rounds), on fresh SQLite
databases, whole processes timed (start-up included):

  demo      `canlian demo --persons N` (phones are sealed now: two encryptions more a person)
  export    `canlian export-persons all.csv --reveal`: the full export of the whole registry, the
            work a web request did before large exports went to the worker
  import    `canlian import-persons all.csv` into a database holding only the demo places and
            logins (every row created)
  reimport  the same file again (every row unchanged: phone numbers and accounts compared through
            the gate's `equals` now, by decryption)

and, for the code after only, the web side of a large export in process: the request that asks
for it (GET, the confirmation page), the request that queues it (POST), and the worker's writing
of the file (`exportjobs.run`).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from common import record  # noqa: E402
from compare import alternate, environment, record_rounds, run, sqlite  # noqa: E402

STEPS = ("demo", "export", "import", "reimport")


def one_round(tree: Path, work: Path, persons: int) -> dict[str, float]:
    env = environment(work)
    times: dict[str, float] = {}
    source = sqlite(env, work / "source.sqlite3")
    run(tree, source, "migrate", "--verbosity", "0")
    times["demo"] = run(tree, source, "demo", "--persons", str(persons), "--seed", "7")
    csv = work / "all.csv"
    times["export"] = run(tree, source, "export-persons", str(csv), "--reveal")
    target = sqlite(env, work / "target.sqlite3")
    run(tree, target, "migrate", "--verbosity", "0")
    run(tree, target, "demo", "--persons", "0")
    times["import"] = run(tree, target, "import-persons", str(csv))
    times["reimport"] = run(tree, target, "import-persons", str(csv))
    return times


WEB = """
import time, statistics
from django.test import Client
from canlian.accounts.models import User
from canlian.people.exchange import exportjobs
from canlian.spreadsheets.models import ExportJob
user = User.objects.get(username="city")
client = Client(SERVER_NAME="127.0.0.1")
client.force_login(user)
url = "/people/export.csv?full=1"
t = time.perf_counter(); r = client.get(url); ask = time.perf_counter() - t
assert r.status_code == 200, r.status_code
t = time.perf_counter(); r = client.post(url); queue = time.perf_counter() - t
assert r.status_code == 302, r.status_code
job = ExportJob.objects.get()
t = time.perf_counter(); exportjobs.run(str(job.pk)); write = time.perf_counter() - t
job.refresh_from_db()
print(f"{ask:.3f} {queue:.3f} {write:.3f} {job.rows_done}")
"""


def web_side(tree: Path, persons: int, work: Path) -> str:
    env = {**sqlite(environment(work), work / "web.sqlite3"), "TASKS_BACKEND": "database"}
    run(tree, env, "migrate", "--verbosity", "0")
    run(tree, env, "demo", "--persons", str(persons), "--seed", "7")
    out = subprocess.run(
        [str(tree / ".venv" / "bin" / "python"), "-m", "canlian.cli", "shell", "-c", WEB],
        cwd=tree, env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    ask, queue, write, rows = out.stdout.strip().splitlines()[-1].split()
    return (
        f"a large full export on the web (after), {rows} rows: the confirmation page "
        f"{float(ask) * 1000:.0f} ms, the request that queues it {float(queue) * 1000:.0f} ms, "
        f"the worker writing the file {float(write):.1f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", type=Path, required=True)
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    trees = {"before": args.before.resolve(), "after": ROOT}
    load = os.getloadavg()[0]
    results = alternate(
        trees, STEPS, args.rounds, lambda tree, work: one_round(tree, work, args.persons)
    )
    if args.rounds:
        record_rounds(
            "Security work: demo, full export, import and re-import before and after",
            f"registry: {args.persons:,} demo persons on SQLite, {args.rounds} rounds alternating "
            f"the code before ({args.before}) and after; medians, whole processes",
            STEPS, results, load,
        )  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="canlian-bench-web-") as folder:
        web = web_side(ROOT, args.persons, Path(folder))
    print(web)
    record("Security work: a large full export on the web", [web])


if __name__ == "__main__":
    main()
