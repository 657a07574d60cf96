"""The jurisdiction tree's page takes as many queries with many counties as with few.

It is rendered with N more counties, then 3N, loaded through the places loader, as the system
administrator (canlian.conftest.assert_flat_queries)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.urls import reverse

from canlian.conftest import assert_flat_queries, client_for
from canlian.places.loading import load_places

# The URL names these tests render (kept together: namespaces are being renamed).
PLACES = "places:list"

pytestmark = pytest.mark.django_db


def test_the_place_list_takes_no_query_per_county(system_admin: Any) -> None:
    # Invented counties of 焦作市, each with a township (counted on its row).
    codes = itertools.count(90)

    def add(n: int) -> None:
        lines = ["code,name,parent_code"]
        for _ in range(n):
            county = f"4108{next(codes)}"
            lines.append(f"{county}000000,测试{county}县,410800000000")
            lines.append(f"{county}001000,测试{county}镇,{county}000000")
        load_places(text="\n".join(lines), invented=True, acting_user=system_admin)

    assert_flat_queries(client_for(system_admin), reverse(PLACES), add, ceiling=8)
