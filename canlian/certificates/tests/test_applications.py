"""Applications at the window through the services: each refusal of the checks, who may act,
refusal and withdrawal."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from canlian.accounts.scoping import outside_refusal
from canlian.certificates import services
from canlian.certificates.models import (
    Application,
    AppliedBy,
    Document,
    Institution,
    Kind,
    Status,
)
from canlian.certificates.tests.conftest import (
    BASIC,
    applicant,
    messages_of,
)
from canlian.conftest import opened
from canlian.lib import idcard

D = datetime.date
pytestmark = pytest.mark.django_db


# --- Application refusals ----------------------------------------------------------------------


def test_missing_documents_are_named(apply_first: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        apply_first(documents=[Document.ID_CARD])
    assert "户口簿" in messages_of(exc) or "Household registration book" in messages_of(exc)
    assert not Application.objects.exists()


def test_intellectual_disability_needs_a_guardian_and_proof_of_guardianship(
    apply_first: Any,
) -> None:
    with pytest.raises(ValidationError) as exc:
        apply_first(category=5)
    assert set(exc.value.message_dict) >= {"documents", "guardian_name"}
    application = apply_first(
        category=5,
        documents=[*BASIC, Document.GUARDIAN_PROOF],
        guardian_name="赵大山",
        guardian_relation="父亲",
    )
    assert application.status == Status.SUBMITTED


def test_a_minor_needs_a_guardian(apply_first: Any) -> None:
    child = idcard.build(region_code="410825", birth_date=D(2015, 6, 1), sequence=77)
    with pytest.raises(ValidationError) as exc:
        apply_first(id_number=child, documents=[*BASIC, Document.GUARDIAN_PROOF])
    assert "guardian_name" in exc.value.message_dict


def test_a_second_open_application_for_the_same_person_is_refused(apply_first: Any) -> None:
    apply_first()
    with pytest.raises(ValidationError) as exc:
        apply_first(received_on=D(2025, 9, 2))
    assert "id_number" in exc.value.message_dict
    assert Application.objects.count() == 1


def test_a_current_holder_cannot_make_a_first_application(
    apply_first: Any, make_person: Any
) -> None:
    holder = make_person()
    with pytest.raises(ValidationError) as exc:
        apply_first(id_number=opened(holder))
    assert "id_number" in exc.value.message_dict


def test_a_holder_registered_in_another_county_is_refused_without_saying_where_or_what(
    apply_first: Any, make_person: Any
) -> None:
    elsewhere = make_person(place_code="410883001001", life_status="deceased",
                            life_status_date=D(2024, 1, 5))  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        apply_first(id_number=opened(elsewhere))
    (message,) = exc.value.message_dict["id_number"]
    assert message == outside_refusal()
    assert "deceased" not in message and "死亡" not in message


def test_a_bad_id_number_and_a_place_outside_the_county_are_reported_together(
    apply_first: Any,
) -> None:
    with pytest.raises(ValidationError) as exc:
        apply_first(id_number="410825198004020000", place_code="410883001001", name="")
    assert set(exc.value.message_dict) >= {"id_number", "place_code", "name"}


def test_an_application_date_in_the_future_is_refused(apply_first: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        apply_first(received_on=D(2099, 1, 1))
    assert "received_on" in exc.value.message_dict


def test_a_clerk_of_another_county_cannot_act_or_see(
    apply_first: Any, other_county_clerk: Any, institution: Institution
) -> None:
    application = apply_first()
    assert not Application.objects.visible_to(other_county_clerk).exists()
    with pytest.raises(PermissionDenied):
        services.book_assessment(
            application=application,
            institution=institution,
            booked_for=D(2025, 9, 5),
            at_home=False,
            acting_user=other_county_clerk,
        )


def test_a_township_officer_may_see_but_not_process(
    apply_first: Any, township_officer: Any
) -> None:
    apply_first()
    assert Application.objects.visible_to(township_officer).count() == 1
    with pytest.raises(PermissionDenied):
        services.submit_application(
            kind=Kind.FIRST,
            acting_user=township_officer,
            received_on=D(2025, 9, 1),
            applied_by=AppliedBy.SELF,
            documents=BASIC,
            category=4,
            applicant=applicant(
                id_number=idcard.build(region_code="410825", birth_date=D(1981, 1, 1), sequence=3)
            ),
        )


def test_a_refusal_needs_a_reason_and_closes_the_application(
    apply_first: Any, county_clerk: Any
) -> None:
    application = apply_first()
    with pytest.raises(ValidationError):
        services.refuse(
            application=application, on=D(2025, 9, 2), reason="", acting_user=county_clerk
        )
    services.refuse(
        application=application,
        on=D(2025, 9, 2),
        reason="户籍不在本县",
        acting_user=county_clerk,
    )
    application.refresh_from_db()
    assert application.status == Status.REFUSED
    # A closed application no longer blocks a new one.
    assert apply_first(received_on=D(2025, 9, 3)).status == Status.SUBMITTED


def test_a_withdrawn_application_is_closed_and_cannot_be_withdrawn_twice(
    assessed: Any, county_clerk: Any
) -> None:
    application = assessed()
    with pytest.raises(ValidationError) as exc:
        services.withdraw(
            application=application, on=D(2025, 8, 31), reason="本人撤回", acting_user=county_clerk
        )
    assert "on" in exc.value.message_dict  # before the application was received
    services.withdraw(
        application=application, on=D(2025, 9, 25), reason="本人撤回", acting_user=county_clerk
    )
    application.refresh_from_db()
    assert application.status == Status.WITHDRAWN
    with pytest.raises(ValidationError):
        services.withdraw(
            application=application, on=D(2025, 9, 26), reason="", acting_user=county_clerk
        )
    with pytest.raises(ValidationError):
        services.start_publicity(
            application=application, starts_on=D(2025, 9, 30), location="村委会",
            acting_user=county_clerk,
        )  # fmt: skip


# --- Speech is not graded under 3 (GB/T 26341-2010: 3岁以下不定残) -------------------------


def _child(apply_first: Any, birth: D, category: int, sequence: int) -> Application:
    return apply_first(
        category=category,
        id_number=idcard.build(region_code="410825", birth_date=birth, sequence=sequence),
        guardian_name="赵大山",
        guardian_relation="父亲",
        documents=[*BASIC, Document.GUARDIAN_PROOF],
    )


def test_speech_application_under_3_is_refused_with_the_day_it_is_accepted(
    apply_first: Any,
) -> None:
    # Received 2025-09-01: born 2022-09-02 the child is 2 years and 364 days old.
    with pytest.raises(ValidationError) as exc:
        _child(apply_first, D(2022, 9, 2), category=3, sequence=81)
    assert list(exc.value.message_dict) == ["category"]
    message = messages_of(exc)
    assert "3岁以下不定残" in message
    assert "2025-09-02" in message or "2025年9月2日" in message
    assert not Application.objects.exists()


def test_speech_application_from_the_third_birthday_and_hearing_under_3_are_accepted(
    apply_first: Any,
) -> None:
    three = _child(apply_first, D(2022, 9, 1), category=3, sequence=83)  # 3 on the day
    assert three.status == Status.SUBMITTED
    hearing = _child(apply_first, D(2024, 9, 2), category=2, sequence=85)
    assert hearing.status == Status.SUBMITTED


# --- A child without an ID card: the household book proves identity (居民身份证法 第二条) -------


@pytest.mark.parametrize(
    ("kind", "age", "needed"),
    [
        (Kind.FIRST, 15, (Document.HOUSEHOLD_BOOK, Document.PHOTOS, Document.GUARDIAN_PROOF)),
        (
            Kind.FIRST, 16,
            (Document.ID_CARD, Document.HOUSEHOLD_BOOK, Document.PHOTOS, Document.GUARDIAN_PROOF),
        ),
        (Kind.RENEWAL, 15, (Document.HOUSEHOLD_BOOK, Document.PHOTOS, Document.OLD_CERTIFICATE)),
        (Kind.RENEWAL, 16, (Document.ID_CARD, Document.PHOTOS, Document.OLD_CERTIFICATE)),
        (
            Kind.TRANSFER, 15,
            (Document.HOUSEHOLD_BOOK, Document.MOVE_PROOF, Document.OLD_CERTIFICATE),
        ),
    ],
)  # fmt: skip
def test_under_16_the_household_book_takes_the_id_cards_place(
    kind: str, age: int, needed: tuple[str, ...]
) -> None:
    assert services.required_documents(kind=kind, category=4, age=age, id_card_from=16) == needed


def test_the_id_card_age_is_a_dated_parameter_of_16() -> None:
    assert services.id_card_age(D(2025, 9, 1), "410825001001") == 16
    assert services.id_card_age(D(2003, 12, 31), "410825001001") == 0  # before the law


def _minor(apply_first: Any, birth: D, documents: list[str]) -> Application:
    return apply_first(
        id_number=idcard.build(region_code="410825", birth_date=birth, sequence=93),
        guardian_name="赵大山",
        guardian_relation="父亲",
        documents=documents,
    )


def test_a_child_under_16_applies_with_the_household_book_and_no_id_card(
    apply_first: Any,
) -> None:
    # Received 2025-09-01: born 2009-09-02 the applicant is 15 (a day short of 16).
    documents = [Document.HOUSEHOLD_BOOK, Document.PHOTOS, Document.GUARDIAN_PROOF]
    application = _minor(apply_first, D(2009, 9, 2), documents)
    assert application.status == Status.SUBMITTED
    assert Document.ID_CARD not in application.documents


def test_from_16_the_id_card_is_needed_again(apply_first: Any) -> None:
    documents = [Document.HOUSEHOLD_BOOK, Document.PHOTOS, Document.GUARDIAN_PROOF]
    with pytest.raises(ValidationError) as exc:
        _minor(apply_first, D(2009, 9, 1), documents)  # 16 on the day received
    assert list(exc.value.message_dict) == ["documents"]
    assert "身份证" in messages_of(exc) or "ID card" in messages_of(exc)


def test_a_child_without_the_household_book_is_told_both_documents_do(
    apply_first: Any,
) -> None:
    with pytest.raises(ValidationError) as exc:
        _minor(apply_first, D(2012, 1, 1), [Document.PHOTOS, Document.GUARDIAN_PROOF])
    message = messages_of(exc)
    assert "户口簿" in message or "Household registration book" in message
    assert not Application.objects.exists()
