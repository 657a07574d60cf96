"""Time the statistics pages on a large synthetic registry: each role's dashboard, every figure.

Usage:
  python bench/stats_figures.py --persons 1000000 \
      --database-url postgres://postgres@127.0.0.1:5432/canlian_bench_1m [--repeat 20]

Builds the database (migrate + `canlian demo`) unless it already holds that many persons (the
same database as registry_queries.py can serve both), then requests through Django's test
client, as a logged-in user: the dashboard of the city, a county clerk and a township officer,
and every figure's page of the catalogue as city staff (counted on today, or over this year
to date; the figure's first dimension as the breakdown), each twice in the same run: counted
afresh on every request (the kept results forgotten before each, as before stats.kept) and
read from the kept results (docs/statistics.md). Records p50/p95/max in bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import postgres_version, record, summary, timed  # noqa: E402
from registry_queries import prepare_database  # noqa: E402

# A figure slower than this on its first request is timed three times, not `--repeat` times.
SLOW_MS = 3000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument(
        "--only", default="", help="comma-separated figure ids, or dashboards (default: all)"
    )
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DEBUG"] = "False"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    load_seconds = prepare_database(args.database_url, args.persons)

    from django.db import connection
    from django.test import Client

    from canlian.accounts.models import User
    from canlian.people.models import Person
    from canlian.stats import catalogue, kept
    from canlian.stats.catalogue import AS_OF

    today = datetime.date.today()

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")

    db = postgres_version(args.database_url) if connection.vendor == "postgresql" else "SQLite"
    results = [f"database: {db}, {Person.objects.count():,} persons"]
    if load_seconds is not None:
        results.append(f"load (`canlian demo --persons {args.persons}`): {load_seconds:.1f} s")

    def client_for(username: str) -> tuple[User, Client]:
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        return user, client

    def counted(call: Callable[[], Any], repeat: int) -> list[float]:
        """Milliseconds of `repeat` calls, each counting afresh (nothing kept)."""
        times = []
        for _ in range(repeat):
            kept.forget()
            times += timed(call, 1)
        return times

    def case(label: str, call: Callable[[], Any]) -> None:
        kept.forget()
        start = time.perf_counter()
        response = call()
        first = (time.perf_counter() - start) * 1000
        assert response.status_code == 200, (label, response.status_code)
        repeat = 3 if first > SLOW_MS else args.repeat
        results.append(
            f"{label}: counted on each request (as before) {summary(counted(call, repeat))}; "
            f"kept {summary(timed(call, args.repeat))}"
        )
        print(results[-1], flush=True)

    only = {f for f in args.only.split(",") if f}
    if not only or "dashboards" in only:
        for username, who in (
            ("city", "city staff"),
            ("clerk-wenxian", "county clerk 温县"),
            ("township", "township officer"),
        ):
            _, client = client_for(username)
            case(f"dashboard, {who}", lambda client=client: client.get("/stats/"))

    city, city_client = client_for("city")
    for figure in catalogue.visible(city):
        if only and figure.id not in only:
            continue
        params = {"by": figure.dimensions[0]} if figure.dimensions else {}
        if figure.timing == AS_OF:
            params["as_of"] = today.isoformat()
        else:
            params["start"], params["end"] = f"{today.year}-01-01", today.isoformat()
        url = f"/stats/figures/{figure.id}/"
        case(
            f"figure {figure.id} by {params.get('by', '-')}",
            lambda url=url, params=params: city_client.get(url, params),
        )
    record(f"Statistics pages at {args.persons:,} persons ({db})", results)


if __name__ == "__main__":
    main()
