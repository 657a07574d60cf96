"""Monthly payment rolls: one draft roll per county and programme, the amounts of the rules,
back pay, stops, recoveries, four-eyes approval, discarding, adjustments, and the database
keeping lines and approved rolls immutable."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Sum
from django.utils import translation

from canlian.accounts import services as accounts
from canlian.accounts.operator import CommandLineOperator
from canlian.accounts.roles import Perm, Role
from canlian.audit.models import Entry
from canlian.benefits import services
from canlian.benefits.eligibility import Month
from canlian.benefits.models import Enrolment, Programme, SubsidyApplication
from canlian.conftest import opened, person_data
from canlian.lib import idcard
from canlian.payroll import rolls
from canlian.payroll.models import (
    Line,
    LineKind,
    Recovery,
    RecoveryStatus,
    Roll,
    RollStatus,
    RuleSet,
    Stop,
    reference_filter,
)
from canlian.people import services as people
from canlian.people.models import LifeStatus, Person, StatusKind
from canlian.places.loading import load_places
from canlian.places.models import Place

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 20)
AUG, SEP, OCT, NOV = (Month(2026, m) for m in (8, 9, 10, 11))
WEN, MENG, QIN = "410825", "410883", "410882"
ACCOUNT = "6222021234567890123"
OTHER_ACCOUNT = "6217000099998888777"
CARE, LIVING = Programme.CARE.value, Programme.LIVING.value
JANUARY = datetime.date(2026, 1, 1)
CARE_MONTHS = 12  # a long-term care need, recorded on every care enrolment
APPLIED_ON, APPROVED_ON = datetime.date(2026, 8, 10), datetime.date(2026, 11, 5)


# --- Helpers (also used by the bank-file, command and property tests) ------------------------


def d(month: int, day: int = 1, year: int = 2026) -> datetime.date:
    return datetime.date(year, month, day)


def make_user(username: str, role: str, code: str) -> Any:
    return accounts.create_account(
        username=username,
        password="not-a-real-password",
        role=role,
        place=Place.objects.get(code=code),
        acting_user=None,
        check_password=False,
    )


def enrol(
    person: Any,
    user: Any,
    programme: str = CARE,
    start: datetime.date = JANUARY,
    account: str = ACCOUNT,
) -> Enrolment:
    """An enrolment carried over from before the system (settled: no back pay)."""
    return services.enrol_existing(
        person_id=person.pk,
        programme=programme,
        start_month=start,
        approved_on=start - datetime.timedelta(days=10),
        bank_name="中国农业银行",
        account=account,
        long_term_care_months=CARE_MONTHS if programme == CARE else None,
        acting_user=user,
    )


def enrol_by_application(
    person: Any,
    *,
    window: Any,
    township: Any,
    county: Any,
    civil: Any,
    programme: str = CARE,
    applied_on: datetime.date = APPLIED_ON,
    approved_on: datetime.date = APPROVED_ON,
) -> Enrolment:
    """An application through its four steps: paid from the month of application."""
    application = services.apply(
        person_id=person.pk,
        programme=programme,
        applied_on=applied_on,
        channel="in_person",
        bank_name="中国农业银行",
        account=ACCOUNT,
        long_term_care_months=CARE_MONTHS if programme == CARE else None,
        acting_user=window,
        today=TODAY,
    )
    for user in (township, county, civil):
        services.decide(
            application_id=application.pk,
            passed=True,
            reason="",
            acted_on=approved_on,
            acting_user=user,
            today=TODAY,
        )
    return SubsidyApplication.objects.get(pk=application.pk).enrolment


def add_status(person: Any, kind: str, start: datetime.date, end: Any, clerk: Any) -> None:
    people.add_status_period(person=person, kind=kind, start=start, end=end, acting_user=clerk)


def record_life_status(person: Person, status: str, day: datetime.date, clerk: Any) -> None:
    """Record a death, a moving out or a cancellation through the registry's service."""
    people.update_person(
        person=person,
        data=people.PersonData(
            id_number=opened(person),
            name=person.name,
            ethnicity=person.ethnicity,
            place_code=person.place_id,
            category=person.category,
            grade=person.grade,
            certificate_issued_on=person.certificate_issued_on,
            certificate_expires_on=person.certificate_expires_on,
            phone=opened(person, "phone"),
            guardian_name=person.guardian_name,
            life_status=status,
            life_status_date=day,
        ),
        acting_user=clerk,
    )


def generate(user: Any, month: Month = NOV, **kw: Any) -> rolls.Generated:
    return rolls.generate(month=month, acting_user=user, today=TODAY, **kw)


def roll_of(county: str, programme: str = CARE, month: Month = NOV) -> Roll:
    return Roll.objects.get(county=county, programme=programme, month=month.first)


def lines_of(person: Any, programme: str = CARE) -> list[tuple[datetime.date, str, Decimal]]:
    return list(
        Line.objects.filter(person=person, programme=programme)
        .order_by("month", "id")
        .values_list("month", "kind", "amount")
    )


def snapshot_lines() -> list[tuple[Any, ...]]:
    return sorted(
        Line.objects.values_list(
            "roll__county", "roll__programme", "roll__month", "person_id", "month", "kind",
            "amount", "account_id",
        )
    )  # fmt: skip


def approve_all(user: Any, month: Month = NOV) -> None:
    for roll in Roll.objects.filter(month=month.first, status=RollStatus.DRAFT):
        rolls.approve(roll_id=roll.pk, acting_user=user)


def qinyang_clerk() -> Any:
    load_places(
        text="code,name,parent_code\n"
        "410882001000,测试四镇,410882000000\n410882001001,测试四村,410882001000\n",
        invented=True,
    )
    return make_user("clerk-qin", Role.COUNTY_CLERK, "410882000000")


