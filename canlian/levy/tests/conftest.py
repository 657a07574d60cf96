"""Fixtures for the levy tests: employers and declarations built through the services, and
declared employees made from registry persons."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation
from stdnum.cn import uscc

from canlian.conftest import opened
from canlian.levy import services
from canlian.levy.models import Declaration, Employer
from canlian.lib import idcard
from canlian.people.models import Person

YEAR = 2026  # the collection year; figures of 2025, certificates checked on 2025-12-31
DECLARED_ON = datetime.date(2026, 3, 2)
COUNTY = "410825000000"  # 温县
OTHER_COUNTY = "410883000000"  # 孟州市


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def make_uscc(serial: int, region: str = "410825") -> str:
    """A synthetic, well-formed unified social credit code (check character computed)."""
    body = f"91{region}MA{serial:07d}"
    return body + uscc.calc_check_digit(body)


def employer_data(**overrides: Any) -> services.EmployerData:
    values: dict[str, Any] = {
        "name": "温县示例机械有限公司",
        "uscc": make_uscc(1),
        "kind": "enterprise",
        "place_code": COUNTY,
        "address": "温县示例路1号",
        "contact_name": "李会计",
        "contact_phone": "0391-6123456",
    }
    values.update(overrides)
    return services.EmployerData(**values)


@pytest.fixture
def make_employer(county_clerk: Any) -> Any:
    counter = iter(range(1, 999))

    def make(*, acting_user: Any = None, **overrides: Any) -> Employer:
        serial = next(counter)
        overrides.setdefault("uscc", make_uscc(serial))
        overrides.setdefault("name", f"示例单位{serial}")
        return services.save_employer(
            data=employer_data(**overrides), acting_user=acting_user or county_clerk
        )

    return make


def line(person: Person | None = None, **overrides: Any) -> services.EmployeeLine:
    """A declared employee who meets every condition, from a registry person."""
    values: dict[str, Any] = {
        "id_number": opened(person) if person else "",
        "name": person.name if person else "",
        "contract_months": 12,
        "annual_wage": Decimal("36000.00"),
        "social_insurance": True,
    }
    values.update(overrides)
    return services.EmployeeLine(**values)


@pytest.fixture
def make_declaration(county_clerk: Any) -> Any:
    def make(
        employer: Employer,
        employees: list[services.EmployeeLine] | None = None,
        *,
        acting_user: Any = None,
        **overrides: Any,
    ) -> Declaration:
        values: dict[str, Any] = {
            "year": YEAR,
            "staff": Decimal("200"),
            "total_wages": Decimal("12000000.00"),
            "local_average_wage": Decimal("50000.00"),
            "declared_on": DECLARED_ON,
        }
        values.update(overrides)
        return services.declare(
            employer=employer,
            employees=employees or [],
            acting_user=acting_user or county_clerk,
            **values,
        )

    return make


@pytest.fixture
def make_person(make_person: Any) -> Any:
    """The registry's persons, born in 1985 unless a test says otherwise: of working age in
    every year the tests declare (a woman worker born in 1970 retired in 2020)."""
    counter = iter(range(611, 700))  # never ending in 00 (read as an Excel-truncated number)

    def make(**overrides: Any) -> Person:
        if "id_number" not in overrides:
            region = overrides.get("region", overrides.get("place_code", "410825001001")[:6])
            overrides["id_number"] = idcard.build(
                region_code=region, birth_date=datetime.date(1985, 5, 17), sequence=next(counter)
            )
        return make_person(**overrides)

    return make
