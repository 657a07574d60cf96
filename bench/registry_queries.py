"""Time the registry list (one filter), the searches and the person page on a large synthetic
registry.

Usage:
  python bench/registry_queries.py --persons 1000000 \
      --database-url postgres://postgres@127.0.0.1:5432/canlian_bench [--repeat 60] [--http]

Builds the database (migrate + `canlian demo`) unless it already holds that many persons,
then requests the pages through Django's test client, as a logged-in user, and records the
percentiles in bench/RESULTS.md. With --http the same requests also go through a real server
(gunicorn with deploy/gunicorn.conf.py on 127.0.0.1, a free port), timed by the client from
the request sent to the last byte read, signed in with a session cookie.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import free_port, postgres_version, record, summary, timed, wait_for_port  # noqa: E402


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
    # The demo adds a few example persons to the N asked for (20,020 for 20,000): a database
    # that holds about N is taken as loaded, rather than loaded again for every run.
    if persons <= have <= persons + max(100, persons // 100):
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
    parser.add_argument("--http", action="store_true", help="also through gunicorn on 127.0.0.1")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (--http)")
    parser.add_argument("--note", default="", help="added to the title (the code measured)")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DEBUG"] = "False"
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1"
    # Every exact-ID request is a counted look-up by number (30 an hour by default).
    os.environ["NUMBER_SEARCHES_PER_HOUR"] = "1000000"
    load_seconds = prepare_database(args.database_url, args.persons)

    from django.db import connection
    from django.test import Client

    from canlian.accounts.models import User
    from canlian.lib import crypto
    from canlian.people.models import ID_CONTEXT, Person

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
    id_numbers = [crypto.decrypt(bytes(p.id_number_cipher), context=ID_CONTEXT) for p in sample]
    person_ids = [p.pk for p in sample]

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
    # (label, user, path, query): each request made the same way in process and over HTTP.
    requests: list[tuple[str, Client, str, Callable[[], dict[str, str]]]] = []
    numbers = iter(id_numbers * 4)
    persons = iter(person_ids * 8)
    for label, client, path, query in (
        ("city staff: list, category=4 (physical), page 1", city_client, "/people/",
         lambda: {"category": "4"}),
        ("city staff: list, county 孟州市, page 1", city_client, "/people/",
         lambda: {"place": "410883"}),
        ("city staff: list, currently 低保, page 1", city_client, "/people/",
         lambda: {"status": "dibao"}),
        ("county clerk 温县: list, grade=1, page 3", clerk_client, "/people/",
         lambda: {"grade": "1", "page": "3"}),
        ("city staff: exact ID search", city_client, "/people/", lambda: {"q": next(numbers)}),
        ("city staff: name prefix search (王)", city_client, "/people/", lambda: {"q": "王"}),
        ("city staff: person page", city_client, "", lambda: {}),
        ("county clerk 温县: certificate worklist", clerk_client, "/certificates/", lambda: {}),
        ("county clerk 温县: certificate applications, page 1", clerk_client,
         "/certificates/applications/", lambda: {}),
        ("county clerk 温县: certificate application page", clerk_client,
         "/certificates/applications/{certificate}/", lambda: {}),
        ("county clerk 温县: subsidy applications, page 1", clerk_client, "/subsidies/",
         lambda: {}),
        ("county clerk 温县: subsidy application page", clerk_client,
         "/subsidies/applications/{subsidy}/", lambda: {}),
        ("county clerk 温县: payment rolls", clerk_client, "/payroll/", lambda: {}),
        ("county clerk 温县: roll page", clerk_client, "/payroll/rolls/{roll}/", lambda: {}),
    ):  # fmt: skip
        requests.append((label, client, path, query))
    # The records the pages above open, in the clerk's county, taken in turn.
    from itertools import cycle

    from canlian.benefits.models import SubsidyApplication
    from canlian.certificates.models import Application
    from canlian.payroll.models import Roll

    records = {
        "certificate": cycle(
            Application.objects.visible_to(clerk).values_list("pk", flat=True)[:50]
        ),
        "subsidy": cycle(
            SubsidyApplication.objects.visible_to(clerk).values_list("pk", flat=True)[:50]
        ),
        "roll": cycle(Roll.objects.visible_to(clerk).values_list("pk", flat=True)[:50]),
    }
    counts = {
        "certificate applications": Application.objects.count(),
        "subsidy applications": SubsidyApplication.objects.count(),
        "rolls": Roll.objects.count(),
    }
    results.append("records: " + ", ".join(f"{n:,} {what}" for what, n in counts.items()))

    def address(path: str, query: dict[str, str]) -> str:
        path = path or f"/people/{next(persons)}/"
        for key, found in records.items():
            if "{" + key + "}" in path:
                path = path.replace("{" + key + "}", str(next(found)))
        return f"{path}?{urlencode(query)}" if query else path

    for label, client, path, query in requests:

        def call(client: Client = client, path: str = path, query: Callable = query) -> None:
            url = address(path, query())
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        for _ in range(3):
            call()
        results.append(f"test client, {label}: {summary(timed(call, args.repeat))}")
        print(results[-1], flush=True)
    if args.http:
        results += over_http(requests, address, args.repeat, args.workers)
    title = f"Registry pages at {args.persons:,} persons ({db})"
    record(f"{title}, {args.note}" if args.note else title, results)


def over_http(
    requests: list[tuple[str, object, str, Callable[[], dict[str, str]]]],
    address: Callable[[str, dict[str, str]], str],
    repeat: int,
    workers: int,
) -> list[str]:
    """The same requests through gunicorn (deploy/gunicorn.conf.py) on 127.0.0.1, one at a
    time from one client, each signed in with its test client's session cookie."""
    port = free_port()
    env = {
        **os.environ, "CANLIAN_BIND": f"127.0.0.1:{port}", "CANLIAN_WORKERS": str(workers),
        "LOG_LEVEL": "ERROR",
    }  # fmt: skip
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "config.wsgi"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    lines = [f"HTTP: gunicorn, {workers} sync workers, deploy/gunicorn.conf.py, 127.0.0.1"]
    try:
        wait_for_port(port, server)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for label, client, path, query in requests:
            cookie = f"sessionid={client.cookies['sessionid'].value}"  # type: ignore[attr-defined]

            def call(cookie: str = cookie, path: str = path, query: Callable = query) -> None:
                url = address(path, query())
                connection.request("GET", url, headers={"Cookie": cookie})
                response = connection.getresponse()
                body = response.read()
                assert response.status == 200 and b"govuk-heading-l" in body, (url, response.status)

            for _ in range(3 * workers):
                call()
            lines.append(f"HTTP, {label}: {summary(timed(call, repeat))}")
            print(lines[-1], flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return lines


if __name__ == "__main__":
    main()
