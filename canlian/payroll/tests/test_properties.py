"""Properties of generated payment rolls over random registries: persons of random grade,
category, dibao, registered-poor and tekun periods, certificates, deaths and enrolments
(carried over or approved late), rolls generated for random months in random order.

Whatever the registry, a roll never pays a month after the person's death, never pays zero or
less, never pays a person twice for a programme and month (and the database refuses it), and its
totals are its lines' to the fen. The lines are exactly what the explanation of each person's
month says (the one definition of the rules), with back pay from the month of application for
late approvals; generating again changes nothing; a death recorded later opens one recovery
item per line paid for a month after it."""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from canlian.benefits import eligibility
from canlian.benefits.eligibility import Month
from canlian.benefits.models import Enrolment
from canlian.conftest import person_data
from canlian.lib import idcard
from canlian.payroll import rolls
from canlian.payroll.models import Line, LineKind, Recovery, Roll, Stop
from canlian.payroll.tests.test_rolls import (
    MENG,
    TODAY,
    WEN,
    enrol,
    record_life_status,
    snapshot_lines,
)
from canlian.people import services as people
from canlian.people.models import LifeStatus, Person, StatusKind

pytestmark = pytest.mark.django_db

MONTHS = [Month(2026, m) for m in (7, 8, 9, 10, 11)]
PARAMETERS = eligibility.load_parameters()
PLACES = {"410825001001": WEN, "410883001001": MENG}

dates = st.dates(min_value=datetime.date(2026, 5, 1), max_value=TODAY)


@dataclasses.dataclass
class Someone:
    place: str
    grade: int
    category: int
    issued: datetime.date
    dibao: tuple[datetime.date, datetime.date | None] | None
    registered_poor: bool
    tekun: tuple[datetime.date, datetime.date | None] | None
    died: datetime.date | None  # recorded before the rolls
    dies_later: datetime.date | None  # recorded after the rolls were approved
    enrolments: dict[str, tuple[Month, bool]]  # programme → (start month, back pay settled)


def period() -> st.SearchStrategy[tuple[datetime.date, datetime.date | None]]:
    return st.tuples(dates, st.none() | st.integers(0, 120)).map(
        lambda p: (p[0], None if p[1] is None else min(p[0] + datetime.timedelta(days=p[1]), TODAY))
    )


someone = st.builds(
    Someone,
    place=st.sampled_from(sorted(PLACES)),
    grade=st.integers(1, 4),
    category=st.integers(1, 7),
    issued=st.sampled_from([datetime.date(2019, 3, 1), datetime.date(2026, 9, 15)]),
    dibao=st.none() | period(),
    registered_poor=st.booleans(),
    tekun=st.none() | period(),
    died=st.none() | dates,
    dies_later=st.none() | dates,
    enrolments=st.dictionaries(
        st.sampled_from(["care", "living"]),
        st.tuples(st.sampled_from(MONTHS), st.booleans()),
        min_size=1,
    ),
)


def create(index: int, who: Someone, clerks: dict[str, Any]) -> Person:
    county = PLACES[who.place]
    clerk = clerks[county]
    overrides: dict[str, Any] = {}
    if who.died is not None:
        overrides = {"life_status": LifeStatus.DECEASED, "life_status_date": who.died}
    person = people.create_person(
        data=person_data(
            id_number=idcard.build(
                region_code=county, birth_date=datetime.date(1970, 5, 17), sequence=index + 1
            ),
            place_code=who.place,
            grade=who.grade,
            category=who.category,
            certificate_issued_on=who.issued,
            guardian_name="王监护",
            **overrides,
        ),
        acting_user=clerk,
    )
    periods = [(StatusKind.DIBAO, who.dibao), (StatusKind.TEKUN, who.tekun)]
    if who.registered_poor:
        periods.append((StatusKind.REGISTERED_POOR, (datetime.date(2020, 1, 1), None)))
    for kind, span in periods:
        if span is not None:
            people.add_status_period(
                person=person, kind=kind, start=span[0], end=span[1], acting_user=clerk
            )
    for programme, (start, settled) in who.enrolments.items():
        enrolment = enrol(person, clerk, programme=programme, start=start.first)
        if not settled:  # approved late: owed back pay from the month of application
            Enrolment.objects.filter(pk=enrolment.pk).update(back_pay_settled=False)
    return person


def generate(month: Month, user: Any) -> None:
    for county in (WEN, MENG):
        rolls.generate(month=month, acting_user=user, county=county, today=TODAY)


