"""Time `canlian demo` end to end on a fresh database (default 96,118 persons).

Usage: python bench/demo_load.py [--persons 96118] [--database-url URL]
Without --database-url a new SQLite file in a temporary folder is used.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from common import postgres_version, record  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=96_118)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "CANLIAN_KEY_DIR": f"{tmp}/keys",
        }
        canlian = [sys.executable, "-m", "canlian.cli"]
        subprocess.run([*canlian, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
        start = time.perf_counter()
        subprocess.run(
            [*canlian, "demo", "--persons", str(args.persons)],
            env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        seconds = time.perf_counter() - start
    db = postgres_version(url) if url.startswith("postgres") else "SQLite"
    line = f"`canlian demo --persons {args.persons}` on a fresh {db} database: {seconds:.1f} s"
    print(line)
    record(f"Demo load, {args.persons:,} persons ({db})", [line])


if __name__ == "__main__":
    main()
