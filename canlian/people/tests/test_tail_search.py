"""Search by the last 4-6 characters of the ID number beside a name or an area, in scope; the
results' heading (focused after a search) counts the persons listed."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from canlian.accounts.models import User
from canlian.audit.models import Entry
from canlian.conftest import client_for
from canlian.lib import idcard
from canlian.people.forms import PersonFilterForm
from canlian.people.models import Person, tail_index
from canlian.people.selectors import PersonFilters, search_persons

pytestmark = pytest.mark.django_db

REFUSAL = (
    "Searching by the last characters of the ID number needs the name as well "
    "(张三 12345X), or all six last characters and a township chosen as the area."
)


def number(sequence: int, *, region: str = "410825", day: int = 17) -> str:
    return idcard.build(
        region_code=region, birth_date=datetime.date(1970, 5, day), sequence=sequence
    )


def same_tail(full: str, region: str) -> str:
    """A number of `region` with the same last six characters as `full` (another birth year
    or month, so that the check character comes out the same)."""
    day, sequence = int(full[12:14]), int(full[14:17])
    for year in range(1950, 2000):
        for month in range(1, 13):
            born = datetime.date(year, month, day)
            other = idcard.build(region_code=region, birth_date=born, sequence=sequence)
            if other[-6:] == full[-6:]:
                return other
    raise AssertionError("no such number")


@pytest.fixture
def persons(make_person: Any) -> dict[str, Person]:
    """张三 and 张四 of 温县; another 张三 of 温县 born on another day; 张三 of 孟州市 with
    温县 张三's last six characters."""
    wen = number(101)
    return {
        "wen": make_person(name="张三", id_number=wen),
        "wen_other_day": make_person(name="张三", id_number=number(101, day=27)),
        "wen_zhangsi": make_person(name="张四", id_number=number(102)),
        "meng": make_person(
            name="张三", id_number=same_tail(wen, "410883"), place_code="410883001001"
        ),
    }


def ids(user: User, q: str, place: str = "") -> set[int]:
    return set(search_persons(user, PersonFilters(q=q, place=place)).values_list("pk", flat=True))


@pytest.mark.parametrize("length", [4, 5, 6])
def test_the_last_characters_with_a_name_find_the_person(
    persons: dict[str, Person], county_clerk: User, length: int
) -> None:
    tail = number(101)[-length:]
    result = ids(county_clerk, f"张三 {tail}")
    expected = {persons["wen"].pk}
    if number(101, day=27).endswith(tail):  # the same last four, another day of birth
        expected.add(persons["wen_other_day"].pk)
    assert result == expected
    assert ids(county_clerk, f"{tail.lower()} 张三") == expected  # any order, lower-case x


def test_a_tail_that_is_no_one_finds_no_one(persons: dict[str, Person], county_clerk: User):
    tail = number(101)[-6:]
    assert ids(county_clerk, f"张四 {tail}") == set()
    wrong = "1" if tail[-1] != "1" else "2"
    assert ids(county_clerk, f"张三 {tail[:-1]}{wrong}") == set()
    assert ids(county_clerk, "张三 990101") == set()  # 99: no day of birth


def test_the_last_characters_with_an_area_find_the_persons_there(
    persons: dict[str, Person], county_clerk: User
) -> None:
    tail = number(101)[-6:]
    township = persons["wen"].place.code[:9]
    assert ids(county_clerk, tail, place=township) == {persons["wen"].pk}


@pytest.mark.parametrize(
    ("q", "place", "why"),
    [
        ("{tail}", "410825", "a whole county: one search would test a tail against everyone"),
        ("{tail4}", "{township}", "four characters: 31 tails a search"),
        ("张 {tail}", "", "one character of a name narrows nothing"),
    ],
)
def test_a_tail_search_too_wide_to_bound_is_refused(
    persons: dict[str, Person], county_clerk: User, q: str, place: str, why: str
) -> None:
    tail = number(101)[-6:]
    township = persons["wen"].place.code[:9]
    q = q.format(tail=tail, tail4=tail[-4:])
    place = place.format(township=township)
    assert ids(county_clerk, q, place=place) == set(), why
    form = PersonFilterForm({"q": q, "place": place}, user=county_clerk)
    assert not form.is_valid() and "q" in form.errors, why


def test_a_tail_search_is_not_exported_in_the_background(county_clerk: User) -> None:
    from django.core.exceptions import ValidationError

    from canlian.people.exchange import exportjobs

    with pytest.raises(ValidationError):
        exportjobs.start(
            user=county_clerk, filters=PersonFilters(q="张三 12345X"), full=False,
            fmt="csv", rows=1, description="",
        )  # fmt: skip


def test_out_of_scope_persons_are_never_found(
    persons: dict[str, Person], county_clerk: User, other_county_clerk: User
) -> None:
    tail = number(101)[-6:]
    assert ids(county_clerk, f"张三 {tail}") == {persons["wen"].pk}
    assert ids(other_county_clerk, f"张三 {tail}") == {persons["meng"].pk}
    # Naming the other county's area does not widen the scope.
    assert ids(county_clerk, tail, place="410883") == set()


