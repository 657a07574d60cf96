"""The disability grade derived from measured values, by the thresholds of GB/T 26341-2010.

Pure functions, no database. `derive_grade` takes one category and the measures taken for it and
returns the grade the standard gives, whether the measures were enough, and a one-sentence reason
in the UI language that names the measured value. Multiple disability (category 7) is graded per
part with the part's own category; `multiple_grade` then takes the most severe part.

Ranges accepted (anything else is an impossible value and raises `ValueError`):

- better-ear average hearing loss: 0–150 dB HL, with at most one decimal (an average of four
  frequencies: 90.5 is more than 90, grade 1);
- better-eye best-corrected visual acuity: 0–2.0 in decimal notation (0 = no light perception).
  A value from above 2.0 to 5.3 looks like the five-point (logarithmic) record, which is
  refused with the decimal value it stands for rather than read as a decimal;
- better-eye visual field radius: 0–90°;
- IQ and DQ: 0–200;
- adaptive behaviour: one of `AdaptiveBehaviour` (a deficit 极重度/重度/中度/轻度, or none);
- WHO-DAS II: 36–180, the range of the 36-item simple scoring (each item scored 1–5, summed),
  which is the scale the standard's thresholds (52, 96, 106, 116) are written on. A value below 36
  is most likely a 12-item score or a 0–100 complex score and is refused rather than misgraded;
- speech intelligibility: 0–100 %.
"""

from __future__ import annotations

import dataclasses
import decimal
from collections.abc import Iterable
from decimal import Decimal

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from canlian.certificates.bands import (
    ACUITY_BANDS,
    DQ_BANDS,
    FIELD_BANDS,
    HEARING_BANDS,
    IQ_BANDS,
    SPEECH_BANDS,
    WHODAS_BANDS,
    Band,
    band_of,
    number_text,
)
from canlian.certificates.impairments import IMPAIRMENTS, NO_IMPAIRMENT, impairment
from canlian.people.models import ADULT_AGE, Category, Grade

__all__ = [
    "AdaptiveBehaviour",
    "Derivation",
    "Independence",
    "Measures",
    "check_acuity",
    "derive_grade",
    "measures_needed",
    "measures_required",
    "multiple_grade",
    "not_graded",
]

DQ_AGE_LIMIT = 7  # under 7 years old: developmental quotient; 7 and over: IQ
# GB/T 26341-2010 §5.5: under 7, a DQ below 72 is graded by the DQ directly; a DQ of 72–75 (the
# top of the grade-4 band) by adaptive behaviour.
DQ_BY_ADAPTIVE_BEHAVIOUR = (72, 75)
MAX_AGE = 150
# GB/T 26341-2010, speech disability (言语残疾): "3岁以下不定残" — no speech grade under 3.
SPEECH_MIN_AGE = 3


class Independence(models.TextChoices):
    """Independence in daily living activities, which grades physical disability."""

    UNABLE = "unable", gettext_lazy("Cannot carry out daily living activities independently")
    MOSTLY_UNABLE = (
        "mostly_unable",
        gettext_lazy("Mostly cannot carry out daily living activities independently"),
    )
    PARTLY = "partly", gettext_lazy("Can partly carry out daily living activities independently")
    MOSTLY = "mostly", gettext_lazy("Can mostly carry out daily living activities independently")
    FULLY = "fully", gettext_lazy("Fully independent")


INDEPENDENCE_GRADES: dict[str, int | None] = {
    Independence.UNABLE: 1,
    Independence.MOSTLY_UNABLE: 2,
    Independence.PARTLY: 3,
    Independence.MOSTLY: 4,
    Independence.FULLY: None,
}


class AdaptiveBehaviour(models.TextChoices):
    """The level of the deficit in adaptive behaviour (适应性行为, GB/T 26341-2010 §5.5)."""

    PROFOUND = "profound", gettext_lazy("Profound deficit")
    SEVERE = "severe", gettext_lazy("Severe deficit")
    MODERATE = "moderate", gettext_lazy("Moderate deficit")
    MILD = "mild", gettext_lazy("Mild deficit")
    NONE = "none", gettext_lazy("No deficit")


