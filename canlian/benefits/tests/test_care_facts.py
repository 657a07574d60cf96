"""What the window records for the rules beyond the registry (work-injury care, long-term
care) and what a clerk records later on the enrolment: kept, copied on approval, used by the
rules, audited."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from canlian.benefits import eligibility, services
from canlian.benefits.eligibility import Month
from canlian.benefits.models import Enrolment

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 20)
ACCOUNT = "6222021234567890123"


def d(month: int, day: int, year: int = 2026) -> datetime.date:
    return datetime.date(year, month, day)


def apply(person: Any, user: Any, **declared: Any) -> Any:
    return services.apply(
        person_id=person.pk, programme=declared.pop("programme", "care"), applied_on=d(8, 10),
        channel="in_person", bank_name="中国农业银行温县支行", account=ACCOUNT,
        acting_user=user, today=TODAY, **declared,
    )  # fmt: skip


def approve(application: Any, township: Any, county: Any, civil: Any) -> Enrolment:
    for user, day in ((township, d(8, 20)), (county, d(9, 15)), (civil, d(11, 5))):
        services.decide(
            application_id=application.pk, passed=True, reason="", acted_on=day,
            acting_user=user, today=TODAY,
        )  # fmt: skip
    return Enrolment.objects.get(application=application)


def test_work_injury_care_declared_at_the_window_is_kept_and_enrolled(
    make_person: Any, township_officer: Any, county_clerk: Any, civil_affairs: Any
) -> None:
    person = make_person(grade=1)
    application = apply(person, township_officer, work_injury_care=True)
    assert not eligibility.explain(person, Month(2026, 8)).programmes["care"].eligible
    enrolment = approve(application, township_officer, county_clerk, civil_affairs)
    assert enrolment.work_injury_care is True
    failed = [
        c.key
        for c in eligibility.explain(person, Month(2026, 11)).programmes["care"].conditions
        if not c.passed
    ]
    assert failed == ["not_work_injury_care"]
