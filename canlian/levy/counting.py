"""Who counts as a disabled employee, beyond the registry's certificate: pure rules on dated
parameters (``canlian/levy/parameters/``), with no database access, so that the case tables of
``levy/tests/counting_cases.yaml`` can run them directly.

- Disabled veterans (残疾军人证): 财税〔2015〕72号 counts holders of a disabled veteran's
  certificate of grades 1 to ``levy.veteran_max_grade`` (8); grades 1 to
  ``levy.veteran_severe_max_grade`` (3) count ``levy.severe_count`` (2) times. The grades of
  the certificate run from 1 (most severe) to 10 (《军人抚恤优待条例》, 一级至十级): a grade
  outside 1–10 is a typing error, a grade 9 or 10 a certificate that does not count.
- Working age: an employee counts from the day they reach ``levy.working_age_min`` (16, 劳动法
  第十五条) until the day before their statutory retirement date. The retirement date is the
  day the person reaches the original retirement age (``levy.retirement_age_male`` 60,
  ``levy.retirement_age_female_worker`` 50, ``levy.retirement_age_female_cadre`` 55,
  国发〔1978〕104号), delayed under the 2025 reform (全国人大常委会关于实施渐进式延迟法定退休年龄
  的决定, from 2025-01-01): whose original retirement month is the reform's first month or
  later is delayed one month, plus one for every ``levy.retirement_delay_*_step_months`` (4,
  or 2 for women retiring at 50) months after it, at most ``levy.retirement_delay_*_max_months``
  (36, or 60). The reform's first month is the month of the step parameter's date, so a
  dated change of the reform is a new entry of those files. Early and flexible retirement
  (弹性提前/弹性延迟退休, special posts) are not modelled: the statutory date decides.
  Ages are reached on the birthday (a 29 February birthday on 28 February in other years).
"""

from __future__ import annotations

import calendar
import datetime
import re
import unicodedata

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from canlian.lib.parameters import Parameters

__all__ = [
    "VETERAN_GRADES",
    "CertificateKind",
    "Employment",
    "RetirementTrack",
    "check_veteran_number",
    "established_post_refusal",
    "has_established_posts",
    "retirement_date",
    "veteran_weight",
    "working_age_problem",
]

VETERAN_MAX_GRADE = "levy.veteran_max_grade"
VETERAN_SEVERE_MAX_GRADE = "levy.veteran_severe_max_grade"

# The grades a disabled veteran's certificate can carry (《军人抚恤优待条例》: 一级至十级).
VETERAN_GRADES = range(1, 11)
# The certificate's number as printed: up to two Chinese characters (the issuing province's
# abbreviation, a series word), then 6 to 12 letters and digits. This is our reading of the
# certificates in circulation, not a published format: it refuses what cannot be a number
# (an ID number, a name, a grade), and accepts every series we know of.
VETERAN_NUMBER_RE = re.compile(r"[\u4e00-\u9fff]{0,2}[A-Z0-9]{6,12}")


class Employment(models.TextChoices):
    """How the declared employee is employed. Established-post staff (在编人员) of a government
    body or public institution count without a labour contract; a dispatched worker (劳务派遣)
    counts for the unit the dispatch agreement names."""

    CONTRACT = "contract", gettext_lazy("Labour contract")
    ESTABLISHED = "established", gettext_lazy("Established post")
    DISPATCHED = "dispatched", gettext_lazy("Dispatched worker")


# The kinds of employer (canlian.levy.formula.EmployerKind values) that have established posts
# (编制): government bodies and public institutions. An enterprise or a social organisation
# employs under labour contracts only, so its "在编" staff would escape the contract rule.
ESTABLISHED_POST_KINDS = frozenset({"government", "institution"})


def has_established_posts(kind: str) -> bool:
    """Whether an employer of `kind` can have staff in established posts (在编人员)."""
    return kind in ESTABLISHED_POST_KINDS


def established_post_refusal() -> str:
    """Why an employer without established posts cannot declare one."""
    return _(
        "An established post (在编) is held only in a government body or a public "
        "institution: this employer is not one, so the employee needs a labour contract."
    )


class CertificateKind(models.TextChoices):
    """The certificate that makes a declared employee a disabled employee."""

    DISABILITY = "disability", gettext_lazy("Disability certificate")
    VETERAN = "veteran", gettext_lazy("Disabled veteran's certificate")


def check_veteran_number(raw: str) -> tuple[str, str | None]:
    """The number normalised (full-width forms folded, upper case, no spaces) and the problem
    with it, or None."""
    number = "".join(unicodedata.normalize("NFKC", raw or "").split()).upper()
    if not number:
        return number, _("Enter the number of the disabled veteran's certificate.")
    if not VETERAN_NUMBER_RE.fullmatch(number):
        return number, _(
            "The disabled veteran's certificate number %(number)s is not valid: up to two "
            "Chinese characters followed by 6 to 12 letters or digits."
        ) % {"number": number}
    return number, None