def refused_by_database(action: Any) -> str:
    """Run ``action``; return the database's refusal (it must refuse)."""
    with pytest.raises(DatabaseError) as raised, transaction.atomic():
        action()
    return str(raised.value)


# --- Fixtures --------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def care_wen(make_person: Any, county_clerk: Any) -> Person:
    """温县, grade 2, receiving the care subsidy since January."""
    person = make_person(grade=2, name="张护理")
    enrol(person, county_clerk)
    return person


@pytest.fixture
def generated(care_wen: Any, finance: Any) -> rolls.Generated:
    return generate(finance)


# --- Generation ------------------------------------------------------------------------------


def test_a_month_gets_one_draft_roll_per_county_and_programme(
    generated: rolls.Generated, finance: Any
) -> None:
    counties = rolls.counties()
    assert len(counties) == 10 and all(c.startswith("4108") for c in counties)
    found = list(Roll.objects.filter(month=NOV.first).values_list("county", "programme"))
    assert sorted(found) == sorted((c, p) for c in counties for p in Programme.values)
    assert generated.created == 20 and len(generated.rolls) == 20
    for roll in Roll.objects.all():
        assert roll.status == RollStatus.DRAFT
        assert (roll.prepared_by_id, roll.prepared_by_name) == (finance.pk, "finance")
        assert roll.approved_by is None
    assert Entry.objects.filter(action="payroll.generate").count() == 20


def test_a_line_pays_the_amount_of_the_persons_place_and_grade(
    make_person: Any, county_clerk: Any, other_county_clerk: Any, finance: Any
) -> None:
    wen_care = make_person(grade=2)
    wen_living = make_person(grade=4)
    meng_poor = make_person(grade=1, place_code="410883001001")
    meng = make_person(grade=1, place_code="410883001001")
    add_status(wen_living, StatusKind.DIBAO, d(3, 1), None, county_clerk)
    add_status(meng_poor, StatusKind.REGISTERED_POOR, d(1, 1, 2020), None, other_county_clerk)
    enrol(wen_care, county_clerk)
    enrol(wen_living, county_clerk, programme=LIVING)
    enrol(meng_poor, other_county_clerk)
    enrol(meng, other_county_clerk)
    generate(finance)
    assert lines_of(wen_care) == [(d(11), "regular", Decimal("60.00"))]  # 焦作市's care amount
    assert lines_of(wen_living, LIVING) == [(d(11), "regular", Decimal("50.00"))]
    assert lines_of(meng_poor) == [(d(11), "regular", Decimal("100.00"))]  # 孟州 registered poor
    assert lines_of(meng) == [(d(11), "regular", Decimal("60.00"))]
    mengzhou = roll_of(MENG)
    assert (mengzhou.line_count, mengzhou.total) == (2, Decimal("160.00"))
    assert (roll_of(WEN).line_count, roll_of(WEN).total) == (1, Decimal("60.00"))
    assert (roll_of(WEN, LIVING).line_count, roll_of(WEN, LIVING).total) == (1, Decimal("50.00"))
    assert roll_of(QIN).line_count == 0 and roll_of(QIN).total == 0


def test_a_line_refers_to_its_rules_account_and_a_reference_made_of_programme_month_person(
    generated: rolls.Generated, care_wen: Person
) -> None:
    line = Line.objects.get(person=care_wen)
    enrolment = Enrolment.objects.get(person=care_wen)
    assert line.reference == f"C202611{care_wen.pk:010d}"
    assert line.roll == roll_of(WEN)
    assert line.account_id == enrolment.account_id
    assert line.rule_set is not None
    rule_set = RuleSet.objects.get(pk=line.rule_set_id)
    assert (rule_set.region, rule_set.month) == (WEN, d(11))
    assert rule_set.values["benefits.care.amount.grade_2"]["value"] == "60.00"


def test_a_person_the_rules_refuse_gets_a_stop_with_the_failed_conditions(
    make_person: Any, county_clerk: Any, finance: Any
) -> None:
    no_dibao = make_person(grade=2)
    grade_3 = make_person(grade=3)
    enrol(no_dibao, county_clerk, programme=LIVING)
    enrol(grade_3, county_clerk)
    generate(finance)
    assert not Line.objects.exists()
    living, care = roll_of(WEN, LIVING), roll_of(WEN)
    assert Stop.objects.get(roll=living, person=no_dibao).conditions == ["low_income"]
    assert Stop.objects.get(roll=care, person=grade_3).conditions == ["severe"]
    assert (living.stopped_count, living.line_count, living.total) == (1, 0, Decimal("0.00"))
    assert care.stopped_count == 1


def test_qinyang_pays_both_subsidies_to_registered_poor_persons_of_any_grade(
    make_person: Any, county_clerk: Any, finance: Any
) -> None:
    clerk = qinyang_clerk()
    poor = people.create_person(
        data=person_data(
            id_number=idcard.build(region_code=QIN, birth_date=d(5, 17, 1970), sequence=5),
            place_code="410882001001",
            grade=3,
        ),
        acting_user=clerk,
    )
    wen_poor = make_person(grade=3)
    for person, user in ((poor, clerk), (wen_poor, county_clerk)):
        add_status(person, StatusKind.REGISTERED_POOR, d(1, 1, 2020), None, user)
        enrol(person, user)
        enrol(person, user, programme=LIVING)
    generate(finance)
    assert lines_of(poor) == [(d(11), "regular", Decimal("60.00"))]
    assert lines_of(poor, LIVING) == [(d(11), "regular", Decimal("50.00"))]
    # 温县 has no such extension: grade 3 without dibao receives neither.
    assert lines_of(wen_poor) == [] and lines_of(wen_poor, LIVING) == []
    assert Stop.objects.get(person=wen_poor, roll__programme=CARE).conditions == ["severe"]
    assert Stop.objects.get(person=wen_poor, roll__programme=LIVING).conditions == ["low_income"]


