"""The yearly collection list and its totals per county, in the user's scope."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from canlian.levy import selectors, services
from canlian.levy.tests.conftest import OTHER_COUNTY, YEAR, line


@pytest.fixture
def two_counties(
    make_employer: Any,
    make_declaration: Any,
    make_person: Any,
    county_clerk: Any,
    other_county_clerk: Any,
) -> dict[str, Any]:
    """温县: one verified declaration (a grade 1 and a grade 3 holder) and one draft;
    孟州市: one verified declaration with nobody counted."""
    verified = make_declaration(
        make_employer(name="二号单位"), [line(make_person(grade=1)), line(make_person(grade=3))]
    )
    services.verify(declaration=verified, acting_user=county_clerk)
    draft = make_declaration(make_employer(name="一号单位"))
    there = make_declaration(
        make_employer(place_code=OTHER_COUNTY, acting_user=other_county_clerk),
        acting_user=other_county_clerk,
    )
    services.verify(declaration=there, acting_user=other_county_clerk)
    return {"verified": verified, "draft": draft, "there": there}


def test_the_collection_list_is_the_years_declarations_in_scope_by_county_and_name(
    two_counties: dict[str, Any], county_clerk: Any, city_staff: Any
) -> None:
    mine = selectors.collection_list(county_clerk, year=YEAR)
    everyone = selectors.collection_list(city_staff, year=YEAR)

    assert list(mine) == [two_counties["draft"], two_counties["verified"]]
    assert list(everyone) == [
        two_counties["draft"],
        two_counties["verified"],
        two_counties["there"],
    ]
    assert list(selectors.collection_list(city_staff, year=YEAR, county="410883")) == [
        two_counties["there"]
    ]
    assert not selectors.collection_list(city_staff, year=YEAR - 1).exists()


def test_county_totals_sum_the_computed_amounts_and_count_the_disabled_employees(
    two_counties: dict[str, Any], city_staff: Any
) -> None:
    verified, there = two_counties["verified"], two_counties["there"]
    verified.refresh_from_db()
    there.refresh_from_db()

    wen, meng, total = selectors.county_totals(city_staff, year=YEAR)

    assert (wen.code, wen.name, meng.code, meng.name) == ("410825", "温县", "410883", "孟州市")
    assert (wen.employers, wen.computed, wen.notified) == (2, 1, 0)
    assert wen.amount == verified.amount
    assert (wen.counted_employees, wen.counted) == (2, 3)
    assert (meng.employers, meng.amount, meng.counted_employees) == (1, there.amount, 0)
    assert total.code == ""
    assert total.amount == verified.amount + there.amount
    assert (total.employers, total.computed, total.counted_employees) == (3, 2, 2)


def test_county_totals_stay_within_the_users_scope(
    two_counties: dict[str, Any], other_county_clerk: Any, township_officer: Any
) -> None:
    meng, total = selectors.county_totals(other_county_clerk, year=YEAR)

    assert meng.code == "410883" and total.employers == 1
    assert selectors.county_totals(township_officer, year=YEAR) == [
        selectors.CountyTotal(code="", name="", amount=Decimal("0.00"))
    ]