# The table of §5.5: 极重度 → grade 1, 重度 → 2, 中度 → 3, 轻度 → 4.
ADAPTIVE_BEHAVIOUR_GRADES: dict[str, int | None] = {
    AdaptiveBehaviour.PROFOUND: 1,
    AdaptiveBehaviour.SEVERE: 2,
    AdaptiveBehaviour.MODERATE: 3,
    AdaptiveBehaviour.MILD: 4,
    AdaptiveBehaviour.NONE: None,
}

IMPAIRMENT_CODES = frozenset({NO_IMPAIRMENT, *(item.code for item in IMPAIRMENTS)})

# Names of the measures as they appear inside sentences ("The ... is missing").
MEASURE_NAMES: dict[str, Promise] = {
    "hearing_loss_db": gettext_lazy("better-ear average hearing loss"),
    "acuity": gettext_lazy("better-eye best-corrected visual acuity"),
    "field_radius": gettext_lazy("better-eye visual field radius"),
    "iq": gettext_lazy("intelligence quotient (IQ)"),
    "dq": gettext_lazy("developmental quotient (DQ)"),
    "adaptive_behaviour": gettext_lazy("adaptive behaviour"),
    "whodas": gettext_lazy("WHO-DAS II score"),
    "speech_clarity": gettext_lazy("speech intelligibility"),
    "independence": gettext_lazy("independence in daily living activities"),
    "impairment": gettext_lazy("impairment of the limbs listed by the standard"),
}

HEARING_MAX = Decimal(150)
_INT_LIMITS: dict[str, tuple[int, int, str]] = {
    # field: (lowest, highest, unit shown after the value)
    "field_radius": (0, 90, "°"),
    "iq": (0, 200, ""),
    "dq": (0, 200, ""),
    "whodas": (36, 180, ""),
    "speech_clarity": (0, 100, "%"),
}
ACUITY_MAX = Decimal("2.0")
# The five-point record (五分记录) of the standard logarithmic chart runs to 5.3 (= 2.0).
FIVE_POINT_MAX = Decimal("5.3")
# The chart's own pairs of five-point and decimal records (GB 11533, 标准对数视力表), used for
# the lines of the chart; other values are converted by decimal = 10 ** (five-point − 5).
FIVE_POINT_TO_DECIMAL = {
    Decimal(five): Decimal(decimal)
    for five, decimal in (
        ("4.0", "0.1"), ("4.1", "0.12"), ("4.2", "0.15"), ("4.3", "0.2"), ("4.4", "0.25"),
        ("4.5", "0.3"), ("4.6", "0.4"), ("4.7", "0.5"), ("4.8", "0.6"), ("4.9", "0.8"),
        ("5.0", "1.0"), ("5.1", "1.2"), ("5.2", "1.5"), ("5.3", "2.0"),
    )
}  # fmt: skip


