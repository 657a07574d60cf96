"""Load: many staff users at once against the production server, bounded in time.

Usage (as root or any user that may write bench/RESULTS.md):
  python bench/load_test.py --database-url postgres://postgres@127.0.0.1:5432/canlian_bench_1m \
      [--persons 1000000] [--users 100] [--spawn-rate 10] [--minutes 5] [--workers 5] \
      [--wait 2,8] [--note TEXT]

What it does, in order:
1. builds the database (migrate + `canlian demo --persons N`) unless it holds about N persons;
2. installs locust into its own environment (`.venv-bench/`: a benchmark tool, not a project
   dependency, kept apart from the application's locked packages) when it is missing;
3. writes what the simulated users need (bench/out/load-data.json): for each demo account
   of a staff role, persons, ID numbers, places and rolls in its scope, and for a county
   clerk a small CSV of its county's persons (their own values: re-importing them changes
   nothing), written through the registry's full export;
4. starts the production server (gunicorn with deploy/gunicorn.conf.py) and the background
   worker (`canlian worker`) on 127.0.0.1 only, a free port;
5. runs locust headless (bench/locustfile.py) for the given minutes, users added at the
   spawn rate, each pausing between requests for a random time in the --wait range (s);
6. records per request kind the count, errors, p50, p95 and max, and the whole, in
   bench/RESULTS.md with the machine and date; stops the server and the worker.

Look-ups by number are counted per user and hour (30 by default); the server here runs with
a higher cap so that the load's ID searches are answered, as registry_queries.py does.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import RESULTS, free_port, postgres_version, record, wait_for_port  # noqa: E402
from registry_queries import prepare_database  # noqa: E402

BENCH_VENV = ROOT / ".venv-bench"
LOCUST = "locust==2.47.0"
OUT = ROOT / "bench" / "out"
# The staff roles of the demo accounts that the load signs in as.
STAFF = ("city", "clerk-wenxian", "clerk-mengzhou", "township", "township-wenxian")
IMPORT_ROWS = 20


def locust_command() -> Path:
    """The locust of the benchmark's own environment, installed there when missing."""
    locust = BENCH_VENV / "bin" / "locust"
    if not locust.exists():
        print(f"installing {LOCUST} into {BENCH_VENV} (benchmark only) …", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(BENCH_VENV)], check=True)
        subprocess.run([str(BENCH_VENV / "bin" / "pip"), "install", "-q", LOCUST], check=True)
    return locust


