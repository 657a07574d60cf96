"""A person's data as a form, an import row or a test gives it (PersonData), the codes and
limits it must keep, and the checks of single fields that other procedures share (names,
places, phone numbers); people/rules.py checks a whole record."""

from __future__ import annotations

import dataclasses
import datetime
import re
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from canlian.accounts.scoping import covers
from canlian.lib import idcard
from canlian.people.ethnicity import Ethnicity
from canlian.people.models import Category, Grade, LifeStatus
from canlian.places.models import Level, Place

if TYPE_CHECKING:
    from canlian.accounts.actors import Actor

CERTIFICATE_YEARS = 10
PHONE_RE = re.compile(r"^(1[0-9]{10}|0[0-9]{2,3}-?[0-9]{7,8})$")
BANK_RE = re.compile(r"^[0-9]{12,30}$")
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
# Free-text fields and their column lengths (the name has its own message above).
TEXT_LIMITS = {
    "address": 200, "guardian_name": 64, "guardian_relation": 32, "bank_name": 64,
}  # fmt: skip
# `Choices.values` builds a new list on every call: too slow for a 100,000-row import.
CATEGORIES = frozenset(Category.values)
GRADES = frozenset(Grade.values)
ETHNICITIES = frozenset(Ethnicity.values)
# Copied from the valid certificate once the certificate procedures manage a person.
CERTIFICATE_FIELDS = ("category", "grade", "certificate_issued_on", "certificate_expires_on")
LIFE_STATUSES = frozenset(LifeStatus.values)


# The sealed values a person's data may leave as they are (None): an edit form shows their
# masks, and a value sent back untouched keeps what is stored without anyone seeing it.
SEALED_INPUTS = ("id_number", "phone", "guardian_phone", "bank_account")


@dataclasses.dataclass
class PersonData:
    """What a form, an import row or a test supplies about a person. A sealed value (see
    SEALED_INPUTS) given as None keeps the stored one (editing only)."""

    id_number: str | None
    name: str
    ethnicity: str
    place_code: str
    category: int
    grade: int
    certificate_issued_on: datetime.date | None
    sex: str = ""
    birth_date: datetime.date | None = None
    certificate_number: str = ""
    certificate_expires_on: datetime.date | None = None
    address: str = ""
    phone: str | None = ""
    guardian_name: str = ""
    guardian_relation: str = ""
    guardian_phone: str | None = ""
    bank_name: str = ""
    bank_account: str | None = ""
    life_status: str = LifeStatus.ACTIVE
    life_status_date: datetime.date | None = None


def add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def age_on(birth: datetime.date, day: datetime.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def clean_text(value: str) -> str:
    """`value` without control characters and surrounding blanks."""
    return CONTROL_RE.sub("", value).strip()


def normalise_phone(value: str) -> str:
    return idcard.normalize(value).replace("－", "-")


def name_problem(raw: str) -> str | None:
    """Why `raw` is not a usable name, or None."""
    name = clean_text(raw)
    if not name:
        return _("Enter the name.")
    if len(name) > 64:
        return _("The name is longer than 64 characters.")
    return None


def place_problem(place: Place | None, acting_user: Actor) -> str | None:
    """Why `place` cannot be a household registration for `acting_user`, or None."""
    if place is None:
        return _("Choose the township or village of household registration.")
    if place.level < Level.TOWNSHIP:
        return _("Choose a township or village, not a county.")
    if not covers(acting_user, place.code):
        return _("This place is outside your jurisdiction.")
    return None


def phone_problem(raw: str | None) -> tuple[str | None, str | None]:
    """The phone number normalised, and why it is not one (None when it is, or is empty).
    None (keep the stored number) stays None."""
    if raw is None:
        return None, None
    phone = normalise_phone(raw)
    if phone and not PHONE_RE.match(phone):
        return phone, _("Enter an 11-digit mobile number or a landline with its area code.")
    return phone, None


def keep_or_retype() -> str:
    """The refusal of a masked value that was changed instead of typed whole."""
    return _(
        "Type the whole number, or leave the masked number as it was to keep the one on record."
    )
