"""A change or a re-assessed renewal that finds the holder no longer meets the standard cancels
the certificate with the year's lock (办法 第二十四条), when the re-assessment covers the
certificate's category; an objection that finds a grade restores it and lifts the lock."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

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
from canlian.certificates.tests.conftest import assert_registry_matches_certificate
from canlian.people.models import LifeStatus

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


CASES = [
    # kind, category assessed, grade found, certificate cancelled
    pytest.param(Kind.CHANGE, 4, None, True, id="change-same-category-no-grade-cancels"),
    pytest.param(Kind.RENEWAL, 4, None, True, id="renewal-reassessed-no-grade-cancels"),
    pytest.param(Kind.CHANGE, 1, None, False, id="change-other-category-no-grade-keeps"),
    pytest.param(Kind.CHANGE, 4, 2, False, id="change-with-a-grade-keeps"),
]


@pytest.mark.parametrize(("kind", "category", "grade", "cancelled"), CASES)
def test_a_reassessment_without_grade_cancels_only_its_own_category(
    make_person: Any,
    county_clerk: Any,
    institution: Institution,
    kind: str,
    category: int,
    grade: Any,
    cancelled: bool,
) -> None:
    holder = make_person(category=4, grade=3, certificate_issued_on=D(2015, 10, 1))
    application = _reassessed(county_clerk, institution, holder, kind, category, grade)
    certificate = holder.certificates.get()
    holder.refresh_from_db()
    if cancelled:
        assert application.status == Status.NOT_QUALIFIED
        assert certificate.status == CertificateStatus.CANCELLED
        assert certificate.cancel_reason == CancelReason.NOT_MEETING
        assert certificate.locked_until == D(2026, 9, 10)
        assert application.cancelled_certificate == certificate
        assert holder.life_status == LifeStatus.CANCELLED
        assert services.lock_ends(holder) == D(2026, 9, 10)
    else:
        assert certificate.status == CertificateStatus.VALID
        assert certificate.locked_until is None
        assert holder.life_status == LifeStatus.ACTIVE
        assert application.cancelled_certificate is None


def test_an_objection_finding_a_grade_restores_the_certificate_and_lifts_the_lock(
    make_person: Any, county_clerk: Any, city_staff: Any, institution: Institution
) -> None:
    holder = make_person(category=4, grade=3, certificate_issued_on=D(2015, 10, 1))
    application = _reassessed(county_clerk, institution, holder, Kind.CHANGE, 4, None)
    certificate = holder.certificates.get()
    objection = services.file_objection(
        application=application, filed_on=D(2025, 9, 15), grounds="不服复评结论",
        acting_user=county_clerk, recorded_on=D(2025, 9, 15),
    )  # fmt: skip
    services.decide_objection(
        objection=objection, decided_on=D(2025, 9, 26), outcome=ObjectionOutcome.CHANGED,
        grade=2, note="市残联复评为二级", acting_user=city_staff,
    )  # fmt: skip
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID
    assert certificate.locked_until is None
    assert certificate.ended_on is None
    holder.refresh_from_db()
    assert holder.life_status == LifeStatus.ACTIVE
    assert services.lock_ends(holder) is None
    application.refresh_from_db()
    assert application.status == Status.ASSESSED  # the new grade is posted, then reviewed
    assert application.cancelled_certificate is None
    # The change then goes on as usual and issues the grade found.
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


def test_an_objection_that_confirms_no_grade_keeps_the_cancellation(
    make_person: Any, county_clerk: Any, city_staff: Any, institution: Institution
) -> None:
    holder = make_person(category=4, grade=3, certificate_issued_on=D(2015, 10, 1))
    application = _reassessed(county_clerk, institution, holder, Kind.RENEWAL, 4, None)
    objection = services.file_objection(
        application=application, filed_on=D(2025, 9, 15), grounds="不服复评结论",
        acting_user=county_clerk, recorded_on=D(2025, 9, 15),
    )  # fmt: skip
    services.decide_objection(
        objection=objection, decided_on=D(2025, 9, 26), outcome=ObjectionOutcome.UPHELD,
        grade=None, note="维持", acting_user=city_staff,
    )  # fmt: skip
    certificate = holder.certificates.get()
    assert certificate.status == CertificateStatus.CANCELLED
    assert certificate.locked_until == D(2026, 9, 10)


def test_a_first_certificate_cancelled_by_an_objection_is_restored_by_the_next(
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
    assert certificate.locked_until == D(2026, 11, 3)
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
    assert_registry_matches_certificate(person)
