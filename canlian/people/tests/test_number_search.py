"""Search by a whole ID or certificate number, alone or beside a name (王建国 41080219…): an
exact match on the number, in the user's jurisdiction; past the hourly limit of searches by
number the list answers with its page and the reason on the search field, not a refusal."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from canlian.accounts import lookups
from canlian.accounts.models import User
from canlian.audit.models import Entry
from canlian.conftest import client_for
from canlian.lib import idcard
from canlian.people import picker
from canlian.people.models import Person
from canlian.people.selectors import PersonFilters, search_persons, split_number

pytestmark = pytest.mark.django_db


def number(sequence: int, *, region: str = "410825") -> str:
    return idcard.build(
        region_code=region, birth_date=datetime.date(1970, 5, 17), sequence=sequence
    )


@pytest.fixture
def wangs(make_person: Any) -> dict[str, Person]:
    """Two 王建国 of 温县 and one of 孟州市."""
    return {
        "wen": make_person(name="王建国", id_number=number(101)),
        "wen_other": make_person(name="王建国", id_number=number(102)),
        "meng": make_person(
            name="王建国", id_number=number(103, region="410883"), place_code="410883001001"
        ),
    }


def ids(user: User, q: str) -> set[int]:
    return set(search_persons(user, PersonFilters(q=q)).values_list("pk", flat=True))


@pytest.mark.parametrize(
    "template",
    [
        "王建国 {n}", "{n} 王建国", "王建国\u3000{n}", "  王建国\t\t{n}  ", "{n}\n王建国",
        "王建国 {lower}",
    ],
)  # fmt: skip
def test_a_name_with_the_whole_id_number_finds_the_person_of_that_number(
    wangs: dict[str, Person], county_clerk: User, template: str
) -> None:
    full = number(101)
    q = template.format(n=full, lower=full.lower())
    assert ids(county_clerk, q) == {wangs["wen"].pk}  # not the namesake, not no one
    [entry] = Entry.objects.filter(action="search.by_number")
    assert full not in str(entry.detail)  # a look-up by number, recorded masked


def test_the_number_decides_whatever_the_name_typed_beside_it(
    wangs: dict[str, Person], county_clerk: User
) -> None:
    assert ids(county_clerk, f"王建 {number(102)}") == {wangs["wen_other"].pk}
    assert ids(county_clerk, f"王建国 {number(999)}") == set()  # a number no one has


def test_a_name_with_a_number_of_another_jurisdiction_finds_no_one(
    wangs: dict[str, Person], county_clerk: User, other_county_clerk: User
) -> None:
    meng = number(103, region="410883")
    assert ids(county_clerk, f"王建国 {meng}") == set()
    assert ids(other_county_clerk, f"王建国 {meng}") == {wangs["meng"].pk}


def test_a_name_with_a_number_is_kept_masked_in_records() -> None:
    filters = PersonFilters(q=f"王建国 {number(101)}")
    assert filters.by_number
    assert filters.as_dict()["q"] == "王建国 " + "*" * 18


@pytest.mark.parametrize("control", ["\x01", "\x7f", "\x1b"])
def test_a_number_with_a_control_character_is_searched_and_recorded_masked(control: str) -> None:
    """The record reads the same text as the search: a control character after the number
    must not leave it out of the mask (the audit log and export jobs keep these records)."""
    for q, kept in (
        (f"{number(101)}{control}", "*" * 18),
        (f"王建国 {number(101)}{control}", "王建国 " + "*" * 18),
        (f"王建国 12345X{control}", "王建国 " + "*" * 6),
    ):
        filters = PersonFilters(q=q)
        assert filters.as_dict()["q"] == kept
        assert control not in filters.q


@pytest.mark.parametrize(
    ("q", "split"),
    [
        ("王建国 41082519700517101X", ("41082519700517101X", "王建国")),
        ("41082519700517101x 王建国", ("41082519700517101X", "王建国")),
        ("王建国 410825 19700517 101X", ("41082519700517101X", "王建国")),
        ("41082519700517101X", ("41082519700517101X", "")),
        ("王建国 1234", ("", "王建国 1234")),  # the last characters: another search
        ("王建国 李四", ("", "王建国 李四")),
        ("王建国", ("", "王建国")),
    ],
)
def test_split_number_finds_the_whole_number_beside_a_name(q: str, split: tuple[str, str]):
    assert split_number(q) == split


def test_the_picker_finds_a_name_with_the_whole_number(
    wangs: dict[str, Person], county_clerk: User
) -> None:
    data = QueryDict(mutable=True)
    data["who"] = f"{number(101)} 王建国"
    assert [pk for pk, _ in picker.search(data, user=county_clerk).choices] == [wangs["wen"].pk]


@pytest.mark.parametrize("q", ["王建国 {tail}", "{full}", "王建国 {full}"])
def test_past_the_hourly_limit_the_list_says_why_on_its_search_field(
    wangs: dict[str, Person], county_clerk: User, settings: Any, q: str
) -> None:
    settings.NUMBER_SEARCHES_PER_HOUR = 1
    full = number(101)
    q = q.format(full=full, tail=full[-6:])
    client = client_for(county_clerk)
    assert wangs["wen"].name in client.get(reverse("people:list"), {"q": q}).content.decode()

    response = client.get(reverse("people:list"), {"q": q})

    assert response.status_code == 200  # the page, not a refusal
    assert "q" in response.context["form"].errors
    page = response.content.decode()
    with translation.override("zh-hans"):
        reason = lookups.too_many()
    assert escape(reason) in page and "后几位" in reason and "稍后再试" in reason
    assert 'class="govuk-error-summary' in page
    assert response.context["page"].paginator.count == 0  # no one listed


def test_past_the_hourly_limit_an_export_answers_with_the_list_and_the_reason(
    wangs: dict[str, Person], county_clerk: User, settings: Any
) -> None:
    settings.NUMBER_SEARCHES_PER_HOUR = 0
    response = client_for(county_clerk).get(
        reverse("people:export"), {"q": f"王建国 {number(101)}"}
    )
    assert response.status_code == 400
    assert "q" in response.context["form"].errors