@dataclasses.dataclass(frozen=True)
class Measures:
    """Values measured at the assessment; leave out what was not measured.

    Constructing it checks every value given and raises `ValueError` for an impossible one.
    An acuity or a hearing loss given as float or text is turned into a `Decimal` via its text
    (0.1 stays 0.1); a whole-number hearing loss may stay an int.
    """

    hearing_loss_db: int | Decimal | None = None  # better-ear average hearing loss, dB HL
    acuity: Decimal | None = (
        None  # better-eye best-corrected visual acuity, 0 = no light perception
    )
    field_radius: int | None = None  # visual field radius in degrees (better eye)
    iq: int | None = None
    dq: int | None = None  # developmental quotient, children under 7
    adaptive_behaviour: str | None = None  # an AdaptiveBehaviour value
    whodas: int | None = None  # WHO-DAS II score (36-item simple scoring, 36–180)
    speech_clarity: int | None = None  # speech intelligibility in percent
    independence: str | None = None  # an Independence value
    impairment: str | None = None  # a code of impairments.IMPAIRMENTS, or NO_IMPAIRMENT

    def __post_init__(self) -> None:
        for field, (low, high, unit) in _INT_LIMITS.items():
            value = getattr(self, field)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"Measures.{field} must be an int, not {type(value).__name__}")
            if not low <= value <= high:
                raise ValueError(
                    _(
                        "The %(measure)s must be between %(low)s%(unit)s and %(high)s%(unit)s; "
                        "%(value)s%(unit)s is not possible."
                    )
                    % {
                        "measure": MEASURE_NAMES[field],
                        "low": low,
                        "high": high,
                        "unit": unit,
                        "value": value,
                    }
                )
        if self.hearing_loss_db is not None:
            object.__setattr__(self, "hearing_loss_db", _check_hearing(self.hearing_loss_db))
        if self.acuity is not None:
            object.__setattr__(self, "acuity", check_acuity(self.acuity))
        if self.independence is not None and self.independence not in Independence.values:
            raise ValueError(
                _("“%(value)s” is not a level of independence in daily living activities.")
                % {"value": self.independence}
            )
        if self.impairment is not None and self.impairment not in IMPAIRMENT_CODES:
            raise ValueError(
                _("“%(value)s” is not an impairment the standard lists for physical disability.")
                % {"value": self.impairment}
            )
        if (
            self.adaptive_behaviour is not None
            and self.adaptive_behaviour not in AdaptiveBehaviour.values
        ):
            raise ValueError(
                _("“%(value)s” is not a level of adaptive behaviour.")
                % {"value": self.adaptive_behaviour}
            )


@dataclasses.dataclass(frozen=True)
class Derivation:
    grade: int | None  # None: does not meet the standard for any grade, or not enough measures
    complete: bool  # False when the measure needed for this category is missing
    reason: str  # one sentence in the UI language, naming the measured value


def not_graded(category: int, age_years: int) -> str | None:
    """Why the standard does not grade `category` at `age_years` at all, or None.

    Speech disability is not graded under 3 ("3岁以下不定残"): an assessment or an application
    for it is refused, which is not a conclusion that the person does not meet the standard.
    """
    if category == Category.SPEECH and age_years < SPEECH_MIN_AGE:
        return _(
            "Speech disability is not graded under the age of %(min)s (GB/T 26341-2010: "
            "“3岁以下不定残”); the applicant is %(age)s."
        ) % {"min": SPEECH_MIN_AGE, "age": age_years}
    return None


def derive_grade(*, category: int, measures: Measures, age_years: int) -> Derivation:
    """The grade GB/T 26341-2010 gives for `category` from `measures` at `age_years`.

    Raises `ValueError` where the standard grades no one of that age in that category
    (`not_graded`)."""
    category = _check_category(category)
    _check_age(age_years)
    refusal = not_graded(category, age_years)
    if refusal:
        raise ValueError(refusal)
    if category == Category.VISUAL:
        return _visual(measures)
    if category == Category.HEARING:
        return _by_bands(
            measures.hearing_loss_db,
            "hearing_loss_db",
            HEARING_BANDS,
            _("Better-ear average hearing loss %(value)s, in the range %(band)s: %(outcome)s."),
        )
    if category == Category.SPEECH:
        return _by_bands(
            measures.speech_clarity,
            "speech_clarity",
            SPEECH_BANDS,
            _("Speech intelligibility %(value)s, in the range %(band)s: %(outcome)s."),
        )
    if category == Category.PHYSICAL:
        return _physical(measures)
    if category == Category.INTELLECTUAL:
        return _intellectual(measures, age_years)
    if category == Category.MENTAL:
        return _mental(measures, age_years)
    return Derivation(
        grade=None,
        complete=False,
        reason=_(
            "Multiple disability takes the grade of its most severe part: "
            "grade each part under its own category."
        ),
    )


def multiple_grade(part_grades: Iterable[int]) -> int:
    """The grade of a multiple disability: that of its most severe part (the lowest number)."""
    grades = list(part_grades)
    if not grades:
        raise ValueError(
            _("A multiple disability needs the grade of each of its parts; none was given.")
        )
    for grade in grades:
        if isinstance(grade, bool) or grade not in Grade.values:
            raise ValueError(
                _("“%(grade)s” is not a disability grade: grades run from 1 to 4.")
                % {"grade": grade}
            )
    return min(grades)