def test_generating_a_month_again_changes_nothing_and_reports_the_same(
    generated: rolls.Generated, finance: Any, make_person: Any, county_clerk: Any
) -> None:
    first = generated.summary()
    lines, stops = snapshot_lines(), Stop.objects.count()
    audited = Entry.objects.filter(action="payroll.generate").count()
    # Even someone enrolled since then is not added to the existing rolls.
    enrol(make_person(grade=1), county_clerk)
    again = generate(finance).summary()
    assert again["created"] == 0
    assert {**again, "created": first["created"]} == first
    assert first["lines"] == 1 and first["total"] == "60.00"
    assert snapshot_lines() == lines
    assert Stop.objects.count() == stops
    assert Roll.objects.count() == 20
    assert Entry.objects.filter(action="payroll.generate").count() == audited


def test_the_summary_counts_rolls_lines_stops_and_totals_per_programme(
    make_person: Any, county_clerk: Any, finance: Any
) -> None:
    enrol(make_person(grade=1), county_clerk)
    enrol(make_person(grade=2), county_clerk)
    enrol(make_person(grade=2), county_clerk, programme=LIVING)  # no dibao: stopped
    summary = generate(finance).summary()
    assert summary["month"] == "2026-11"
    assert (summary["rolls"], summary["lines"], summary["total"]) == (20, 2, "120.00")
    assert summary["programmes"]["care"] == {
        "rolls": 10, "lines": 2, "stopped": 0, "total": "120.00",
    }  # fmt: skip
    assert summary["programmes"]["living"] == {
        "rolls": 10, "lines": 0, "stopped": 1, "total": "0.00",
    }  # fmt: skip


# --- Back pay --------------------------------------------------------------------------------


@pytest.fixture
def late_approval(
    make_person: Any,
    township_officer: Any,
    county_clerk: Any,
    civil_affairs: Any,
) -> Person:
    """Applied on 2026-08-10, approved on 2026-11-05: paid from August."""
    person = make_person(grade=1, name="李补发")
    enrol_by_application(
        person,
        window=township_officer,
        township=township_officer,
        county=county_clerk,
        civil=civil_affairs,
    )
    return person


def test_a_late_approval_is_paid_back_from_the_month_of_application(
    late_approval: Person, finance: Any
) -> None:
    generated = generate(finance)
    assert lines_of(late_approval) == [
        (d(8), "back_pay", Decimal("60.00")),
        (d(9), "back_pay", Decimal("60.00")),
        (d(10), "back_pay", Decimal("60.00")),
        (d(11), "regular", Decimal("60.00")),
    ]
    assert generated.back_pay_lines == 3
    lines = Line.objects.filter(person=late_approval)
    assert {line.roll_id for line in lines} == {roll_of(WEN).pk}  # all in November's roll
    references = [line.reference for line in lines]
    assert len(set(references)) == 4
    assert f"C202608{late_approval.pk:010d}" in references
    # Each back-pay line keeps the rules of the month it pays for.
    months = {line.month: RuleSet.objects.get(pk=line.rule_set_id).month for line in lines}
    assert all(paid == rules_month for paid, rules_month in months.items())
    assert (roll_of(WEN).line_count, roll_of(WEN).total) == (4, Decimal("240.00"))
    assert Enrolment.objects.get(person=late_approval).back_pay_settled is True


def test_back_pay_is_paid_once_whatever_roll_is_generated_next(
    late_approval: Person, finance: Any
) -> None:
    generate(finance)
    # October's roll, made after November's, does not pay October a second time.
    generate(finance, OCT)
    assert roll_of(WEN, month=OCT).line_count == 0
    assert len(lines_of(late_approval)) == 4
    # Nor does December's first roll... a month later, regular pay only.
    assert generate(finance, NOV).back_pay_lines == 0


def test_back_pay_in_an_earlier_roll_settles_the_enrolment(
    late_approval: Person, finance: Any
) -> None:
    generate(finance, OCT)
    assert [(m, k) for m, k, _a in lines_of(late_approval)] == [
        (d(8), "back_pay"),
        (d(9), "back_pay"),
        (d(10), "regular"),
    ]
    generated = generate(finance, NOV)
    assert generated.back_pay_lines == 0
    kinds = [kind for _m, kind, _a in lines_of(late_approval)]
    assert kinds == ["back_pay", "back_pay", "regular", "regular"]


def test_back_pay_covers_only_the_months_the_rules_find_eligible(
    make_person: Any,
    township_officer: Any,
    county_clerk: Any,
    civil_affairs: Any,
    finance: Any,
) -> None:
    person = make_person(grade=2)
    add_status(person, StatusKind.DIBAO, d(9, 10), d(9, 25), county_clerk)  # September only
    enrol_by_application(
        person,
        window=township_officer,
        township=township_officer,
        county=county_clerk,
        civil=civil_affairs,
        programme=LIVING,
    )
    generated = generate(finance)
    assert lines_of(person, LIVING) == [(d(9), "back_pay", Decimal("50.00"))]
    assert generated.back_pay_lines == 1
    assert Stop.objects.get(person=person).conditions == ["low_income"]


def test_an_enrolment_carried_over_gets_no_back_pay(
    make_person: Any, county_clerk: Any, finance: Any
) -> None:
    person = make_person(grade=1)
    enrol(person, county_clerk, start=d(3))
    generated = generate(finance)
    assert lines_of(person) == [(d(11), "regular", Decimal("60.00"))]
    assert generated.back_pay_lines == 0


def test_an_enrolment_starting_after_the_month_is_not_in_its_roll(
    make_person: Any, county_clerk: Any, finance: Any
) -> None:
    person = make_person(grade=1)
    enrol(person, county_clerk, start=d(11))
    generate(finance, OCT)
    assert lines_of(person) == [] and not Stop.objects.exists()


