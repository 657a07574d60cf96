"""Time the subsidy rules: the whole registry for one month, and one person's explanation.

Usage: python bench/subsidy_month.py [--persons 100000] [--database-url URL] [--month YYYY-MM]
Builds a demo registry of --persons on a fresh database (SQLite in a temporary folder unless
--database-url is given), then, in one process: `compute_month` for the whole registry
(read the columns, decide both programmes for everyone) five times, and `explain` for 200
persons. Appends the figures to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from common import postgres_version, record  # noqa: E402

MEASURE = """
import json, random, sys
sys.path.insert(0, {bench!r})
import django
django.setup()
from common import summary, timed
from canlian.benefits import eligibility
from canlian.people.models import Person
month = eligibility.Month.parse({month!r})
result = eligibility.compute_month(month)  # warm: parameters loaded, imports done
whole = timed(lambda: eligibility.compute_month(month), 5)
ids = list(Person.objects.values_list("pk", flat=True))
sample = random.Random(7).sample(ids, min(200, len(ids)))
def one():
    eligibility.explain(Person.objects.get(pk=sample.pop()), month)
single = timed(one, len(sample))
print(json.dumps({{"persons": len(ids), "whole": summary(whole), "single": summary(single),
                  "summary": repr(result)[:300]}}))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--month", default="2026-11")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "CANLIAN_KEY_DIR": f"{tmp}/keys",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
        canlian = [sys.executable, "-m", "canlian.cli"]
        subprocess.run([*canlian, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
        subprocess.run(
            [*canlian, "demo", "--persons", str(args.persons)],
            env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        code = MEASURE.format(bench=str(ROOT / "bench"), month=args.month)
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, check=True, cwd=ROOT, capture_output=True,
            text=True,
        )  # fmt: skip
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    db = postgres_version(url) if url.startswith("postgres") else "SQLite"
    lines = [
        f"registry: {figures['persons']:,} persons (demo) on {db}, month {args.month}",
        f"whole registry, both programmes (`compute_month`: read columns, decide): "
        f"{figures['whole']}",
        f"one person's explanation (`explain`, including reading the person): {figures['single']}",
    ]
    for line in lines:
        print(line)
    record(f"Subsidy rules for one month, {figures['persons']:,} persons ({db})", lines)


if __name__ == "__main__":
    main()
