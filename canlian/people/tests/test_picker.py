"""The person picker (people/picker.py): the registry's search and rules, in the user's
jurisdiction only; labels that tell namesakes apart without completing a mask; a person not
offered refused with one answer whoever they are; one query for the results however many."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext

from canlian.accounts.models import User
from canlian.audit.models import Entry
from canlian.conftest import opened
from canlian.lib import idcard
from canlian.people import picker
from canlian.people.models import Person
from canlian.people.selectors import PersonFilters

pytestmark = pytest.mark.django_db

TAIL_REFUSAL = (
    "Searching by the last characters of the ID number needs the name as well "
    "(张三 12345X), or all six last characters and a township chosen as the area."
)
SHORT_NAME = "Give at least two characters of the name with the last characters of the ID number."


def number(sequence: int, *, region: str = "410825", day: int = 17) -> str:
    return idcard.build(
        region_code=region, birth_date=datetime.date(1970, 5, day), sequence=sequence
    )


@pytest.fixture
def zhangs(make_person: Any) -> dict[str, Person]:
    """张三 of 温县 (a village of 测试一镇), 张三 of 温县's 测试二镇 (born 1985), and 张三 of
    孟州市 with the first one's last six characters."""
    wen = number(101)
    return {
        "wen": make_person(name="张三", id_number=wen),
        "wen_two": make_person(
            name="张三",
            place_code="410825002000",
            id_number=idcard.build(
                region_code="410825", birth_date=datetime.date(1985, 2, 3), sequence=55
            ),
        ),
        "meng": make_person(
            name="张三", id_number=_same_tail(wen, "410883"), place_code="410883001001"
        ),
    }


def _same_tail(full: str, region: str) -> str:
    day, sequence = int(full[12:14]), int(full[14:17])
    for year in range(1950, 2000):
        for month in range(1, 13):
            other = idcard.build(
                region_code=region, birth_date=datetime.date(year, month, day), sequence=sequence
            )
            if other[-6:] == full[-6:]:
                return other
    raise AssertionError("no such number")


def found(user: User, who: str, where: str = "", among: Any = None) -> set[int]:
    data = QueryDict(mutable=True)
    data.update({"who": who, "where": where})
    result = picker.search(data, user=user, among=among)
    return {pk for pk, _label in result.choices}


# --- In scope only ------------------------------------------------------------------------------


def test_the_picker_lists_only_persons_of_the_users_jurisdiction(
    zhangs: dict[str, Person], county_clerk: User, other_county_clerk: User
) -> None:
    assert found(county_clerk, "张三") == {zhangs["wen"].pk, zhangs["wen_two"].pk}
    assert found(other_county_clerk, "张三") == {zhangs["meng"].pk}
    assert found(county_clerk, "zs") == {zhangs["wen"].pk, zhangs["wen_two"].pk}
    # The other county's person by their whole ID number: not found, as if no one.
    assert found(county_clerk, opened(zhangs["meng"])) == set()
    assert found(other_county_clerk, opened(zhangs["meng"])) == {zhangs["meng"].pk}


def test_a_choice_outside_the_jurisdiction_is_refused_as_an_unknown_one(
    zhangs: dict[str, Person], county_clerk: User
) -> None:
    assert picker.chosen(county_clerk, str(zhangs["wen"].pk)) == zhangs["wen"]
    for value in (zhangs["meng"].pk, 999_999, "", "abc", "-1", "1\x00", 2**70, None):
        assert picker.chosen(county_clerk, value) is None, value


def test_the_persons_a_form_may_take_narrow_the_search_and_the_choice(
    zhangs: dict[str, Person], county_clerk: User
) -> None:
    among = Person.objects.filter(pk=zhangs["wen_two"].pk)
    assert found(county_clerk, "张三", among=among) == {zhangs["wen_two"].pk}
    assert picker.chosen(county_clerk, zhangs["wen"].pk, among) is None
    # `among` never widens the jurisdiction.
    outside = Person.objects.filter(pk=zhangs["meng"].pk)
    assert found(county_clerk, "张三", among=outside) == set()
    assert picker.chosen(county_clerk, zhangs["meng"].pk, outside) is None


# --- The registry's rules for the last characters of an ID number ------------------------------


@pytest.mark.parametrize("length", [4, 5, 6])
def test_the_last_characters_with_the_name_find_the_person(
    zhangs: dict[str, Person], county_clerk: User, length: int
) -> None:
    tail = number(101)[-length:]
    assert found(county_clerk, f"张三 {tail}") == {zhangs["wen"].pk}


