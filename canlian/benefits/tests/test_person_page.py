"""The person's page shows this month's subsidy explanation, condition by condition."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse

from canlian.conftest import client_for
from canlian.people import services as people
from canlian.people.models import StatusKind

pytestmark = pytest.mark.django_db


def test_the_person_page_explains_both_subsidies(make_person: Any, county_clerk: Any) -> None:
    person = make_person(grade=2)
    page = client_for(county_clerk).get(reverse("people:detail", args=[person.pk]))
    text = page.content.decode()
    # No 低保: the living subsidy is refused with its reason; the care subsidy (grade 2) is not.
    assert "困难残疾人生活补贴：不符合条件" in text
    assert "重度残疾人护理补贴：符合条件，每月 60.00 元" in text  # Jiaozuo's care amount
    assert "不符合：" in text
    people.add_status_period(
        person=person,
        kind=StatusKind.DIBAO,
        start=datetime.date(2020, 1, 1),
        end=None,
        acting_user=county_clerk,
    )
    text = client_for(county_clerk).get(reverse("people:detail", args=[person.pk])).content.decode()
    assert "困难残疾人生活补贴：符合条件" in text
    assert "不符合：" not in text
