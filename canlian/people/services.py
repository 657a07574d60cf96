"""Every write to the registry: validate the domain rules, write, and audit in one transaction."""

from __future__ import annotations

import dataclasses
import datetime
import functools
import os
import re
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from canlian.accounts import reveal as gate
from canlian.accounts.access import require
from canlian.accounts.actors import Actor
from canlian.accounts.roles import Perm
from canlian.accounts.scoping import covers, outside_refusal
from canlian.audit import records as audit
from canlian.lib import crypto, idcard, masks
from canlian.people.ethnicity import Ethnicity
from canlian.people.models import (
    ADULT_AGE,
    GUARDIAN_CATEGORIES,
    ID_CONTEXT,
    Category,
    Grade,
    LifeStatus,
    Person,
    StatusKind,
    StatusPeriod,
)
from canlian.places.models import Level, Place

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


@functools.lru_cache(maxsize=65536)
def _initial(char: str) -> str:
    # Imported on first use, without the phrase dictionary (characters are read one at a
    # time): loading it took about a second of every process's start, web and commands alike.
    os.environ.setdefault("PYPINYIN_NO_PHRASES", "true")
    from pypinyin import Style, lazy_pinyin

    letters = "".join(lazy_pinyin(char, style=Style.FIRST_LETTER, errors="ignore")).lower()
    return "".join(ch for ch in letters if "a" <= ch <= "z")


def name_initials(name: str) -> str:
    """Lower-case pinyin initials of a name (张三 → zs); characters without pinyin are dropped.

    Read character by character (each character's usual reading, remembered): a pypinyin call
    costs ~40 µs, too much for a 100,000-row import, and a name is not a phrase of the
    dictionary anyway (the same initials as whole-name conversion for all 22,111 distinct
    names of a 100,000-person demo)."""
    return "".join(_initial(char) for char in name)


