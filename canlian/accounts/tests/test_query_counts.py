"""The account pages take as many queries with many rows as with few: no query per row.

Each test renders a page with N rows, then 3N, built through the services (the lockouts through
the sign-in page), as a security administrator (canlian.conftest.assert_flat_queries)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from canlian.accounts import approvals
from canlian.accounts.roles import Role
from canlian.accounts.tests.signin_helpers import post_password
from canlian.conftest import assert_flat_queries, client_for
from canlian.places.models import Place

# The URL names these tests render (kept together: namespaces are being renamed).
ACCOUNTS = "accounts:list"
REQUESTS = "accounts:requests"
LOCKOUTS = "accounts:lockouts"

pytestmark = pytest.mark.django_db
WEN = "410825000000"
TOWNSHIP = "410825001000"


def ask_create(maker: Any, role: str, username: str, code: str = WEN) -> approvals.Outcome:
    return approvals.create_account(
        username=username, full_name="新同事", role=role, place=Place.objects.get(code=code),
        is_active=True, acting_user=maker,
    )  # fmt: skip


def test_the_account_list_takes_no_query_per_account(security_admin: Any) -> None:
    numbers = itertools.count(1)

    def add(n: int) -> None:
        for _ in range(n):
            # Made at once, waiting for its holder's password, with a change awaiting approval.
            username = f"officer{next(numbers)}"
            officer = ask_create(security_admin, Role.TOWNSHIP_OFFICER, username, TOWNSHIP)
            assert officer.account is not None
            approvals.change_account(
                user=officer.account, role=Role.COUNTY_CLERK, place=Place.objects.get(code=WEN),
                is_active=True, full_name="新同事", acting_user=security_admin,
            )  # fmt: skip

    assert_flat_queries(client_for(security_admin), reverse(ACCOUNTS), add, ceiling=12)


def test_the_requests_take_no_query_per_request(security_admin: Any, security_admin_2: Any) -> None:
    numbers = itertools.count(1)

    def add(n: int) -> None:
        for _ in range(n):
            ask_create(security_admin, Role.COUNTY_CLERK, f"pending{next(numbers)}")
            refused = ask_create(security_admin, Role.COUNTY_CLERK, f"refused{next(numbers)}")
            assert refused.request is not None
            approvals.reject(
                request_id=refused.request.pk, reason="不需要", acting_user=security_admin_2
            )

    # A row awaiting approval and a row among the recent decisions each round.
    url = reverse(REQUESTS)
    assert_flat_queries(client_for(security_admin), url, add, ceiling=10, per_row=2)


def test_the_lockouts_take_no_query_per_locked_pair(security_admin: Any, settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 2
    numbers = itertools.count(1)

    def add(n: int) -> None:
        for _ in range(n):
            number = next(numbers)
            client = Client(REMOTE_ADDR=f"192.0.2.{number}")
            for _ in range(2):
                post_password(client, f"nobody{number}", "wrong-password")

    assert_flat_queries(client_for(security_admin), reverse(LOCKOUTS), add, ceiling=10)