def test_the_last_characters_alone_are_refused_with_a_message(
    persons: dict[str, Person], county_clerk: User
) -> None:
    tail = number(101)[-6:]
    assert ids(county_clerk, tail) == set()  # the selector never answers it
    form = PersonFilterForm({"q": tail}, user=county_clerk)
    assert not form.is_valid()
    with translation.override("zh-hans"):
        assert form.errors["q"] == [gettext(REFUSAL)]
    response = client_for(county_clerk).get(reverse("people:list"), {"q": tail})
    page = response.content.decode()
    with translation.override("zh-hans"):
        assert escape(gettext(REFUSAL)) in page
    assert 'id="persons-caption"' not in page  # no one listed
    assert not Entry.objects.filter(action="search.by_number").exists()


def test_a_tail_search_is_recorded_and_counts_towards_the_hourly_limit(
    persons: dict[str, Person], county_clerk: User, settings: Any
) -> None:
    settings.NUMBER_SEARCHES_PER_HOUR = 2
    tail = number(101)[-6:]
    client = client_for(county_clerk)
    for _ in range(2):
        assert client.get(reverse("people:list"), {"q": f"张三 {tail}"}).status_code == 200
    entries = Entry.objects.filter(action="search.by_number")
    assert entries.count() == 2
    assert tail not in str(entries.first().detail)  # recorded masked
    refused = client.get(reverse("people:list"), {"q": f"张三 {tail}"})
    assert refused.status_code == 200 and "q" in refused.context["form"].errors
    assert refused.context["page"].paginator.count == 0


def test_a_tail_search_is_kept_masked_in_records() -> None:
    tail = number(101)[-6:]
    assert PersonFilters(q=f"张三 {tail}", place="410825").as_dict() == {
        "q": "张三 ******",
        "place": "410825",
        "sort": "-updated",
    }


def test_the_index_exposes_no_characters_and_differs_from_the_number_index(
    persons: dict[str, Person],
) -> None:
    person = Person.objects.get(pk=persons["wen"].pk)
    full = number(101)
    assert person.id_tail_index == tail_index(full) != ""
    assert full[-6:] not in person.id_tail_index and person.id_tail_index != person.id_number_index
    # The same last six in two counties: the same tail index, different number indexes.
    other = Person.objects.get(pk=persons["meng"].pk)
    assert other.id_tail_index == person.id_tail_index
    assert other.id_number_index != person.id_number_index


def test_the_migration_fills_the_index_of_persons_already_registered(
    persons: dict[str, Person],
) -> None:
    from importlib import import_module

    from django.apps import apps

    Person.objects.update(id_tail_index="")
    migration = import_module("canlian.people.migrations.0010_id_tail_index")
    migration.forwards(apps, None)
    for person in Person.objects.all():
        assert person.id_tail_index and person.id_tail_index == tail_index(
            idcard.normalize(_opened(person))
        )


def _opened(person: Person) -> str:
    from canlian.conftest import opened

    return opened(person)


def test_the_results_heading_counts_persons_with_separators_and_takes_focus(
    persons: dict[str, Person], county_clerk: User
) -> None:
    client = client_for(county_clerk)
    with translation.override("zh-hans"):
        page = client.get(reverse("people:list"), {"q": "张"}).content.decode()
    assert 'id="results-heading" tabindex="-1" data-focus-on-load' in page
    assert "共找到3人" in page
    first = client.get(reverse("people:list")).content.decode()
    assert "data-focus-on-load" not in first  # no search: focus stays


def test_large_counts_have_thousands_separators(county_clerk: User, monkeypatch: Any) -> None:
    from django.core.paginator import Paginator

    monkeypatch.setattr(Paginator, "count", 96147)
    page = client_for(county_clerk).get(reverse("people:list"), {"q": "张"}).content.decode()
    assert "96,147" in page and "96147" not in page


def test_subsidy_applications_are_counted_as_applications() -> None:
    with translation.override("zh-hans"):
        text = translation.ngettext(
            "%(shown)s application found", "%(shown)s applications found", 30
        ) % {"shown": 30}
    assert text == "共找到30件申请"


def test_a_township_officers_own_township_is_the_area_of_a_tail_search(
    persons: dict[str, Person], township_officer: User
) -> None:
    """A township officer's whole jurisdiction is one township: the last six characters alone
    search it, with no area to choose (their area list holds no township)."""
    tail = number(101)[-6:]
    assert ids(township_officer, tail) == {persons["wen"].pk}
    assert PersonFilterForm({"q": tail}, user=township_officer).is_valid()
    page = client_for(township_officer).get(reverse("people:list"), {"q": tail}).content.decode()
    with translation.override("zh-hans"):
        assert escape(gettext(REFUSAL)) not in page
    assert f'href="{reverse("people:detail", args=[persons["wen"].pk])}"' in page
    other_day = reverse("people:detail", args=[persons["wen_other_day"].pk])
    assert f'href="{other_day}"' not in page
    # Four characters stay too wide, whatever the area.
    assert ids(township_officer, tail[-4:]) == set()