def add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def age_on(birth: datetime.date, day: datetime.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _clean_text(value: str) -> str:
    return CONTROL_RE.sub("", value).strip()


def _normalise_phone(value: str) -> str:
    return idcard.normalize(value).replace("－", "-")


def name_problem(raw: str) -> str | None:
    """Why `raw` is not a usable name, or None."""
    name = _clean_text(raw)
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
    phone = _normalise_phone(raw)
    if phone and not PHONE_RE.match(phone):
        return phone, _("Enter an 11-digit mobile number or a landline with its area code.")
    return phone, None


@dataclasses.dataclass
class Cleaned:
    id_check: idcard.IdCheck
    place: Place | None
    fields: dict[str, Any]
    sealed: dict[str, str | None]  # the values to seal (Person.SEALED); None keeps the stored


def keep_or_retype() -> str:
    """The refusal of a masked value that was changed instead of typed whole."""
    return _(
        "Type the whole number, or leave the masked number as it was to keep the one on record."
    )


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


def _certificate_number_fits(data: PersonData, check: idcard.IdCheck) -> bool:
    """Whether the certificate number given (if any) is the ID number given followed by the
    category and grade digits. Beside a kept ID number (editing) a certificate number is not
    checked but ignored: comparing it with the number on record would answer, to a role that
    may not reveal it, whether a typed number is the person's."""
    number = idcard.normalize(data.certificate_number)
    if not number or not check.normalized:
        return True
    return number == idcard.certificate_number(check.normalized, data.category, data.grade)


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
    """Check every rule and raise one ValidationError mapping each field to all its problems.

    A batch passes `places` (code → place, read once) and checks duplicate ID numbers itself
    (`check_duplicate=False`), so that a row costs no query."""
    errors: dict[str, list[str]] = {}

    def fail(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if existing is not None:
        for field in (*SEALED_INPUTS, "certificate_number"):
            value = getattr(data, field)
            if value and masks.is_masked(value):
                fail(field, keep_or_retype())
    check = _identity(data, existing, today=today, id_check=id_check)
    if "id_number" not in errors:
        for message in check.errors:
            fail("id_number", message)

    name = _clean_text(data.name)
    name_error = name_problem(name)
    if name_error:
        fail("name", name_error)

    if check.valid:
        if data.sex and data.sex != check.sex:
            fail("sex", _("The sex does not match the ID number (its 17th digit)."))
        if data.birth_date and data.birth_date != check.birth_date:
            fail("birth_date", _("The date of birth does not match the ID number."))

    if places is not None:
        place = places.get(data.place_code)
    else:
        place = Place.objects.filter(code=data.place_code).first()
    place_error = place_problem(place, acting_user)
    if place_error:
        fail("place_code", place_error)

    if data.category not in CATEGORIES:
        fail("category", _("The category must be a national code from 1 to 7."))
    if data.grade not in GRADES:
        fail("grade", _("The grade must be from 1 to 4."))

    if (
        check.valid
        and "certificate_number" not in errors
        and not _certificate_number_fits(data, check)
    ):
        fail(
            "certificate_number",
            _(
                "The certificate number must be the ID number followed by the category and "
                "grade digits."
            ),
        )

    if data.ethnicity not in ETHNICITIES:
        fail("ethnicity", _("Choose the ethnic group."))

    issued = data.certificate_issued_on
    expires = data.certificate_expires_on
    if issued is None:
        fail("certificate_issued_on", _("Enter the date the certificate was issued."))
    elif issued > today:
        fail("certificate_issued_on", _("The issue date is in the future."))
    else:
        expires = expires or add_years(issued, CERTIFICATE_YEARS)
        if check.birth_date and issued < check.birth_date:
            fail("certificate_issued_on", _("The issue date is before the date of birth."))
        if expires <= issued:
            fail("certificate_expires_on", _("The expiry date must be after the issue date."))

    if certificate_managed and existing is not None:
        for field in CERTIFICATE_FIELDS:
            value = getattr(data, field)
            if field == "certificate_expires_on" and value is None:
                value = expires
            if value != getattr(existing, field):
                fail(
                    field,
                    _(
                        "The certificate's category, grade and dates change only through the "
                        "certificate procedures (renewal, change, cancellation)."
                    ),
                )

    for field, limit in TEXT_LIMITS.items():
        if len(_clean_text(getattr(data, field))) > limit:
            # Translators: %(limit)s is a number of characters.
            fail(field, _("This is longer than %(limit)s characters.") % {"limit": limit})

    needs_guardian = data.category in GUARDIAN_CATEGORIES or (
        check.birth_date is not None and age_on(check.birth_date, today) < ADULT_AGE
    )
    if needs_guardian and not _clean_text(data.guardian_name):
        fail(
            "guardian_name",
            _("A guardian is required for minors and for intellectual or mental disability."),
        )

    phone, phone_error = phone_problem(data.phone)
    if phone_error and "phone" not in errors:
        fail("phone", phone_error)
    guardian_phone, phone_error = phone_problem(data.guardian_phone)
    if phone_error and "guardian_phone" not in errors:
        fail("guardian_phone", phone_error)

    account = None if data.bank_account is None else idcard.normalize(data.bank_account)
    if account and "bank_account" not in errors and not BANK_RE.match(account):
        fail("bank_account", _("A bank account number has 12 to 30 digits."))

    status_date = data.life_status_date
    if data.life_status not in LIFE_STATUSES:
        fail("life_status", _("Choose a life status."))
    elif data.life_status != LifeStatus.ACTIVE:
        if status_date is None:
            fail("life_status_date", _("Enter the date of the status change."))
        elif status_date > today:
            fail("life_status_date", _("The date of the status change is in the future."))
        elif check.birth_date and status_date < check.birth_date:
            fail("life_status_date", _("The date of the status change is before birth."))
    else:
        status_date = None

    if check.valid and check.normalized and check_duplicate:
        index = crypto.blind_index(str(check.normalized), context=ID_CONTEXT)
        clash = Person.objects.filter(id_number_index=index)
        if existing is not None:
            clash = clash.exclude(pk=existing.pk)
        region = clash.values_list("place_id", flat=True).first()
        if region is not None and covers(acting_user, str(region)):
            fail("id_number", _("A person with this ID number is already on the registry."))
        elif region is not None:
            fail("id_number", outside_refusal())

    if errors:
        raise ValidationError(errors)

    assert check.birth_date and check.sex and issued and expires
    return Cleaned(
        id_check=check,
        place=place,
        fields={
            "name": name,
            "name_initials": name_initials(name),
            "sex": check.sex.value,
            "birth_date": check.birth_date,
            "ethnicity": data.ethnicity,
            "place": place,
            "address": _clean_text(data.address),
            "guardian_name": _clean_text(data.guardian_name),
            "guardian_relation": _clean_text(data.guardian_relation),
            "category": data.category,
            "grade": data.grade,
            "certificate_issued_on": issued,
            "certificate_expires_on": expires,
            "life_status": data.life_status,
            "life_status_date": status_date,
            "bank_name": _clean_text(data.bank_name),
        },
        # None: keep the stored value.
        sealed={
            "id_number": check.normalized,
            "phone": phone,
            "guardian_phone": guardian_phone,
            "bank_account": account,
        },
    )


def is_certificate_managed(person: Person) -> bool:
    """Whether the certificate procedures hold this person's certificate records."""
    return person.pk is not None and person.certificates.exists()


AUDITED_FIELDS = (
    "name", "sex", "birth_date", "ethnicity", "place", "address", "phone_masked",
    "guardian_name", "guardian_relation", "guardian_phone_masked", "category", "grade",
    "certificate_issued_on", "certificate_expires_on", "life_status", "life_status_date",
    "bank_name", "id_number_masked", "bank_account_masked",
)  # fmt: skip


def snapshot(person: Person) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for field in AUDITED_FIELDS:
        value = getattr(person, "place_id" if field == "place" else field)
        values[field] = value.isoformat() if isinstance(value, datetime.date) else value
    return values


def new_values(cleaned: Cleaned, *, index: str = "") -> dict[str, Any]:
    """The column values (attnames) of a new person from `cleaned`, without building a model
    instance: what `prepare` sets on a `Person()`, for batches of thousands. `index` is the
    ID number's blind index when the caller has it already."""
    values = dict(cleaned.fields)
    place = values.pop("place")
    values["place_id"] = place.code
    for name, value in cleaned.sealed.items():
        spec = Person.SEALED[name]
        values[spec.cipher], values[spec.masked] = spec.seal(value or "")
    id_number = cleaned.sealed["id_number"]
    assert id_number, "a new person needs an ID number"
    values["id_number_index"] = index or crypto.blind_index(id_number, context=ID_CONTEXT)
    return values


def snapshot_of(values: dict[str, Any]) -> dict[str, Any]:
    """`snapshot` of a person given as column values (see `new_values`)."""
    result: dict[str, Any] = {}
    for field in AUDITED_FIELDS:
        value = values["place_id" if field == "place" else field]
        result[field] = value.isoformat() if isinstance(value, datetime.date) else value
    return result


def _sealed_differs(person: Person, name: str, value: str) -> bool:
    """Whether `value` differs from the stored one (the ID number is compared by its blind
    index, which `prepare` has set beside it)."""
    if not person.pk:
        return True
    spec = Person.SEALED[name]
    if spec.is_empty(person) or not value:
        return spec.is_empty(person) != (not value)
    return not gate.equals(target=person, field=name, value=value)


def prepare(person: Person, cleaned: Cleaned) -> set[str]:
    """Set `person`'s fields from `cleaned`: ciphers, blind index and masks included. Return
    the names of the sealed values replaced (their masks may read the same)."""
    for key, value in cleaned.fields.items():
        setattr(person, key, value)
    replaced = set()
    for name, value in cleaned.sealed.items():
        if value is None:
            continue
        if name == "id_number":
            index = crypto.blind_index(value, context=ID_CONTEXT)
            if person.pk and index == person.id_number_index:
                continue
            person.id_number_index = index
        elif not _sealed_differs(person, name, value):
            continue
        Person.SEALED[name].set(person, value)
        replaced.add(name)
    return replaced


def apply(person: Person, cleaned: Cleaned) -> dict[str, list[Any]]:
    """`prepare` and return the changes as {field: [before, after]} for the audit entry; a
    sealed value replaced by another of the same mask is listed too."""
    before = snapshot(person)
    replaced = prepare(person, cleaned)
    after = snapshot(person)
    changed = {Person.SEALED[name].masked for name in replaced}
    return audit.changes(before, after, AUDITED_FIELDS, also=changed)


@transaction.atomic
def create_person(*, data: PersonData, acting_user: Actor) -> Person:
    require(acting_user, Perm.CHANGE_PERSON)
    cleaned = validate(data, acting_user=acting_user, today=timezone.localdate())
    person = Person()
    prepare(person, cleaned)
    person.save()
    audit.record(
        acting_user=acting_user,
        action="person.create",
        target=person,
        detail={"after": snapshot(person)},
    )
    return person


@transaction.atomic
def update_person(
    *, person: Person, data: PersonData, acting_user: Actor, workflow: bool = False
) -> dict[str, Any]:
    """Apply `data` to `person`; return the changed fields as {field: [before, after]}.

    Once a person has certificate records, their category, grade and certificate dates are
    the valid certificate's and change only through the certificate procedures, which pass
    `workflow=True`."""
    require(acting_user, Perm.CHANGE_PERSON)
    locked = Person.objects.select_for_update().select_related("place").get(pk=person.pk)
    # Checked on the locked row: a move out of the jurisdiction meanwhile is seen.
    if not covers(acting_user, locked.place.code):
        raise PermissionDenied(_("This person is outside your jurisdiction."))
    cleaned = validate(
        data,
        acting_user=acting_user,
        today=timezone.localdate(),
        existing=locked,
        certificate_managed=not workflow and is_certificate_managed(locked),
    )
    changes = apply(locked, cleaned)
    if changes:
        locked.save()
        audit.record(
            acting_user=acting_user,
            action="person.update",
            target=locked,
            detail={"changes": changes},
        )
    person.refresh_from_db()
    return changes


@transaction.atomic
def add_status_period(
    *,
    person: Person,
    kind: str,
    start: datetime.date,
    end: datetime.date | None,
    acting_user: Actor,
) -> StatusPeriod:
    require(acting_user, Perm.CHANGE_PERSON)
    if not covers(acting_user, person.place.code):
        raise PermissionDenied(_("This person is outside your jurisdiction."))
    errors: dict[str, list[str]] = {}
    if kind not in StatusKind.values:
        errors["kind"] = [_("Choose a status.")]
    if end is not None and end < start:
        errors["end"] = [_("The end date must not be before the start date.")]
    if start > timezone.localdate():
        errors["start"] = [_("The start date is in the future.")]
    overlapping = person.status_periods.filter(kind=kind).filter(
        **({"start__lte": end} if end else {})
    )
    if any(p.end is None or p.end >= start for p in overlapping):
        errors.setdefault("start", []).append(
            _("This period overlaps another period of the same status.")
        )
    if errors:
        raise ValidationError(errors)
    period = StatusPeriod.objects.create(person=person, kind=kind, start=start, end=end)
    audit.record(
        acting_user=acting_user,
        action="person.status.add",
        target=person,
        detail={"kind": kind, "start": start.isoformat(), "end": end.isoformat() if end else None},
    )
    return period


@transaction.atomic
def end_status_period(
    *, period: StatusPeriod, end: datetime.date, acting_user: Actor
) -> StatusPeriod:
    require(acting_user, Perm.CHANGE_PERSON)
    if not covers(acting_user, period.person.place.code):
        raise PermissionDenied(_("This person is outside your jurisdiction."))
    if end < period.start:
        raise ValidationError({"end": [_("The end date must not be before the start date.")]})
    before = period.end
    period.end = end
    period.save(update_fields=["end"])
    audit.record(
        acting_user=acting_user,
        action="person.status.end",
        target=period.person,
        detail={
            "kind": period.kind,
            "start": period.start.isoformat(),
            "end": [before.isoformat() if before else None, end.isoformat()],
        },
    )
    return period


def log_read(*, person: Person, acting_user: Actor, action: str) -> None:
    """Record that `acting_user` opened `person`'s full record (a view, an edit form)."""
    with transaction.atomic():
        audit.record_access(acting_user=acting_user, action=action, target=person, detail={})


# What the person page's two buttons open: the identity (ID and certificate numbers, bank
# account) and the contact (phone numbers), each with its own permission.
REVEALS = {"identity": ("id_number", "bank_account"), "contact": ("phone", "guardian_phone")}


def reveal(*, person: Person, what: str, acting_user: Actor) -> dict[str, str]:
    """The full values of one of REVEALS through the gate (permission checked, access
    recorded); the certificate number is the ID number's with the category and grade."""
    values = gate.reveal(
        target=person,
        fields=REVEALS[what],
        purpose=gate.Purpose.SHOW,
        acting_user=acting_user,
        action="person.reveal",
    )
    if values.get("id_number"):
        values["certificate_number"] = idcard.certificate_number(
            values["id_number"], person.category, person.grade
        )
    return values
