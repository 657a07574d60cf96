"""The restructuring (issue 15) measured beside the code before it in one run.

Usage: python bench/structure_costs.py --before DIR [--persons N] [--rounds R]

DIR is a checkout of the code before the change with its own .venv (e.g. `git worktree add
/tmp/before b501d8d && cd /tmp/before && python3 -m venv .venv && .venv/bin/pip install -e .`).
For each code tree in turn (before, after, … R rounds), on fresh SQLite databases, whole
processes timed (start-up included):

  demo      `canlian demo --persons N` (enrols last month's eligible persons, approves its rolls)
  payroll   `canlian payroll generate --month M` for this month: the two subsidies' draft rolls
  export    `canlian export-persons all.xlsx --reveal`: the whole registry as .xlsx
  import    `canlian import-persons all.xlsx` into a database holding only the demo places and
            logins (every row created): the .xlsx is read by calamine (isolated in a child
            process after the change)
  reimport  the same file again (every row unchanged)
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from compare import alternate, environment, record_rounds, run, sqlite  # noqa: E402

STEPS = ("demo", "payroll", "export", "import", "reimport")


def one_round(tree: Path, work: Path, persons: int) -> dict[str, float]:
    env = environment(work)
    month = datetime.date.today().strftime("%Y-%m")
    times: dict[str, float] = {}
    source = sqlite(env, work / "source.sqlite3")
    run(tree, source, "migrate", "--verbosity", "0")
    times["demo"] = run(tree, source, "demo", "--persons", str(persons), "--seed", "7")
    times["payroll"] = run(tree, source, "payroll", "generate", "--month", month)
    xlsx = work / "all.xlsx"
    times["export"] = run(tree, source, "export-persons", str(xlsx), "--reveal")
    target = sqlite(env, work / "target.sqlite3")
    run(tree, target, "migrate", "--verbosity", "0")
    run(tree, target, "demo", "--persons", "0")
    times["import"] = run(tree, target, "import-persons", str(xlsx))
    times["reimport"] = run(tree, target, "import-persons", str(xlsx))
    return times


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
    record_rounds(
        "Restructuring (issue 15): demo, payroll, export, import and re-import before and after",
        f"registry: {args.persons:,} demo persons on SQLite, {args.rounds} rounds alternating "
        f"the code before ({args.before}) and after; medians, whole processes",
        STEPS, results, load,
    )  # fmt: skip


if __name__ == "__main__":
    main()
