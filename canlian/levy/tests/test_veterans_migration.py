"""The data migration that seals the veterans' certificate numbers stored in clear: each gets
its ciphertext, blind index and mask; a number twice in one declaration keeps its index once;
a number counted by two declarations of a year sends the later unfinished one back to draft;
originals already seen record who and when; reasons lose the date of birth."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from canlian.conftest import migrated_to_the_end
from canlian.lib import crypto, masks

BEFORE = [("levy", "0003_issue16_counting")]
AFTER = [("levy", "0006_issue16_veterans_unique")]
CONTEXT = "levy.veteran_number"


def _migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("flushable_db")
def test_existing_veterans_numbers_are_sealed(county_clerk: Any) -> None:
    apps = _migrate(BEFORE)
    try:
        Employer = apps.get_model("levy", "Employer")
        Declaration = apps.get_model("levy", "Declaration")
        DeclaredEmployee = apps.get_model("levy", "DeclaredEmployee")
        now = timezone.now()

        def declaration(serial: int, status: str, minutes: int) -> Any:
            employer = Employer.objects.create(
                name=f"示例{serial}", uscc=f"91410825MA{serial:07d}X"[:18], kind="enterprise",
                place_id="410825000000",
            )  # fmt: skip
            verified = status != "draft"
            return Declaration.objects.create(
                employer=employer, year=2026, staff=Decimal(100), total_wages=Decimal(1),
                local_average_wage=Decimal(1), declared_on=datetime.date(2026, 3, 1),
                status=status, amount=Decimal(0) if verified else None,
                computed_at=now + datetime.timedelta(minutes=minutes) if verified else None,
                verified_by_id=county_clerk.pk if verified else None, created_by_id=county_clerk.pk,
            )  # fmt: skip

        def employee(decl: Any, line: int, number: str, counts: int, **extra: Any) -> Any:
            return DeclaredEmployee.objects.create(
                declaration=decl, year=2026, line=line, id_number_cipher=b"x",
                id_number_index=f"i{decl.pk}-{line}", id_number_masked="*" * 18, name="示例",
                contract_months=12, annual_wage=Decimal(1), social_insurance=True,
                certificate_kind="veteran" if number else "disability", veteran_number=number,
                veteran_grade=3 if number else None, counts=counts, **extra,
            )  # fmt: skip

        first = declaration(1, "verified", 0)
        later = declaration(2, "verified", 5)
        final = declaration(3, "notified", 9)
        kept = employee(first, 1, "豫A123456", 2, original_seen=True).pk
        twice = employee(first, 2, "豫A123456", 0).pk
        retired = employee(
            first, 3, "", 0, reason_code="retired",
            reason="Born on 1965-08-15: reached the statutory retirement age on 2025-10-15, "
            "before or on 2025-12-31.",
        ).pk  # fmt: skip
        under = employee(
            first,
            4,
            "",
            0,
            reason_code="under_age",
            reason="出生于2010-01-01，2025-12-31时未满16周岁。",
        ).pk
        again = employee(later, 1, "豫A123456", 2).pk
        other = employee(later, 2, "豫B000111", 1).pk
        final_one = employee(final, 1, "豫A123456", 2).pk
    finally:
        apps = _migrate(AFTER)
        migrated_to_the_end()
    DeclaredEmployee = apps.get_model("levy", "DeclaredEmployee")
    Declaration = apps.get_model("levy", "Declaration")
    index = crypto.blind_index("豫A123456", context=CONTEXT)

    row = DeclaredEmployee.objects.get(pk=kept)
    assert crypto.decrypt(bytes(row.veteran_number_cipher), context=CONTEXT) == "豫A123456"
    assert (row.veteran_number_index, row.veteran_number_masked) == (index, "*" * 8)
    assert masks.veteran_number("豫A123456") == row.veteran_number_masked
    assert (row.original_seen_by_id, row.original_seen_at) == (county_clerk.pk, first.computed_at)
    assert DeclaredEmployee.objects.get(pk=twice).veteran_number_index == ""  # once a declaration
    # Counted twice in 2026: the later unfinished declaration goes back to draft …
    assert DeclaredEmployee.objects.get(pk=again).counts == 0
    assert DeclaredEmployee.objects.get(pk=other).counts == 0
    assert Declaration.objects.get(pk=later.pk).status == "draft"
    # … a final one keeps its count, without the index.
    final_row = DeclaredEmployee.objects.get(pk=final_one)
    assert (final_row.counts, final_row.veteran_number_index) == (2, "")
    assert Declaration.objects.get(pk=final.pk).status == "notified"
    assert DeclaredEmployee.objects.get(pk=retired).reason == (
        "Reached the statutory retirement age on 2025-10-15, before or on 2025-12-31."
    )
    assert DeclaredEmployee.objects.get(pk=under).reason == "2025-12-31时未满16周岁。"
    assert not DeclaredEmployee.objects.filter(veteran_number_masked__contains="1234").exists()
