"""A change or a re-assessed renewal that finds the holder no longer meets the standard cancels
the certificate with the year's lock (办法 第二十四条), when the re-assessment covers the
certificate's category — at the county review, once the time for an objection has run, not
on the day of the assessment. A certificate cancelled on the assessment day (as earlier
versions did) is restored by an objection that finds a grade, while the holder is still
cancelled by it."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from canlian.certificates import grading, services
from canlian.certificates.models import (
    Application,
    CancelReason,
    CertificateStatus,
    Institution,
    Kind,
    ObjectionOutcome,
    Status,
)
from canlian.certificates.services.holders import end_certificate
from canlian.certificates.tests.conftest import assert_registry_matches_certificate
from canlian.lib import idcard
from canlian.people.models import LifeStatus, Person

D = datetime.date
pytestmark = pytest.mark.django_db

ASSESSED = D(2025, 9, 10)


def _reassessed(
    clerk: Any, institution: Institution, holder: Any, kind: str, category: int, grade: Any
) -> Application:
    """A holder's change or renewal, booked and assessed in `category` with `grade`."""
    extra: dict[str, Any] = {"needs_assessment": True} if kind == Kind.RENEWAL else {}
    if kind == Kind.CHANGE:
        extra["category"] = category
    documents = ["id_card", "photos", "old_certificate"]
    application = services.submit_application(
        kind=kind, acting_user=clerk, received_on=D(2025, 9, 1), applied_by="self",
        documents=documents, person=holder, **extra,
    )  # fmt: skip
    services.book_assessment(
        application=application, institution=institution, booked_for=ASSESSED,
        at_home=False, acting_user=clerk,
    )  # fmt: skip
    measures = (
        grading.Measures(independence="unable")
        if category == 4
        else grading.Measures(acuity=Decimal("0.5"))
    )
    services.record_assessment(
        application=application, assessed_on=ASSESSED, assessor="钱医生", category=category,
        measures=measures, assessor_grade=grade, acting_user=clerk,
    )  # fmt: skip
    application.refresh_from_db()
    return application


POSTED = D(2025, 9, 11)
# Posted Thu 2025-09-11: the 10 working days for an objection run to Thu 25 Sep; the county
# confirms a finding of no grade from Fri 26 Sep, and the year's lock runs from that day.
OBJECTION_LAST_DAY, CONFIRMED = D(2025, 9, 25), D(2025, 9, 26)

CASES = [
    # kind, category assessed, grade found, goes to the review to cancel
    pytest.param(Kind.CHANGE, 4, None, True, id="change-same-category-no-grade"),
    pytest.param(Kind.RENEWAL, 4, None, True, id="renewal-reassessed-no-grade"),
    pytest.param(Kind.CHANGE, 1, None, False, id="change-other-category-no-grade-closes"),
    pytest.param(Kind.CHANGE, 4, 2, False, id="change-with-a-grade"),
]


@pytest.mark.parametrize(("kind", "category", "grade", "to_cancel"), CASES)
def test_a_reassessment_without_grade_cancels_nothing_on_the_day_of_the_assessment(
    make_person: Any,
    county_clerk: Any,
    institution: Institution,
    kind: str,
    category: int,
    grade: Any,
    to_cancel: bool,
) -> None:
    holder = make_person(category=4, grade=3, certificate_issued_on=D(2015, 10, 1))
    application = _reassessed(county_clerk, institution, holder, kind, category, grade)
    certificate = holder.certificates.get()
    holder.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID
    assert certificate.locked_until is None
    assert holder.life_status == LifeStatus.ACTIVE
    assert application.cancelled_certificate is None
    if grade is None and not to_cancel:
        assert application.status == Status.NOT_QUALIFIED  # nothing to cancel: closed
    else:
        assert application.status == Status.ASSESSED  # posted, then reviewed