def measures_needed(category: int, age_years: int) -> tuple[str, ...]:
    """Names of the `Measures` fields to ask for, for `category` at `age_years`.

    `measures_required` names those the grade cannot be derived without. The others are
    optional: the visual field radius (it can make a visual grade more severe), the adaptive
    behaviour of a child under 7 (it decides only for a DQ of 72–75) and, for adults with an
    intellectual disability, the WHO-DAS II score (reported beside the IQ). Mental disability
    under 18 and multiple disability need none: the former is not graded by WHO-DAS II, the
    latter per part.
    """
    category = _check_category(category)
    _check_age(age_years)
    if category == Category.VISUAL:
        return ("acuity", "field_radius")
    if category == Category.HEARING:
        return ("hearing_loss_db",)
    if category == Category.SPEECH:
        return ("speech_clarity",) if age_years >= SPEECH_MIN_AGE else ()
    if category == Category.PHYSICAL:
        return ("impairment", "independence")
    if category == Category.INTELLECTUAL:
        if age_years < DQ_AGE_LIMIT:
            return ("dq", "adaptive_behaviour")
        if age_years >= ADULT_AGE:
            return ("iq", "adaptive_behaviour", "whodas")
        return ("iq", "adaptive_behaviour")
    if category == Category.MENTAL:
        return ("whodas",) if age_years >= ADULT_AGE else ()
    return ()


def measures_required(category: int, age_years: int) -> tuple[str, ...]:
    """Names of the `Measures` fields without which no grade is derived for `category`
    (a DQ of 72–75 also needs the adaptive behaviour, which is named as missing then)."""
    needed = measures_needed(category, age_years)
    if category == Category.INTELLECTUAL:
        return needed[:1] if age_years < DQ_AGE_LIMIT else needed[:2]
    if category == Category.PHYSICAL:
        return needed
    return needed[:1]


_UNITS = {field: unit for field, (_low, _high, unit) in _INT_LIMITS.items()} | {
    "acuity": "",
    "hearing_loss_db": " dB HL",
}


def _outcome(grade: int | None) -> str:
    if grade is None:
        return _("does not meet the standard for any grade")
    return str(Grade(grade).label)


def _by_bands(
    value: int | Decimal | None, field: str, bands: tuple[Band, ...], sentence: str
) -> Derivation:
    if value is None:
        return _missing(field)
    band = band_of(value, bands)
    unit = _UNITS[field]
    return Derivation(
        grade=band.grade,
        complete=True,
        reason=sentence
        % {
            "value": number_text(value) + unit,
            "band": band.text(unit),
            "outcome": _outcome(band.grade),
        },
    )


def _missing(field: str) -> Derivation:
    return Derivation(
        grade=None,
        complete=False,
        reason=_("The %(measure)s is missing: enter it to derive the grade.")
        % {"measure": MEASURE_NAMES[field]},
    )


# --- categories --------------------------------------------------------------------------


