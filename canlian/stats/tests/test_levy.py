"""The levy figures: employers declared, declarations verified, disabled employees verified and
amounts determined, by collection year and county; the years of a period on both sides of
its ends, a county clerk's count without the other county, the records equal to the number,
and the collection list's totals."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from canlian.levy import selectors
from canlian.levy import services as levy
from canlian.levy.models import Declaration, Employer
from canlian.levy.tests.conftest import employer_data, line, make_uscc
from canlian.lib import idcard
from canlian.stats import catalogue
from canlian.stats.catalogue import Query

pytestmark = pytest.mark.django_db

D = datetime.date
WEN, MENG = "410825", "410883"


def compute(
    figure_id: str, start: datetime.date, end: datetime.date, region: str = "4108", **kw: Any
) -> Any:
    query = Query(region=region, start=start, end=end, **kw)
    return catalogue.compute(catalogue.figure(figure_id), query)


def listed(figure_id: str, start: datetime.date, end: datetime.date, **cell: Any) -> set[int]:
    records = catalogue.figure(figure_id).records
    assert records is not None
    return set(
        records(Query(region="4108", start=start, end=end, cell=cell)).values_list("pk", flat=True)
    )


@pytest.fixture
def fund(make_person: Any, county_clerk: Any, other_county_clerk: Any) -> dict[str, Any]:
    """Declarations of 2025 and 2026 in 温县 and of 2026 in 孟州市: verified (each with
    disabled employees who count, one who does not), one left a draft."""
    serial = iter(range(1, 99))

    def employer(place: str, clerk: Any) -> Employer:
        n = next(serial)
        data = employer_data(uscc=make_uscc(n, place[:6]), name=f"示例单位{n}", place_code=place)
        return levy.save_employer(data=data, acting_user=clerk)

    def declare(who: Employer, year: int, persons: list[Any], clerk: Any) -> Declaration:
        return levy.declare(
            employer=who,
            employees=[line(p) for p in persons],
            acting_user=clerk,
            year=year,
            staff=Decimal("200"),
            total_wages=Decimal("12000000.00"),
            local_average_wage=Decimal("50000.00"),
            declared_on=D(year, 3, 2),
        )

    def person(**values: Any) -> Any:
        born = D(1985, 5, 17)
        region = values.get("place_code", "410825001001")[:6]
        values["id_number"] = idcard.build(region_code=region, birth_date=born,
                                           sequence=700 + next(serial))  # fmt: skip
        return make_person(**values)

    wen, wen2 = employer("410825000000", county_clerk), employer("410825000000", county_clerk)
    meng = employer("410883000000", other_county_clerk)
    made = {
        "wen_2025": declare(wen, 2025, [person(grade=3)], county_clerk),
        "wen_2026": declare(wen, 2026, [person(grade=3), person(grade=1)], county_clerk),
        "wen2_2026_draft": declare(wen2, 2026, [person(grade=3)], county_clerk),
        "meng_2026": declare(
            meng, 2026, [person(grade=3, place_code="410883001001")], other_county_clerk
        ),
    }
    for key, clerk in (("wen_2025", county_clerk), ("wen_2026", county_clerk),
                       ("meng_2026", other_county_clerk)):  # fmt: skip
        levy.verify(declaration=made[key], acting_user=clerk)
        made[key].refresh_from_db()
    return made


def test_a_period_counts_the_collection_years_it_touches(fund: dict[str, Any]) -> None:
    """2025-12-31 to 2026-01-01 touches both years; 2026-01-01 to 2026-12-31 only 2026."""
    both = compute("levy.employers_declared", D(2025, 12, 31), D(2026, 1, 1), by=("year",))
    assert {r["year"]: r["value"] for r in both.rows} == {2025: 1, 2026: 3}
    later = compute("levy.employers_declared", D(2026, 1, 1), D(2026, 12, 31))
    assert later.total == 3
    earlier = compute("levy.employers_declared", D(2024, 1, 1), D(2025, 12, 31))
    assert earlier.total == 1
    assert listed("levy.employers_declared", D(2024, 1, 1), D(2025, 12, 31)) == {
        fund["wen_2025"].pk
    }


def test_verified_declarations_employees_and_amounts(fund: dict[str, Any]) -> None:
    start, end = D(2025, 1, 1), D(2026, 12, 31)
    verified = compute("levy.declarations_verified", start, end, by=("county", "year"))
    assert {(r["county"], r["year"]): r["value"] for r in verified.rows} == {
        (WEN, 2025): 1,
        (WEN, 2026): 1,
        (MENG, 2026): 1,
    }
    # The draft is declared, not verified.
    assert fund["wen2_2026_draft"].pk not in listed("levy.declarations_verified", start, end)
    employees = compute("levy.employees_verified", start, end, by=("county",))
    # A grade 1 holder is two in the quota, one person here.
    assert {r["county"]: r["persons"] for r in employees.rows} == {WEN: 3, MENG: 1}
    assert fund["wen_2026"].counted == 3
    amounts = compute("levy.amount_determined", start, end)
    expected = sum(fund[k].amount for k in ("wen_2025", "wen_2026", "meng_2026"))
    assert amounts.total == expected and expected > 0
    assert listed("levy.amount_determined", start, end, county=MENG) == {fund["meng_2026"].pk}


def test_a_county_clerk_counts_the_employers_of_their_county(fund: dict[str, Any]) -> None:
    start, end = D(2025, 1, 1), D(2026, 12, 31)
    assert compute("levy.employers_declared", start, end, region=WEN).total == 3
    assert compute("levy.employers_declared", start, end, region=MENG).total == 1
    assert compute("levy.amount_determined", start, end, region=MENG).total == (
        fund["meng_2026"].amount
    )


def test_the_figures_agree_with_the_collection_list(fund: dict[str, Any], city_staff: Any) -> None:
    totals = {t.code: t for t in selectors.county_totals(city_staff, year=2026)}
    year = (D(2026, 1, 1), D(2026, 12, 31))
    for county in (WEN, MENG):
        line_ = totals[county]
        assert compute("levy.employers_declared", *year, region=county).total == line_.employers
        assert compute("levy.declarations_verified", *year, region=county).total == (line_.computed)
        assert compute("levy.employees_verified", *year, region=county).total == (
            line_.counted_employees
        )
        assert compute("levy.amount_determined", *year, region=county).total == line_.amount
