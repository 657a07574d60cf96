"""The place of a row: the county (and a township officer's township) taken from the user's
jurisdiction when the file leaves it out; every unknown place reported with row and column."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest

from canlian.people.exchange.importing import import_persons
from canlian.people.models import Person
from canlian.people.tests.exchange.helpers import id_for, row, write_csv
from canlian.places.models import Place

TODAY = datetime.date(2026, 11, 28)
TOWNSHIP = "户籍所在乡镇（街道）"
VILLAGE = "户籍所在村（社区）"
COUNTY = "县（市、区）"


def run(path: Path, user: Any, *, dry_run: bool = False) -> Any:
    return import_persons(path, filename=path.name, acting_user=user, dry_run=dry_run, today=TODAY)


def problems(outcome: Any) -> list[tuple[int, str, str]]:
    return [(p.row, p.column, p.reason) for p in outcome.problems]


@pytest.fixture
def twin(places: Any) -> Place:
    """A township of 孟州市 with the same name as 温县's 测试一镇."""
    return Place.objects.create(
        code="410883002000", name="测试一镇", parent_id="410883000000", level=4, invented=True
    )


def test_a_county_clerk_without_a_county_column_gets_the_clerk_county(
    tmp_path: Path, county_clerk: Any, other_county_clerk: Any, twin: Place
) -> None:
    path = write_csv(tmp_path / "p.csv", [row(1), row(2, **{VILLAGE: "测试一村"})])
    outcome = run(path, county_clerk)
    assert problems(outcome) == [] and outcome.applied
    assert sorted(Person.objects.values_list("place_id", flat=True)) == [
        "410825001000",
        "410825001001",
    ]
    # The other county's clerk: the same township name is that county's township.
    path = write_csv(tmp_path / "q.csv", [row(3, 公民身份号码=id_for(3, region="410883"))])
    assert run(path, other_county_clerk).applied
    assert Person.objects.get(name="测试3").place_id == "410883002000"


def test_city_staff_must_still_name_the_county_of_an_ambiguous_township(
    tmp_path: Path, city_staff: Any, twin: Place
) -> None:
    outcome = run(write_csv(tmp_path / "p.csv", [row(1)]), city_staff, dry_run=True)
    [(number, column, reason)] = problems(outcome)
    assert number == 2 and column.endswith(TOWNSHIP) and "县" in reason


def test_an_empty_county_cell_takes_the_clerk_county(
    tmp_path: Path, county_clerk: Any, twin: Place
) -> None:
    path = write_csv(tmp_path / "p.csv", [row(1, **{COUNTY: ""})])
    assert run(path, county_clerk).applied
    assert Person.objects.get().place_id == "410825001000"


def test_a_township_officer_may_leave_out_the_township(
    tmp_path: Path, township_officer: Any
) -> None:
    rows = [row(1), row(2, **{VILLAGE: "测试一村"})]
    for values in rows:
        del values[TOWNSHIP]
    rows[0][VILLAGE] = ""
    outcome = run(write_csv(tmp_path / "p.csv", rows), township_officer)
    assert problems(outcome) == [] and outcome.applied
    assert sorted(Person.objects.values_list("place_id", flat=True)) == [
        "410825001000",
        "410825001001",
    ]


def test_a_county_clerk_may_not_leave_out_the_township(tmp_path: Path, county_clerk: Any) -> None:
    values = row(1)
    del values[TOWNSHIP]
    outcome = run(write_csv(tmp_path / "p.csv", [values]), county_clerk, dry_run=True)
    assert outcome.refused and TOWNSHIP in outcome.refused
    assert not Person.objects.exists()


def test_every_unknown_place_is_reported_with_row_and_column(
    tmp_path: Path, county_clerk: Any
) -> None:
    rows = [
        row(1, **{VILLAGE: "不存在村"}),  # row 2: unknown village
        row(2, **{TOWNSHIP: "不存在镇", VILLAGE: "测试一村"}),  # row 3: unknown township
        row(3, **{COUNTY: "不存在县"}),  # row 4: unknown county
        row(4, **{VILLAGE: "测试一村"}),  # row 5: fine
    ]
    outcome = run(write_csv(tmp_path / "p.csv", rows), county_clerk)
    found = problems(outcome)
    assert [(n, c.split(" ", 1)[1]) for n, c, _ in found] == [
        (2, VILLAGE),
        (3, TOWNSHIP),
        (4, COUNTY),
    ]
    columns = {c.split(" ", 1)[1]: c.split(" ", 1)[0] for _, c, _ in found}
    assert len(set(columns.values())) == 3  # each names its own column letter
    assert "不存在村" in str(outcome.problems[0].value)
    assert not outcome.applied and not Person.objects.exists()


def test_every_place_problem_of_a_row_is_reported_at_once(
    tmp_path: Path, county_clerk: Any, twin: Place
) -> None:
    rows = [
        # row 2: county, township and village all unknown: three problems, each on its column
        row(1, **{COUNTY: "不存在县", TOWNSHIP: "不存在镇", VILLAGE: "不存在村"}),
        # row 3: a known township, an unknown county and a village not in that township
        row(2, **{COUNTY: "不存在县", VILLAGE: "不存在村"}),
        # row 4: an unknown township, a village that exists (elsewhere): the township only
        row(3, **{TOWNSHIP: "不存在镇", VILLAGE: "测试一村"}),
        # row 5: the county known, the township not in it, the village unknown
        row(4, **{COUNTY: "温县", TOWNSHIP: "测试三镇", VILLAGE: "不存在村"}),
    ]
    outcome = run(write_csv(tmp_path / "p.csv", rows), county_clerk, dry_run=True)
    found = [(n, c.split(" ", 1)[1]) for n, c, _ in problems(outcome)]
    assert found == [
        (2, COUNTY), (2, TOWNSHIP), (2, VILLAGE),
        (3, COUNTY), (3, VILLAGE),
        (4, TOWNSHIP),
        (5, TOWNSHIP), (5, VILLAGE),
    ]  # fmt: skip
    reasons = {(p.row, p.column.split(" ", 1)[1]): p.reason for p in outcome.problems}
    assert reasons[(2, VILLAGE)] != reasons[(3, VILLAGE)]  # no township to name on row 2
    assert not Person.objects.exists()
