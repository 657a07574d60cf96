"""Time `canlian import-persons` end to end: 100,000 rows from .xlsx, 1,000,000 rows from .csv.

Usage: python bench/import_persons.py [--only 100k|1m] [--cache DIR] [--build-only]

The source files are exports (`export-persons --reveal`, the exchange format) of demo
registries, built once into the cache folder and reused: 100,000 persons on SQLite to
p100k.xlsx and p100k.csv, 1,000,000 persons on a throwaway PostgreSQL database to p1m.csv.
The keys in the cache folder (keys/) serve every database, source and target.

Each timed run imports into a fresh target database holding only the demo places and logins
(`migrate` + `demo --persons 0`); the time is the wall clock of the `canlian import-persons`
process, start-up included. Runs:
  100k: .xlsx import on SQLite; re-import of the same file into that now-full database (all
        unchanged); .xlsx dry run on SQLite; .xlsx import on PostgreSQL.
  1m:   .csv import on PostgreSQL, with the peak resident memory of the process.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from common import postgres_version, record  # noqa: E402

CANLIAN = [sys.executable, "-m", "canlian.cli"]
PG = "postgres://postgres@127.0.0.1:5432"
PG_ARGS = ["-h", "127.0.0.1", "-U", "postgres"]
SOURCE_DB = "canlian_bench_import_src"
TARGET_DB = "canlian_bench_import_tgt"
# The 1M CSV (~250 MB) is larger than the default IMPORT_MAX_BYTES (50 MB, a web upload limit).
BIG_IMPORT_BYTES = str(4 * 1024**3)


def env_for(url: str, cache: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "CANLIAN_KEY_DIR": str(cache / "keys"),
        **extra,
    }


def canlian(env: dict[str, str], *args: str) -> float:
    """Run `canlian ARGS` (output discarded); return its wall-clock seconds."""
    start = time.perf_counter()
    subprocess.run([*CANLIAN, *args], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def fresh_pg(name: str) -> str:
    subprocess.run(["dropdb", *PG_ARGS, "--if-exists", name], check=True)
    subprocess.run(["createdb", *PG_ARGS, name], check=True)
    return f"{PG}/{name}"


def drop_pg(name: str) -> None:
    subprocess.run(["dropdb", *PG_ARGS, "--if-exists", name], check=True)


def export(env: dict[str, str], target: Path) -> float:
    """`export-persons --reveal` to a temporary name, renamed when complete."""
    partial = target.with_name("partial-" + target.name)
    seconds = canlian(env, "export-persons", str(partial), "--reveal")
    partial.rename(target)
    return seconds


# The demo's example persons whose card was replaced (B1, B2, …) are refused by an empty
# registry, which holds no replacement (the import's rule): the source gives every person
# their first card, so that the file imports whole.
FIRST_CARDS_ONLY = "UPDATE people_person SET card_suffix = 0 WHERE card_suffix > 0"


def first_cards_only_sqlite(db: Path) -> None:
    import sqlite3

    with sqlite3.connect(db) as connection:
        connection.execute(FIRST_CARDS_ONLY)


def build_100k(cache: Path, notes: list[str]) -> None:
    xlsx, csv = cache / "p100k.xlsx", cache / "p100k.csv"
    if xlsx.exists() and csv.exists():
        return
    # The database in a folder of its own: the keys (cache/keys) may not lie beside it.
    (cache / "db").mkdir(exist_ok=True)
    db = cache / "db" / "source-100k.sqlite3"
    for path in (cache / "db").glob("source-100k.sqlite3*"):
        path.unlink()
    env = env_for(f"sqlite:///{db}", cache)
    print("building the 100,000-person source (SQLite) …", flush=True)
    canlian(env, "migrate", "-v0")
    demo = canlian(env, "demo", "--persons", "100000")
    first_cards_only_sqlite(db)
    seconds = {name: export(env, cache / name) for name in ("p100k.xlsx", "p100k.csv")}
    notes.append(
        f"source built: demo 100,000 on SQLite {demo:.0f} s, export-persons --reveal "
        f".xlsx {seconds['p100k.xlsx']:.1f} s, .csv {seconds['p100k.csv']:.1f} s"
    )


def build_1m(cache: Path, notes: list[str]) -> None:
    if (cache / "p1m.csv").exists():
        return
    print("building the 1,000,000-person source (PostgreSQL, ~6 min for the demo) …", flush=True)
    env = env_for(fresh_pg(SOURCE_DB), cache)
    try:
        canlian(env, "migrate", "-v0")
        demo = canlian(env, "demo", "--persons", "1000000")
        subprocess.run(["psql", env["DATABASE_URL"], "-qc", FIRST_CARDS_ONLY], check=True)
        seconds = export(env, cache / "p1m.csv")
    finally:
        drop_pg(SOURCE_DB)
    notes.append(
        f"source built: demo 1,000,000 on PostgreSQL {demo:.0f} s, "
        f"export-persons --reveal .csv {seconds:.1f} s"
    )


def prepare_target(env: dict[str, str]) -> None:
    """Schema, the invented places and the demo logins; no person."""
    canlian(env, "migrate", "-v0")
    canlian(env, "demo", "--persons", "0")


def timed_run(env: dict[str, str], argv: list[str]) -> dict[str, object]:
    """Run `argv`; wall clock from spawn to exit, peak RSS of that process, last stdout line
    parsed as JSON, and the 1-minute load average just before and just after."""
    load = os.getloadavg()[0]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=out, stderr=err)
        _pid, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    lines = stdout.strip().splitlines()
    try:
        summary = json.loads(lines[-1]) if lines else {}
    except json.JSONDecodeError:
        summary = {}
    if proc.returncode != 0:
        print(f"{argv[2:4]} exited {proc.returncode}\n{stdout[-2000:]}\n{stderr[-4000:]}")
    return {
        "seconds": seconds,
        "rss_mb": usage.ru_maxrss / 1024,  # kilobytes on Linux
        "exit": proc.returncode,
        "summary": summary,
        "load": load,
        "load_after": os.getloadavg()[0],
    }


def timed_import(env: dict[str, str], path: Path, *extra: str) -> dict[str, object]:
    """`canlian import-persons PATH`, timed by `timed_run`."""
    return timed_run(env, [*CANLIAN, "import-persons", str(path), *extra])


def describe(label: str, run: dict[str, object], *, rss: bool = False) -> str:
    summary: dict[str, object] = run["summary"]  # type: ignore[assignment]
    counts = ", ".join(
        f"{key} {summary[key]}"
        for key in ("rows", "created", "updated", "unchanged", "rejected_rows")
        if summary.get(key) or key in ("rows", "created")
    )
    line = f"{label}: {run['seconds']:.1f} s ({counts or 'no summary'}"
    if rss:
        line += f"; peak RSS {run['rss_mb']:.0f} MB"
    line += f"; load avg {run['load']:.1f} before, {run['load_after']:.1f} after)"
    if run["exit"] != 0 or not (summary.get("applied") or summary.get("dry_run")):
        line += f" — FAILED: exit {run['exit']}, {json.dumps(summary, ensure_ascii=False)}"
    print(line, flush=True)
    return line


def runs_100k(cache: Path, lines: list[str]) -> None:
    xlsx = cache / "p100k.xlsx"
    with tempfile.TemporaryDirectory() as tmp:
        env = env_for(f"sqlite:///{tmp}/target.sqlite3", cache)
        prepare_target(env)
        run = timed_import(env, xlsx)
        lines.append(describe("100,000-row .xlsx, import on a fresh SQLite database", run))
        run = timed_import(env, xlsx)
        lines.append(
            describe("same .xlsx re-imported into that SQLite database (all unchanged)", run)
        )
    with tempfile.TemporaryDirectory() as tmp:
        env = env_for(f"sqlite:///{tmp}/target.sqlite3", cache)
        prepare_target(env)
        run = timed_import(env, xlsx, "--dry-run")
        lines.append(describe("100,000-row .xlsx, dry run on a fresh SQLite database", run))
    env = env_for(fresh_pg(TARGET_DB), cache)
    try:
        prepare_target(env)
        version = postgres_version(env["DATABASE_URL"])
        run = timed_import(env, xlsx)
        lines.append(describe(f"100,000-row .xlsx, import on a fresh {version} database", run))
    finally:
        drop_pg(TARGET_DB)


def runs_1m(cache: Path, lines: list[str]) -> None:
    csv = cache / "p1m.csv"
    env = env_for(fresh_pg(TARGET_DB), cache, IMPORT_MAX_BYTES=BIG_IMPORT_BYTES)
    try:
        prepare_target(env)
        version = postgres_version(env["DATABASE_URL"])
        run = timed_import(env, csv)
        size = csv.stat().st_size / 2**20
        label = f"1,000,000-row .csv ({size:.0f} MiB), import on a fresh {version} database"
        lines.append(describe(label, run, rss=True))
        lines.append(f"(IMPORT_MAX_BYTES raised to {BIG_IMPORT_BYTES} for the 1M file)")
    finally:
        drop_pg(TARGET_DB)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", choices=("100k", "1m"), default="")
    default_cache = Path(tempfile.gettempdir()) / "canlian-bench-import"
    parser.add_argument("--cache", type=Path, default=default_cache)
    parser.add_argument("--build-only", action="store_true", help="build the sources, time nothing")
    args = parser.parse_args()
    cache: Path = args.cache.resolve()
    cache.mkdir(parents=True, exist_ok=True)
    parts = [args.only] if args.only else ["100k", "1m"]
    notes: list[str] = []
    if "100k" in parts:
        build_100k(cache, notes)
    if "1m" in parts:
        build_1m(cache, notes)
    for note in notes:
        print(note)
    if args.build_only:
        return
    lines: list[str] = []
    if "100k" in parts:
        runs_100k(cache, lines)
    if "1m" in parts:
        runs_1m(cache, lines)
    lines += notes
    title = "Spreadsheet import (`canlian import-persons`)"
    if args.only:
        title += f", {'100,000 rows' if args.only == '100k' else '1,000,000 rows'}"
    record(title, lines)


if __name__ == "__main__":
    main()
