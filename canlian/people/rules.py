"""The registry's rules for a person's data: each a named check with its message, collected by
`validate` into one ValidationError, in the order of RULES.

A check reads a `Subject` (the data given, and what was read from it once: the ID number's
check, the place, the expiry date) and returns every (field, message) it finds wrong. The
same checks serve the form, the import (a batch passes the places and its own duplicate check)
and the certificate procedures.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from canlian.accounts.scoping import covers, outside_refusal
from canlian.lib import crypto, idcard, masks
from canlian.people.fields import (
    BANK_RE,
    CATEGORIES,
    CERTIFICATE_FIELDS,
    CERTIFICATE_YEARS,
    ETHNICITIES,
    GRADES,
    LIFE_STATUSES,
    SEALED_INPUTS,
    TEXT_LIMITS,
    PersonData,
    add_years,
    age_on,
    clean_text,
    keep_or_retype,
    name_problem,
    phone_problem,
    place_problem,
)
from canlian.people.models import ADULT_AGE, GUARDIAN_CATEGORIES, ID_CONTEXT, LifeStatus, Person
from canlian.people.names import name_initials
from canlian.places.models import Place

if TYPE_CHECKING:
    from canlian.accounts.actors import Actor


@dataclasses.dataclass
class Cleaned:
    """What `validate` returns of data that passed every rule: the values to store."""

    id_check: idcard.IdCheck
    place: Place | None
    fields: dict[str, Any]
    sealed: dict[str, str | None]  # the values to seal (Person.SEALED); None keeps the stored


def _identity(
    data: PersonData,
    existing: Person | None,
    *,
    today: datetime.date,
    id_check: idcard.IdCheck | None,
) -> idcard.IdCheck:
    """The check of the ID number given, or, when the stored one is kept (None), what the
    registry read from it: the birth date and sex (its `normalized` stays None)."""
    if data.id_number is not None:
        return id_check or idcard.check(data.id_number, today=today)
    if existing is None:
        return idcard.check("", today=today)
    return idcard.IdCheck(
        valid=True, normalized=None, birth_date=existing.birth_date,
        sex=idcard.Sex(existing.sex), region_code=None, region_name=None, errors=(),
    )  # fmt: skip


def _certificate_number_problem(
    data: PersonData, check: idcard.IdCheck, existing: Person | None
) -> str | None:
    """Why the certificate number given (if any) is not the person's card in force: the ID
    number given, the category and grade digits, and the replacement suffix of the card in
    force (B1, B2, …; none for a card never replaced). A replacement cancels the lost card's
    number (a lower suffix), which is refused with that reason. Beside a kept ID number
    (editing) a certificate number is not checked but ignored: comparing it with the number on
    record would answer, to a role that may not reveal it, whether a typed number is the
    person's."""
    number = idcard.normalize(data.certificate_number).upper()
    if not number or not check.normalized:
        return None
    parts = idcard.split_card_number(number)
    if parts is None or parts[:3] != (check.normalized, data.category, data.grade):
        return _(
            "The certificate number must be the ID number followed by the category and "
            "grade digits."
        )
    given, current = parts[3], existing.card_suffix if existing is not None else 0
    if given == current:
        return None
    if given < current:
        return _(
            "This certificate number was cancelled when the card was replaced: the number of "
            "the card in force ends in B%(suffix)s."
        ) % {"suffix": current}
    if current == 0:
        return _(
            "This person's card has never been replaced: the certificate number has no "
            "suffix such as B%(suffix)s."
        ) % {"suffix": given}
    return _(
        "No card with the suffix B%(given)s has been issued: the number of the card in force "
        "ends in B%(suffix)s."
    ) % {"given": given, "suffix": current}


@dataclasses.dataclass(slots=True)
class Subject:
    """What the rules read: the data given and what was read from it once (a plain class, not
    a frozen one: it is built for every row of a 100,000-row import)."""

    data: PersonData
    acting_user: Actor
    today: datetime.date
    existing: Person | None
    check: idcard.IdCheck  # of the ID number given, or what the stored one says
    place: Place | None
    # Sealed values (and the certificate number) sent back as a changed mask, in this order.
    retyped: tuple[str, ...]
    # The expiry date given, or CERTIFICATE_YEARS after a usable issue date.
    expires: datetime.date | None
    # Each phone number normalised, and why it is not one (see phone_problem).
    phone: tuple[str | None, str | None]
    guardian_phone: tuple[str | None, str | None]
    account: str | None  # the bank account normalised; None keeps the stored one
    check_duplicate: bool
    certificate_managed: bool


Problem = tuple[str, str]  # (field, message)
Problems = Sequence[Problem]
NONE: Problems = ()


# ---------------------------------------------------------------------------------------------
# The rules, in the order their problems are reported


def masks_not_changed(s: Subject) -> Problems:
    """A masked value sent back changed: neither kept nor typed whole."""
    return [(field, keep_or_retype()) for field in s.retyped] if s.retyped else NONE


def id_number_valid(s: Subject) -> Problems:
    if not s.check.errors or "id_number" in s.retyped:
        return NONE
    return [("id_number", message) for message in s.check.errors]


