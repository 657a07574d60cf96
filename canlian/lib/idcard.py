"""Chinese citizen ID numbers (GB 11643-1999): normalising, checking and building (masks:
canlian.lib.masks).
Catches numbers mangled by Excel and accepts historical address codes regardless of birth year.
"""

from __future__ import annotations

import datetime
import enum
import operator
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import numdb

__all__ = [
    "IdCheck",
    "InvalidIdNumber",
    "Sex",
    "build",
    "check",
    "check_char",
    "normalize",
    "parse",
    "region_name",
]

LENGTH = 18
OLD_LENGTH = 15
MIN_BIRTH_YEAR = 1880

# GB 11643-1999: weight of each of the first 17 digits, and the check character for sum % 11.
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"

_FIRST17_RE = re.compile(r"[0-9]{17}")
_REGION_CODE_RE = re.compile(r"[0-9]{6}")
_ALLOWED_CHARS = frozenset("0123456789X")
# What Excel shows for a long number: 4.10802E+17, 4.10802199001011E+17, 4.1e17, ...
_SCIENTIFIC_RE = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)E[+-]?[0-9]+", re.IGNORECASE)
# What Excel (or a CSV round trip through a float) leaves: 410802199001011234.0
_DECIMAL_RE = re.compile(r"[0-9]+\.0+")
# Characters that survive NFKC and str.split() but are invisible in pasted text.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
_YEAR_BRACKET_RE = re.compile(r"^\[[0-9]*-[0-9]*\]")


class Sex(enum.StrEnum):
    MALE = "M"
    FEMALE = "F"


@dataclass(frozen=True)
class IdCheck:
    """Result of `check`. Fields other than `valid` and `errors` hold what could be read from
    the number, also when it is invalid (e.g. the birth date of a number with a bad check
    character), so that the person entering it can spot the typo."""

    valid: bool
    normalized: str | None
    birth_date: datetime.date | None
    sex: Sex | None
    region_code: str | None
    region_name: str | None
    errors: tuple[str, ...]

    def as_json(self) -> dict[str, object]:
        return {
            "valid": self.valid,
            "normalized": self.normalized,
            "birth_date": self.birth_date.isoformat() if self.birth_date else None,
            "sex": self.sex.value if self.sex else None,
            "region_code": self.region_code,
            "region_name": self.region_name,
            "errors": list(self.errors),
        }