@pytest.mark.parametrize(
    ("reviewed", "cancelled"),
    [
        pytest.param(OBJECTION_LAST_DAY, False, id="objection-time-day-10"),
        pytest.param(CONFIRMED, True, id="objection-time-over"),
    ],
)
@pytest.mark.parametrize("kind", [Kind.CHANGE, Kind.RENEWAL])
def test_the_county_review_cancels_after_the_objection_time(
    make_person: Any,
    county_clerk: Any,
    institution: Institution,
    kind: str,
    reviewed: D,
    cancelled: bool,
) -> None:
    holder = make_person(category=4, grade=3, certificate_issued_on=D(2015, 10, 1))
    application = _reassessed(county_clerk, institution, holder, kind, 4, None)
    services.start_publicity(
        application=application, starts_on=POSTED, location="社区公示栏", acting_user=county_clerk
    )
    application.refresh_from_db()
    assert application.objection_due == OBJECTION_LAST_DAY

    def confirm() -> None:
        services.review(
            application=application, approve=True, on=reviewed, reason="",
            acting_user=county_clerk,
        )  # fmt: skip

    certificate = holder.certificates.get()
    if not cancelled:
        with pytest.raises(ValidationError) as exc:
            confirm()
        assert "on" in exc.value.message_dict
        certificate.refresh_from_db()
        assert certificate.status == CertificateStatus.VALID
        return
    confirm()
    certificate.refresh_from_db()
    holder.refresh_from_db()
    application.refresh_from_db()
    assert application.status == Status.NOT_QUALIFIED
    assert certificate.status == CertificateStatus.CANCELLED
    assert certificate.cancel_reason == CancelReason.NOT_MEETING
    assert (certificate.ended_on, certificate.locked_until) == (CONFIRMED, D(2026, 9, 26))
    assert application.cancelled_certificate == certificate
    assert holder.life_status == LifeStatus.CANCELLED
    assert services.lock_ends(holder) == D(2026, 9, 26)


def test_a_rejection_at_the_review_keeps_the_certificate(
    make_person: Any, county_clerk: Any, institution: Institution
) -> None:
    holder = make_person(category=4, grade=3, certificate_issued_on=D(2015, 10, 1))
    application = _reassessed(county_clerk, institution, holder, Kind.CHANGE, 4, None)
    services.start_publicity(
        application=application, starts_on=POSTED, location="社区公示栏", acting_user=county_clerk
    )
    services.review(
        application=application, approve=False, on=CONFIRMED, reason="评定依据不足",
        acting_user=county_clerk,
    )  # fmt: skip
    assert holder.certificates.get().status == CertificateStatus.VALID


def test_a_minors_finding_of_no_grade_is_reviewed_after_the_objection_time(
    make_person: Any, county_clerk: Any, institution: Institution
) -> None:
    holder = make_person(
        id_number=idcard.build(region_code="410825", birth_date=D(2012, 3, 3), sequence=97),
        guardian_name="赵大山", guardian_relation="父亲",
        category=4, grade=3, certificate_issued_on=D(2020, 10, 1),
    )  # fmt: skip
    application = _reassessed(county_clerk, institution, holder, Kind.CHANGE, 4, None)
    # Not posted: the objection time runs from the assessment (Wed 10 Sep) to Wed 24 Sep, and
    # the review is due 10 working days later: 25–30 Sep (28 worked), 9–14 Oct (11 worked).
    assert application.status == Status.AWAITING_REVIEW
    assert application.objection_due == D(2025, 9, 24)
    assert application.review_due == D(2025, 10, 14)
    with pytest.raises(ValidationError):
        services.review(
            application=application, approve=True, on=D(2025, 9, 24), reason="",
            acting_user=county_clerk,
        )  # fmt: skip
    services.review(
        application=application, approve=True, on=D(2025, 9, 25), reason="",
        acting_user=county_clerk,
    )  # fmt: skip
    certificate = holder.certificates.get()
    assert (certificate.status, certificate.locked_until) == (
        CertificateStatus.CANCELLED,
        D(2026, 9, 25),
    )


