"""The import and export job lists take as many queries with many jobs as with few.

Each is rendered with N jobs, then 3N, made through the job services, as their owner
(canlian.conftest.assert_flat_queries)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.urls import reverse

from canlian.conftest import assert_flat_queries, client_for
from canlian.people.exchange import exportjobs, jobs
from canlian.people.selectors import PersonFilters

# The URL names these tests render (kept together: namespaces are being renamed).
IMPORTS = "people:imports:upload"
EXPORTS = "people:exports:list"

pytestmark = pytest.mark.django_db


def test_the_recent_imports_take_no_query_per_job(county_clerk: Any) -> None:
    numbers = itertools.count(1)

    def add(n: int) -> None:
        for _ in range(n):
            content = f"姓名\n测试{next(numbers)}\n".encode()
            jobs.submit(filename="persons.csv", content=content, acting_user=county_clerk)

    assert_flat_queries(client_for(county_clerk), reverse(IMPORTS), add, ceiling=10)


def test_the_exports_take_no_query_per_job(make_person: Any, county_clerk: Any) -> None:
    make_person()

    def add(n: int) -> None:
        # One export runs at a time per person: each is written before the next is asked.
        for _ in range(n):
            job = exportjobs.start(
                user=county_clerk, filters=PersonFilters(), full=False, fmt="csv", rows=1,
                description="1 person of the registry, CSV",
            )  # fmt: skip
            exportjobs.run(str(job.pk))

    assert_flat_queries(client_for(county_clerk), reverse(EXPORTS), add, ceiling=10)