def _visual(measures: Measures) -> Derivation:
    acuity, field = measures.acuity, measures.field_radius
    field_band = None if field is None else band_of(field, FIELD_BANDS)
    if acuity is None:
        # Nothing is more severe than grade 1: a field under 5° decides without the acuity.
        if field is not None and field_band is not None and field_band.grade == 1:
            return _by_bands(
                field,
                "field_radius",
                FIELD_BANDS,
                _("Better-eye visual field radius %(value)s, in the range %(band)s: %(outcome)s."),
            )
        if field is not None and field_band is not None and field_band.grade is not None:
            return Derivation(
                grade=None,
                complete=False,
                reason=_(
                    "The better-eye best-corrected visual acuity is missing: the visual field "
                    "radius %(field)s gives at least %(outcome)s; enter the acuity to derive "
                    "the grade."
                )
                % {"field": number_text(field) + "°", "outcome": _outcome(field_band.grade)},
            )
        return _missing("acuity")
    if field is None or field_band is None:
        return _by_bands(
            acuity,
            "acuity",
            ACUITY_BANDS,
            _(
                "Better-eye best-corrected visual acuity %(value)s, in the range %(band)s: "
                "%(outcome)s."
            ),
        )
    acuity_band = band_of(acuity, ACUITY_BANDS)
    values = {"acuity": number_text(acuity), "field": number_text(field) + "°"}
    if _more_severe(field_band.grade, acuity_band.grade):
        sentence = _(
            "Better-eye visual field radius %(field)s, in the range %(band)s, is more severe "
            "than the best-corrected visual acuity %(acuity)s: %(outcome)s."
        )
        band, unit = field_band, "°"
    else:
        sentence = _(
            "Better-eye best-corrected visual acuity %(acuity)s, in the range %(band)s "
            "(visual field radius %(field)s): %(outcome)s."
        )
        band, unit = acuity_band, ""
    return Derivation(
        grade=band.grade,
        complete=True,
        reason=sentence % (values | {"band": band.text(unit), "outcome": _outcome(band.grade)}),
    )


def _physical(measures: Measures) -> Derivation:
    """GB/T 26341-2010 §5.4: each grade is an independence level in daily living activities
    "并具备下列状况之一", one of the impairments listed under it (impairments.py). Both must hold,
    so where the two point to different grades the less severe one (the higher number) is the
    grade both reach: a grade-1 impairment with partial independence is grade 3, a grade-3
    impairment with no independence is grade 3. Full independence, or none of the listed
    impairments, gives no grade."""
    if measures.impairment is None:
        return _missing("impairment")
    if measures.independence is None:
        return _missing("independence")
    level = Independence(measures.independence)
    by_independence = INDEPENDENCE_GRADES[level]
    item = impairment(measures.impairment)
    values: dict[str, object]
    if item is None:
        grade = None
        reason = _(
            "None of the impairments the standard lists for physical disability "
            "(independence in daily living activities: %(level)s): %(outcome)s."
        )
        values = {"level": level.label}
    else:
        grade = None if by_independence is None else max(item.grade, by_independence)
        values = {
            "level": level.label,
            "impairment": item.label,
            "listed": _outcome(item.grade),
            "by_independence": _outcome(by_independence),
        }
        if by_independence == item.grade:
            reason = _(
                "Impairment “%(impairment)s” and independence in daily living activities "
                "“%(level)s”: %(outcome)s."
            )
        else:
            reason = _(
                "Impairment “%(impairment)s”, listed under %(listed)s, and independence in daily "
                "living activities “%(level)s”, which points to %(by_independence)s: a grade "
                "needs both, %(outcome)s."
            )
    return Derivation(
        grade=grade, complete=True, reason=reason % (values | {"outcome": _outcome(grade)})
    )


