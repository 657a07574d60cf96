"""Who counts as a disabled employee, beyond the registry's certificate: pure rules on dated
parameters (``canlian/levy/parameters/``), with no database access, so that the case tables of
``levy/tests/counting_cases.yaml`` can run them directly.

- Disabled veterans (残疾军人证): 财税〔2015〕72号 counts holders of a disabled veteran's
  certificate of grades 1 to ``levy.veteran_max_grade`` (8); grades 1 to
  ``levy.veteran_severe_max_grade`` (3) count ``levy.severe_count`` (2) times. The grades of
  the certificate run from 1 (most severe) to 10 (《军人抚恤优待条例》, 一级至十级): a grade
  outside 1–10 is a typing error, a grade 9 or 10 a certificate that does not count.
"""

from __future__ import annotations

import datetime
import re
import unicodedata

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from canlian.lib.parameters import Parameters

__all__ = [
    "VETERAN_GRADES",
    "CertificateKind",
    "check_veteran_number",
    "veteran_weight",
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


def _count(parameters: Parameters, name: str, *, on: datetime.date, region: str) -> int:
    value = parameters.value(name, on=on, region=region)
    if value is None:
        raise ValueError(
            _("No value of the parameter %(parameter)s is in force on %(on)s in region %(region)s.")
            % {"parameter": name, "on": on.isoformat(), "region": region}
        )
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
