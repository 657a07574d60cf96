"""The certificate's lifecycle through the services: each transition, each refusal, and the
deadlines counted on the official calendar (National Day 2025, Spring Festival 2026)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from canlian.accounts.scoping import outside_refusal
from canlian.audit.models import Entry
from canlian.audit.records import verify_chain
from canlian.certificates import grading, services
from canlian.certificates.models import (
    Application,
    AppliedBy,
    CancelReason,
    Certificate,
    CertificateStatus,
    Document,
    Institution,
    Issue,
    Kind,
    Level,
    ObjectionOutcome,
    Status,
)
from canlian.certificates.tests.conftest import BASIC, applicant
from canlian.conftest import certificate_number_of, opened
from canlian.holidays.services import DayEntry, enter_schedule
from canlian.lib import idcard, workdays
from canlian.people import services as people
from canlian.people.models import LifeStatus, Person
from canlian.places.models import Place

D = datetime.date
pytestmark = pytest.mark.django_db


def messages_of(exc: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(m for ms in exc.value.message_dict.values() for m in ms)


def assert_registry_matches_certificate(person: Person) -> None:
    person.refresh_from_db()
    valid = person.certificates.get(status=CertificateStatus.VALID)
    assert (person.category, person.grade) == (valid.category, valid.grade)
    assert person.certificate_issued_on == valid.issued_on
    assert person.certificate_expires_on == valid.expires_on


# --- The whole first application -------------------------------------------------------------


def test_a_first_application_goes_from_the_window_to_an_issued_certificate(
    in_publicity: Any, county_clerk: Any
) -> None:
    application = in_publicity()
    assert application.status == Status.PUBLICITY
    services.review(
        application=application,
        approve=True,
        on=D(2025, 10, 14),
        reason="",
        acting_user=county_clerk,
    )
    application.refresh_from_db()
    assert application.status == Status.ISSUED
    person = application.person
    assert person is not None
    assert person.name == "赵新民"
    assert (person.category, person.grade) == (4, 2)
    certificate = person.certificates.get()
    assert certificate.issue == Issue.FIRST
    assert certificate.issued_on == D(2025, 10, 14)
    assert certificate.expires_on == D(2035, 10, 14)
    assert certificate_number_of(person) == opened(application) + "42"
    assert_registry_matches_certificate(person)
    actions = list(
        Entry.objects.filter(target_type="certificates.application")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "certificate.apply",
        "certificate.book",
        "certificate.assess",
        "certificate.publicity",
        # The applicant's values opened through the gate to be sealed onto the registry.
        "certificate.issue.copy",
        "certificate.issue",
    ]
    assert verify_chain()[1] is None


def test_publicity_over_national_day_counts_the_adjusted_saturday_and_skips_the_holiday(
    in_publicity: Any,
) -> None:
    # Posted Tue 2025-09-30: 30 Sep, (1–8 Oct holiday), 9, 10, Sat 11 Oct (worked), Mon 13.
    application = in_publicity(starts_on=D(2025, 9, 30))
    assert application.publicity_ends_on == D(2025, 10, 13)
    # Ten working days after the publicity: 14–17, 20–24, 27 October.
    assert application.review_due == D(2025, 10, 27)
    # Objections: ten working days after the conclusion was posted.
    assert application.objection_due == D(2025, 10, 21)
    assert application.estimated_years == []


def test_publicity_over_the_spring_festival_2026(in_publicity: Any) -> None:
    # Thu 12, Fri 13, Sat 14 Feb (worked), (15–23 Feb holiday), Tue 24, Wed 25.
    application = in_publicity(starts_on=D(2026, 2, 12), assessed_on=D(2025, 9, 20))
    assert application.publicity_ends_on == D(2026, 2, 25)
    # Thu 26, Fri 27, Sat 28 Feb (worked), 2–6 and 9, 10 March.
    assert application.review_due == D(2026, 3, 10)


def test_issue_before_the_publicity_ends_is_refused_and_changes_nothing(
    in_publicity: Any, county_clerk: Any
) -> None:
    application = in_publicity()
    with pytest.raises(ValidationError) as exc:
        services.review(
            application=application,
            approve=True,
            on=D(2025, 10, 13),
            reason="",
            acting_user=county_clerk,
        )
    assert "2025-10-13" in messages_of(exc)
    application.refresh_from_db()
    assert application.status == Status.PUBLICITY
    assert not Person.objects.exists()
    assert not Certificate.objects.exists()


def test_a_county_review_may_reject_with_a_reason(in_publicity: Any, county_clerk: Any) -> None:
    application = in_publicity()
    with pytest.raises(ValidationError) as exc:
        services.review(
            application=application,
            approve=False,
            on=D(2025, 10, 20),
            reason=" ",
            acting_user=county_clerk,
        )
    assert "reason" in exc.value.message_dict
    services.review(
        application=application,
        approve=False,
        on=D(2025, 10, 20),
        reason="材料与公示反映情况不符",
        acting_user=county_clerk,
    )
    application.refresh_from_db()
    assert application.status == Status.REJECTED
    assert application.decision_reason == "材料与公示反映情况不符"
    assert not Person.objects.exists()


def test_deadlines_in_a_year_without_an_official_schedule_are_marked_estimated(
    assessed: Any, county_clerk: Any, monkeypatch: Any
) -> None:
    application = assessed()
    # As if the package had no schedule for 2025 and nobody had entered one.
    monkeypatch.setattr(workdays, "PACKAGE_YEARS", range(2004, 2025))
    services.start_publicity(
        application=application,
        starts_on=D(2025, 9, 30),
        location="村委会公示栏",
        acting_user=county_clerk,
    )
    application.refresh_from_db()
    # Weekends only: 30 Sep, 1, 2, 3, 6 Oct: the National Day holiday is not known.
    assert application.publicity_ends_on == D(2025, 10, 6)
    assert application.estimated_years == [2025]


def test_entering_the_official_schedule_counts_estimated_deadlines_again(
    assessed: Any, county_clerk: Any, system_admin: Any, monkeypatch: Any
) -> None:
    application = assessed()
    monkeypatch.setattr(workdays, "PACKAGE_YEARS", range(2004, 2025))
    services.start_publicity(
        application=application,
        starts_on=D(2025, 9, 30),
        location="村委会公示栏",
        acting_user=county_clerk,
    )
    application.refresh_from_db()
    assert application.review_due == D(2025, 10, 20)  # weekends only
    enter_schedule(
        year=2025,
        reference="国办发明电〔2024〕12号",
        days=[DayEntry(day, working, name) for day, working, name in workdays.package_days(2025)],
        acting_user=system_admin,
    )
    application.refresh_from_db()
    assert application.publicity_ends_on == D(2025, 10, 13)
    assert application.review_due == D(2025, 10, 27)
    assert application.estimated_years == []
    entry = Entry.objects.get(action="certificate.deadlines")
    assert entry.detail["before"]["review_due"] == "2025-10-20"
    assert entry.detail["after"]["review_due"] == "2025-10-27"


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


# --- Assessment ----------------------------------------------------------------------------


def test_the_derived_grade_is_stored_beside_the_assessors_and_a_difference_is_flagged(
    assessed: Any,
) -> None:
    application = assessed(grade=3, independence=grading.Independence.MOSTLY_UNABLE)
    assessment = application.assessments.get()
    assert assessment.derived_grade == 2
    assert assessment.assessor_grade == 3
    assert assessment.grades_differ
    assert application.grade == 3  # the assessor's conclusion stands
    same = assessed(
        grade=2,
        independence=grading.Independence.MOSTLY_UNABLE,
        id_number=idcard.build(region_code="410825", birth_date=D(1975, 1, 1), sequence=9),
    ).assessments.get()
    assert not same.grades_differ


def test_a_grade_outside_1_to_4_is_refused(
    apply_first: Any, institution: Institution, county_clerk: Any
) -> None:
    application = apply_first()
    services.book_assessment(
        application=application,
        institution=institution,
        booked_for=D(2025, 9, 5),
        at_home=True,
        acting_user=county_clerk,
    )
    with pytest.raises(ValidationError) as exc:
        services.record_assessment(
            application=application,
            assessed_on=D(2025, 9, 5),
            assessor="钱医生",
            category=4,
            measures=grading.Measures(independence="partly"),
            assessor_grade=5,
            acting_user=county_clerk,
        )
    assert "assessor_grade" in exc.value.message_dict
    application.refresh_from_db()
    assert application.status == Status.BOOKED
    assert application.grade is None


def test_a_result_cannot_be_recorded_before_a_booking(apply_first: Any, county_clerk: Any) -> None:
    application = apply_first()
    with pytest.raises(ValidationError):
        services.record_assessment(
            application=application,
            assessed_on=D(2025, 9, 5),
            assessor="钱医生",
            category=4,
            measures=grading.Measures(),
            assessor_grade=2,
            acting_user=county_clerk,
        )


def test_an_institution_that_does_not_assess_the_category_cannot_be_booked(
    apply_first: Any, county_clerk: Any, places: Any
) -> None:
    eye_clinic = Institution.objects.create(
        name="眼科医院（示例）", place=Place.objects.get(code="410825000000"), categories=[1]
    )
    application = apply_first(category=4)
    with pytest.raises(ValidationError) as exc:
        services.book_assessment(
            application=application,
            institution=eye_clinic,
            booked_for=D(2025, 9, 5),
            at_home=True,
            acting_user=county_clerk,
        )
    assert set(exc.value.message_dict) == {"institution", "at_home"}


def test_a_multiple_disability_takes_the_grade_of_its_most_severe_part(
    apply_first: Any, institution: Institution, county_clerk: Any
) -> None:
    application = apply_first(category=7)
    services.book_assessment(
        application=application,
        institution=institution,
        booked_for=D(2025, 9, 5),
        at_home=False,
        acting_user=county_clerk,
    )
    measures = grading.Measures(hearing_loss_db=85, independence="partly")
    parts = [
        services.Part(category=2, measures=measures, assessor_grade=2),
        services.Part(category=4, measures=measures, assessor_grade=3),
    ]
    with pytest.raises(ValidationError) as exc:
        services.record_assessment(
            application=application, assessed_on=D(2025, 9, 5), assessor="钱医生", category=7,
            measures=measures, assessor_grade=3, parts=parts, acting_user=county_clerk,
        )  # fmt: skip
    assert "assessor_grade" in exc.value.message_dict
    assessment = services.record_assessment(
        application=application, assessed_on=D(2025, 9, 5), assessor="钱医生", category=7,
        measures=measures, assessor_grade=None, parts=parts, acting_user=county_clerk,
    )  # fmt: skip
    assert assessment.assessor_grade == 2
    assert assessment.derived_grade == 2
    assert [p["derived_grade"] for p in assessment.parts] == [2, 3]
    application.refresh_from_db()
    assert application.grade == 2


def test_no_grade_means_not_qualified_and_opens_the_objection_window(assessed: Any) -> None:
    application = assessed(grade=None, independence=grading.Independence.FULLY)
    assert application.status == Status.NOT_QUALIFIED
    assert application.concluded_on == D(2025, 9, 20)
    # Ten working days after Sat 20 Sep 2025: 22–26, Sun 28 (worked), 29, 30 Sep, 9, 10 Oct.
    assert application.objection_due == D(2025, 10, 10)


# --- Objections ----------------------------------------------------------------------------


def test_an_objection_after_ten_working_days_is_refused(
    in_publicity: Any, county_clerk: Any
) -> None:
    application = in_publicity()
    with pytest.raises(ValidationError) as exc:
        services.file_objection(
            application=application,
            filed_on=D(2025, 10, 22),
            grounds="不服评定等级",
            acting_user=county_clerk,
        )
    assert "2025-10-21" in messages_of(exc)
    assert not application.objections.exists()


def test_objections_go_to_the_city_then_the_province_whose_decision_is_final(
    in_publicity: Any, county_clerk: Any, city_staff: Any
) -> None:
    application = in_publicity()
    city = services.file_objection(
        application=application,
        filed_on=D(2025, 10, 21),
        grounds="不服评定等级",
        acting_user=county_clerk,
    )
    assert city.level == Level.CITY
    application.refresh_from_db()
    assert application.status == Status.OBJECTION
    # Only a city federation officer decides.
    with pytest.raises(PermissionDenied):
        services.decide_objection(
            objection=city, decided_on=D(2025, 10, 30), outcome=ObjectionOutcome.UPHELD,
            grade=None, note="维持", acting_user=county_clerk,
        )  # fmt: skip
    # A review is impossible while the objection is open.
    with pytest.raises(ValidationError):
        services.review(
            application=application, approve=True, on=D(2025, 10, 24), reason="",
            acting_user=county_clerk,
        )  # fmt: skip
    services.decide_objection(
        objection=city, decided_on=D(2025, 10, 30), outcome=ObjectionOutcome.UPHELD,
        grade=None, note="复评维持二级", acting_user=city_staff,
    )  # fmt: skip
    application.refresh_from_db()
    assert application.status == Status.PUBLICITY
    assert services.objection_deadline(application) == (Level.PROVINCE, D(2025, 11, 13))

    province = services.file_objection(
        application=application,
        filed_on=D(2025, 11, 13),
        grounds="申请省级专家委员会复核",
        acting_user=county_clerk,
    )
    assert province.level == Level.PROVINCE
    services.decide_objection(
        objection=province, decided_on=D(2025, 12, 1), outcome=ObjectionOutcome.CHANGED,
        grade=1, note="省专家委员会认定为一级", acting_user=city_staff,
    )  # fmt: skip
    application.refresh_from_db()
    assert application.grade == 1
    assert application.status == Status.ASSESSED  # published again before the review
    assert application.publicity_ends_on is None
    with pytest.raises(ValidationError) as exc:
        services.file_objection(
            application=application, filed_on=D(2025, 12, 2), grounds="再次异议",
            acting_user=county_clerk,
        )  # fmt: skip
    assert "final" in messages_of(exc) or "最终" in messages_of(exc)
    services.start_publicity(
        application=application, starts_on=D(2025, 12, 2), location="村委会公示栏",
        acting_user=county_clerk,
    )  # fmt: skip
    services.review(
        application=application, approve=True, on=D(2025, 12, 15), reason="",
        acting_user=county_clerk,
    )  # fmt: skip
    application.refresh_from_db()
    assert application.person is not None
    assert application.person.grade == 1
    assert application.assessments.filter(level=Level.PROVINCE, assessor_grade=1).exists()


def test_the_province_must_wait_for_the_city(in_publicity: Any, county_clerk: Any) -> None:
    application = in_publicity()
    services.file_objection(
        application=application, filed_on=D(2025, 10, 9), grounds="不服", acting_user=county_clerk
    )
    application.refresh_from_db()
    with pytest.raises(ValidationError):
        services.file_objection(
            application=application, filed_on=D(2025, 10, 10), grounds="不服",
            acting_user=county_clerk,
        )  # fmt: skip


# --- Renewal, change, replacement, transfer ----------------------------------------------------


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
    application = holder_application(county_clerk, holder, Kind.REPLACEMENT, reason="遗失")
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