def _intellectual(measures: Measures, age_years: int) -> Derivation:
    """GB/T 26341-2010 §5.5: "按0～6岁和7岁及以上两个年龄段发育商、智商和适应行为分级。0～6岁
    儿童发育商小于72的直接按发育商分级，发育商在72～75之间的按适应行为分级。7岁及以上按智商、
    适应行为分级；当两者的分值不在同一级时，按适应行为分级。"

    - Under 7: a DQ of 71 or less is graded by the DQ alone; 72–75 by the adaptive behaviour
      (no deficit: no grade); above 75 there is no intellectual disability.
    - From 7: the IQ and the adaptive behaviour; where they point to different grades the
      adaptive behaviour decides, including "no deficit", which gives no grade.
    - Decision of this system: an IQ of 70 or more is no intellectual disability whatever the
      adaptive behaviour says. The standard's table has no grade at or above 70 and its
      definition (智力显著低于一般人水平，并伴有适应行为的障碍) needs both; "adaptive behaviour
      decides" is read as settling the grade between two values that each point to one.
    """
    behaviour = measures.adaptive_behaviour
    if age_years < DQ_AGE_LIMIT:
        return _by_dq(measures.dq, behaviour, age_years)
    if measures.iq is None:
        return Derivation(
            grade=None,
            complete=False,
            reason=_(
                "At age %(age)s the grade is derived from the intelligence quotient (IQ) and "
                "the adaptive behaviour; the IQ is missing."
            )
            % {"age": age_years},
        )
    band = band_of(measures.iq, IQ_BANDS)
    values: dict[str, object] = {
        "value": measures.iq,
        "band": band.text(""),
        "outcome": _outcome(band.grade),
    }
    if band.grade is None:
        reason = _(
            "Intelligence quotient (IQ) %(value)s, in the range %(band)s: %(outcome)s, "
            "whatever the adaptive behaviour."
        )
        return Derivation(grade=None, complete=True, reason=_with_whodas(reason % values, measures))
    if behaviour is None:
        return Derivation(
            grade=None,
            complete=False,
            reason=_(
                "Intelligence quotient (IQ) %(value)s, in the range %(band)s, points to "
                "%(outcome)s; from age 7 the adaptive behaviour decides too, and it is missing."
            )
            % values,
        )
    level = AdaptiveBehaviour(behaviour)
    grade = ADAPTIVE_BEHAVIOUR_GRADES[level]
    values |= {"level": level.label, "outcome": _outcome(grade)}
    if grade == band.grade:
        reason = _(
            "Intelligence quotient (IQ) %(value)s, in the range %(band)s, and adaptive "
            "behaviour “%(level)s”: %(outcome)s."
        )
    else:
        values["iq_outcome"] = _outcome(band.grade)
        reason = _(
            "Intelligence quotient (IQ) %(value)s, in the range %(band)s, points to "
            "%(iq_outcome)s, but the adaptive behaviour is “%(level)s”; where the two "
            "disagree the adaptive behaviour decides: %(outcome)s."
        )
    return Derivation(grade=grade, complete=True, reason=_with_whodas(reason % values, measures))


def _with_whodas(reason: str, measures: Measures) -> str:
    if measures.whodas is None:
        return reason
    return reason + _(" (WHO-DAS II score %(whodas)s recorded; it does not decide.)") % {
        "whodas": measures.whodas
    }


def _by_dq(dq: int | None, behaviour: str | None, age_years: int) -> Derivation:
    if dq is None:
        return Derivation(
            grade=None,
            complete=False,
            reason=_(
                "At age %(age)s the grade is derived from the developmental quotient (DQ), "
                "which is missing."
            )
            % {"age": age_years},
        )
    band = band_of(dq, DQ_BANDS)
    values: dict[str, object] = {
        "value": dq,
        "age": age_years,
        "band": band.text(""),
        "outcome": _outcome(band.grade),
    }
    low, high = DQ_BY_ADAPTIVE_BEHAVIOUR
    if not low <= dq <= high:
        return Derivation(
            grade=band.grade,
            complete=True,
            reason=_(
                "Developmental quotient (DQ) %(value)s at age %(age)s (under 7), "
                "in the range %(band)s: %(outcome)s."
            )
            % values,
        )
    values |= {"low": low, "high": high}
    if behaviour is None:
        return Derivation(
            grade=None,
            complete=False,
            reason=_(
                "Developmental quotient (DQ) %(value)s at age %(age)s (under 7): a DQ of "
                "%(low)s–%(high)s is graded by the adaptive behaviour, which is missing."
            )
            % values,
        )
    level = AdaptiveBehaviour(behaviour)
    grade = ADAPTIVE_BEHAVIOUR_GRADES[level]
    values |= {"level": level.label, "outcome": _outcome(grade)}
    return Derivation(
        grade=grade,
        complete=True,
        reason=_(
            "Developmental quotient (DQ) %(value)s at age %(age)s (under 7): a DQ of "
            "%(low)s–%(high)s is graded by the adaptive behaviour, “%(level)s”: %(outcome)s."
        )
        % values,
    )