def load_data(sample: int) -> dict[str, object]:
    """What each simulated user needs, per account, read in the accounts' own scope."""
    from canlian.accounts.models import User
    from canlian.demo.figures import DEMO_PASSWORD
    from canlian.lib import crypto
    from canlian.payroll.models import Roll
    from canlian.people.exchange import exporting
    from canlian.people.models import ID_CONTEXT, Person
    from canlian.places.models import Place
    from canlian.spreadsheets import writing

    rng = random.Random(19)
    OUT.mkdir(parents=True, exist_ok=True)
    accounts = []
    for username in STAFF:
        user = User.objects.get(username=username)
        visible = Person.objects.visible_to(user)
        top = visible.order_by("-pk").values_list("pk", flat=True).first() or 0
        low = visible.order_by("pk").values_list("pk", flat=True).first() or 0
        wanted = [rng.randint(low, top) for _ in range(sample * 3)]
        persons = list(visible.filter(pk__in=wanted)[:sample])
        prefix = user.scope_prefix or ""
        width = {4: 6, 6: 9, 9: 12}.get(len(prefix), 12)
        places = list(
            Place.objects.filter(code__startswith=prefix)
            .extra(where=["length(code) = %s"], params=[width])
            .values_list("code", flat=True)[:50]
        )
        account: dict[str, object] = {
            "username": username,
            "persons": [p.pk for p in persons],
            "id_numbers": [
                crypto.decrypt(bytes(p.id_number_cipher), context=ID_CONTEXT)
                for p in persons[: max(1, sample // 4)]
            ],
            "places": places or [prefix],
            "rolls": list(Roll.objects.visible_to(user).values_list("pk", flat=True)[:50]),
        }
        if user.role == "county_clerk":
            # Persons of the county with their values in full, as the registry's full export
            # writes them (the harness opens them itself: it is not a user of the gate).
            path = OUT / f"load-import-{username}.csv"
            chosen = visible.filter(pk__in=[p.pk for p in persons[:IMPORT_ROWS]])
            rows = exporting.rows(chosen, opener=_open, limit=IMPORT_ROWS)
            writing.write_csv(path, exporting.headers(), rows)
            account["import"] = str(path)
        accounts.append(account)
    return {"password": DEMO_PASSWORD, "accounts": accounts}


def _open(person: object, name: str) -> str:
    from canlian.lib import crypto
    from canlian.people.models import Person

    spec = Person.SEALED[name]
    blob = getattr(person, spec.cipher)
    return crypto.decrypt(bytes(blob), context=spec.context) if blob else ""


def len_of_ramp(args: argparse.Namespace) -> float:
    """Seconds until the last user has started."""
    return float(args.users / args.spawn_rate)


def percentile(requests: list[list[Any]], p: int) -> str:
    """The nearest-rank percentile of the requests' times, in whole ms ("—" for none)."""
    times = sorted(r[2] for r in requests)
    if not times:
        return "—"
    return f"{times[max(0, math.ceil(p / 100 * len(times)) - 1)]:.0f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--workers", type=int, default=5, help="gunicorn sync workers")
    parser.add_argument("--wait", default="2,8", help="pause between requests, min,max (s)")
    parser.add_argument("--sample", type=int, default=200, help="persons per account")
    parser.add_argument("--note", default="", help="added to the title (the code measured)")
    args = parser.parse_args()
    wait_min, wait_max = (float(x) for x in args.wait.split(","))

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DEBUG"] = "False"
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 40)
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1"
    os.environ["NUMBER_SEARCHES_PER_HOUR"] = "1000000"
    prepare_database(args.database_url, args.persons)
    from django.db import connection

    from canlian.people.models import Person

    locust = locust_command()
    data_path = OUT / "load-data.json"
    OUT.mkdir(parents=True, exist_ok=True)
    data_path.write_text(json.dumps(load_data(args.sample), ensure_ascii=False), "utf-8")
    persons = Person.objects.count()
    database = (
        postgres_version(args.database_url) if connection.vendor == "postgresql" else "SQLite"
    )
    connection.close()

    port = free_port()
    env = {
        **os.environ, "CANLIAN_BIND": f"127.0.0.1:{port}", "CANLIAN_WORKERS": str(args.workers),
        "LOG_LEVEL": "ERROR", "LOAD_DATA": str(data_path), "LOAD_WAIT_MIN": str(wait_min),
        "LOAD_WAIT_MAX": str(wait_max), "LOAD_REQUESTS": str(OUT / "load-requests.json"),
    }  # fmt: skip
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "config.wsgi"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    worker = subprocess.Popen(
        [sys.executable, "-m", "canlian.cli", "worker", "--no-reload"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    prefix = OUT / "load"
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    try:
        wait_for_port(port, server)
        run = subprocess.run(
            [
                str(locust), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
                "--host", f"http://127.0.0.1:{port}", "--users", str(args.users),
                "--spawn-rate", str(args.spawn_rate), "--run-time", f"{int(args.minutes * 60)}s",
                "--stop-timeout", "30", "--csv", str(prefix), "--only-summary",
                "--loglevel", "WARNING",
            ],
            cwd=ROOT, env=env, check=False,
        )  # fmt: skip
    finally:
        for process in (server, worker):
            process.terminate()
        for process in (server, worker):
            process.wait(timeout=60)
    seen = json.loads((OUT / "load-requests.json").read_text("utf-8"))
    first = min(when for when, *_ in seen)
    settled = first + len_of_ramp(args) + 60
    lines = [
        f"started: {started}",
        f"database: {database}, {persons:,} persons",
        f"server: gunicorn, {args.workers} sync workers (deploy/gunicorn.conf.py), "
        f"the worker (`canlian worker`), locust {LOCUST.split('==')[1]}, all on 127.0.0.1 on "
        "the same machine",
        f"load: {args.users} users added {args.spawn_rate:g} a second, {args.minutes:g} min, "
        f"a pause of {wait_min:g}–{wait_max:g} s between a user's requests; accounts in turn: "
        + ", ".join(STAFF)
        + f"; locust's exit status {run.returncode}",
        "times: from the request sent to the answer read, in ms, as locust measures them; "
        "'settled': the requests ending a minute after the last user started",
    ]
    table = [
        "",
        "| request | count | errors | p50 | p95 | max | settled: count | settled: p50 | "
        "settled: p95 |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    names = sorted({name for _when, name, *_ in seen})
    for name in [*names, ""]:
        mine = [r for r in seen if name in ("", r[1])]
        later = [r for r in mine if r[0] >= settled]
        table.append(
            f"| {name or '**all**'} | {len(mine)} | {sum(r[3] for r in mine)} "
            f"| {percentile(mine, 50)} | {percentile(mine, 95)} | {percentile(mine, 100)} "
            f"| {len(later)} | {percentile(later, 50)} | {percentile(later, 95)} |"
        )
    failures = Path(f"{prefix}_failures.csv")
    if failures.exists():
        with failures.open(encoding="utf-8", newline="") as stream:
            for failure in list(csv.DictReader(stream))[:10]:
                lines.append(
                    f"error: {failure['Name']}: {failure['Error']} ×{failure['Occurrences']}"
                )
    title = f"Load: {args.users} staff users for {args.minutes:g} min, {persons:,} persons"
    if args.note:
        title += f" ({args.note})"
    record(title, lines)
    with RESULTS.open("a") as handle:
        handle.write("\n".join(table) + "\n")
    print("\n".join(lines + table))


if __name__ == "__main__":
    main()
