"""Fixtures for the certificate tests: a designated institution and applications built through
the services, step by step; helpers the service tests share."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from canlian.certificates import grading, services
from canlian.certificates.models import (
    Application,
    AppliedBy,
    CertificateStatus,
    Document,
    Institution,
    Kind,
)
from canlian.lib import idcard
from canlian.people.models import Person
from canlian.places.models import Place

D = datetime.date
ASSESSED_ON = datetime.date(2025, 9, 20)
POSTED_ON = datetime.date(2025, 9, 30)
RECEIVED_ON = datetime.date(2025, 9, 1)
BASIC = [Document.ID_CARD, Document.HOUSEHOLD_BOOK, Document.PHOTOS]


@pytest.fixture
def institution(places: Any) -> Institution:
    """A hospital designated for the whole city, assessing every category, home visits too."""
    return Institution.objects.create(
        name="市第一人民医院（示例）",
        place=Place.objects.get(code="410800000000"),
        categories=[1, 2, 3, 4, 5, 6],
        home_visits=True,
    )


def applicant(**overrides: Any) -> services.Applicant:
    values: dict[str, Any] = {
        "id_number": idcard.build(region_code="410825", birth_date=D(1980, 4, 2), sequence=501),
        "name": "赵新民",
        "ethnicity": "01",
        "place_code": "410825001001",
        "phone": "13900000001",
    }
    values.update(overrides)
    return services.Applicant(**values)


@pytest.fixture
def apply_first(county_clerk: Any) -> Any:
    def apply(*, received_on: D = RECEIVED_ON, category: int = 4, **overrides: Any) -> Application:
        documents = overrides.pop("documents", BASIC)
        return services.submit_application(
            kind=Kind.FIRST,
            acting_user=overrides.pop("acting_user", county_clerk),
            received_on=received_on,
            applied_by=AppliedBy.SELF,
            documents=documents,
            category=category,
            applicant=applicant(**overrides),
        )

    return apply


@pytest.fixture
def assessed(apply_first: Any, institution: Institution, county_clerk: Any) -> Any:
    """An application taken through booking and assessment (physical, grade 2 unless said)."""

    def make(
        *,
        grade: int | None = 2,
        independence: str = grading.Independence.MOSTLY_UNABLE,
        impairment: str = "2c",  # 双大腿缺失, listed under grade 2
        assessed_on: D = ASSESSED_ON,
        measures: grading.Measures | None = None,
        **overrides: Any,
    ) -> Application:
        application = apply_first(**overrides)
        services.book_assessment(
            application=application,
            institution=institution,
            booked_for=D(2025, 9, 20),
            at_home=False,
            acting_user=county_clerk,
        )
        services.record_assessment(
            application=application,
            assessed_on=assessed_on,
            assessor="钱医生",
            category=application.category,
            measures=measures or grading.Measures(impairment=impairment, independence=independence),
            assessor_grade=grade,
            acting_user=county_clerk,
        )
        application.refresh_from_db()
        return application

    return make


@pytest.fixture
def in_publicity(assessed: Any, county_clerk: Any) -> Any:
    """Publicity posted on 2025-09-30, the eve of the 2025 National Day holiday."""

    def make(*, starts_on: D = POSTED_ON, **overrides: Any) -> Application:
        application = assessed(**overrides)
        services.start_publicity(
            application=application,
            starts_on=starts_on,
            location="村委会公示栏",
            acting_user=county_clerk,
        )
        application.refresh_from_db()
        return application

    return make


@pytest.fixture
def issued(in_publicity: Any, county_clerk: Any) -> Any:
    def make(**overrides: Any) -> Application:
        application = in_publicity(**overrides)
        services.review(
            application=application,
            approve=True,
            on=D(2025, 10, 14),
            reason="",
            acting_user=county_clerk,
        )
        application.refresh_from_db()
        return application

    return make


def messages_of(exc: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(m for ms in exc.value.message_dict.values() for m in ms)


def assert_registry_matches_certificate(person: Person) -> None:
    person.refresh_from_db()
    valid = person.certificates.get(status=CertificateStatus.VALID)
    assert (person.category, person.grade) == (valid.category, valid.grade)
    assert person.certificate_issued_on == valid.issued_on
    assert person.certificate_expires_on == valid.expires_on


def holder_application(clerk: Any, person: Person, kind: str, **kwargs: Any) -> Application:
    documents = {
        Kind.RENEWAL: [Document.ID_CARD, Document.PHOTOS, Document.OLD_CERTIFICATE],
        Kind.CHANGE: [Document.ID_CARD, Document.PHOTOS, Document.OLD_CERTIFICATE],
        Kind.REPLACEMENT: [Document.ID_CARD, Document.PHOTOS, Document.LOSS_STATEMENT],
        Kind.TRANSFER: [
            Document.ID_CARD, Document.HOUSEHOLD_BOOK, Document.MOVE_PROOF,
            Document.OLD_CERTIFICATE,
        ],
    }[kind]  # fmt: skip
    return services.submit_application(
        kind=kind,
        acting_user=clerk,
        received_on=kwargs.pop("received_on", D(2026, 1, 5)),
        applied_by=AppliedBy.SELF,
        documents=kwargs.pop("documents", documents),
        person=person,
        **kwargs,
    )


def post_and_review(application: Application, clerk: Any, posted: D, reviewed: D) -> Application:
    """Post the conclusion on `posted` and approve it at the county review on `reviewed`."""
    services.start_publicity(
        application=application, starts_on=posted, location="村委会公示栏", acting_user=clerk
    )
    services.review(
        application=application, approve=True, on=reviewed, reason="", acting_user=clerk
    )
    application.refresh_from_db()
    return application