def name_given(s: Subject) -> Problems:
    problem = name_problem(s.data.name)
    return [("name", problem)] if problem else NONE


def sex_matches_id_number(s: Subject) -> Problems:
    if s.check.valid and s.data.sex and s.data.sex != s.check.sex:
        return [("sex", _("The sex does not match the ID number (its 17th digit)."))]
    return NONE


def birth_date_matches_id_number(s: Subject) -> Problems:
    if s.check.valid and s.data.birth_date and s.data.birth_date != s.check.birth_date:
        return [("birth_date", _("The date of birth does not match the ID number."))]
    return NONE


def registered_in_a_township_in_scope(s: Subject) -> Problems:
    problem = place_problem(s.place, s.acting_user)
    return [("place_code", problem)] if problem else NONE


def category_is_a_national_code(s: Subject) -> Problems:
    if s.data.category not in CATEGORIES:
        return [("category", _("The category must be a national code from 1 to 7."))]
    return NONE


def grade_from_1_to_4(s: Subject) -> Problems:
    if s.data.grade not in GRADES:
        return [("grade", _("The grade must be from 1 to 4."))]
    return NONE


def certificate_number_is_id_number_with_codes(s: Subject) -> Problems:
    if not s.check.valid or "certificate_number" in s.retyped:
        return NONE
    problem = _certificate_number_problem(s.data, s.check, s.existing)
    return [("certificate_number", problem)] if problem else NONE


def ethnicity_known(s: Subject) -> Problems:
    if s.data.ethnicity not in ETHNICITIES:
        return [("ethnicity", _("Choose the ethnic group."))]
    return NONE


def certificate_issued_by_today(s: Subject) -> Problems:
    issued = s.data.certificate_issued_on
    if issued is None:
        return [("certificate_issued_on", _("Enter the date the certificate was issued."))]
    if issued > s.today:
        return [("certificate_issued_on", _("The issue date is in the future."))]
    return NONE


def certificate_issued_after_birth(s: Subject) -> Problems:
    issued, birth = s.data.certificate_issued_on, s.check.birth_date
    if issued is not None and issued <= s.today and birth and issued < birth:
        return [("certificate_issued_on", _("The issue date is before the date of birth."))]
    return NONE


def certificate_expires_after_issue(s: Subject) -> Problems:
    issued, expires = s.data.certificate_issued_on, s.expires
    if issued is not None and issued <= s.today and expires is not None and expires <= issued:
        return [("certificate_expires_on", _("The expiry date must be after the issue date."))]
    return NONE


def certificate_changes_through_procedures(s: Subject) -> Problems:
    """Once the certificate procedures manage a person, their category, grade and dates are
    the valid certificate's."""
    if not s.certificate_managed or s.existing is None:
        return NONE
    problems = []
    for field in CERTIFICATE_FIELDS:
        value = getattr(s.data, field)
        if field == "certificate_expires_on" and value is None:
            value = s.expires
        if value != getattr(s.existing, field):
            message = _(
                "The certificate's category, grade and dates change only through the "
                "certificate procedures (renewal, change, cancellation)."
            )
            problems.append((field, message))
    return problems


def texts_within_limits(s: Subject) -> Problems:
    return [
        # Translators: %(limit)s is a number of characters.
        (field, _("This is longer than %(limit)s characters.") % {"limit": limit})
        for field, limit in TEXT_LIMITS.items()
        if len(clean_text(getattr(s.data, field))) > limit
    ]


def guardian_when_needed(s: Subject) -> Problems:
    """Minors and persons with an intellectual or mental disability need a guardian."""
    birth = s.check.birth_date
    needs_guardian = s.data.category in GUARDIAN_CATEGORIES or (
        birth is not None and age_on(birth, s.today) < ADULT_AGE
    )
    if needs_guardian and not clean_text(s.data.guardian_name):
        message = _("A guardian is required for minors and for intellectual or mental disability.")
        return [("guardian_name", message)]
    return NONE


def phones_are_numbers(s: Subject) -> Problems:
    problems = []
    for field, (_phone, problem) in (("phone", s.phone), ("guardian_phone", s.guardian_phone)):
        if problem and field not in s.retyped:
            problems.append((field, problem))
    return problems


def bank_account_is_digits(s: Subject) -> Problems:
    account = s.account
    if account and "bank_account" not in s.retyped and not BANK_RE.match(account):
        return [("bank_account", _("A bank account number has 12 to 30 digits."))]
    return NONE


def life_status_known(s: Subject) -> Problems:
    if s.data.life_status not in LIFE_STATUSES:
        return [("life_status", _("Choose a life status."))]
    return NONE


def life_status_change_dated(s: Subject) -> Problems:
    """A status other than active needs its date: not in the future, not before birth."""
    status, day = s.data.life_status, s.data.life_status_date
    if status not in LIFE_STATUSES or status == LifeStatus.ACTIVE:
        return NONE
    if day is None:
        return [("life_status_date", _("Enter the date of the status change."))]
    if day > s.today:
        return [("life_status_date", _("The date of the status change is in the future."))]
    if s.check.birth_date and day < s.check.birth_date:
        return [("life_status_date", _("The date of the status change is before birth."))]
    return NONE


