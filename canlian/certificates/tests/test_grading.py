"""Tests for canlian.certificates.grading: grades from measured values (GB/T 26341-2010).

The cases are a Python table (PyYAML is not a dependency of the project): every threshold of the
standard is tried on both sides. No database is needed.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from canlian.certificates.grading import (
    AdaptiveBehaviour,
    Derivation,
    Independence,
    Measures,
    derive_grade,
    measures_needed,
    measures_required,
    multiple_grade,
    not_graded,
)
from canlian.certificates.impairments import IMPAIRMENTS

VISUAL, HEARING, SPEECH, PHYSICAL, INTELLECTUAL, MENTAL, MULTIPLE = range(1, 8)
ADULT = 30
NONE_MEETS = "does not meet the standard for any grade"


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def D(text: str) -> Decimal:
    return Decimal(text)


# (category, age, measures, grade, complete, text the reason must contain)
GRADED: list[tuple[int, int, dict[str, Any], int | None, bool, str]] = [
    # hearing, one decimal: >90 → 1; >80–90 → 2; >60–80 → 3; >40–60 → 4; ≤40 → none
    (HEARING, ADULT, {"hearing_loss_db": 0}, None, True, "0 dB HL"),
    (HEARING, ADULT, {"hearing_loss_db": 40}, None, True, "40 dB HL"),
    (HEARING, ADULT, {"hearing_loss_db": D("40.0")}, None, True, "40.0 dB HL"),
    (HEARING, ADULT, {"hearing_loss_db": D("40.5")}, 4, True, "40.5 dB HL"),
    (HEARING, ADULT, {"hearing_loss_db": D("60.5")}, 3, True, "60.5 dB HL"),
    (HEARING, ADULT, {"hearing_loss_db": D("80.5")}, 2, True, "80.5 dB HL"),
    (HEARING, ADULT, {"hearing_loss_db": D("90.0")}, 2, True, "90.0 dB HL"),
    (HEARING, ADULT, {"hearing_loss_db": D("90.5")}, 1, True, "90.5 dB HL"),
    (HEARING, ADULT, {"hearing_loss_db": "90.5"}, 1, True, ">90 dB HL"),
    (HEARING, ADULT, {"hearing_loss_db": 41}, 4, True, "41 dB HL"),
    (HEARING, ADULT, {"hearing_loss_db": 60}, 4, True, "60 dB HL"),
    (HEARING, ADULT, {"hearing_loss_db": 61}, 3, True, "61 dB HL"),
    (HEARING, ADULT, {"hearing_loss_db": 80}, 3, True, "80 dB HL"),
    (HEARING, ADULT, {"hearing_loss_db": 81}, 2, True, "81 dB HL"),
    (HEARING, ADULT, {"hearing_loss_db": 90}, 2, True, "90 dB HL"),
    (HEARING, ADULT, {"hearing_loss_db": 91}, 1, True, "91 dB HL"),
    (HEARING, ADULT, {"hearing_loss_db": 150}, 1, True, "150 dB HL"),
    (HEARING, 3, {"hearing_loss_db": 85}, 2, True, "85 dB HL"),
    # visual acuity: <0.02 → 1; <0.05 → 2; <0.1 → 3; <0.3 → 4; ≥0.3 → none
    (VISUAL, ADULT, {"acuity": D("0")}, 1, True, "acuity 0,"),
    (VISUAL, ADULT, {"acuity": D("0.0199")}, 1, True, "0.0199"),
    (VISUAL, ADULT, {"acuity": D("0.02")}, 2, True, "0.02"),
    (VISUAL, ADULT, {"acuity": D("0.0499")}, 2, True, "0.0499"),
    (VISUAL, ADULT, {"acuity": D("0.05")}, 3, True, "0.05"),
    (VISUAL, ADULT, {"acuity": D("0.0999")}, 3, True, "0.0999"),
    (VISUAL, ADULT, {"acuity": D("0.1")}, 4, True, "0.1"),
    (VISUAL, ADULT, {"acuity": D("0.2999")}, 4, True, "0.2999"),
    (VISUAL, ADULT, {"acuity": D("0.3")}, None, True, "0.3"),
    (VISUAL, ADULT, {"acuity": D("2.0")}, None, True, "2.0"),
    # visual field radius: <5° → 1; <10° → 2; the more severe of acuity and field applies
    (VISUAL, ADULT, {"acuity": D("0.5"), "field_radius": 4}, 1, True, "4°"),
    (VISUAL, ADULT, {"acuity": D("0.5"), "field_radius": 5}, 2, True, "5°"),
    (VISUAL, ADULT, {"acuity": D("0.5"), "field_radius": 9}, 2, True, "9°"),
    (VISUAL, ADULT, {"acuity": D("0.5"), "field_radius": 10}, None, True, "10°"),
    (VISUAL, ADULT, {"acuity": D("0.5"), "field_radius": 90}, None, True, "90°"),
    (VISUAL, ADULT, {"acuity": D("0.2"), "field_radius": 10}, 4, True, "0.2"),
    (VISUAL, ADULT, {"acuity": D("0.07"), "field_radius": 4}, 1, True, "4°"),
    (VISUAL, ADULT, {"acuity": D("0.01"), "field_radius": 7}, 1, True, "0.01"),
    (VISUAL, ADULT, {"acuity": D("0.03"), "field_radius": 8}, 2, True, "0.03"),
    (VISUAL, ADULT, {"field_radius": 0}, 1, True, "0°"),
    (VISUAL, ADULT, {"field_radius": 4}, 1, True, "4°"),
    # speech intelligibility: ≤10% → 1; 11–25 → 2; 26–45 → 3; 46–65 → 4; >65 → none
    (SPEECH, ADULT, {"speech_clarity": 0}, 1, True, "0%"),
    (SPEECH, ADULT, {"speech_clarity": 10}, 1, True, "10%"),
    (SPEECH, ADULT, {"speech_clarity": 11}, 2, True, "11%"),
    (SPEECH, ADULT, {"speech_clarity": 25}, 2, True, "25%"),
    (SPEECH, ADULT, {"speech_clarity": 26}, 3, True, "26%"),
    (SPEECH, ADULT, {"speech_clarity": 45}, 3, True, "45%"),
    (SPEECH, ADULT, {"speech_clarity": 46}, 4, True, "46%"),
    (SPEECH, ADULT, {"speech_clarity": 65}, 4, True, "65%"),
    (SPEECH, ADULT, {"speech_clarity": 66}, None, True, "66%"),
    (SPEECH, ADULT, {"speech_clarity": 100}, None, True, "100%"),
    # intellectual under 7, by DQ (GB/T 26341-2010 §5.5): ≤25 → 1; 26–39 → 2; 40–54 → 3;
    # 55–71 → 4 by the DQ alone; 72–75 by adaptive behaviour; >75 → none
    (INTELLECTUAL, 0, {"dq": 0}, 1, True, "DQ) 0"),
    (INTELLECTUAL, 6, {"dq": 25}, 1, True, "DQ) 25"),
    (INTELLECTUAL, 6, {"dq": 26}, 2, True, "DQ) 26"),
    (INTELLECTUAL, 6, {"dq": 39}, 2, True, "DQ) 39"),
    (INTELLECTUAL, 6, {"dq": 40}, 3, True, "DQ) 40"),
    (INTELLECTUAL, 6, {"dq": 54}, 3, True, "DQ) 54"),
    (INTELLECTUAL, 6, {"dq": 55}, 4, True, "DQ) 55"),
    (INTELLECTUAL, 6, {"dq": 71}, 4, True, "DQ) 71"),
    (INTELLECTUAL, 6, {"dq": 71, "adaptive_behaviour": "none"}, 4, True, "DQ) 71"),
    (INTELLECTUAL, 6, {"dq": 40, "adaptive_behaviour": "mild"}, 3, True, "DQ) 40"),
    (INTELLECTUAL, 6, {"dq": 72, "adaptive_behaviour": "none"}, None, True, "No deficit"),
    (INTELLECTUAL, 6, {"dq": 72, "adaptive_behaviour": "mild"}, 4, True, "Mild deficit"),
    (INTELLECTUAL, 6, {"dq": 75, "adaptive_behaviour": "mild"}, 4, True, "DQ) 75"),
    (INTELLECTUAL, 6, {"dq": 75, "adaptive_behaviour": "none"}, None, True, "DQ) 75"),
    (INTELLECTUAL, 5, {"dq": 73, "adaptive_behaviour": "moderate"}, 3, True, "Moderate"),
    (INTELLECTUAL, 6, {"dq": 76}, None, True, "DQ) 76"),
    (INTELLECTUAL, 6, {"dq": 76, "adaptive_behaviour": "profound"}, None, True, "DQ) 76"),
    (INTELLECTUAL, 6, {"dq": 200}, None, True, "DQ) 200"),
    # intellectual from 7, by IQ (<20 → 1; 20–34 → 2; 35–49 → 3; 50–69 → 4) and adaptive
    # behaviour; where they disagree adaptive behaviour decides; IQ ≥70 → none whatever it says
    (INTELLECTUAL, 7, {"iq": 0, "adaptive_behaviour": "profound"}, 1, True, "IQ) 0"),
    (INTELLECTUAL, 7, {"iq": 19, "adaptive_behaviour": "profound"}, 1, True, "IQ) 19"),
    (INTELLECTUAL, 7, {"iq": 20, "adaptive_behaviour": "severe"}, 2, True, "IQ) 20"),
    (INTELLECTUAL, 7, {"iq": 34, "adaptive_behaviour": "severe"}, 2, True, "IQ) 34"),
    (INTELLECTUAL, 7, {"iq": 35, "adaptive_behaviour": "moderate"}, 3, True, "IQ) 35"),
    (INTELLECTUAL, 7, {"iq": 49, "adaptive_behaviour": "moderate"}, 3, True, "IQ) 49"),
    (INTELLECTUAL, 7, {"iq": 50, "adaptive_behaviour": "mild"}, 4, True, "IQ) 50"),
    (INTELLECTUAL, 7, {"iq": 69, "adaptive_behaviour": "mild"}, 4, True, "IQ) 69"),
    (INTELLECTUAL, 7, {"iq": 69, "adaptive_behaviour": "none"}, None, True, "decides"),
    (INTELLECTUAL, 7, {"iq": 70, "adaptive_behaviour": "severe"}, None, True, "whatever"),
    (INTELLECTUAL, 7, {"iq": 70, "adaptive_behaviour": "none"}, None, True, "IQ) 70"),
    (INTELLECTUAL, 7, {"iq": 70}, None, True, "IQ) 70"),
    (INTELLECTUAL, ADULT, {"iq": 200}, None, True, "IQ) 200"),
    (INTELLECTUAL, 12, {"iq": 30, "adaptive_behaviour": "mild"}, 4, True, "decides"),
    (INTELLECTUAL, 12, {"iq": 60, "adaptive_behaviour": "profound"}, 1, True, "decides"),
    (INTELLECTUAL, 12, {"iq": 19, "adaptive_behaviour": "severe"}, 2, True, "IQ) 19"),
    # age 6/7: DQ decides before 7, IQ and adaptive behaviour from 7
    (INTELLECTUAL, 6, {"dq": 80, "iq": 30, "adaptive_behaviour": "severe"}, None, True, "DQ) 80"),
    (INTELLECTUAL, 7, {"dq": 80, "iq": 30, "adaptive_behaviour": "severe"}, 2, True, "IQ) 30"),
    # adults: the WHO-DAS II score is reported, it does not decide
    (
        INTELLECTUAL,
        ADULT,
        {"iq": 45, "whodas": 120, "adaptive_behaviour": "moderate"},
        3,
        True,
        "WHO-DAS II score 120",
    ),
    (INTELLECTUAL, ADULT, {"iq": 75, "whodas": 120}, None, True, "WHO-DAS II score 120"),
    # mental, 18 and over, by WHO-DAS II: ≥116 → 1; 106–115 → 2; 96–105 → 3; 52–95 → 4
    (MENTAL, 18, {"whodas": 36}, None, True, "score 36"),
    (MENTAL, 18, {"whodas": 51}, None, True, "score 51"),
    (MENTAL, 18, {"whodas": 52}, 4, True, "score 52"),
    (MENTAL, 18, {"whodas": 95}, 4, True, "score 95"),
    (MENTAL, 18, {"whodas": 96}, 3, True, "score 96"),
    (MENTAL, 18, {"whodas": 105}, 3, True, "score 105"),
    (MENTAL, 18, {"whodas": 106}, 2, True, "score 106"),
    (MENTAL, 18, {"whodas": 115}, 2, True, "score 115"),
    (MENTAL, 18, {"whodas": 116}, 1, True, "score 116"),
    (MENTAL, 90, {"whodas": 180}, 1, True, "score 180"),
    # physical (§5.4): the listed impairment AND the independence level; where they point to
    # different grades, the less severe (higher number) is the one both reach
    (PHYSICAL, ADULT, {"impairment": "1a", "independence": "unable"}, 1, True, "四肢瘫"),
    (PHYSICAL, ADULT, {"impairment": "1i", "independence": "unable"}, 1, True, "1i"),
    (PHYSICAL, ADULT, {"impairment": "1a", "independence": "mostly_unable"}, 2, True, "Mostly"),
    (PHYSICAL, ADULT, {"impairment": "1a", "independence": "partly"}, 3, True, "Can partly"),
    (PHYSICAL, ADULT, {"impairment": "1a", "independence": "mostly"}, 4, True, "Can mostly"),
    (PHYSICAL, ADULT, {"impairment": "1a", "independence": "fully"}, None, True, "Fully"),
    (PHYSICAL, ADULT, {"impairment": "2a", "independence": "unable"}, 2, True, "needs both"),
    (PHYSICAL, ADULT, {"impairment": "2g", "independence": "mostly_unable"}, 2, True, "2g"),
    (PHYSICAL, ADULT, {"impairment": "2c", "independence": "partly"}, 3, True, "needs both"),
    (PHYSICAL, ADULT, {"impairment": "3b", "independence": "unable"}, 3, True, "needs both"),
    (PHYSICAL, ADULT, {"impairment": "3b", "independence": "mostly_unable"}, 3, True, "3b"),
    (PHYSICAL, ADULT, {"impairment": "3f", "independence": "partly"}, 3, True, "3f"),
    (PHYSICAL, ADULT, {"impairment": "3a", "independence": "mostly"}, 4, True, "3a"),
    (PHYSICAL, ADULT, {"impairment": "4k", "independence": "unable"}, 4, True, "needs both"),
    (PHYSICAL, 5, {"impairment": "4a", "independence": "mostly"}, 4, True, "单小腿缺失"),
    (PHYSICAL, ADULT, {"impairment": "4a", "independence": "fully"}, None, True, "Fully"),
    (PHYSICAL, ADULT, {"impairment": "none", "independence": "unable"}, None, True, "None of"),
    (PHYSICAL, ADULT, {"impairment": "none", "independence": "fully"}, None, True, "None of"),
]


def _case_id(case: tuple[int, int, dict[str, Any], int | None, bool, str]) -> str:
    category, age, measures, grade, _complete, _text = case
    values = ",".join(f"{k}={v}" for k, v in measures.items())
    return f"cat{category}-age{age}-{values}-grade{grade}"


@pytest.mark.parametrize(
    ("category", "age", "measures", "grade", "complete", "text"),
    GRADED,
    ids=[_case_id(case) for case in GRADED],
)
def test_measured_value_gives_the_grade_of_the_standard_and_the_reason_names_it(
    category: int, age: int, measures: dict[str, Any], grade: int | None, complete: bool, text: str
) -> None:
    result = derive_grade(category=category, measures=Measures(**measures), age_years=age)
    assert result.grade == grade
    assert result.complete is complete
    assert text in result.reason
    if grade is None:
        assert NONE_MEETS in result.reason
    else:
        assert f"Grade {grade}" in result.reason


def test_reason_names_the_range_the_value_falls_in() -> None:
    hearing = derive_grade(category=HEARING, measures=Measures(hearing_loss_db=85), age_years=40)
    assert ">80–90 dB HL" in hearing.reason
    acuity = derive_grade(category=VISUAL, measures=Measures(acuity=D("0.04")), age_years=40)
    assert "0.02–<0.05" in acuity.reason
    speech = derive_grade(category=SPEECH, measures=Measures(speech_clarity=80), age_years=40)
    assert ">65%" in speech.reason


def test_visual_field_more_severe_than_acuity_is_named_as_the_deciding_measure() -> None:
    result = derive_grade(
        category=VISUAL, measures=Measures(acuity=D("0.5"), field_radius=7), age_years=40
    )
    assert result.reason.startswith("Better-eye visual field radius 7°")
    assert "0.5" in result.reason


def test_acuity_as_severe_as_the_field_is_named_first_with_the_field_beside_it() -> None:
    result = derive_grade(
        category=VISUAL, measures=Measures(acuity=D("0.03"), field_radius=8), age_years=40
    )
    assert result.reason.startswith("Better-eye best-corrected visual acuity 0.03")
    assert "8°" in result.reason


# (category, age, measures, text the reason must contain): not enough to derive a grade
INCOMPLETE: list[tuple[int, int, dict[str, Any], str]] = [
    (HEARING, ADULT, {}, "hearing loss is missing"),
    (HEARING, ADULT, {"acuity": D("0.01")}, "hearing loss is missing"),
    (VISUAL, ADULT, {}, "visual acuity is missing"),
    (VISUAL, ADULT, {"field_radius": 5}, "at least Grade 2"),
    (VISUAL, ADULT, {"field_radius": 9}, "radius 9°"),
    (VISUAL, ADULT, {"field_radius": 10}, "visual acuity is missing"),
    (SPEECH, ADULT, {}, "speech intelligibility is missing"),
    (PHYSICAL, ADULT, {}, "impairment of the limbs listed by the standard is missing"),
    (PHYSICAL, ADULT, {"independence": "unable"}, "impairment of the limbs"),
    (PHYSICAL, ADULT, {"impairment": "1a"}, "independence in daily living activities is missing"),
    (INTELLECTUAL, 6, {}, "At age 6"),
    (INTELLECTUAL, 6, {"iq": 30}, "developmental quotient (DQ), which is missing"),
    (INTELLECTUAL, 7, {"dq": 30}, "the IQ is missing"),
    (INTELLECTUAL, ADULT, {"whodas": 120}, "the IQ is missing"),
    (INTELLECTUAL, 7, {"iq": 69}, "adaptive behaviour decides too, and it is missing"),
    (INTELLECTUAL, ADULT, {"iq": 19, "whodas": 120}, "it is missing"),
    (INTELLECTUAL, 6, {"dq": 72}, "graded by the adaptive behaviour, which is missing"),
    (INTELLECTUAL, 6, {"dq": 75}, "graded by the adaptive behaviour, which is missing"),
    (MENTAL, ADULT, {}, "WHO-DAS II score is missing"),
    (MENTAL, 18, {"iq": 40}, "WHO-DAS II score is missing"),
    (MENTAL, 17, {"whodas": 120}, "the assessor's grade stands"),
    (MENTAL, 0, {}, "At age 0"),
    (MULTIPLE, ADULT, {"hearing_loss_db": 95, "acuity": D("0.01")}, "most severe part"),
]


@pytest.mark.parametrize(("category", "age", "measures", "text"), INCOMPLETE)
def test_without_the_measure_the_category_needs_no_grade_is_derived(
    category: int, age: int, measures: dict[str, Any], text: str
) -> None:
    result = derive_grade(category=category, measures=Measures(**measures), age_years=age)
    assert result == Derivation(grade=None, complete=False, reason=result.reason)
    assert text in result.reason


def test_mental_disability_under_18_says_whodas_grades_adults_only() -> None:
    result = derive_grade(category=MENTAL, measures=Measures(whodas=120), age_years=17)
    assert "WHO-DAS II" in result.reason
    assert "18" in result.reason


# Impossible values: constructing the measures refuses them.
INVALID: list[tuple[dict[str, Any], str]] = [
    ({"hearing_loss_db": -1}, "-1 dB HL"),
    ({"hearing_loss_db": 151}, "151 dB HL"),
    ({"hearing_loss_db": D("150.1")}, "150.1 dB HL"),
    ({"hearing_loss_db": D("90.55")}, "90.55 dB HL"),
    ({"hearing_loss_db": D("-0.5")}, "-0.5 dB HL"),
    ({"acuity": D("5.31")}, "5.31"),
    ({"acuity": D("-0.01")}, "-0.01"),
    ({"acuity": D("2.01")}, "2.01"),
    ({"acuity": D("NaN")}, "NaN"),
    ({"acuity": D("Infinity")}, "Infinity"),
    ({"acuity": "abc"}, "abc"),
    ({"field_radius": -1}, "-1°"),
    ({"field_radius": 91}, "91°"),
    ({"iq": -1}, "-1"),
    ({"iq": 201}, "201"),
    ({"dq": -1}, "-1"),
    ({"dq": 201}, "201"),
    ({"whodas": 35}, "35"),
    ({"whodas": 181}, "181"),
    ({"speech_clarity": -1}, "-1%"),
    ({"speech_clarity": 101}, "101%"),
    ({"independence": "somewhat"}, "somewhat"),
    ({"adaptive_behaviour": "borderline"}, "borderline"),
    ({"impairment": "5a"}, "5a"),
    ({"impairment": "1j"}, "1j"),
]


@pytest.mark.parametrize(("measures", "text"), INVALID)
def test_impossible_values_are_refused_with_the_value_in_the_message(
    measures: dict[str, Any], text: str
) -> None:
    with pytest.raises(ValueError, match="not") as error:
        Measures(**measures)
    assert text in str(error.value)


@pytest.mark.parametrize(
    "measures",
    [
        {"hearing_loss_db": 0},
        {"hearing_loss_db": 150},
        {"hearing_loss_db": D("150.0")},
        {"hearing_loss_db": D("0.5")},
        {"acuity": D("0")},
        {"acuity": D("2.0")},
        {"field_radius": 0},
        {"field_radius": 90},
        {"iq": 0},
        {"iq": 200},
        {"dq": 0},
        {"dq": 200},
        {"whodas": 36},
        {"whodas": 180},
        {"speech_clarity": 0},
        {"speech_clarity": 100},
        {"independence": Independence.FULLY},
        {"adaptive_behaviour": AdaptiveBehaviour.NONE},
        {"impairment": "4k"},
        {"impairment": "none"},
    ],
)
def test_the_limits_of_each_range_are_accepted(measures: dict[str, Any]) -> None:
    Measures(**measures)


@pytest.mark.parametrize(
    "measures",
    [{"hearing_loss_db": True}, {"iq": True}, {"whodas": "100"}, {"acuity": True}],
)
def test_values_of_the_wrong_type_are_a_programming_error(measures: dict[str, Any]) -> None:
    with pytest.raises(TypeError):
        Measures(**measures)


def test_acuity_given_as_a_float_or_int_becomes_the_decimal_it_reads_as() -> None:
    assert Measures(acuity=0.1).acuity == Decimal("0.1")  # type: ignore[arg-type]
    assert Measures(acuity=1).acuity == Decimal(1)  # type: ignore[arg-type]


def test_hearing_loss_given_as_a_float_or_text_becomes_the_decimal_it_reads_as() -> None:
    assert Measures(hearing_loss_db=90.5).hearing_loss_db == Decimal("90.5")  # type: ignore[arg-type]
    assert Measures(hearing_loss_db="90.5").hearing_loss_db == Decimal("90.5")  # type: ignore[arg-type]
    assert Measures(hearing_loss_db=90).hearing_loss_db == 90


# (value entered, decimal record it stands for): the five-point record is refused, explained
FIVE_POINT: list[tuple[str, str]] = [
    ("2.01", "0.0010"),
    ("3.0", "0.010"),
    ("4.0", "0.1"),
    ("4.05", "0.11"),
    ("4.3", "0.2"),
    ("4.5", "0.3"),
    ("4.9", "0.8"),
    ("5.0", "1.0"),
    ("5.3", "2.0"),
]


@pytest.mark.parametrize(("value", "decimal"), FIVE_POINT)
def test_acuity_that_looks_like_a_five_point_record_is_refused_with_its_decimal_value(
    value: str, decimal: str
) -> None:
    with pytest.raises(ValueError) as error:
        Measures(acuity=D(value))
    message = str(error.value)
    assert "five-point" in message
    assert f"{value} looks like" in message
    assert message.endswith(f"in decimal notation it is {decimal}.")


@pytest.mark.parametrize("value", ["2.0", "1.5", "0"])
def test_acuity_up_to_2_is_read_as_decimal(value: str) -> None:
    assert Measures(acuity=D(value)).acuity == D(value)


def test_acuity_above_the_five_point_scale_is_impossible_not_five_point() -> None:
    with pytest.raises(ValueError) as error:
        Measures(acuity=D("5.31"))
    assert "five-point" not in str(error.value)
    assert "not possible" in str(error.value)


@pytest.mark.parametrize(("age", "refused"), [(0, True), (2, True), (3, False), (ADULT, False)])
def test_speech_is_not_graded_under_3(age: int, refused: bool) -> None:
    measures = Measures(speech_clarity=20)
    if refused:
        with pytest.raises(ValueError, match="not graded under the age of 3"):
            derive_grade(category=SPEECH, measures=measures, age_years=age)
        assert not_graded(SPEECH, age) is not None
        assert measures_needed(SPEECH, age) == ()
    else:
        assert derive_grade(category=SPEECH, measures=measures, age_years=age).grade == 2
        assert not_graded(SPEECH, age) is None
    assert not_graded(HEARING, age) is None


def test_acuity_in_exponent_notation_is_shown_as_a_plain_decimal() -> None:
    result = derive_grade(category=VISUAL, measures=Measures(acuity=D("1E-2")), age_years=40)
    assert "0.01" in result.reason
    assert "E" not in result.reason.replace("Better-eye", "")


@pytest.mark.parametrize("category", [0, 8, -1])
def test_unknown_category_is_refused(category: int) -> None:
    with pytest.raises(ValueError, match="category"):
        derive_grade(category=category, measures=Measures(), age_years=40)
    with pytest.raises(ValueError, match="category"):
        measures_needed(category, 40)


@pytest.mark.parametrize("age", [-1, 151])
def test_impossible_age_is_refused(age: int) -> None:
    with pytest.raises(ValueError, match="age"):
        derive_grade(category=HEARING, measures=Measures(hearing_loss_db=50), age_years=age)
    with pytest.raises(ValueError, match="age"):
        measures_needed(HEARING, age)


@pytest.mark.parametrize(
    ("parts", "grade"),
    [([3, 1, 4], 1), ([4, 4], 4), ([2], 2), ([4, 3, 2], 2), (iter([3, 4]), 3)],
)
def test_multiple_disability_takes_the_most_severe_part(parts: Any, grade: int) -> None:
    assert multiple_grade(parts) == grade


@pytest.mark.parametrize("parts", [[], [0], [5], [1, 5], [True], [None]])
def test_multiple_grade_refuses_no_parts_and_grades_outside_1_to_4(parts: list[Any]) -> None:
    with pytest.raises(ValueError):
        multiple_grade(parts)


@pytest.mark.parametrize(
    ("category", "age", "fields"),
    [
        (VISUAL, ADULT, ("acuity", "field_radius")),
        (HEARING, 2, ("hearing_loss_db",)),
        (SPEECH, ADULT, ("speech_clarity",)),
        (PHYSICAL, ADULT, ("impairment", "independence")),
        (INTELLECTUAL, 6, ("dq", "adaptive_behaviour")),
        (INTELLECTUAL, 7, ("iq", "adaptive_behaviour")),
        (INTELLECTUAL, 17, ("iq", "adaptive_behaviour")),
        (INTELLECTUAL, 18, ("iq", "adaptive_behaviour", "whodas")),
        (MENTAL, 17, ()),
        (MENTAL, 18, ("whodas",)),
        (MULTIPLE, ADULT, ()),
    ],
)
def test_measures_needed_names_the_fields_the_category_is_graded_by(
    category: int, age: int, fields: tuple[str, ...]
) -> None:
    assert measures_needed(category, age) == fields


def test_measures_needed_names_only_fields_of_measures() -> None:
    names = set(Measures.__dataclass_fields__)
    for category in range(1, 8):
        for age in (0, 6, 7, 17, 18, 80):
            assert set(measures_needed(category, age)) <= names


def test_the_measures_required_are_those_that_make_the_derivation_complete() -> None:
    values: dict[str, Any] = {
        "adaptive_behaviour": "severe",
        "acuity": D("0.04"),
        "hearing_loss_db": 70,
        "speech_clarity": 30,
        "independence": "partly",
        "impairment": "2b",
        "dq": 30,
        "iq": 30,
        "whodas": 100,
    }
    for category in range(1, 7):
        for age in (0, 6, 7, 17, 18, 80):
            required = measures_required(category, age)
            assert required == measures_needed(category, age)[: len(required)]
            if not required:
                continue
            only = Measures(**{name: values[name] for name in required})
            assert derive_grade(category=category, measures=only, age_years=age).complete
            for left_out in required:
                fewer = Measures(**{n: values[n] for n in required if n != left_out})
                assert not derive_grade(category=category, measures=fewer, age_years=age).complete


def test_reason_follows_the_active_language() -> None:
    with translation.override("zh-hans"):
        result = derive_grade(category=HEARING, measures=Measures(hearing_loss_db=85), age_years=40)
    assert "二级" in result.reason
    assert "85" in result.reason


def test_the_impairment_list_follows_the_standard_item_counts_per_grade() -> None:
    """GB/T 26341-2010 §5.4 lists 9, 7, 6 and 11 items under grades 1 to 4."""
    counts = {grade: sum(1 for i in IMPAIRMENTS if i.grade == grade) for grade in (1, 2, 3, 4)}
    assert counts == {1: 9, 2: 7, 3: 6, 4: 11}
    assert len({i.code for i in IMPAIRMENTS}) == len(IMPAIRMENTS)
    assert all(i.code.startswith(str(i.grade)) for i in IMPAIRMENTS)