def test_an_objection_finding_a_grade_before_the_review_keeps_the_certificate(
    make_person: Any, county_clerk: Any, city_staff: Any, institution: Institution
) -> None:
    holder = make_person(category=4, grade=3, certificate_issued_on=D(2015, 10, 1))
    application = _reassessed(county_clerk, institution, holder, Kind.CHANGE, 4, None)
    services.start_publicity(
        application=application, starts_on=POSTED, location="社区公示栏", acting_user=county_clerk
    )
    objection = services.file_objection(
        application=application, filed_on=D(2025, 9, 15), grounds="不服复评结论",
        acting_user=county_clerk, recorded_on=D(2025, 9, 15),
    )  # fmt: skip
    services.decide_objection(
        objection=objection, decided_on=D(2025, 9, 26), outcome=ObjectionOutcome.CHANGED,
        grade=2, note="市残联复评为二级", acting_user=city_staff,
    )  # fmt: skip
    certificate = holder.certificates.get()
    assert (certificate.status, certificate.grade) == (CertificateStatus.VALID, 3)
    application.refresh_from_db()
    assert application.status == Status.ASSESSED  # the new grade is posted, then reviewed
    services.start_publicity(
        application=application, starts_on=D(2025, 9, 30), location="社区公示栏",
        acting_user=county_clerk,
    )  # fmt: skip
    services.review(
        application=application, approve=True, on=D(2025, 10, 14), reason="",
        acting_user=county_clerk,
    )  # fmt: skip
    holder.refresh_from_db()
    assert holder.grade == 2
    assert_registry_matches_certificate(holder)


def test_an_objection_that_confirms_no_grade_waits_for_the_province_time(
    make_person: Any, county_clerk: Any, city_staff: Any, institution: Institution
) -> None:
    holder = make_person(category=4, grade=3, certificate_issued_on=D(2015, 10, 1))
    application = _reassessed(county_clerk, institution, holder, Kind.RENEWAL, 4, None)
    services.start_publicity(
        application=application, starts_on=POSTED, location="社区公示栏", acting_user=county_clerk
    )
    objection = services.file_objection(
        application=application, filed_on=D(2025, 9, 15), grounds="不服复评结论",
        acting_user=county_clerk, recorded_on=D(2025, 9, 15),
    )  # fmt: skip
    services.decide_objection(
        objection=objection, decided_on=D(2025, 9, 26), outcome=ObjectionOutcome.UPHELD,
        grade=None, note="维持", acting_user=city_staff,
    )  # fmt: skip
    application.refresh_from_db()
    # The province committee may still be asked until Thu 16 Oct (10 working days: 28–30
    # Sep, 9–16 Oct with Sat 11 worked).
    assert services.objection_deadline(application)[1] == D(2025, 10, 16)
    with pytest.raises(ValidationError):
        services.review(
            application=application, approve=True, on=D(2025, 10, 16), reason="",
            acting_user=county_clerk,
        )  # fmt: skip
    services.review(
        application=application, approve=True, on=D(2025, 10, 17), reason="",
        acting_user=county_clerk,
    )  # fmt: skip
    certificate = holder.certificates.get()
    assert certificate.status == CertificateStatus.CANCELLED
    assert certificate.locked_until == D(2026, 10, 17)


