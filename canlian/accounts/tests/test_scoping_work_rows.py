"""Rows that are work to act on (account requests, import jobs) are scoped by the holder's own
node even for a role that reads the whole city: granting such a role the permission later
must not hand it every request or job of the city."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from canlian.accounts.models import AccountRequest
from canlian.accounts.roles import Role
from canlian.spreadsheets.models import ImportJob


@dataclass
class _CityReader:
    """An auditor-like actor of 温县 who (hypothetically) holds every permission."""

    pk: int | None = 1
    is_authenticated: bool = True
    role: str = Role.AUDITOR
    scope_prefix: str | None = "410825"

    def can(self, perm: str) -> bool:
        return True

    def get_username(self) -> str:
        return "reader"


@pytest.mark.parametrize("queryset", [AccountRequest.objects.all(), ImportJob.objects.all()])
def test_work_rows_are_filtered_by_the_node_even_for_a_role_that_reads_everything(
    queryset: object,
) -> None:
    sql = str(queryset.visible_to(_CityReader()).query)  # type: ignore[attr-defined]
    assert "410825" in sql, sql
    assert "LIKE" in sql.upper(), sql