def expected_lines(
    person: Person, who: Someone, order: list[Month]
) -> dict[tuple[str, datetime.date], Decimal]:
    """(programme, month) → amount, from the explanation of each month (the rules' one
    definition): the generated months from the start, and for a late approval every month
    from the start to the first roll that includes it."""
    expected: dict[tuple[str, datetime.date], Decimal] = {}
    for programme, (start, settled) in who.enrolments.items():
        generated = [m for m in order if m >= start]
        if not generated:
            continue
        months = set(generated)
        if not settled:
            months |= {m for m in MONTHS if start <= m < generated[0]}
        for month in months:
            explained = eligibility.explain(person, month, parameters=PARAMETERS)
            result = explained.programmes[programme]
            if result.eligible and result.amount > 0:
                expected[programme, month.first] = result.amount
    return expected


def check_rolls() -> None:
    for roll in Roll.objects.annotate(n=Count("lines"), fen=Sum("lines__amount")):
        assert roll.line_count == roll.n, roll
        assert roll.total == (roll.fen or Decimal("0.00")), roll
        assert roll.stopped_count == Stop.objects.filter(roll=roll).count()
    regular = Line.objects.exclude(kind=LineKind.ADJUSTMENT)
    keys = list(regular.values_list("person_id", "programme", "month"))
    assert len(keys) == len(set(keys)), "two payments for one person, programme and month"
    assert not Line.objects.filter(amount__lte=0).exists()
    for person_id, month, died in regular.filter(
        person__life_status=LifeStatus.DECEASED
    ).values_list("person_id", "month", "person__life_status_date"):
        assert month <= died.replace(day=1), (person_id, month, died)


def refuses_a_second_payment() -> None:
    line = Line.objects.exclude(kind=LineKind.ADJUSTMENT).order_by("id").first()
    if line is None:
        return
    with pytest.raises(IntegrityError), transaction.atomic():
        Line.objects.create(
            roll_id=line.roll_id,
            person_id=line.person_id,
            programme=line.programme,
            month=line.month,
            kind=LineKind.BACK_PAY,
            amount=line.amount,
            account_id=line.account_id,
        )


@settings(
    max_examples=18,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    registry=st.lists(someone, min_size=1, max_size=4),
    order=st.lists(st.sampled_from(MONTHS[2:]), min_size=1, max_size=3, unique=True),
)
def test_rolls_pay_what_the_rules_explain_once_and_never_after_death(
    places: Any,
    county_clerk: Any,
    other_county_clerk: Any,
    finance: Any,
    finance_reviewer: Any,
    registry: list[Someone],
    order: list[Month],
) -> None:
    clerks = {WEN: county_clerk, MENG: other_county_clerk}
    with transaction.atomic():  # each example rolled back to the fixtures' state
        persons = [create(i, who, clerks) for i, who in enumerate(registry)]
        for month in order:
            generate(month, finance)

        check_rolls()
        refuses_a_second_payment()
        for person, who in zip(persons, registry, strict=True):
            found = {
                (programme, month): amount
                for programme, month, amount in Line.objects.filter(person=person).values_list(
                    "programme", "month", "amount"
                )
            }
            assert found == expected_lines(person, who, order), (who, order)

        # Generating again changes nothing.
        before = snapshot_lines(), Stop.objects.count(), Roll.objects.count()
        for month in order:
            generate(month, finance)
        assert (snapshot_lines(), Stop.objects.count(), Roll.objects.count()) == before

        # A death recorded after the rolls were approved: one recovery per line paid for a
        # month after it, opened once.
        for roll in Roll.objects.filter(county__in=[WEN, MENG]):
            rolls.approve(roll_id=roll.pk, acting_user=finance_reviewer)
        owed: set[int] = set()
        for person, who in zip(persons, registry, strict=True):
            if who.died is None and who.dies_later is not None:
                record_life_status(
                    person, LifeStatus.DECEASED, who.dies_later, clerks[PLACES[who.place]]
                )
                after = who.dies_later.replace(day=1)
                owed |= set(
                    Line.objects.filter(person=person, month__gt=after).values_list("pk", flat=True)
                )
        opened = rolls.find_recoveries(county_list=[WEN, MENG], acting_user=finance)
        assert opened == len(owed)
        assert set(Recovery.objects.values_list("line_id", flat=True)) == owed
        assert rolls.find_recoveries(county_list=[WEN, MENG], acting_user=finance) == 0

        transaction.set_rollback(True)
