"""Every write to the registry: validate the domain rules, write, and audit in one transaction.

A person's data and its single-field checks live in people/fields.py, the rules of a whole
record in people/rules.py; the names other modules import from here are re-exported below."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from canlian.accounts import reveal as gate
from canlian.accounts.access import require
from canlian.accounts.actors import Actor
from canlian.accounts.roles import Perm
from canlian.accounts.scoping import covers
from canlian.audit import records as audit
from canlian.lib import crypto, idcard
from canlian.people import versions
from canlian.people.fields import CATEGORIES as CATEGORIES
from canlian.people.fields import CERTIFICATE_FIELDS as CERTIFICATE_FIELDS
from canlian.people.fields import CERTIFICATE_YEARS as CERTIFICATE_YEARS
from canlian.people.fields import ETHNICITIES as ETHNICITIES
from canlian.people.fields import GRADES as GRADES
from canlian.people.fields import SEALED_INPUTS as SEALED_INPUTS
from canlian.people.fields import TEXT_LIMITS as TEXT_LIMITS
from canlian.people.fields import PersonData as PersonData
from canlian.people.fields import add_years as add_years
from canlian.people.fields import age_on as age_on
from canlian.people.fields import name_problem as name_problem
from canlian.people.fields import phone_problem as phone_problem
from canlian.people.fields import place_problem as place_problem
from canlian.people.models import ID_CONTEXT, Person, StatusKind, StatusPeriod, tail_index
from canlian.people.names import name_initials as name_initials
from canlian.people.rules import Cleaned as Cleaned
from canlian.people.rules import validate as validate

if TYPE_CHECKING:
    from canlian.accounts.actors import Actor


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
    values["id_tail_index"] = tail_index(id_number)
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
            person.id_tail_index = tail_index(value)
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
    versions.sync([person.pk], timezone.localdate())
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
        versions.sync([locked.pk], timezone.localdate())
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
    recorded); the certificate number is the ID number's with the category and grade, and the
    replacement suffix (B1, …) of the card in force."""
    values = gate.reveal(
        target=person,
        fields=REVEALS[what],
        purpose=gate.Purpose.SHOW,
        acting_user=acting_user,
        action="person.reveal",
    )
    if values.get("id_number"):
        values["certificate_number"] = idcard.certificate_number(
            values["id_number"], person.category, person.grade, person.card_suffix
        )
    return values
