"""Time the registry list (one filter) and the exact-ID search on a large synthetic registry.

Usage:
  python bench/registry_queries.py --persons 1000000 \
      --database-url postgres://postgres@127.0.0.1:5432/canlian_bench [--keep] [--repeat 60]

Builds the database (migrate + `canlian demo`) unless it already holds that many persons,
then requests the pages through Django's test client, as a logged-in user, and records the
percentiles in bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import postgres_version, record, summary, timed  # noqa: E402


def prepare_database(url: str, persons: int) -> float | None:
    """Create and fill the database if needed; return the load time in seconds, if loaded."""
    env = {**os.environ, "DATABASE_URL": url}
    canlian = [sys.executable, "-m", "canlian.cli"]
    if url.startswith("postgres"):
        name = url.rsplit("/", 1)[1]
        admin = url.rsplit("/", 1)[0] + "/postgres"
        exists = subprocess.run(
            ["psql", admin, "-Atc", f"SELECT 1 FROM pg_database WHERE datname='{name}'"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        if not exists:
            subprocess.run(["psql", admin, "-qc", f'CREATE DATABASE "{name}"'], check=True)
    subprocess.run([*canlian, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    os.environ["DATABASE_URL"] = url
    import django

    django.setup()
    from canlian.people.models import Person

    have = Person.objects.count()
    if have == persons:
        return None
    start = time.perf_counter()
    args = [*canlian, "demo", "--persons", str(persons)] + (["--reset"] if have else [])
    subprocess.run(args, env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--repeat", type=int, default=60)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DEBUG"] = "False"
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ["ALLOWED_HOSTS"] = "testserver"
    load_seconds = prepare_database(args.database_url, args.persons)

    from django.db import connection
    from django.test import Client

    from canlian.accounts.models import User
    from canlian.people.models import Person

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # What autovacuum does after a bulk load: statistics and the visibility map.
            cursor.execute("VACUUM ANALYZE")
    rng = random.Random(7)
    city = User.objects.get(username="city")
    clerk = User.objects.get(username="clerk-wenxian")
    max_id = Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    sample = list(
        Person.objects.filter(pk__in=[rng.randint(1, max_id) for _ in range(args.repeat * 2)])
    )[: args.repeat]
    id_numbers = [p.id_number() for p in sample]

    results: list[str] = []
    db = postgres_version(args.database_url) if connection.vendor == "postgresql" else "SQLite"
    results.append(f"database: {db}, {Person.objects.count():,} persons")
    if load_seconds is not None:
        results.append(f"load (`canlian demo --persons {args.persons}`): {load_seconds:.1f} s")

    def client_for(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    city_client, clerk_client = client_for(city), client_for(clerk)
    numbers = iter(id_numbers * 2)
    cases = {
        "city staff: list, category=4 (physical), page 1": lambda: city_client.get(
            "/people/", {"category": "4"}
        ),
        "city staff: list, county 孟州市, page 1": lambda: city_client.get(
            "/people/", {"place": "410883"}
        ),
        "city staff: list, currently 低保, page 1": lambda: city_client.get(
            "/people/", {"status": "dibao"}
        ),
        "county clerk 温县: list, grade=1, page 3": lambda: clerk_client.get(
            "/people/", {"grade": "1", "page": "3"}
        ),
        "city staff: exact ID search": lambda: city_client.get("/people/", {"q": next(numbers)}),
        "city staff: name prefix search (王)": lambda: city_client.get("/people/", {"q": "王"}),
    }
    for label, call in cases.items():
        for _ in range(3):
            response = call()
            assert response.status_code == 200, (label, response.status_code)
        results.append(f"{label}: {summary(timed(call, args.repeat))}")
        print(results[-1], flush=True)
    record(f"Registry pages at {args.persons:,} persons ({db})", results)


if __name__ == "__main__":
    main()