def check_veteran_grade(grade: object) -> str | None:
    """The problem with a veteran's grade as entered, or None."""
    if isinstance(grade, bool) or not isinstance(grade, int) or grade not in VETERAN_GRADES:
        return _(
            "The grade of a disabled veteran's certificate is a whole number from %(first)s "
            "to %(last)s, not %(grade)s."
        ) % {"first": VETERAN_GRADES[0], "last": VETERAN_GRADES[-1], "grade": grade}
    return None


def missing_parameter(name: str, *, on: datetime.date, region: str) -> str:
    """The one refusal for a levy parameter with no value in force (the rules have a gap):
    for the counting, the formula and the verification alike."""
    return _(
        "No value of the parameter %(parameter)s is in force on %(on)s in region %(region)s."
    ) % {"parameter": name, "on": on.isoformat(), "region": region}


def _count(parameters: Parameters, name: str, *, on: datetime.date, region: str) -> int:
    value = parameters.value(name, on=on, region=region)
    if value is None:
        raise ValueError(missing_parameter(name, on=on, region=region))
    return int(value.decimal)


def veteran_weight(
    grade: int, *, parameters: Parameters, on: datetime.date, region: str
) -> tuple[int, str | None]:
    """How a veteran of `grade` counts: 0 (not, with the reason), 1 (once) or 2 (as a severe
    holder, weighted by ``levy.severe_count`` like a grade 1–2 disability certificate).
    ValueError when a parameter is not in force."""
    last = _count(parameters, VETERAN_MAX_GRADE, on=on, region=region)
    severe_last = _count(parameters, VETERAN_SEVERE_MAX_GRADE, on=on, region=region)
    if grade > last:
        return 0, _(
            "A disabled veteran's certificate of grade %(grade)s: only grades 1 to %(last)s count."
        ) % {"grade": grade, "last": last}
    if grade <= severe_last:
        return 2, None
    return 1, None


# ---------------------------------------------------------------------------------------------
# Working age

WORKING_AGE_MIN = "levy.working_age_min"


class RetirementTrack(models.TextChoices):
    """Which statutory retirement age applies: by sex, and for women by post."""

    MALE = "male", gettext_lazy("Man")
    FEMALE_WORKER = "female_worker", gettext_lazy("Woman in a worker's post")
    FEMALE_CADRE = "female_cadre", gettext_lazy("Woman in a management or professional post")


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, on the month's last day where it has no such day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(day.day, last))


def retirement_date(
    birth: datetime.date,
    track: str,
    *,
    parameters: Parameters,
    on: datetime.date,
    region: str,
) -> datetime.date:
    """The statutory retirement date of a person born on `birth` (ValueError when a needed
    parameter is not in force). The original age is taken on `on`; the delay as in force on
    the original retirement date, which is what the reform keys on."""
    original_age = _count(parameters, f"levy.retirement_age_{track}", on=on, region=region)
    original = add_months(birth, original_age * 12)
    delay = f"levy.retirement_delay_{track}"
    step = parameters.value(f"{delay}_step_months", on=original, region=region)
    most = parameters.value(f"{delay}_max_months", on=original, region=region)
    if step is None or most is None or int(step.decimal) <= 0:
        return original
    after = (original.year - step.since.year) * 12 + original.month - step.since.month
    if after < 0:
        return original
    months = min(after // int(step.decimal) + 1, int(most.decimal))
    return add_months(birth, original_age * 12 + months)  # from the birth: 29 February kept


def working_age_problem(
    birth: datetime.date,
    track: str,
    *,
    day: datetime.date,
    parameters: Parameters,
    region: str,
) -> tuple[str, str] | None:
    """("under_age" or "retired", the reason in words) when the person was not of working age
    on `day`; None when they were."""
    youngest = _count(parameters, WORKING_AGE_MIN, on=day, region=region)
    # The reasons name ages, never the date of birth: they are shown beside a masked ID number,
    # which the date of birth would help complete.
    if day < add_months(birth, youngest * 12):
        return "under_age", _("Under %(age)s years of age on %(day)s.") % {
            "age": youngest,
            "day": day.isoformat(),
        }
    retires = retirement_date(birth, track, parameters=parameters, on=day, region=region)
    if day >= retires:
        return "retired", _("Had reached the statutory retirement age (%(age)s) by %(day)s.") % {
            "age": age_text(months_between(birth, retires)),
            "day": day.isoformat(),
        }
    return None


def months_between(start: datetime.date, end: datetime.date) -> int:
    """Whole months from `start` to `end` (a retirement date is a birthday plus months)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - 1 if end.day < start.day and end != add_months(start, months) else months


def age_text(months: int) -> str:
    """An age in words: "60 years", or "60 years and 3 months"."""
    years, rest = divmod(months, 12)
    if not rest:
        return ngettext("%(years)s year", "%(years)s years", years) % {"years": years}
    return ngettext(
        "%(years)s years and %(months)s month", "%(years)s years and %(months)s months", rest
    ) % {"years": years, "months": rest}