def test_back_pay_is_paid_even_when_the_enrolment_ended_before_the_first_roll(
    late_approval: Person, county_clerk: Any, finance: Any
) -> None:
    # Guards against a fault once present: _read() selects `e.status = 'active' OR e.end_month
    # >= month`: an enrolment approved late (paid from August, approved on 11-05) and ended
    # with last month October (the person died on 10-10) before November's roll is never read
    # again, so its back pay for August–October, owed, is silently never paid (and
    # back_pay_settled stays False for ever). Fix: also read enrolments not yet settled whose
    # start month is before the roll's month (`OR NOT e.back_pay_settled`), pay their back pay
    # up to min(end_month, the month before), and make no regular line or stop for a month
    # after their end_month.
    record_life_status(late_approval, LifeStatus.DECEASED, d(10, 10), county_clerk)
    enrolment = Enrolment.objects.get(person=late_approval)
    services.end_enrolment(
        enrolment_id=enrolment.pk, last_month=d(10), reason="死亡", acting_user=county_clerk
    )
    generate(finance)
    assert [(m, k) for m, k, _a in lines_of(late_approval)] == [
        (d(8), "back_pay"),
        (d(9), "back_pay"),
        (d(10), "back_pay"),
    ]


def test_discarding_a_roll_keeps_the_back_pay_of_an_enrolment_ended_meanwhile(
    late_approval: Person, county_clerk: Any, finance: Any
) -> None:
    # Guards against a fault once present: discard() unsettles the back pay of the roll's lines
    # only for enrolments still active (`status=EnrolmentStatus.ACTIVE`). An enrolment ended
    # after the roll was generated (here with last month November, so it is still in
    # November's roll) keeps back_pay_settled=True, and the regenerated roll drops its back
    # pay for August–October. Fix: unsettle the enrolments that carried the discarded back
    # pay whatever their status (filter on the lines' person and programme, not on status).
    generate(finance)
    before = lines_of(late_approval)
    enrolment = Enrolment.objects.get(person=late_approval)
    services.end_enrolment(
        enrolment_id=enrolment.pk, last_month=d(11), reason="迁出", acting_user=county_clerk
    )
    rolls.discard(roll_id=roll_of(WEN).pk, acting_user=finance)
    generate(finance)
    assert len(before) == 4
    assert lines_of(late_approval) == before


# --- Deaths, endings, accounts ---------------------------------------------------------------


def test_the_month_of_death_is_paid_and_the_next_is_stopped(
    care_wen: Person, county_clerk: Any, finance: Any
) -> None:
    record_life_status(care_wen, LifeStatus.DECEASED, d(10, 15), county_clerk)
    generate(finance, OCT)
    generate(finance, NOV)
    assert lines_of(care_wen) == [(d(10), "regular", Decimal("60.00"))]
    stop = Stop.objects.get(person=care_wen)
    assert stop.roll == roll_of(WEN)
    assert "alive" in stop.conditions
    assert roll_of(WEN).stopped_count == 1


def test_a_person_who_died_before_a_late_approval_is_paid_back_only_while_alive(
    make_person: Any,
    township_officer: Any,
    county_clerk: Any,
    civil_affairs: Any,
    finance: Any,
) -> None:
    person = make_person(grade=1)
    enrol_by_application(
        person,
        window=township_officer,
        township=township_officer,
        county=county_clerk,
        civil=civil_affairs,
    )
    record_life_status(person, LifeStatus.DECEASED, d(9, 3), county_clerk)
    generate(finance)
    assert [(m, k) for m, k, _a in lines_of(person)] == [(d(8), "back_pay"), (d(9), "back_pay")]


def test_an_ended_enrolment_is_paid_to_its_last_month_only(
    care_wen: Person, county_clerk: Any, finance: Any
) -> None:
    enrolment = Enrolment.objects.get(person=care_wen)
    services.end_enrolment(
        enrolment_id=enrolment.pk, last_month=d(10), reason="本人申请", acting_user=county_clerk
    )
    generate(finance, OCT)
    generate(finance, NOV)
    assert lines_of(care_wen) == [(d(10), "regular", Decimal("60.00"))]
    assert not Stop.objects.filter(person=care_wen).exists()


def test_a_changed_account_is_paid_from_the_next_roll_and_earlier_lines_keep_theirs(
    care_wen: Person, county_clerk: Any, finance: Any
) -> None:
    enrolment = Enrolment.objects.get(person=care_wen)
    old_account = enrolment.account_id
    generate(finance, OCT)
    services.change_account(
        enrolment_id=enrolment.pk,
        bank_name="中国邮政储蓄银行",
        account=OTHER_ACCOUNT,
        acting_user=county_clerk,
    )
    generate(finance, NOV)
    accounts_by_month = dict(
        Line.objects.filter(person=care_wen).values_list("month", "account_id")
    )
    enrolment.refresh_from_db()
    assert accounts_by_month == {d(10): old_account, d(11): enrolment.account_id}
    assert enrolment.account_id != old_account


def test_a_person_ended_and_enrolled_again_in_one_month_is_paid_once(
    care_wen: Person,
    county_clerk: Any,
    township_officer: Any,
    civil_affairs: Any,
    finance: Any,
) -> None:
    # Regression: rolls._read() read both the enrolment ended with last month November and the
    # new one starting in November; _make() wrote two lines with one reference and the whole
    # month's generation failed (IntegrityError). The active enrolment alone must pay.
    enrolment = Enrolment.objects.get(person=care_wen)
    services.end_enrolment(
        enrolment_id=enrolment.pk, last_month=d(11), reason="更换账户", acting_user=county_clerk
    )
    enrol_by_application(
        care_wen,
        window=township_officer,
        township=township_officer,
        county=county_clerk,
        civil=civil_affairs,
        applied_on=d(11, 10),
        approved_on=d(11, 18),
    )
    generate(finance)
    assert lines_of(care_wen) == [(d(11), "regular", Decimal("60.00"))]