def not_registered_twice(s: Subject) -> Problems:
    """No other person holds the ID number; one held outside the user's jurisdiction gets the
    refusal that says neither where nor what (a batch checks its rows itself)."""
    if not (s.check.valid and s.check.normalized and s.check_duplicate):
        return NONE
    index = crypto.blind_index(str(s.check.normalized), context=ID_CONTEXT)
    clash = Person.objects.filter(id_number_index=index)
    if s.existing is not None:
        clash = clash.exclude(pk=s.existing.pk)
    region = clash.values_list("place_id", flat=True).first()
    if region is None:
        return NONE
    if covers(s.acting_user, str(region)):
        return [("id_number", _("A person with this ID number is already on the registry."))]
    return [("id_number", outside_refusal())]


RULES: tuple[Callable[[Subject], Problems], ...] = (
    masks_not_changed,
    id_number_valid,
    name_given,
    sex_matches_id_number,
    birth_date_matches_id_number,
    registered_in_a_township_in_scope,
    category_is_a_national_code,
    grade_from_1_to_4,
    certificate_number_is_id_number_with_codes,
    ethnicity_known,
    certificate_issued_by_today,
    certificate_issued_after_birth,
    certificate_expires_after_issue,
    certificate_changes_through_procedures,
    texts_within_limits,
    guardian_when_needed,
    phones_are_numbers,
    bank_account_is_digits,
    life_status_known,
    life_status_change_dated,
    not_registered_twice,
)

# The fields whose masks may come back, in the order their refusals are reported.
_MASKED = (*SEALED_INPUTS, "certificate_number")


def _expires(data: PersonData, today: datetime.date) -> datetime.date | None:
    issued, expires = data.certificate_issued_on, data.certificate_expires_on
    if issued is None or issued > today:
        return expires
    return expires or add_years(issued, CERTIFICATE_YEARS)


def _retyped(data: PersonData, existing: Person | None) -> tuple[str, ...]:
    if existing is None:
        return ()
    return tuple(
        field for field in _MASKED if (value := getattr(data, field)) and masks.is_masked(value)
    )


def validate(
    data: PersonData,
    *,
    acting_user: Actor,
    today: datetime.date,
    existing: Person | None = None,
    places: Mapping[str, Place] | None = None,
    check_duplicate: bool = True,
    id_check: idcard.IdCheck | None = None,
    certificate_managed: bool = False,
) -> Cleaned:
    """Check every rule of RULES and raise one ValidationError mapping each field to all its
    problems; else return the values to store.

    A batch passes `places` (code → place, read once) and checks duplicate ID numbers itself
    (`check_duplicate=False`), so that a row costs no query."""
    if places is not None:
        place = places.get(data.place_code)
    else:
        place = Place.objects.filter(code=data.place_code).first()
    subject = Subject(
        data=data,
        acting_user=acting_user,
        today=today,
        existing=existing,
        check=_identity(data, existing, today=today, id_check=id_check),
        place=place,
        retyped=_retyped(data, existing),
        expires=_expires(data, today),
        phone=phone_problem(data.phone),
        guardian_phone=phone_problem(data.guardian_phone),
        account=None if data.bank_account is None else idcard.normalize(data.bank_account),
        check_duplicate=check_duplicate,
        certificate_managed=certificate_managed,
    )
    errors: dict[str, list[str]] = {}
    for rule in RULES:
        problems = rule(subject)
        if problems:  # most rules find nothing: the loop stays cheap for a large import
            for field, message in problems:
                errors.setdefault(field, []).append(message)
    if errors:
        raise ValidationError(errors)
    return _cleaned(subject)


def _cleaned(s: Subject) -> Cleaned:
    """The values to store of data that passed every rule."""
    data, check = s.data, s.check
    issued, expires = data.certificate_issued_on, s.expires
    assert check.birth_date and check.sex and issued and expires
    name = clean_text(data.name)
    return Cleaned(
        id_check=check,
        place=s.place,
        fields={
            "name": name,
            "name_initials": name_initials(name),
            "sex": check.sex.value,
            "birth_date": check.birth_date,
            "ethnicity": data.ethnicity,
            "place": s.place,
            "address": clean_text(data.address),
            "guardian_name": clean_text(data.guardian_name),
            "guardian_relation": clean_text(data.guardian_relation),
            "category": data.category,
            "grade": data.grade,
            "certificate_issued_on": issued,
            "certificate_expires_on": expires,
            "life_status": data.life_status,
            "life_status_date": (
                None if data.life_status == LifeStatus.ACTIVE else data.life_status_date
            ),
            "bank_name": clean_text(data.bank_name),
        },
        # None: keep the stored value.
        sealed={
            "id_number": check.normalized,
            "phone": s.phone[0],
            "guardian_phone": s.guardian_phone[0],
            "bank_account": s.account,
        },
    )
