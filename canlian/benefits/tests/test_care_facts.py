"""What the window records for the rules beyond the registry (work-injury care, long-term
care) and what a clerk records later on the enrolment: kept, copied on approval, used by the
rules, audited."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from canlian.audit.models import Entry
from canlian.benefits import eligibility, services
from canlian.benefits.eligibility import Month
from canlian.benefits.models import Enrolment, SubsidyApplication

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 20)
ACCOUNT = "6222021234567890123"


def d(month: int, day: int, year: int = 2026) -> datetime.date:
    return datetime.date(year, month, day)


def apply(person: Any, user: Any, **declared: Any) -> Any:
    declared.setdefault("long_term_care_months", 12)
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


def test_long_term_care_is_kept_for_the_care_subsidy_and_enrolled(
    make_person: Any, township_officer: Any, county_clerk: Any, civil_affairs: Any
) -> None:
    person = make_person(grade=1)
    living = apply(person, township_officer, programme="living", long_term_care_months=12)
    assert living.long_term_care_months is None
    care = apply(person, township_officer, long_term_care_months=5)
    assert not eligibility.explain(person, Month(2026, 8)).programmes["care"].eligible
    enrolment = approve(care, township_officer, county_clerk, civil_affairs)
    assert enrolment.long_term_care_months == 5
    failed = [
        c.key
        for c in eligibility.explain(person, Month(2026, 11)).programmes["care"].conditions
        if not c.passed
    ]
    assert failed == ["long_term_care"]


@pytest.mark.parametrize("months", [-1, 1201])
def test_months_of_care_out_of_range_are_refused(
    make_person: Any, township_officer: Any, months: int
) -> None:
    person = make_person(grade=1)
    with pytest.raises(ValidationError) as raised:
        apply(person, township_officer, long_term_care_months=months)
    assert list(raised.value.message_dict) == ["long_term_care_months"]
    assert not SubsidyApplication.objects.filter(person=person).exists()


def test_the_care_subsidy_is_not_taken_or_enrolled_without_the_care_need(
    make_person: Any, township_officer: Any, county_clerk: Any
) -> None:
    person = make_person(grade=1)
    with pytest.raises(ValidationError) as raised:
        apply(person, township_officer, long_term_care_months=None)
    assert list(raised.value.message_dict) == ["long_term_care_months"]
    with translation.override("zh-hans"), pytest.raises(ValidationError) as raised:
        services.enrol_existing(
            person_id=person.pk, programme="care", start_month=d(1, 1),
            approved_on=d(12, 20, 2025), bank_name="农业银行", account=ACCOUNT,
            acting_user=county_clerk,
        )  # fmt: skip
    assert raised.value.message_dict == {
        "long_term_care_months": ["请填写照护需要持续月数：护理补贴发给需要长期照护的残疾人。"]
    }
    assert not Enrolment.objects.filter(person=person).exists()
    # The living subsidy does not ask it.
    apply(person, township_officer, programme="living", long_term_care_months=None)
    services.enrol_existing(
        person_id=make_person(grade=1).pk, programme="living", start_month=d(1, 1),
        approved_on=d(12, 20, 2025), bank_name="农业银行", account=ACCOUNT,
        acting_user=county_clerk,
    )  # fmt: skip


def _unrecorded(make_person: Any, user: Any, approved_on: datetime.date) -> Enrolment:
    """A care enrolment carried over, its care need not recorded (data from before the
    system recorded it)."""
    enrolment = services.enrol_existing(
        person_id=make_person(grade=1).pk, programme="care", start_month=d(1, 1, 2016),
        approved_on=approved_on, bank_name="农业银行", account=ACCOUNT,
        long_term_care_months=12, acting_user=user,
    )  # fmt: skip
    Enrolment.objects.filter(pk=enrolment.pk).update(long_term_care_months=None)
    enrolment.refresh_from_db()
    return enrolment


@pytest.mark.parametrize(
    ("approved_on", "paid"),
    [(d(12, 31, 2015), True), (d(1, 1, 2016), False), (d(12, 20, 2025), False)],
)
def test_a_care_need_never_recorded_passes_only_before_the_rule(
    make_person: Any, county_clerk: Any, approved_on: datetime.date, paid: bool
) -> None:
    """benefits.care.long_term_care_months is in force from 2016-01-01: an enrolment approved
    before it passes without the months recorded, one approved from then on does not."""
    person = _unrecorded(make_person, county_clerk, approved_on).person
    care = eligibility.explain(person, Month(2026, 11)).programmes["care"]
    assert care.eligible is paid
    assert [c.key for c in care.conditions if not c.passed] == ([] if paid else ["long_term_care"])


@pytest.fixture
def carried(make_person: Any, county_clerk: Any) -> Enrolment:
    return _unrecorded(make_person, county_clerk, d(12, 20, 2015))


def test_recording_care_facts_later_is_audited_and_used_from_then(
    carried: Enrolment, county_clerk: Any
) -> None:
    person = carried.person
    assert eligibility.explain(person, Month(2026, 11)).programmes["care"].eligible  # legacy
    services.record_care_facts(
        enrolment_id=carried.pk, work_injury_care=False, long_term_care_months=5,
        acting_user=county_clerk,
    )  # fmt: skip
    entry = Entry.objects.get(action="subsidy.care_facts")
    assert entry.detail == {"changes": {"long_term_care_months": [None, 5]}}
    assert entry.target_id == str(carried.pk)
    assert not eligibility.explain(person, Month(2026, 11)).programmes["care"].eligible
    services.record_care_facts(
        enrolment_id=carried.pk, work_injury_care=False, long_term_care_months=5,
        acting_user=county_clerk,
    )  # fmt: skip
    assert Entry.objects.filter(action="subsidy.care_facts").count() == 1  # nothing changed
    services.record_care_facts(
        enrolment_id=carried.pk, work_injury_care=True, long_term_care_months=6,
        acting_user=county_clerk,
    )  # fmt: skip
    carried.refresh_from_db()
    assert (carried.work_injury_care, carried.long_term_care_months) == (True, 6)
    failed = [
        c.key
        for c in eligibility.explain(person, Month(2026, 11)).programmes["care"].conditions
        if not c.passed
    ]
    assert failed == ["not_work_injury_care"]


def test_recording_care_facts_refuses_all_problems_at_once(
    carried: Enrolment, county_clerk: Any, make_person: Any
) -> None:
    services.record_care_facts(
        enrolment_id=carried.pk, work_injury_care=False, long_term_care_months=8,
        acting_user=county_clerk,
    )  # fmt: skip
    with pytest.raises(ValidationError) as raised:
        services.record_care_facts(
            enrolment_id=carried.pk, work_injury_care=True, long_term_care_months=None,
            acting_user=county_clerk,
        )  # fmt: skip
    assert list(raised.value.message_dict) == ["long_term_care_months"]
    carried.refresh_from_db()
    assert (carried.work_injury_care, carried.long_term_care_months) == (False, 8)
    living = services.enrol_existing(
        person_id=make_person(grade=1).pk, programme="living", start_month=d(1, 1),
        approved_on=d(12, 20, 2025), bank_name="农业银行", account=ACCOUNT,
        acting_user=county_clerk,
    )  # fmt: skip
    services.end_enrolment(
        enrolment_id=living.pk, last_month=d(10, 1), reason="迁出", acting_user=county_clerk
    )
    with pytest.raises(ValidationError) as raised:
        services.record_care_facts(
            enrolment_id=living.pk, work_injury_care=True, long_term_care_months=1300,
            acting_user=county_clerk,
        )  # fmt: skip
    errors = raised.value.message_dict
    assert set(errors) == {"work_injury_care", "long_term_care_months"}
    assert len(errors["long_term_care_months"]) == 2


def test_recording_care_facts_needs_a_county_role_of_the_persons_county(
    carried: Enrolment, other_county_clerk: Any, township_officer: Any
) -> None:
    for user in (other_county_clerk, township_officer):
        with pytest.raises(PermissionDenied):
            services.record_care_facts(
                enrolment_id=carried.pk, work_injury_care=True, long_term_care_months=None,
                acting_user=user,
            )  # fmt: skip
    carried.refresh_from_db()
    assert carried.work_injury_care is False


def test_the_residence_reason_names_the_place_not_its_code(make_person: Any) -> None:
    person = make_person()
    reason = next(
        c.reason
        for c in eligibility.explain(person, Month(2026, 11)).programmes["care"].conditions
        if c.key == "resident"
    )
    assert person.place_id not in reason
    assert person.place.full_name() in reason and person.place.name in reason