# --- Recoveries ------------------------------------------------------------------------------


@pytest.fixture
def paid_after_death(
    care_wen: Person, county_clerk: Any, finance: Any, finance_reviewer: Any
) -> Person:
    """Paid for October and November (approved rolls); the death on 2026-10-15 recorded
    afterwards."""
    for month in (OCT, NOV):
        generate(finance, month)
        approve_all(finance_reviewer, month)
    record_life_status(care_wen, LifeStatus.DECEASED, d(10, 15), county_clerk)
    return care_wen


def test_a_payment_for_a_month_after_a_death_recorded_later_is_opened_for_recovery_once(
    paid_after_death: Person, finance: Any
) -> None:
    generated = generate(finance)  # the next run (no new roll) finds it
    assert generated.recoveries == 1 and generated.created == 0
    recovery = Recovery.objects.get()
    assert recovery.line == Line.objects.get(person=paid_after_death, month=d(11))
    assert recovery.status == RecoveryStatus.OPEN
    assert "2026-11" in recovery.reason and "2026-10-15" in recovery.reason
    # October, the month of death, was due.
    assert not Recovery.objects.filter(line__month=d(10)).exists()
    assert rolls.find_recoveries(county_list=[WEN], acting_user=finance) == 0
    assert generate(finance).recoveries == 0
    assert Recovery.objects.count() == 1
    entry = Entry.objects.get(action="payroll.recovery_opened")
    assert entry.detail["line"] == recovery.line_id and entry.region == WEN


def test_find_recoveries_opens_the_items_itself(paid_after_death: Person, finance: Any) -> None:
    assert rolls.find_recoveries(county_list=rolls.counties(), acting_user=finance) == 1
    assert rolls.find_recoveries(county_list=rolls.counties(), acting_user=finance) == 0
    assert Recovery.objects.get().line.person == paid_after_death


