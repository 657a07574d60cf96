"""A person's history in words: the action's Chinese name, the user's name and office, places
by name; never a login, an action code or a place code."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse

from canlian.conftest import client_for, person_data
from canlian.lib import idcard
from canlian.people import services
from canlian.people.models import StatusKind

pytestmark = pytest.mark.django_db


def test_history_shows_action_names_user_names_and_place_names(
    make_person: Any, county_clerk: Any
) -> None:
    county_clerk.full_name = "王敏"
    county_clerk.save()
    number = idcard.build(region_code="410825", birth_date=datetime.date(1970, 5, 17), sequence=77)
    person = make_person(id_number=number)
    data = person_data(id_number=number, address="示例路1号", place_code="410825002000")
    services.update_person(person=person, data=data, acting_user=county_clerk)
    services.add_status_period(
        person=person, kind=StatusKind.values[0], start=datetime.date(2025, 1, 2), end=None,
        acting_user=county_clerk,
    )  # fmt: skip

    page = client_for(county_clerk).get(reverse("people:history", args=[person.pk])).text
    # The page's own content (the header names the signed-in user's own account).
    page = page.split("<main", 1)[1]

    assert "档案信息已修改" in page  # person.update
    assert "新增登记" in page  # person.create
    assert "已登记人员状态" in page  # person.status.add
    assert "王敏（温县）" in page
    assert "测试二镇" in page  # the new place by name
    # The status's start written as every other page writes a date.
    assert "2025-01-02" in page and "2025年1月2日" not in page
    internals = ("clerk-wen", "person.update", "person.create", "person.status", "410825002000")
    for internal in internals:
        assert internal not in page
    assert f">{StatusKind.values[0]}<" not in page


def test_a_user_without_a_full_name_is_shown_by_role_and_office(
    make_person: Any, county_clerk: Any
) -> None:
    person = make_person()
    page = client_for(county_clerk).get(reverse("people:history", args=[person.pk])).text
    page = page.split("<main", 1)[1]
    assert "clerk-wen" not in page
    assert "（温县）" in page
