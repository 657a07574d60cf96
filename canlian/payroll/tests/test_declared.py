"""What an applicant declares at the window (an equivalent allowance, orphans' support) is
what the rules use: in the explanation and in the payment rolls alike."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from canlian.benefits import eligibility, services
from canlian.benefits.eligibility import Month
from canlian.benefits.models import Enrolment
from canlian.payroll import rolls
from canlian.payroll.models import Line, Stop
from canlian.people import services as people
from canlian.people.models import StatusKind

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 20)
NOV = Month(2026, 11)


def _enrol(person: Any, programme: str, user: Any, **declared: Any) -> None:
    declared.setdefault("long_term_care_months", 12 if programme == "care" else None)
    services.enrol_existing(
        person_id=person.pk, programme=programme, start_month=datetime.date(2026, 1, 1),
        approved_on=datetime.date(2025, 12, 20), bank_name="农业银行",
        account="6228480012345678901", acting_user=user, **declared,
    )  # fmt: skip


def _paid(person: Any) -> dict[str, Decimal]:
    return dict(Line.objects.filter(person=person).values_list("programme", "amount"))


def test_an_equivalent_allowance_as_high_as_the_subsidy_stops_it(
    make_person: Any, county_clerk: Any, finance: Any
) -> None:
    higher = make_person(grade=1)
    lower = make_person(grade=1)
    _enrol(higher, "care", county_clerk, equivalent_allowance=Decimal("60.00"))
    _enrol(lower, "care", county_clerk, equivalent_allowance=Decimal("59.99"))
    rolls.generate(month=NOV, acting_user=finance, county="410825", today=TODAY)
    assert _paid(higher) == {}
    stop = Stop.objects.get(person=higher)
    assert stop.conditions == ["no_higher_equivalent"]
    assert _paid(lower) == {"care": Decimal("60.00")}
    explained = eligibility.explain(higher, NOV).programmes["care"]
    assert not explained.eligible
    assert "60.00" in next(c.reason for c in explained.conditions if not c.passed)


def test_an_orphan_receives_the_care_subsidy_only(
    make_person: Any, county_clerk: Any, finance: Any
) -> None:
    person = make_person(grade=2)
    people.add_status_period(
        person=person, kind=StatusKind.DIBAO, start=datetime.date(2020, 1, 1), end=None,
        acting_user=county_clerk,
    )  # fmt: skip
    _enrol(person, "living", county_clerk, orphan=True)
    _enrol(person, "care", county_clerk, orphan=True)
    rolls.generate(month=NOV, acting_user=finance, county="410825", today=TODAY)
    assert _paid(person) == {"care": Decimal("60.00")}
    assert Stop.objects.get(person=person).conditions == ["not_orphan"]


def test_a_declared_allowance_must_be_an_amount(make_person: Any, township_officer: Any) -> None:
    person = make_person(grade=2)
    with pytest.raises(ValidationError) as raised:
        services.apply(
            person_id=person.pk, programme="care", applied_on=TODAY, channel="in_person",
            bank_name="农业银行", account="6228480012345678901", long_term_care_months=12,
            equivalent_allowance=Decimal("-1"), acting_user=township_officer, today=TODAY,
        )  # fmt: skip
    assert "equivalent_allowance" in raised.value.message_dict


def test_the_explanation_uses_what_a_pending_application_declares(
    make_person: Any, township_officer: Any
) -> None:
    person = make_person(grade=2)
    services.apply(
        person_id=person.pk, programme="care", applied_on=TODAY, channel="in_person",
        bank_name="农业银行", account="6228480012345678901", long_term_care_months=12,
        equivalent_allowance=Decimal("100"), acting_user=township_officer, today=TODAY,
    )  # fmt: skip
    facts = eligibility.facts_of(person)
    assert (facts.equivalent_care, facts.equivalent_living) == (Decimal("100.00"), None)
    assert not eligibility.explain(person, NOV).programmes["care"].eligible


def test_henan_work_injury_care_stops_both_subsidies(
    make_person: Any, county_clerk: Any, finance: Any
) -> None:
    person = make_person(grade=2)
    people.add_status_period(
        person=person, kind=StatusKind.DIBAO, start=datetime.date(2020, 1, 1), end=None,
        acting_user=county_clerk,
    )  # fmt: skip
    _enrol(person, "living", county_clerk)
    _enrol(person, "care", county_clerk, work_injury_care=True)
    rolls.generate(month=NOV, acting_user=finance, county="410825", today=TODAY)
    assert _paid(person) == {}
    assert Stop.objects.filter(person=person).count() == 2
    assert {tuple(s.conditions) for s in Stop.objects.filter(person=person)} == {
        ("not_work_injury_care",)
    }


def test_work_injury_care_is_read_from_the_enrolment_covering_the_month(
    make_person: Any, county_clerk: Any, finance: Any
) -> None:
    """An enrolment ended before the month (read for its back pay) that recorded work-injury
    care does not stop the month that the enrolment covering it pays; and the other way."""
    earlier, now = make_person(grade=1), make_person(grade=1)
    for person, ended, covering in ((earlier, True, False), (now, False, True)):
        _enrol(person, "care", county_clerk, work_injury_care=ended)
        old = Enrolment.objects.get(person=person)
        services.end_enrolment(
            enrolment_id=old.pk, last_month=datetime.date(2026, 9, 1), reason="重新申请",
            acting_user=county_clerk,
        )  # fmt: skip
        Enrolment.objects.filter(pk=old.pk).update(back_pay_settled=False)
        services.enrol_existing(
            person_id=person.pk, programme="care", start_month=datetime.date(2026, 10, 1),
            approved_on=datetime.date(2026, 9, 20), bank_name="农业银行",
            account="6228480012345678901", acting_user=county_clerk,
            work_injury_care=covering, long_term_care_months=12,
        )  # fmt: skip
    rolls.generate(month=NOV, acting_user=finance, county="410825", today=TODAY)
    lines = Line.objects.filter(month=NOV.first)
    assert dict(lines.filter(person=earlier).values_list("programme", "amount")) == {
        "care": Decimal("60.00")
    }
    assert not lines.filter(person=now).exists()
    stop = Stop.objects.get(person=now, roll__month=NOV.first)
    assert stop.conditions == ["not_work_injury_care"]


def test_the_rolls_read_long_term_care_from_the_care_enrolment(
    make_person: Any, county_clerk: Any, finance: Any
) -> None:
    """The months recorded, and where none are (data from before the system recorded them),
    the enrolment's approval: before the rule's first day (2016-01-01) it passes, from then
    on it stops."""
    five, six = make_person(grade=1), make_person(grade=1)
    legacy, unrecorded = make_person(grade=1), make_person(grade=1)
    _enrol(five, "care", county_clerk, long_term_care_months=5)
    _enrol(six, "care", county_clerk, long_term_care_months=6)
    for person, approved in ((legacy, datetime.date(2015, 12, 31)),
                             (unrecorded, datetime.date(2016, 1, 1))):  # fmt: skip
        _enrol(person, "care", county_clerk)
        Enrolment.objects.filter(person=person).update(
            long_term_care_months=None, approved_on=approved, start_month=datetime.date(2016, 1, 1)
        )
    rolls.generate(month=NOV, acting_user=finance, county="410825", today=TODAY)
    assert _paid(five) == {}
    assert Stop.objects.get(person=five).conditions == ["long_term_care"]
    assert _paid(six) == {"care": Decimal("60.00")}
    assert _paid(legacy) == {"care": Decimal("60.00")}
    assert _paid(unrecorded) == {}
    assert Stop.objects.get(person=unrecorded).conditions == ["long_term_care"]


@pytest.mark.parametrize(("ended_months", "back_paid"), [(5, False), (6, True)])
def test_back_pay_reads_long_term_care_from_the_enrolment_being_paid(
    make_person: Any, county_clerk: Any, finance: Any, ended_months: int, back_paid: bool
) -> None:
    """A care enrolment ended before the month and owed back pay is paid by its own
    long-term care months, not by those of the enrolment that now covers the month."""
    person = make_person(grade=1)
    _enrol(person, "care", county_clerk, long_term_care_months=ended_months)
    old = Enrolment.objects.get(person=person)
    Enrolment.objects.filter(pk=old.pk).update(start_month=datetime.date(2026, 6, 1))
    services.end_enrolment(
        enrolment_id=old.pk, last_month=datetime.date(2026, 9, 1), reason="重新申请",
        acting_user=county_clerk,
    )  # fmt: skip
    Enrolment.objects.filter(pk=old.pk).update(back_pay_settled=False)
    services.enrol_existing(
        person_id=person.pk, programme="care", start_month=datetime.date(2026, 10, 1),
        approved_on=datetime.date(2026, 9, 20), bank_name="农业银行",
        account="6228480012345678901", long_term_care_months=24, acting_user=county_clerk,
    )  # fmt: skip
    rolls.generate(month=NOV, acting_user=finance, county="410825", today=TODAY)
    back = Line.objects.filter(person=person, kind="back_pay").order_by("month")
    months = [line.month.month for line in back]
    assert months == ([6, 7, 8, 9] if back_paid else [])
    assert Line.objects.get(person=person, month=NOV.first).amount == Decimal("60.00")