def _mental(measures: Measures, age_years: int) -> Derivation:
    if age_years < ADULT_AGE:
        return Derivation(
            grade=None,
            complete=False,
            reason=_(
                "At age %(age)s the standard does not grade mental disability by WHO-DAS II, "
                "which it uses for adults (18 and over): the assessor's grade stands."
            )
            % {"age": age_years},
        )
    return _by_bands(
        measures.whodas,
        "whodas",
        WHODAS_BANDS,
        _("WHO-DAS II score %(value)s, in the range %(band)s: %(outcome)s."),
    )


# --- checks and formatting ---------------------------------------------------------------


def _more_severe(grade: int | None, than: int | None) -> bool:
    if grade is None:
        return False
    return than is None or grade < than


def _check_category(category: int) -> Category:
    if isinstance(category, bool) or category not in Category.values:
        raise ValueError(
            _("“%(category)s” is not a disability category: categories run from 1 to 7.")
            % {"category": category}
        )
    return Category(category)


def _check_age(age_years: int) -> None:
    if isinstance(age_years, bool) or not isinstance(age_years, int):
        raise TypeError(f"age_years must be an int, not {type(age_years).__name__}")
    if not 0 <= age_years <= MAX_AGE:
        raise ValueError(
            _("The age must be between 0 and %(max)s years; %(age)s is not possible.")
            % {"max": MAX_AGE, "age": age_years}
        )


def _decimal(value: object, field: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int | float | str):
        raise TypeError(f"Measures.{field} must be a Decimal, not {type(value).__name__}")
    try:
        return value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except decimal.InvalidOperation:
        return Decimal("NaN")


def _check_hearing(value: object) -> int | Decimal:
    if isinstance(value, int) and not isinstance(value, bool):
        loss: int | Decimal = value
        number = Decimal(value)
    else:
        loss = number = _decimal(value, "hearing_loss_db")
    if not number.is_finite() or not 0 <= number <= HEARING_MAX:
        raise ValueError(
            _(
                "The %(measure)s must be between 0 dB HL and %(max)s dB HL; %(value)s dB HL "
                "is not possible."
            )
            % {"measure": MEASURE_NAMES["hearing_loss_db"], "max": HEARING_MAX, "value": value}
        )
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -1 and number != number.quantize(Decimal("0.1")):
        raise ValueError(
            _(
                "The %(measure)s is entered with at most one decimal; %(value)s dB HL is not "
                "accepted."
            )
            % {"measure": MEASURE_NAMES["hearing_loss_db"], "value": number_text(number)}
        )
    return loss


def five_point_as_decimal(value: Decimal) -> Decimal:
    """The decimal record a five-point (logarithmic) record stands for: the chart's pair for
    its lines (4.0 → 0.1, 4.3 → 0.2, 5.0 → 1.0), else 10 ** (value − 5) to two figures."""
    if value in FIVE_POINT_TO_DECIMAL:
        return FIVE_POINT_TO_DECIMAL[value]
    exact = Decimal(10) ** (value - 5)
    return exact.quantize(Decimal(1).scaleb(exact.adjusted() - 1))


def check_acuity(value: object) -> Decimal:
    """`value` as the decimal acuity it is; `ValueError` with the reason for one that is not
    possible, or that looks like a five-point record (above 2.0, up to 5.3)."""
    acuity = _decimal(value, "acuity")
    if acuity.is_finite() and ACUITY_MAX < acuity <= FIVE_POINT_MAX:
        raise ValueError(
            _(
                "The better-eye best-corrected visual acuity is entered in decimal notation, "
                "from 0 to %(max)s. %(value)s looks like a five-point record, which is not "
                "accepted: in decimal notation it is %(decimal)s."
            )
            % {
                "max": number_text(ACUITY_MAX),
                "value": number_text(acuity),
                "decimal": number_text(five_point_as_decimal(acuity)),
            }
        )
    if not acuity.is_finite() or not 0 <= acuity <= ACUITY_MAX:
        raise ValueError(
            _(
                "The better-eye best-corrected visual acuity must be between 0 (no light "
                "perception) and %(max)s; %(value)s is not possible."
            )
            % {"max": number_text(ACUITY_MAX), "value": value}
        )
    return acuity
