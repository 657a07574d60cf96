"""Holders' procedures through the services: renewal, change, replacement, transfer,
cancellation and the lock year, and the registry that follows the certificate."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from canlian.certificates import grading, services
from canlian.certificates.models import (
    CancelReason,
    CertificateStatus,
    Document,
    Institution,
    Issue,
    Kind,
)
from canlian.certificates.tests.conftest import (
    assert_registry_matches_certificate,
    holder_application,
    messages_of,
)
from canlian.conftest import certificate_number_of, opened
from canlian.lib import idcard
from canlian.people import services as people
from canlian.people.models import LifeStatus, Person

D = datetime.date
pytestmark = pytest.mark.django_db


# --- Renewal, change, replacement, transfer ----------------------------------------------------


def test_a_renewal_is_accepted_only_in_the_90_days_before_expiry(
    make_person: Any, county_clerk: Any
) -> None:
    holder = make_person(certificate_issued_on=D(2016, 3, 1))  # expires 2026-03-01
    with pytest.raises(ValidationError) as exc:
        holder_application(county_clerk, holder, Kind.RENEWAL, received_on=D(2025, 11, 30))
    assert "2025-12-01" in messages_of(exc)
    application = holder_application(
        county_clerk, holder, Kind.RENEWAL, received_on=D(2025, 12, 1), needs_assessment=False
    )
    certificate = services.issue_without_assessment(
        application=application, on=D(2025, 12, 10), acting_user=county_clerk
    )
    assert certificate.issue == Issue.RENEWAL
    assert certificate.expires_on == D(2035, 12, 10)
    old = holder.certificates.get(issue=Issue.RECORDED)
    assert old.status == CertificateStatus.SUPERSEDED
    assert old.ended_on == D(2025, 12, 10)
    assert_registry_matches_certificate(holder)


def test_a_change_of_grade_goes_through_assessment_and_issues_a_new_certificate(
    make_person: Any, county_clerk: Any, institution: Institution
) -> None:
    holder = make_person(category=4, grade=3, certificate_issued_on=D(2019, 3, 1))
    application = holder_application(county_clerk, holder, Kind.CHANGE, received_on=D(2025, 9, 1))
    assert application.needs_assessment
    with pytest.raises(ValidationError):
        services.issue_without_assessment(
            application=application, on=D(2025, 9, 2), acting_user=county_clerk
        )
    services.book_assessment(
        application=application, institution=institution, booked_for=D(2025, 9, 10),
        at_home=False, acting_user=county_clerk,
    )  # fmt: skip
    services.record_assessment(
        application=application, assessed_on=D(2025, 9, 10), assessor="钱医生", category=4,
        measures=grading.Measures(independence="unable"), assessor_grade=1,
        acting_user=county_clerk,
    )  # fmt: skip
    services.start_publicity(
        application=application, starts_on=D(2025, 9, 30), location="社区公示栏",
        acting_user=county_clerk,
    )  # fmt: skip
    services.review(
        application=application, approve=True, on=D(2025, 10, 14), reason="",
        acting_user=county_clerk,
    )  # fmt: skip
    holder.refresh_from_db()
    assert holder.grade == 1
    assert certificate_number_of(holder).endswith("41")
    assert holder.certificates.filter(status=CertificateStatus.VALID).count() == 1
    assert_registry_matches_certificate(holder)


def test_a_replacement_keeps_the_expiry_and_is_refused_for_an_expired_certificate(
    make_person: Any, county_clerk: Any
) -> None:
    holder = make_person(certificate_issued_on=D(2019, 3, 1))
    application = holder_application(
        county_clerk, holder, Kind.REPLACEMENT, reason="遗失", replacement_reason="lost"
    )
    certificate = services.issue_without_assessment(
        application=application, on=D(2026, 1, 6), acting_user=county_clerk
    )
    assert certificate.expires_on == D(2029, 3, 1)
    assert certificate.issued_on == D(2026, 1, 6)
    assert_registry_matches_certificate(holder)

    expired = make_person(certificate_issued_on=D(2015, 3, 1))
    with pytest.raises(ValidationError) as exc:
        holder_application(county_clerk, expired, Kind.REPLACEMENT)
    assert "kind" in exc.value.message_dict


def test_a_transfer_moves_the_record_to_the_new_county(
    make_person: Any, county_clerk: Any, other_county_clerk: Any
) -> None:
    holder = make_person()
    with pytest.raises(ValidationError) as exc:
        holder_application(county_clerk, holder, Kind.TRANSFER, target_place_code="410825001001")
    assert "target_place" in exc.value.message_dict
    application = holder_application(
        county_clerk, holder, Kind.TRANSFER, target_place_code="410883001001"
    )
    services.complete_transfer(application=application, on=D(2026, 1, 6), acting_user=county_clerk)
    holder.refresh_from_db()
    assert holder.place_id == "410883001001"
    assert Person.objects.visible_to(other_county_clerk).filter(pk=holder.pk).exists()
    assert not Person.objects.visible_to(county_clerk).filter(pk=holder.pk).exists()
    assert_registry_matches_certificate(holder)


# --- Cancellation and the lock year ------------------------------------------------------------


def test_cancellation_on_death_records_the_death_without_a_lock(
    make_person: Any, county_clerk: Any
) -> None:
    holder = make_person()
    certificate = services.cancel_certificate(
        person=holder, reason=CancelReason.DEATH, on=D(2025, 6, 1), acting_user=county_clerk
    )
    holder.refresh_from_db()
    assert holder.life_status == LifeStatus.DECEASED
    assert holder.life_status_date == D(2025, 6, 1)
    assert certificate.status == CertificateStatus.CANCELLED
    assert certificate.locked_until is None


def test_a_new_application_within_a_year_of_a_cancellation_is_refused(
    make_person: Any, county_clerk: Any, apply_first: Any
) -> None:
    holder = make_person()
    services.cancel_certificate(
        person=holder,
        reason=CancelReason.NOT_MEETING,
        on=D(2025, 11, 20),
        acting_user=county_clerk,
    )
    holder.refresh_from_db()
    assert holder.life_status == LifeStatus.CANCELLED
    with pytest.raises(ValidationError) as exc:
        apply_first(id_number=opened(holder), received_on=D(2026, 11, 19))
    assert "2026-11-20" in messages_of(exc)
    application = apply_first(id_number=opened(holder), received_on=D(2026, 11, 20))
    assert application.person == holder


def test_a_cancelled_holder_who_qualifies_again_is_brought_back_on_the_registry(
    make_person: Any, county_clerk: Any, in_publicity: Any
) -> None:
    holder = make_person()
    services.cancel_certificate(
        person=holder, reason=CancelReason.REQUEST, on=D(2024, 1, 10), note="本人书面申请",
        acting_user=county_clerk,
    )  # fmt: skip
    application = in_publicity(id_number=opened(holder))
    services.review(
        application=application, approve=True, on=D(2025, 10, 14), reason="",
        acting_user=county_clerk,
    )  # fmt: skip
    holder.refresh_from_db()
    assert holder.life_status == LifeStatus.ACTIVE
    assert Person.objects.count() == 1
    assert holder.certificates.filter(status=CertificateStatus.VALID).count() == 1
    assert_registry_matches_certificate(holder)


def test_a_cancellation_at_request_needs_the_request_recorded(
    make_person: Any, county_clerk: Any
) -> None:
    holder = make_person()
    with pytest.raises(ValidationError) as exc:
        services.cancel_certificate(
            person=holder, reason=CancelReason.REQUEST, on=D(2025, 6, 1), acting_user=county_clerk
        )
    assert "note" in exc.value.message_dict
    holder.refresh_from_db()
    assert holder.life_status == LifeStatus.ACTIVE
    assert not holder.certificates.filter(status=CertificateStatus.CANCELLED).exists()


# --- The registry follows the certificate ------------------------------------------------------


def test_the_registry_form_cannot_change_a_grade_the_certificate_procedures_hold(
    issued: Any, county_clerk: Any
) -> None:
    application = issued()
    person = application.person
    data = people.PersonData(
        id_number=opened(person), name=person.name, ethnicity=person.ethnicity,
        place_code=person.place_id, category=person.category, grade=1,
        certificate_issued_on=person.certificate_issued_on, phone="13800000002",
    )  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        people.update_person(person=person, data=data, acting_user=county_clerk)
    assert "grade" in exc.value.message_dict
    data.grade = person.grade
    changes = people.update_person(person=person, data=data, acting_user=county_clerk)
    assert set(changes) == {"phone_masked"}


@pytest.mark.parametrize(
    ("birth", "documents", "accepted"),
    [
        (D(2010, 1, 6), [Document.HOUSEHOLD_BOOK, Document.PHOTOS, Document.LOSS_STATEMENT], True),
        (D(2010, 1, 6), [Document.ID_CARD, Document.PHOTOS, Document.LOSS_STATEMENT], True),
        (D(2010, 1, 5), [Document.HOUSEHOLD_BOOK, Document.PHOTOS, Document.LOSS_STATEMENT], False),
        (D(2010, 1, 6), [Document.PHOTOS, Document.LOSS_STATEMENT], False),
    ],
)  # fmt: skip
def test_a_holder_under_16_proves_identity_with_the_household_book_or_the_id_card(
    make_person: Any, county_clerk: Any, birth: D, documents: list[str], accepted: bool
) -> None:
    """Received 2026-01-05: born 2010-01-06 the holder is 15, born 2010-01-05 just 16."""
    holder = make_person(
        id_number=idcard.build(region_code="410825", birth_date=birth, sequence=95),
        guardian_name="赵大山",
        guardian_relation="父亲",
        certificate_issued_on=D(2020, 3, 1),
    )
    if accepted:
        application = holder_application(
            county_clerk,
            holder,
            Kind.REPLACEMENT,
            reason="遗失",
            replacement_reason="lost",
            documents=documents,
        )
        assert application.documents == sorted(documents)
        return
    with pytest.raises(ValidationError) as exc:
        holder_application(
            county_clerk,
            holder,
            Kind.REPLACEMENT,
            reason="遗失",
            replacement_reason="lost",
            documents=documents,
        )
    assert list(exc.value.message_dict) == ["documents"]


MOVE = [Document.HOUSEHOLD_BOOK, Document.MOVE_PROOF, Document.OLD_CERTIFICATE]


@pytest.mark.parametrize(
    ("birth", "documents", "accepted"),
    [
        # Under 16: the household book is required (a transfer needs it anyway), not the ID card.
        (D(2010, 1, 6), MOVE, True),
        (D(2010, 1, 6), [Document.ID_CARD, Document.MOVE_PROOF, Document.OLD_CERTIFICATE], False),
        # 16: both the ID card and the household book.
        (D(2010, 1, 5), [Document.ID_CARD, *MOVE], True),
        (D(2010, 1, 5), MOVE, False),
        (D(2010, 1, 5), [Document.ID_CARD, Document.MOVE_PROOF, Document.OLD_CERTIFICATE], False),
    ],
)  # fmt: skip
def test_a_transfer_needs_the_household_book_at_every_age(
    make_person: Any, county_clerk: Any, birth: D, documents: list[str], accepted: bool
) -> None:
    """Received 2026-01-05: born 2010-01-06 the holder is 15, born 2010-01-05 just 16."""
    holder = make_person(
        id_number=idcard.build(region_code="410825", birth_date=birth, sequence=95),
        guardian_name="赵大山",
        guardian_relation="父亲",
        certificate_issued_on=D(2020, 3, 1),
    )
    kwargs = {"target_place_code": "410883001001", "documents": documents}
    if accepted:
        application = holder_application(county_clerk, holder, Kind.TRANSFER, **kwargs)
        assert application.documents == sorted(documents)
        return
    with pytest.raises(ValidationError) as exc:
        holder_application(county_clerk, holder, Kind.TRANSFER, **kwargs)
    assert list(exc.value.message_dict) == ["documents"]
