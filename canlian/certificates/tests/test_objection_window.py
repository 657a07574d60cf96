"""Issuing does not cut off an objection (办法 第二十五条): the time runs whatever became of the
application; an objection received in time may be recorded a few working days late; after
issue a changed grade, posted and reviewed, changes the certificate at the county review, and
a finding of no grade cancels it when the review confirms it after the objection time."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from canlian.audit.models import Entry
from canlian.certificates import services
from canlian.certificates.models import (
    Application,
    CancelReason,
    CertificateStatus,
    Issue,
    Kind,
    ObjectionOutcome,
    Status,
)
from canlian.certificates.services.holders import end_certificate
from canlian.certificates.tests.conftest import (
    assert_registry_matches_certificate,
    holder_application,
    messages_of,
)
from canlian.certificates.tests.test_minors import TEN_WORKING_DAYS_AFTER_CONCLUSION
from canlian.lib import idcard
from canlian.people.models import LifeStatus, Person

D = datetime.date
pytestmark = pytest.mark.django_db

# Posted Tue 2025-09-30, issued 2025-10-14: the 10 working days of 第二十五条 end on Tue
# 2025-10-21 (day 10); day 11 is Wed 22. The grace of 3 working days runs to Fri 24; day 4 is
# Mon 27.
DAY_10, DAY_11 = D(2025, 10, 21), D(2025, 10, 22)
GRACE_3, GRACE_4 = D(2025, 10, 24), D(2025, 10, 27)


def _file(application: Application, clerk: Any, received: D, recorded: D | None = None) -> Any:
    return services.file_objection(
        application=application, filed_on=received, grounds="不服评定等级",
        acting_user=clerk, recorded_on=recorded or received,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("received", "recorded", "accepted"),
    [
        pytest.param(DAY_10, DAY_10, True, id="received-day-10"),
        pytest.param(DAY_11, DAY_11, False, id="received-day-11"),
        pytest.param(DAY_10, GRACE_3, True, id="recorded-grace-day-3"),
        pytest.param(DAY_10, GRACE_4, False, id="recorded-grace-day-4"),
        pytest.param(DAY_11, GRACE_3, False, id="received-late-recorded-in-grace"),
        pytest.param(D(2025, 10, 14), D(2025, 10, 13), False, id="recorded-before-received"),
    ],
)
def test_an_objection_after_issue_within_the_window(
    issued: Any, county_clerk: Any, received: D, recorded: D, accepted: bool
) -> None:
    application = issued()
    assert application.status == Status.ISSUED
    if accepted:
        objection = _file(application, county_clerk, received, recorded)
        assert (objection.filed_on, objection.recorded_on) == (received, recorded)
        assert objection.previous_status == Status.ISSUED
        application.refresh_from_db()
        assert application.status == Status.OBJECTION
    else:
        with pytest.raises(ValidationError) as exc:
            _file(application, county_clerk, received, recorded)
        assert "filed_on" in exc.value.message_dict
        assert not application.objections.exists()


def test_a_minor_not_posted_objects_within_ten_working_days_of_the_conclusion(
    assessed: Any, county_clerk: Any
) -> None:
    application = assessed(
        id_number=idcard.build(region_code="410825", birth_date=D(2010, 5, 5), sequence=503),
        guardian_name="赵母",
        documents=["id_card", "household_book", "photos", "guardian_proof"],
    )
    assert application.status == Status.AWAITING_REVIEW
    # Day 11 is Sat 2025-10-11, an adjusted working day.
    with pytest.raises(ValidationError):
        _file(application, county_clerk, D(2025, 10, 11))
    _file(application, county_clerk, TEN_WORKING_DAYS_AFTER_CONCLUSION)


def test_a_changed_grade_after_issue_is_posted_and_issued_at_the_county_review(
    issued: Any, county_clerk: Any, city_staff: Any
) -> None:
    application = issued()
    person = application.person
    old = person.certificates.get()
    objection = _file(application, county_clerk, DAY_10)
    services.decide_objection(
        objection=objection, decided_on=D(2025, 11, 3), outcome=ObjectionOutcome.CHANGED,
        grade=1, note="市残联复评为一级", acting_user=city_staff,
    )  # fmt: skip
    application.refresh_from_db()
    # The changed grade goes through the usual steps; the certificate stays as it was.
    assert (application.status, application.grade) == (Status.ASSESSED, 1)
    old.refresh_from_db()
    assert (old.status, old.grade) == (CertificateStatus.VALID, 2)
    person.refresh_from_db()
    assert person.grade == 2
    services.start_publicity(
        application=application, starts_on=D(2025, 11, 4), location="村委会公示栏",
        acting_user=county_clerk,
    )  # fmt: skip
    with pytest.raises(ValidationError):  # publicity runs 4–10 Nov
        services.review(
            application=application, approve=True, on=D(2025, 11, 10), reason="",
            acting_user=county_clerk,
        )  # fmt: skip
    old.refresh_from_db()
    assert old.status == CertificateStatus.VALID
    services.review(
        application=application, approve=True, on=D(2025, 11, 11), reason="",
        acting_user=county_clerk,
    )  # fmt: skip
    application.refresh_from_db()
    assert (application.status, application.grade) == (Status.ISSUED, 1)
    old.refresh_from_db()
    assert old.status == CertificateStatus.SUPERSEDED
    new = person.certificates.get(status=CertificateStatus.VALID)
    assert (new.grade, new.category, new.issue) == (1, 4, Issue.CHANGE)
    assert new.issued_on == D(2025, 11, 11)
    assert_registry_matches_certificate(person)
    entry = Entry.objects.get(action="certificate.objection.change")
    assert (entry.detail["grade"], entry.detail["previous_grade"]) == (1, 2)


def test_a_minors_changed_grade_after_issue_goes_straight_to_the_review(
    assessed: Any, county_clerk: Any, city_staff: Any
) -> None:
    application = assessed(
        id_number=idcard.build(region_code="410825", birth_date=D(2010, 5, 5), sequence=503),
        guardian_name="赵母",
        documents=["id_card", "household_book", "photos", "guardian_proof"],
    )
    services.review(
        application=application, approve=True, on=D(2025, 9, 22), reason="",
        acting_user=county_clerk,
    )  # fmt: skip
    objection = _file(application, county_clerk, TEN_WORKING_DAYS_AFTER_CONCLUSION)
    services.decide_objection(
        objection=objection, decided_on=D(2025, 10, 20), outcome=ObjectionOutcome.CHANGED,
        grade=3, note="市残联复评为三级", acting_user=city_staff,
    )  # fmt: skip
    application.refresh_from_db()
    assert application.status == Status.AWAITING_REVIEW
    assert application.person.certificates.get().grade == 2
    services.review(
        application=application, approve=True, on=D(2025, 10, 21), reason="",
        acting_user=county_clerk,
    )  # fmt: skip
    valid = application.person.certificates.get(status=CertificateStatus.VALID)
    assert (valid.grade, valid.issue) == (3, Issue.CHANGE)


def test_a_conclusion_that_stands_after_issue_leaves_the_certificate(
    issued: Any, county_clerk: Any, city_staff: Any
) -> None:
    application = issued()
    objection = _file(application, county_clerk, DAY_10)
    services.decide_objection(
        objection=objection, decided_on=D(2025, 11, 3), outcome=ObjectionOutcome.UPHELD,
        grade=None, note="维持二级", acting_user=city_staff,
    )  # fmt: skip
    application.refresh_from_db()
    assert application.status == Status.ISSUED
    certificate = application.person.certificates.get()
    assert (certificate.status, certificate.grade) == (CertificateStatus.VALID, 2)


# A finding of no grade after issue (decided 2025-11-03) may still go to the province committee
# for 10 working days: to Mon 17 Nov. The county confirms it from Tue 18 Nov.
@pytest.mark.parametrize(
    ("reviewed", "cancelled"),
    [
        pytest.param(D(2025, 11, 17), False, id="last-day-of-the-objection-time"),
        pytest.param(D(2025, 11, 18), True, id="the-day-after"),
    ],
)
def test_no_grade_after_issue_cancels_at_the_review_after_the_objection_time(
    issued: Any, county_clerk: Any, city_staff: Any, reviewed: D, cancelled: bool
) -> None:
    application = issued()
    objection = _file(application, county_clerk, DAY_10)
    services.decide_objection(
        objection=objection, decided_on=D(2025, 11, 3), outcome=ObjectionOutcome.CHANGED,
        grade=None, note="复评未达到残疾标准", acting_user=city_staff,
    )  # fmt: skip
    application.refresh_from_db()
    person = application.person
    certificate = person.certificates.get()
    # Until the county confirms, the certificate (and what hangs on it) stays.
    assert application.status == Status.ASSESSED
    assert certificate.status == CertificateStatus.VALID
    assert person.life_status == LifeStatus.ACTIVE
    services.start_publicity(
        application=application, starts_on=D(2025, 11, 4), location="村委会公示栏",
        acting_user=county_clerk,
    )  # fmt: skip

    def confirm() -> None:
        services.review(
            application=application, approve=True, on=reviewed, reason="",
            acting_user=county_clerk,
        )  # fmt: skip

    if not cancelled:
        with pytest.raises(ValidationError) as exc:
            confirm()
        assert "on" in exc.value.message_dict
        certificate.refresh_from_db()
        assert certificate.status == CertificateStatus.VALID
        return
    confirm()
    application.refresh_from_db()
    assert application.status == Status.NOT_QUALIFIED
    assert application.cancelled_certificate == certificate
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.CANCELLED
    assert certificate.cancel_reason == CancelReason.NOT_MEETING
    assert (certificate.ended_on, certificate.locked_until) == (reviewed, D(2026, 11, 18))
    person.refresh_from_db()
    assert person.life_status == LifeStatus.CANCELLED


def test_no_objection_once_the_holder_has_died(issued: Any, county_clerk: Any) -> None:
    application = issued()
    services.cancel_certificate(
        person=application.person, reason=CancelReason.DEATH, on=D(2025, 10, 16),
        acting_user=county_clerk,
    )  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        _file(application, county_clerk, D(2025, 10, 17))
    assert "died" in messages_of(exc) or "死亡" in messages_of(exc) or "去世" in messages_of(exc)
    assert not application.objections.exists()


def test_no_withdrawal_while_an_objection_is_open(in_publicity: Any, county_clerk: Any) -> None:
    application = in_publicity()
    _file(application, county_clerk, D(2025, 10, 9))
    with pytest.raises(ValidationError):
        services.withdraw(
            application=application, on=D(2025, 10, 10), reason="申请人撤回",
            acting_user=county_clerk,
        )  # fmt: skip
    application.refresh_from_db()
    assert application.status == Status.OBJECTION


def test_a_second_objection_while_one_is_open_is_refused(
    in_publicity: Any, county_clerk: Any
) -> None:
    application = in_publicity()
    _file(application, county_clerk, D(2025, 10, 9))
    with pytest.raises(ValidationError) as exc:
        _file(application, county_clerk, D(2025, 10, 10))
    assert "status" in exc.value.message_dict
    assert application.objections.count() == 1


def test_a_decision_needs_the_objection_open(
    in_publicity: Any, county_clerk: Any, city_staff: Any
) -> None:
    application = in_publicity()
    objection = _file(application, county_clerk, D(2025, 10, 9))
    Application.objects.filter(pk=application.pk).update(status=Status.PUBLICITY)
    with pytest.raises(ValidationError):
        services.decide_objection(
            objection=objection, decided_on=D(2025, 10, 20), outcome=ObjectionOutcome.UPHELD,
            grade=None, note="维持", acting_user=city_staff,
        )  # fmt: skip
    objection.refresh_from_db()
    assert objection.decided_on is None


def test_an_application_closed_as_not_meeting_the_standard_takes_an_objection(
    assessed: Any, county_clerk: Any
) -> None:
    application = assessed(grade=None)
    assert application.status == Status.NOT_QUALIFIED
    _file(application, county_clerk, D(2025, 9, 22))
    application.refresh_from_db()
    assert application.status == Status.OBJECTION


@pytest.mark.parametrize("died", [False, True])
def test_an_objection_is_not_decided_once_the_holder_has_died(
    issued: Any, county_clerk: Any, city_staff: Any, died: bool
) -> None:
    application = issued()
    objection = _file(application, county_clerk, DAY_10)
    if died:
        # The death is recorded while the objection is open (the registry's own record).
        Person.objects.filter(pk=application.person.pk).update(
            life_status=LifeStatus.DECEASED, life_status_date=D(2025, 10, 25)
        )

    def decide() -> None:
        services.decide_objection(
            objection=objection, decided_on=D(2025, 11, 3), outcome=ObjectionOutcome.UPHELD,
            grade=None, note="维持二级", acting_user=city_staff,
        )  # fmt: skip

    if died:
        with pytest.raises(ValidationError) as exc:
            decide()
        assert "status" in exc.value.message_dict
    else:
        decide()
    objection.refresh_from_db()
    assert (objection.decided_on is None) == died


@pytest.mark.parametrize("other_open", [False, True])
def test_no_objection_while_another_application_of_the_person_is_open(
    issued: Any, county_clerk: Any, other_open: bool
) -> None:
    application = issued()
    other = holder_application(
        county_clerk, application.person, Kind.REPLACEMENT, received_on=D(2025, 10, 15),
        replacement_reason="lost",
    )  # fmt: skip
    if not other_open:
        services.issue_without_assessment(
            application=other, on=D(2025, 10, 15), acting_user=county_clerk
        )
    if other_open:
        with pytest.raises(ValidationError) as exc:
            _file(application, county_clerk, DAY_10)
        assert "status" in exc.value.message_dict
        assert "2025-10-15" in messages_of(exc)
        assert not application.objections.exists()
    else:
        _file(application, county_clerk, DAY_10)
        application.refresh_from_db()
        assert application.status == Status.OBJECTION


def test_a_changed_grade_with_no_certificate_left_goes_through_the_usual_steps(
    issued: Any, county_clerk: Any, city_staff: Any
) -> None:
    application = issued()
    person = application.person
    objection = _file(application, county_clerk, DAY_10)
    certificate = person.certificates.get()
    # The certificate ended meanwhile (as another procedure could end it).
    end_certificate(
        person, certificate, CancelReason.REQUEST, D(2025, 10, 22), "本人申请", county_clerk
    )
    services.decide_objection(
        objection=objection, decided_on=D(2025, 11, 3), outcome=ObjectionOutcome.CHANGED,
        grade=1, note="市残联复评为一级", acting_user=city_staff,
    )  # fmt: skip
    application.refresh_from_db()
    assert (application.status, application.grade) == (Status.ASSESSED, 1)
