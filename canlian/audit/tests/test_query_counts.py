"""The audit log's page takes as many queries with many entries as with few: no query per row.

It is rendered with N entries, then 3N, written through the audit service, as the auditor
(canlian.conftest.assert_flat_queries)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.urls import reverse

from canlian.audit import records
from canlian.conftest import assert_flat_queries, client_for

# The URL names these tests render (kept together: namespaces are being renamed).
ENTRIES = "audit:list"

pytestmark = pytest.mark.django_db


def test_the_audit_log_takes_no_query_per_entry(county_clerk: Any, auditor: Any) -> None:
    numbers = itertools.count(1)

    def add(n: int) -> None:
        for _ in range(n):
            records.record(
                acting_user=county_clerk, action="test.entry", target=county_clerk,
                detail={"number": next(numbers), "id_number": "410825197005170123"},
                region="410825000000",
            )  # fmt: skip

    assert_flat_queries(client_for(auditor), reverse(ENTRIES), add, ceiling=10)