class InvalidIdNumber(ValueError):
    """Raised by `parse` for an invalid number; `errors` holds the translated messages."""

    def __init__(self, errors: tuple[str, ...]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def normalize(raw: str) -> str:
    """NFKC (full-width digits and letters to ASCII), drop all whitespace and invisible
    characters, upper-case x to X. Does not validate."""
    if raw.isascii() and raw.isalnum():  # the usual case: nothing to fold or drop
        return raw.replace("x", "X")
    text = unicodedata.normalize("NFKC", raw).translate(_INVISIBLE)
    return "".join(text.split()).replace("x", "X")


def check_char(first17: str) -> str:
    """The check character (0-9 or X) for the first 17 digits of a number."""
    if not _FIRST17_RE.fullmatch(first17):
        raise ValueError("check_char() needs exactly 17 ASCII digits")
    total = sum(map(operator.mul, map(int, first17), WEIGHTS))
    return CHECK_CHARS[total % 11]


@lru_cache(maxsize=4096)
def region_name(code: str) -> str | None:
    """Name of a 6-digit address code from the national table, e.g. "河南省孟州市", or None.

    Historical codes are included and their validity years are ignored: the code is assigned
    where the number was first issued, which may be long after the birth year.
    """
    if not _REGION_CODE_RE.fullmatch(code):
        return None
    parts = numdb.get("cn/loc").info(code)
    if len(parts) != 2:
        return None
    (_province_code, province_props), (_county_code, county_props) = parts
    county = county_props.get("county")
    if not county:
        return None
    names: list[str] = []
    for entry in county.split(","):
        name = _YEAR_BRACKET_RE.sub("", entry.strip())
        if name and name not in names:
            names.append(name)
    if not names:
        return None
    joined = "/".join(names)
    if code.endswith("0000"):  # province-level code: its "county" is the province itself
        return joined
    return province_props.get("province", "") + joined


def build(*, region_code: str, birth_date: datetime.date, sequence: int) -> str:
    """A well-formed 18-character number with a correct check character (for synthetic data).
    The region code is not looked up."""
    if not _REGION_CODE_RE.fullmatch(region_code):
        raise ValueError("region_code must be 6 ASCII digits")
    if not 0 <= sequence <= 999:
        raise ValueError("sequence must be between 0 and 999")
    if birth_date.year < 1000:
        raise ValueError("birth_date must have a four-digit year")
    first17 = f"{region_code}{birth_date:%Y%m%d}{sequence:03d}"
    return first17 + check_char(first17)


def certificate_number(id_number: str, category: int, grade: int, suffix: int = 0) -> str:
    """A certificate number: the ID number (or its mask), the category and grade digits, and
    for a replaced card the suffix B1, B2, … (`suffix` 1, 2, …; 0 for none)."""
    return f"{id_number}{category}{grade}" + (f"B{suffix}" if suffix else "")


CARD_NUMBER_RE = re.compile(r"^(\d{17}[\dX])([1-7])([1-4])(?:B([1-9]\d{0,2}))?$")


def split_card_number(text: str) -> tuple[str, int, int, int] | None:
    """The ID number, category, grade and suffix (0 for none) of a normalized certificate
    number such as 41082519800402501X42B1, or None if `text` does not have that shape."""
    match = CARD_NUMBER_RE.match(text)
    if match is None:
        return None
    id_number, category, grade, suffix = match.groups()
    return id_number, int(category), int(grade), int(suffix or 0)


def _today() -> datetime.date:
    return timezone.localdate() if settings.USE_TZ else datetime.date.today()


def _shape_errors(text: str) -> list[str]:
    """Errors for a value that cannot be an ID number at all (only these are reported)."""
    if not text:
        return [_("The ID number is empty.")]
    if _SCIENTIFIC_RE.fullmatch(text):
        return [
            _(
                "Excel turned this number into scientific notation and its digits are lost. "
                "Re-enter it from the ID card, formatted as text."
            )
        ]
    if _DECIMAL_RE.fullmatch(text):
        return [
            _(
                "Excel stored this number as a decimal (ending in “.0”) and its last digits "
                "may be lost. Re-enter it from the ID card, formatted as text."
            )
        ]
    errors: list[str] = []
    bad = [c for c in dict.fromkeys(text) if c not in _ALLOWED_CHARS]
    if len(text) == LENGTH and "X" in text[:-1]:
        bad.append("X")
    if bad:
        errors.append(
            # Translators: %(chars)s lists the offending characters, e.g. “O”, “-”.
            _(
                "The ID number may contain only digits, with X allowed as the last character "
                "(found: %(chars)s)."
            )
            % {"chars": ", ".join(f"“{c}”" for c in bad)}
        )
    if len(text) not in (LENGTH, OLD_LENGTH):
        errors.append(
            # Translators: %(count)s is the number of characters entered.
            _("The ID number must have 18 characters (or 15 for an old number), not %(count)s.")
            % {"count": len(text)}
        )
    elif len(text) == OLD_LENGTH and "X" in text and not errors:
        errors.append(_("An old 15-character ID number may contain only digits."))
    return errors


def _birth_date(digits: str, today: datetime.date) -> tuple[datetime.date | None, str | None]:
    """Birth date from the 8 digits YYYYMMDD, or None and an error."""
    shown = f"{digits[:4]}-{digits[4:6]}-{digits[6:]}"
    try:
        born = datetime.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        # Translators: %(date)s is the date as written in the number, e.g. 1990-02-30.
        return None, _("The birth date %(date)s is not a real calendar date.") % {"date": shown}
    if born.year < MIN_BIRTH_YEAR:
        return None, (
            # Translators: %(year)s is the birth year read from the number.
            _("The birth year %(year)s is before 1880.") % {"year": born.year}
        )
    if born > today:
        return None, _("The birth date %(date)s is in the future.") % {"date": shown}
    return born, None


def check(raw: str, *, today: datetime.date | None = None) -> IdCheck:
    """Check a number as typed or pasted: normalise it, upgrade a 15-digit number to 18, and
    collect every applicable error (or only the shape error when it is not shaped like one)."""
    text = normalize(raw)
    shape_errors = _shape_errors(text)
    if shape_errors:
        return IdCheck(
            valid=False,
            normalized=None,
            birth_date=None,
            sex=None,
            region_code=None,
            region_name=None,
            errors=tuple(shape_errors),
        )

    if len(text) == OLD_LENGTH:  # 6 address + YYMMDD + 3 sequence, born in the 1900s
        first17 = text[:6] + "19" + text[6:]
        number = first17 + check_char(first17)
    else:
        number = text

    errors: list[str] = []
    check_ok = check_char(number[:17]) == number[17]
    excel_truncated = not check_ok and number.endswith("000")
    if excel_truncated:
        errors.append(
            _(
                "The last digits look truncated to 000 by Excel (numbers longer than 15 digits "
                "lose precision). Re-enter it from the ID card, formatted as text."
            )
        )
    elif not check_ok:
        errors.append(_("The check character does not match: the number was mistyped."))

    born, date_error = _birth_date(number[6:14], today or _today())
    if date_error:
        errors.append(date_error)

    code = number[:6]
    name = region_name(code)
    if name is None:
        errors.append(
            # Translators: %(code)s is the 6-digit address code at the start of the number.
            _("The address code %(code)s is not in the national table of administrative divisions.")
            % {"code": code}
        )

    # Excel's truncation wiped the last sequence digit, so the sex cannot be read.
    sex = None if excel_truncated else (Sex.MALE if int(number[16]) % 2 else Sex.FEMALE)
    return IdCheck(
        valid=not errors,
        normalized=number,
        birth_date=born,
        sex=sex,
        region_code=code,
        region_name=name,
        errors=tuple(errors),
    )


def parse(raw: str, *, today: datetime.date | None = None) -> IdCheck:
    """Like `check`, but raise `InvalidIdNumber` unless the number is valid."""
    result = check(raw, today=today)
    if not result.valid:
        raise InvalidIdNumber(result.errors)
    return result