def test_a_first_certificate_found_without_grade_is_kept_when_the_province_finds_it(
    issued: Any, county_clerk: Any, city_staff: Any
) -> None:
    application = issued()
    city = services.file_objection(
        application=application, filed_on=D(2025, 10, 21), grounds="不服",
        acting_user=county_clerk, recorded_on=D(2025, 10, 21),
    )  # fmt: skip
    services.decide_objection(
        objection=city, decided_on=D(2025, 11, 3), outcome=ObjectionOutcome.CHANGED,
        grade=None, note="复评未达标准", acting_user=city_staff,
    )  # fmt: skip
    person = application.person
    certificate = person.certificates.get()
    assert certificate.status == CertificateStatus.VALID
    province = services.file_objection(
        application=application, filed_on=D(2025, 11, 5), grounds="申请省级复核",
        acting_user=county_clerk, recorded_on=D(2025, 11, 5),
    )  # fmt: skip
    services.decide_objection(
        objection=province, decided_on=D(2025, 11, 20), outcome=ObjectionOutcome.CHANGED,
        grade=2, note="省专家委员会认定为二级", acting_user=city_staff,
    )  # fmt: skip
    certificate.refresh_from_db()
    assert (certificate.status, certificate.grade) == (CertificateStatus.VALID, 2)
    assert certificate.locked_until is None
    application.refresh_from_db()
    assert application.status == Status.ISSUED
    assert person.certificates.count() == 1
    assert_registry_matches_certificate(person)


def _cancelled_on_assessment(application: Application, clerk: Any) -> Application:
    """The state in which a re-assessment without grade cancelled the certificate on the day
    of the assessment (as this system did before the county review confirmed it)."""
    application.refresh_from_db()
    person = application.person
    certificate = person.certificates.get()
    if certificate.status == CertificateStatus.VALID:
        end_certificate(person, certificate, CancelReason.NOT_MEETING, ASSESSED, "复评", clerk)
        Application.objects.filter(pk=application.pk).update(
            status=Status.NOT_QUALIFIED, cancelled_certificate=certificate, decided_on=ASSESSED,
            concluded_on=ASSESSED, objection_due=D(2025, 9, 24),
        )  # fmt: skip
    application.refresh_from_db()
    return application


@pytest.mark.parametrize(
    ("status_then", "status_date", "restored", "refused"),
    [
        pytest.param(LifeStatus.CANCELLED, ASSESSED, True, False, id="cancelled-by-it"),
        pytest.param(LifeStatus.CANCELLED, D(2025, 9, 12), False, False, id="cancelled-later"),
        pytest.param(LifeStatus.DECEASED, D(2025, 9, 20), False, True, id="died"),
        pytest.param(LifeStatus.MOVED_OUT, D(2025, 9, 20), False, True, id="moved-out"),
    ],
)
def test_a_restoration_needs_the_holder_still_cancelled_by_that_cancellation(
    make_person: Any,
    county_clerk: Any,
    city_staff: Any,
    institution: Institution,
    status_then: str,
    status_date: D,
    restored: bool,
    refused: bool,
) -> None:
    holder = make_person(category=4, grade=3, certificate_issued_on=D(2015, 10, 1))
    application = _reassessed(county_clerk, institution, holder, Kind.CHANGE, 4, None)
    application = _cancelled_on_assessment(application, county_clerk)
    objection = services.file_objection(
        application=application, filed_on=D(2025, 9, 15), grounds="不服复评结论",
        acting_user=county_clerk, recorded_on=D(2025, 9, 15),
    )  # fmt: skip
    Person.objects.filter(pk=holder.pk).update(
        life_status=status_then, life_status_date=status_date
    )

    def decide() -> None:
        services.decide_objection(
            objection=objection, decided_on=D(2025, 9, 26), outcome=ObjectionOutcome.CHANGED,
            grade=2, note="市残联复评为二级", acting_user=city_staff,
        )  # fmt: skip

    if refused:
        with pytest.raises(ValidationError) as exc:
            decide()
        assert "status" in exc.value.message_dict
        objection.refresh_from_db()
        assert objection.decided_on is None
    else:
        decide()
    holder.refresh_from_db()
    certificate = holder.certificates.get()
    if restored:
        assert (certificate.status, holder.life_status) == (
            CertificateStatus.VALID,
            LifeStatus.ACTIVE,
        )
    else:
        assert certificate.status == CertificateStatus.CANCELLED
        assert (holder.life_status, holder.life_status_date) == (status_then, status_date)
