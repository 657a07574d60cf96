"""Assessment through the services: booking, the derived grade beside the assessor's, multiple
disability, and a conclusion that finds no grade."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from canlian.certificates import grading, services
from canlian.certificates.forms import applications as forms
from canlian.certificates.models import (
    Document,
    Institution,
    Status,
)
from canlian.certificates.tests.conftest import BASIC
from canlian.lib import idcard
from canlian.places.models import Place

D = datetime.date
pytestmark = pytest.mark.django_db


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
            measures=grading.Measures(impairment="3b", independence="partly"),
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
    measures = grading.Measures(hearing_loss_db=85, impairment="1a", independence="partly")
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


def test_intellectual_from_7_stores_the_adaptive_behaviour_which_decides_the_derived_grade(
    assessed: Any,
) -> None:
    """GB/T 26341-2010 §5.5: IQ 60 points to grade 4, a moderate deficit in adaptive
    behaviour to grade 3; the adaptive behaviour decides."""
    application = assessed(
        category=5,
        grade=4,
        measures=grading.Measures(iq=60, adaptive_behaviour="moderate"),
        guardian_name="赵明",
        guardian_relation="父子",
        documents=[*BASIC, Document.GUARDIAN_PROOF],
    )
    assessment = application.assessments.get()
    assert assessment.measures == {"iq": 60, "adaptive_behaviour": "moderate"}
    assert assessment.derived_grade == 3
    assert assessment.grades_differ
    derivation = assessment.derivation
    assert "adaptive behaviour decides" in derivation or "按适应行为定级" in derivation


def test_physical_stores_the_impairment_and_independence_and_derives_from_both(
    assessed: Any,
) -> None:
    """A grade-1 impairment (四肢瘫) with partial independence reaches grade 3 only."""
    application = assessed(
        grade=3,
        measures=grading.Measures(impairment="1a", independence="partly"),
    )
    assessment = application.assessments.get()
    assert assessment.measures == {"impairment": "1a", "independence": "partly"}
    assert assessment.derived_grade == 3
    assert not assessment.grades_differ


def _booked_child(apply_first: Any, institution: Institution, clerk: Any, birth: Any) -> Any:
    application = apply_first(
        category=2,
        id_number=idcard.build(region_code="410825", birth_date=birth, sequence=91),
        guardian_name="赵大山",
        guardian_relation="父亲",
        documents=[*BASIC, Document.GUARDIAN_PROOF],
    )
    services.book_assessment(
        application=application,
        institution=institution,
        booked_for=D(2025, 9, 5),
        at_home=False,
        acting_user=clerk,
    )
    return application


@pytest.mark.parametrize(
    ("category", "parts", "field"),
    [(3, (), "category"), (7, ((3, 2), (4, 3)), "parts")],
)
def test_speech_under_3_is_refused_at_assessment_not_concluded(
    apply_first: Any,
    institution: Institution,
    county_clerk: Any,
    category: int,
    parts: Any,
    field: str,
) -> None:
    # Assessed 2025-09-05, born 2022-09-06: 2 years and 364 days.
    application = _booked_child(apply_first, institution, county_clerk, D(2022, 9, 6))
    measures = grading.Measures(speech_clarity=20, impairment="3a", independence="partly")
    with pytest.raises(ValidationError) as exc:
        services.record_assessment(
            application=application, assessed_on=D(2025, 9, 5), assessor="钱医生",
            category=category, measures=measures, assessor_grade=None, acting_user=county_clerk,
            parts=[services.Part(c, measures, g) for c, g in parts],
        )  # fmt: skip
    assert field in exc.value.message_dict
    assert "3岁以下不定残" in " ".join(exc.value.message_dict[field])
    application.refresh_from_db()
    assert application.status == Status.BOOKED  # not "does not meet the standard"
    assert not application.assessments.get().done


def test_speech_is_graded_from_the_third_birthday(
    apply_first: Any, institution: Institution, county_clerk: Any
) -> None:
    application = _booked_child(apply_first, institution, county_clerk, D(2022, 9, 5))
    assessment = services.record_assessment(
        application=application, assessed_on=D(2025, 9, 5), assessor="钱医生", category=3,
        measures=grading.Measures(speech_clarity=20), assessor_grade=2, acting_user=county_clerk,
    )  # fmt: skip
    assert assessment.derived_grade == 2


@pytest.mark.parametrize(("loss", "grade"), [("90.0", 2), ("90.5", 1)])
def test_hearing_loss_with_a_decimal_is_stored_as_entered_and_graded(
    assessed: Any, loss: str, grade: int
) -> None:
    application = assessed(
        category=2, grade=grade, measures=grading.Measures(hearing_loss_db=Decimal(loss))
    )
    assessment = application.assessments.get()
    assert assessment.measures == {"hearing_loss_db": loss}
    assert assessment.derived_grade == grade


@pytest.mark.parametrize(
    ("acuity", "error"),
    [("2.0", None), ("4.0", "0.1"), ("4.3", "0.2"), ("0.04", None)],
)
def test_the_assessment_form_explains_a_five_point_acuity(acuity: str, error: str | None) -> None:
    form = forms.AssessForm(
        {"assessed_on": "2025-09-05", "assessor": "钱医生", "category": "1", "acuity": acuity,
         "assessor_grade": "none"}
    )  # fmt: skip
    if error is None:
        assert form.is_valid(), form.errors
        assert form.measures().acuity == Decimal(acuity)
    else:
        assert not form.is_valid()
        message = " ".join(form.errors["acuity"])
        assert error in message
        assert "五分记录" in message or "five-point" in message


@pytest.mark.parametrize(("loss", "valid"), [("90.5", True), ("90.55", False), ("150.1", False)])
def test_the_assessment_form_takes_hearing_loss_with_one_decimal(loss: str, valid: bool) -> None:
    form = forms.AssessForm(
        {"assessed_on": "2025-09-05", "assessor": "钱医生", "category": "2",
         "hearing_loss_db": loss, "assessor_grade": "1"}
    )  # fmt: skip
    assert form.is_valid() is valid
    if valid:
        assert form.measures().hearing_loss_db == Decimal(loss)
    else:
        assert "hearing_loss_db" in form.errors