@pytest.mark.parametrize("chunk", [1, 2])
def test_find_recoveries_reads_persons_in_chunks_by_the_date_of_their_event(
    chunk: int,
    make_person: Any,
    county_clerk: Any,
    finance: Any,
    finance_reviewer: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Three persons paid for September to November; one died on 2026-09-20, one moved out on
    # 2026-10-03, one is alive. Read one or two persons at a time, a chunk's lower bound on the
    # month is its earliest date: the lines after each person's date, and no other, are opened.
    died, moved, alive = (make_person(grade=2, name=n) for n in ("甲", "乙", "丙"))
    for person in (died, moved, alive):
        enrol(person, county_clerk)
    for month in (Month(2026, 9), OCT, NOV):
        generate(finance, month)
        approve_all(finance_reviewer, month)
    record_life_status(moved, LifeStatus.MOVED_OUT, d(10, 3), county_clerk)
    record_life_status(died, LifeStatus.DECEASED, d(9, 20), county_clerk)
    monkeypatch.setattr(rolls.recoveries, "RECOVERY_CHUNK", chunk)
    assert rolls.find_recoveries(county_list=rolls.counties(), acting_user=finance) == 3
    opened = sorted(
        (r.line.person_id, r.line.month) for r in Recovery.objects.select_related("line")
    )
    assert opened == sorted([(died.pk, d(10)), (died.pk, d(11)), (moved.pk, d(11))])
    assert rolls.find_recoveries(county_list=rolls.counties(), acting_user=finance) == 0


def test_find_recoveries_looks_only_at_the_counties_given(
    paid_after_death: Person, finance: Any
) -> None:
    assert rolls.find_recoveries(county_list=[MENG], acting_user=finance) == 0
    assert not Recovery.objects.exists()


def test_find_recoveries_with_no_county_opens_nothing(
    paid_after_death: Person, finance: Any
) -> None:
    # Guards against a fault once present: find_recoveries() starts from `Q()` and ORs
    # one Q per county, so an empty county list filters nothing and opens recovery items in
    # every county of the installation. counties_for() returns [] for a user without a
    # jurisdiction, and generate() then calls find_recoveries() with it. Fix: return 0 at once
    # when the list is empty (or filter with roll__county__in=county_list).
    assert rolls.find_recoveries(county_list=[], acting_user=finance) == 0
    assert not Recovery.objects.exists()


def test_moving_out_opens_a_recovery_with_its_own_reason(
    care_wen: Person, county_clerk: Any, finance: Any, finance_reviewer: Any
) -> None:
    generate(finance, OCT)
    approve_all(finance_reviewer, OCT)
    record_life_status(care_wen, LifeStatus.MOVED_OUT, d(9, 30), county_clerk)
    assert rolls.find_recoveries(county_list=[WEN], acting_user=finance) == 1
    assert "moving out" in Recovery.objects.get().reason


def test_lines_of_a_draft_roll_are_not_recovered_but_discarded(
    care_wen: Person, county_clerk: Any, finance: Any
) -> None:
    generate(finance)
    record_life_status(care_wen, LifeStatus.DECEASED, d(10, 15), county_clerk)
    assert rolls.find_recoveries(county_list=[WEN], acting_user=finance) == 0


def test_a_recovery_is_closed_only_with_a_note(
    paid_after_death: Person, finance: Any, county_clerk: Any
) -> None:
    generate(finance)
    recovery = Recovery.objects.get()
    with pytest.raises(ValidationError) as raised:
        rolls.resolve_recovery(
            recovery_id=recovery.pk, status=RecoveryStatus.RECOVERED, note="  ", acting_user=finance
        )
    assert "note" in raised.value.message_dict
    with pytest.raises(ValidationError) as raised:
        rolls.resolve_recovery(
            recovery_id=recovery.pk, status=RecoveryStatus.OPEN, note="x", acting_user=finance
        )
    assert "status" in raised.value.message_dict
    with pytest.raises(PermissionDenied):
        rolls.resolve_recovery(
            recovery_id=recovery.pk, status="waived", note="x", acting_user=county_clerk
        )
    recovery.refresh_from_db()
    assert recovery.status == RecoveryStatus.OPEN
    rolls.resolve_recovery(
        recovery_id=recovery.pk,
        status=RecoveryStatus.RECOVERED,
        note=" 家属已退回 60 元 ",
        acting_user=finance,
    )
    recovery.refresh_from_db()
    assert (recovery.status, recovery.note, recovery.resolved_by) == (
        RecoveryStatus.RECOVERED,
        "家属已退回 60 元",
        finance,
    )
    assert recovery.resolved_at is not None
    with pytest.raises(ValidationError):
        rolls.resolve_recovery(
            recovery_id=recovery.pk, status="waived", note="again", acting_user=finance
        )


# --- Four eyes and immutability --------------------------------------------------------------


def test_the_preparer_may_not_approve_the_roll_another_finance_officer_may(
    generated: rolls.Generated, finance: Any, finance_reviewer: Any
) -> None:
    roll = roll_of(WEN)
    with pytest.raises(ValidationError):
        rolls.approve(roll_id=roll.pk, acting_user=finance)
    roll.refresh_from_db()
    assert roll.status == RollStatus.DRAFT
    rolls.approve(roll_id=roll.pk, acting_user=finance_reviewer)
    roll.refresh_from_db()
    assert (roll.status, roll.approved_by) == (RollStatus.APPROVED, finance_reviewer)
    assert roll.approved_at is not None
    with pytest.raises(ValidationError):
        rolls.approve(roll_id=roll.pk, acting_user=finance_reviewer)
    entry = Entry.objects.get(action="payroll.approve")
    assert entry.detail == {"lines": 1, "total": "60.00"}


def test_only_a_named_payroll_approver_of_the_county_approves(
    generated: rolls.Generated, county_clerk: Any, city_staff: Any
) -> None:
    roll = roll_of(WEN)
    for user in (county_clerk, city_staff):
        with pytest.raises(PermissionDenied):
            rolls.approve(roll_id=roll.pk, acting_user=user)
    operator = CommandLineOperator(perms=frozenset(Perm.values))
    with pytest.raises(ValidationError):
        rolls.approve(roll_id=roll.pk, acting_user=operator)
    mengzhou_finance = make_user("finance-meng", Role.FINANCE, "410883000000")
    with pytest.raises(PermissionDenied):
        rolls.approve(roll_id=roll.pk, acting_user=mengzhou_finance)
    roll.refresh_from_db()
    assert roll.status == RollStatus.DRAFT


def test_whoever_adds_an_adjustment_may_not_approve_the_roll(
    generated: rolls.Generated, care_wen: Person, finance_reviewer: Any
) -> None:
    # Guards against a fault once present: approve() compares the approver only with the account
    # that generated the roll. Any other finance officer may add an adjustment line (up to
    # 99,999,999.99 yuan, for any enrolled person) with add_adjustment() and then approve the
    # roll, so the adjustment is never seen by a second person: four eyes defeated. Fix:
    # record who adds each adjustment (a column on Line, or read the payroll.adjust audit
    # entries of the roll) and refuse approval by the preparer or by anyone who adjusted it.
    roll = roll_of(WEN)
    rolls.add_adjustment(
        roll_id=roll.pk,
        person_id=care_wen.pk,
        month=OCT,
        amount=Decimal("5000.00"),
        reason="补发",
        acting_user=finance_reviewer,
    )
    with pytest.raises(ValidationError):
        rolls.approve(roll_id=roll.pk, acting_user=finance_reviewer)
    roll.refresh_from_db()
    assert roll.status == RollStatus.DRAFT


@pytest.fixture
def approved(generated: rolls.Generated, finance_reviewer: Any) -> Roll:
    roll = roll_of(WEN)
    rolls.approve(roll_id=roll.pk, acting_user=finance_reviewer)
    roll.refresh_from_db()
    return roll


def test_an_approved_roll_cannot_be_discarded_or_adjusted(
    approved: Roll, finance: Any, care_wen: Person
) -> None:
    with pytest.raises(ValidationError):
        rolls.discard(roll_id=approved.pk, acting_user=finance)
    with pytest.raises(ValidationError) as raised:
        rolls.add_adjustment(
            roll_id=approved.pk,
            person_id=care_wen.pk,
            month=OCT,
            amount=Decimal("10.00"),
            reason="补差",
            acting_user=finance,
        )
    assert set(raised.value.message_dict) == {"roll"}
    approved.refresh_from_db()
    assert (approved.line_count, approved.total) == (1, Decimal("60.00"))
    assert Line.objects.filter(roll=approved).count() == 1


def test_the_database_refuses_to_change_or_delete_an_approved_roll_or_its_lines(
    approved: Roll,
) -> None:
    line = Line.objects.get(roll=approved)
    messages = [
        refused_by_database(
            lambda: Line.objects.filter(pk=line.pk).update(amount=Decimal("6000.00"))
        ),
        refused_by_database(lambda: Line.objects.filter(pk=line.pk).delete()),
        refused_by_database(lambda: Roll.objects.filter(pk=approved.pk).update(total=0)),
        refused_by_database(lambda: Roll.objects.filter(pk=approved.pk).update(status="draft")),
        refused_by_database(lambda: Roll.objects.filter(pk=approved.pk).delete()),
    ]
    assert all("immutable" in message for message in messages), messages
    line.refresh_from_db()
    approved.refresh_from_db()
    assert (line.amount, approved.status, approved.total) == (
        Decimal("60.00"),
        RollStatus.APPROVED,
        Decimal("60.00"),
    )


def test_the_database_refuses_a_new_line_in_an_approved_roll(
    approved: Roll, care_wen: Person
) -> None:
    # Guards against a fault once present: guards UPDATE and DELETE only:
    # nothing stops an INSERT into benefits_line for an approved roll, so a line can still be
    # slipped into a roll after its approval (and into the bank file), behind the totals the
    # approver saw; only add_adjustment()'s own check stands in the way. Fix: a BEFORE INSERT
    # trigger on benefits_line (PostgreSQL: add INSERT to benefits_line_immutable and check
    # NEW.roll_id; SQLite: CREATE TRIGGER benefits_line_no_insert BEFORE INSERT ... WHEN
    # (SELECT status FROM benefits_roll WHERE id = NEW.roll_id) = 'approved').
    line = Line.objects.get(roll=approved)

    def slip_in() -> None:
        Line.objects.create(
            roll=approved,
            person=care_wen,
            programme=CARE,
            month=d(10),
            kind=LineKind.ADJUSTMENT,
            amount=Decimal("5000.00"),
            account_id=line.account_id,
            reason="x",
        )

    assert "immutable" in refused_by_database(slip_in)
    assert Line.objects.filter(roll=approved).count() == 1


def test_the_database_refuses_to_change_a_line_even_of_a_draft_roll(
    generated: rolls.Generated,
) -> None:
    line = Line.objects.get()
    message = refused_by_database(lambda: Line.objects.filter(pk=line.pk).update(reason="x"))
    assert "payment lines are immutable" in message
    line.amount = Decimal("1.00")
    assert "immutable" in refused_by_database(line.save)


def test_the_database_keeps_one_payment_a_month_and_positive_amounts(
    generated: rolls.Generated,
) -> None:
    line = Line.objects.get()

    def copy(**changes: Any) -> None:
        values = {
            "roll_id": line.roll_id, "person_id": line.person_id, "programme": line.programme,
            "month": line.month, "kind": LineKind.BACK_PAY, "amount": line.amount,
            "account_id": line.account_id,
        }  # fmt: skip
        values.update(changes)
        Line.objects.create(**values)

    with pytest.raises(IntegrityError), transaction.atomic():
        copy()  # the same person, programme and month: the same payment reference
    with pytest.raises(IntegrityError), transaction.atomic():
        copy(month=d(10), amount=Decimal("0.00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        copy(month=d(10), amount=Decimal("-60.00"))
    # An adjustment for the same month is allowed by the database.
    copy(kind=LineKind.ADJUSTMENT)
    assert Line.objects.count() == 2


def test_no_constraint_or_index_is_named_like_a_table() -> None:
    # Regression: Stop's UniqueConstraint was named "benefits_stop", its own table's name;
    # PostgreSQL keeps tables and indexes in one namespace, so migrating failed with
    # `relation "benefits_stop" already exists`. SQLite does not notice.
    from django.apps import apps

    tables = {model._meta.db_table for model in apps.get_models()}
    clashes = [
        (model.__name__, item.name)
        for model in apps.get_app_config("benefits").get_models()
        for item in [*model._meta.constraints, *model._meta.indexes]
        if item.name in tables
    ]
    assert clashes == []


# --- Discarding ------------------------------------------------------------------------------


def test_discarding_a_draft_deletes_it_and_generating_again_makes_the_same_lines(
    late_approval: Person, care_wen: Person, make_person: Any, county_clerk: Any, finance: Any
) -> None:
    enrol(make_person(grade=3), county_clerk)  # a stop
    generate(finance)
    before = snapshot_lines()
    roll = roll_of(WEN)
    rolls.discard(roll_id=roll.pk, acting_user=finance)
    assert not Roll.objects.filter(pk=roll.pk).exists()
    assert not Line.objects.filter(roll__county=WEN, roll__programme=CARE).exists()
    assert not Stop.objects.exists()
    # The back pay it carried is owed again.
    assert Enrolment.objects.get(person=late_approval).back_pay_settled is False
    entry = Entry.objects.get(action="payroll.discard")
    assert entry.detail == {"month": "2026-11", "lines": 5, "total": "300.00"}
    regenerated = generate(finance)
    assert regenerated.created == 1 and regenerated.back_pay_lines == 3
    assert snapshot_lines() == before
    assert roll_of(WEN).stopped_count == 1 and Stop.objects.count() == 1
    assert Enrolment.objects.get(person=late_approval).back_pay_settled is True


def test_discarding_is_refused_to_whoever_may_not_prepare_rolls(
    generated: rolls.Generated, county_clerk: Any, city_staff: Any
) -> None:
    roll = roll_of(WEN)
    for user in (county_clerk, city_staff):
        with pytest.raises(PermissionDenied):
            rolls.discard(roll_id=roll.pk, acting_user=user)
    assert Roll.objects.filter(pk=roll.pk).exists()


# --- Adjustments -----------------------------------------------------------------------------


def adjust(roll: Roll, person: Any, user: Any, **overrides: Any) -> Line:
    data: dict[str, Any] = {
        "roll_id": roll.pk,
        "person_id": person.pk,
        "month": OCT,
        "amount": Decimal("10.00"),
        "reason": "十月少发 10 元",
        "acting_user": user,
    }
    data.update(overrides)
    return rolls.add_adjustment(**data)


def test_an_adjustment_is_a_line_of_a_later_draft_roll_and_updates_its_totals(
    care_wen: Person, finance: Any, finance_reviewer: Any
) -> None:
    generate(finance, OCT)
    approve_all(finance_reviewer, OCT)
    generate(finance, NOV)
    roll = roll_of(WEN)
    first = adjust(roll, care_wen, finance, reason="  十月少发 10 元 ")
    second = adjust(roll, care_wen, finance, amount=Decimal("0.50"), month=NOV)
    assert (first.kind, first.month, first.amount, first.reason) == (
        LineKind.ADJUSTMENT,
        d(10),
        Decimal("10.00"),
        "十月少发 10 元",
    )
    assert first.account_id == Enrolment.objects.get(person=care_wen).account_id
    assert (first.reference, second.reference) == (f"A{first.pk:016d}", f"A{second.pk:016d}")
    for line in Line.objects.filter(roll=roll):  # every reference names its line and no other
        assert list(Line.objects.filter(reference_filter(line.reference))) == [line]
    roll.refresh_from_db()
    assert (roll.line_count, roll.total) == (3, Decimal("70.50"))
    assert roll.total == Line.objects.filter(roll=roll).aggregate(t=Sum("amount"))["t"]
    # The October roll, approved, is untouched.
    assert roll_of(WEN, month=OCT).total == Decimal("60.00")
    assert Entry.objects.filter(action="payroll.adjust").count() == 2


@pytest.mark.parametrize(
    "amount", [Decimal("0"), Decimal("-10.00"), Decimal("10.005"), Decimal("100000000")]
)
def test_an_adjustment_amount_must_be_positive_yuan_and_fen(
    generated: rolls.Generated, care_wen: Person, finance: Any, amount: Decimal
) -> None:
    with pytest.raises(ValidationError) as raised:
        adjust(roll_of(WEN), care_wen, finance, amount=amount)
    assert set(raised.value.message_dict) == {"amount"}
    assert Line.objects.count() == 1


def test_every_problem_of_an_adjustment_is_reported_at_once(
    generated: rolls.Generated, make_person: Any, finance: Any
) -> None:
    stranger = make_person(grade=1)  # not enrolled
    with pytest.raises(ValidationError) as raised:
        adjust(roll_of(WEN), stranger, finance, reason=" ", month=Month(2026, 12))
    assert set(raised.value.message_dict) == {"reason", "month", "person"}
    roll = roll_of(WEN)
    assert (roll.line_count, roll.total) == (1, Decimal("60.00"))


def test_an_adjustment_needs_an_enrolment_in_the_rolls_county_and_programme(
    generated: rolls.Generated, care_wen: Person, finance: Any
) -> None:
    with pytest.raises(ValidationError) as raised:
        adjust(roll_of(MENG), care_wen, finance)
    assert set(raised.value.message_dict) == {"person"}
    with pytest.raises(ValidationError) as raised:
        adjust(roll_of(WEN, LIVING), care_wen, finance)
    assert set(raised.value.message_dict) == {"person"}


def test_adjustments_are_refused_to_whoever_may_not_prepare_rolls(
    generated: rolls.Generated, care_wen: Person, county_clerk: Any
) -> None:
    with pytest.raises(PermissionDenied):
        adjust(roll_of(WEN), care_wen, county_clerk)


# --- Who may generate, and when --------------------------------------------------------------


def test_generation_is_refused_for_a_month_that_has_not_begun(care_wen: Any, finance: Any) -> None:
    with pytest.raises(ValidationError):
        generate(finance, Month(2026, 12))
    assert not Roll.objects.exists()


def test_generation_is_refused_to_a_county_clerk(care_wen: Any, county_clerk: Any) -> None:
    with pytest.raises(PermissionDenied):
        generate(county_clerk)
    with pytest.raises(PermissionDenied):
        generate(county_clerk, county=WEN)
    assert not Roll.objects.exists()


def test_a_county_finance_officer_generates_only_their_county(
    care_wen: Any, make_person: Any, other_county_clerk: Any
) -> None:
    enrol(make_person(grade=1, place_code="410883001001"), other_county_clerk)
    wen_finance = make_user("finance-wen", Role.FINANCE, "410825000000")
    generated = generate(wen_finance)
    assert sorted((r.county, r.programme) for r in generated.rolls) == [(WEN, CARE), (WEN, LIVING)]
    with pytest.raises(PermissionDenied):
        generate(wen_finance, county=MENG)
    assert not Roll.objects.filter(county=MENG).exists()


def test_generating_one_county_leaves_the_others_alone(
    care_wen: Any, make_person: Any, other_county_clerk: Any, finance: Any
) -> None:
    meng = make_person(grade=1, place_code="410883001001")
    enrol(meng, other_county_clerk)
    generated = generate(finance, county=MENG)
    assert generated.created == 2
    assert set(Roll.objects.values_list("county", flat=True)) == {MENG}
    assert lines_of(meng) == [(d(11), "regular", Decimal("60.00"))]
    assert generate(finance).created == 18
    assert lines_of(care_wen) == [(d(11), "regular", Decimal("60.00"))]


def test_an_unknown_county_is_refused(finance: Any) -> None:
    with pytest.raises(ValidationError):
        generate(finance, county="999999")
    assert not Roll.objects.exists()


def test_a_roll_made_from_the_command_line_names_its_operator(care_wen: Any) -> None:
    operator = CommandLineOperator(perms=frozenset({Perm.VIEW_SUBSIDY, Perm.PREPARE_PAYROLL}))
    generated = rolls.generate(month=NOV, acting_user=operator, today=TODAY)
    assert generated.created == 20
    roll = roll_of(WEN)
    assert (roll.prepared_by, roll.prepared_by_name) == (None, "command-line")
    assert roll.total == Decimal("60.00")


def test_a_payment_reference_names_its_line_and_nonsense_names_none(
    generated: rolls.Generated,
) -> None:
    line = Line.objects.get()
    assert line.reference == f"C202611{line.person_id:010d}"
    assert list(Line.objects.filter(reference_filter(f" {line.reference.lower()} "))) == [line]
    # Another month, another programme, another person, an adjustment's form: not this line.
    for other in (
        f"C202610{line.person_id:010d}",
        f"L202611{line.person_id:010d}",
        f"C202611{line.person_id + 1:010d}",
        f"A{line.pk:016d}",
    ):
        named = reference_filter(other)
        assert named is not None and not Line.objects.filter(named).exists(), other
    nonsense = ("", "C2026131234567890", "X2026110000000000", "C202611123", "A12", "L2026110x")
    for text in nonsense:
        assert reference_filter(text) is None, text