@pytest.mark.parametrize(
    ("who", "where", "message", "why"),
    [
        ("{tail}", "", TAIL_REFUSAL, "the last six alone, in a whole county"),
        ("{tail4}", "410825001", TAIL_REFUSAL, "four characters need the name, even in a township"),
        ("张 {tail}", "", SHORT_NAME, "one character of a name narrows nothing"),
    ],
)
def test_a_tail_search_the_registry_refuses_is_refused_with_its_message(
    zhangs: dict[str, Person], county_clerk: User, who: str, where: str, message: str, why: str
) -> None:
    tail = number(101)[-6:]
    who = who.format(tail=tail, tail4=tail[-4:])
    form = picker.PersonSearchForm({"who": who, "where": where}, user=county_clerk)
    assert not form.is_valid(), why
    with translation.override("zh-hans"):
        assert form.errors["who"] == [gettext(message)], why
    assert found(county_clerk, who, where) == set(), why
    assert not Entry.objects.filter(action="search.by_number").exists()  # nothing looked up


def test_the_last_six_within_a_township_find_the_persons_there(
    zhangs: dict[str, Person], county_clerk: User, township_officer: User
) -> None:
    tail = number(101)[-6:]
    assert found(county_clerk, tail, "410825001") == {zhangs["wen"].pk}
    assert found(county_clerk, tail, "410825002") == set()
    # A township officer's jurisdiction is one township: the choice is not offered, their
    # own township is the search's.
    form = picker.PersonSearchForm({"who": tail}, user=township_officer)
    assert "where" not in form.fields and form.is_valid()
    assert found(township_officer, tail) == {zhangs["wen"].pk}


def test_a_township_of_another_county_is_not_a_choice(
    zhangs: dict[str, Person], county_clerk: User
) -> None:
    tail = number(101)[-6:]
    form = picker.PersonSearchForm({"who": tail, "where": "410883001"}, user=county_clerk)
    assert not form.is_valid() and "where" in form.errors
    assert found(county_clerk, tail, "410883001") == set()


def test_searches_by_number_are_recorded_and_limited(
    zhangs: dict[str, Person], county_clerk: User, settings: Any
) -> None:
    settings.NUMBER_SEARCHES_PER_HOUR = 1
    data = QueryDict(mutable=True)
    data["who"] = opened(zhangs["wen"])
    assert {pk for pk, _ in picker.search(data, user=county_clerk).choices} == {zhangs["wen"].pk}
    refused = picker.search(data, user=county_clerk)
    assert refused.choices == [] and "who" in refused.search.errors
    assert Entry.objects.filter(action="search.by_number").count() == 2


def test_an_empty_search_asks_for_a_name_or_number(county_clerk: User) -> None:
    with translation.override("zh-hans"):
        form = picker.PersonSearchForm({"who": "  "}, user=county_clerk)
        assert not form.is_valid()
        assert form.errors["who"] == ["请输入姓名开头部分或身份证号后再查找。"]


# --- Labels and limits -------------------------------------------------------------------------


def test_a_label_gives_the_masked_number_the_township_and_the_year_of_birth(
    zhangs: dict[str, Person], county_clerk: User
) -> None:
    with translation.override("zh-hans"):
        labels = dict(picker.labelled(Person.objects.visible_to(county_clerk), 10))
    village = labels[zhangs["wen"].pk]
    assert village == "张三，身份证号******************，测试一镇，1970年生"
    assert labels[zhangs["wen_two"].pk] == "张三，身份证号******************，测试二镇，1985年生"
    full = opened(zhangs["wen"])
    assert full[-4:] not in village and full[:6] not in village


def test_more_persons_than_can_be_listed_are_said_to_be_more(
    make_person: Any, county_clerk: User
) -> None:
    for _ in range(picker.RESULTS + 1):
        make_person(name="李四")
    result = picker.find(county_clerk, PersonFilters(q="李四"))
    assert len(result.choices) == picker.RESULTS and result.more
    make_person(name="李五")
    assert not picker.find(county_clerk, PersonFilters(q="李五")).more


def test_the_results_take_one_query_however_many(make_person: Any, county_clerk: User) -> None:
    def queries(name: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            result = picker.find(county_clerk, PersonFilters(q=name))
        assert result.choices
        return len(captured)

    make_person(name="王一")
    one = queries("王一")
    for place in ("410825001001", "410825002000", "410825001000", "410825001001"):
        make_person(name="王二", place_code=place)
    assert queries("王二") == one == 1
