"""Registering employers and changing them: checked, written and audited in one transaction."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _
from stdnum.cn import uscc as uscc_number
from stdnum.exceptions import InvalidChecksum, InvalidLength
from stdnum.exceptions import ValidationError as NumberError

from canlian.accounts.access import require
from canlian.accounts.roles import Perm
from canlian.accounts.scoping import covers
from canlian.audit import records as audit
from canlian.levy.formula import EmployerKind
from canlian.levy.models import Employer
from canlian.levy.services.checking import Errors, add, fail, require_in_scope
from canlian.lib import idcard
from canlian.people.fields import PHONE_RE, clean_text, normalise_phone
from canlian.places.models import Level, Place

if TYPE_CHECKING:
    from canlian.accounts.actors import Actor

EMPLOYER_PLACE_LEVELS = frozenset({Level.COUNTY, Level.TOWNSHIP})
EMPLOYER_TEXT_LIMITS = {"name": 100, "address": 200, "contact_name": 64}
EMPLOYER_FIELDS = ("name", "uscc", "kind", "place", "address", "contact_name", "contact_phone")


@dataclasses.dataclass
class EmployerData:
    name: str
    uscc: str
    kind: str
    place_code: str
    address: str = ""
    contact_name: str = ""
    contact_phone: str = ""


def check_uscc(raw: str) -> tuple[str, str | None]:
    """The normalised code (upper case, without spaces or full-width characters) and the
    error, or None when the code is valid (GB 32100-2015: length, alphabet, check character)."""
    code = uscc_number.compact(idcard.normalize(raw))
    try:
        uscc_number.validate(code)
    except InvalidLength:
        return code, _("A unified social credit code has 18 characters, not %(count)s.") % {
            "count": len(code)
        }
    except InvalidChecksum:
        return code, _(
            "The check character of the unified social credit code does not match: the code "
            "was mistyped."
        )
    except NumberError:
        return code, _(
            "A unified social credit code has 8 digits, then 10 digits or capital letters "
            "(not I, O, S, V or Z)."
        )
    return code, None


@dataclasses.dataclass(frozen=True)
class _Given:
    """What the employer rules read: the values to store and who stores them."""

    values: dict[str, Any]
    uscc_problem: str | None
    acting_user: Actor
    existing: Employer | None


Problems = Iterator[tuple[str, str]]


def _named(g: _Given) -> Problems:
    if not g.values["name"]:
        yield "name", _("Enter the employer's name.")


def _texts_within_limits(g: _Given) -> Problems:
    for field, limit in EMPLOYER_TEXT_LIMITS.items():
        if len(g.values[field]) > limit:
            yield field, _("This is longer than %(limit)s characters.") % {"limit": limit}


def _uscc_valid_and_new(g: _Given) -> Problems:
    if g.uscc_problem:
        yield "uscc", g.uscc_problem
        return
    clash = Employer.objects.filter(uscc=g.values["uscc"])
    if g.existing is not None:
        clash = clash.exclude(pk=g.existing.pk)
    if clash.exists():
        yield "uscc", _("An employer with this unified social credit code is already registered.")


def _kind_known(g: _Given) -> Problems:
    if g.values["kind"] not in EmployerKind.values:
        yield "kind", _("Choose the kind of employer.")


def _registered_in_a_county_or_township_in_scope(g: _Given) -> Problems:
    place = g.values["place"]
    if place is None or place.level not in EMPLOYER_PLACE_LEVELS:
        yield "place_code", _("Choose the county or township where it is registered.")
    elif not covers(g.acting_user, place.code):
        yield "place_code", _("This place is outside your jurisdiction.")


def _phone_is_a_number(g: _Given) -> Problems:
    phone = g.values["contact_phone"]
    if phone and not PHONE_RE.match(phone):
        message = _("Enter an 11-digit mobile number or a landline with its area code.")
        yield "contact_phone", message


EMPLOYER_RULES: tuple[Callable[[_Given], Problems], ...] = (
    _named,
    _texts_within_limits,
    _uscc_valid_and_new,
    _kind_known,
    _registered_in_a_county_or_township_in_scope,
    _phone_is_a_number,
)


def _check_employer(
    data: EmployerData, acting_user: Actor, existing: Employer | None
) -> tuple[Errors, dict[str, Any]]:
    """Every problem of `data` by EMPLOYER_RULES, and the values to store."""
    code, uscc_problem = check_uscc(data.uscc)
    values: dict[str, Any] = {
        "name": clean_text(data.name),
        "address": clean_text(data.address),
        "contact_name": clean_text(data.contact_name),
        "uscc": code,
        "kind": data.kind,
        "place": Place.objects.filter(code=data.place_code).first(),
        "contact_phone": normalise_phone(data.contact_phone),
    }
    given = _Given(values, uscc_problem, acting_user, existing)
    errors: Errors = {}
    for rule in EMPLOYER_RULES:
        for field, message in rule(given):
            add(errors, field, message)
    return errors, values


def employer_problems(
    data: EmployerData, acting_user: Actor, employer: Employer | None = None
) -> Errors:
    """Every problem EMPLOYER_RULES find in `data`, by field, saving nothing: the employer
    form lists them with its own fields' problems, so that one submit reports everything
    (a value not given is empty, and its problem is the form's)."""
    return _check_employer(data, acting_user, employer)[0]


def _employer_snapshot(employer: Employer) -> dict[str, Any]:
    return {
        field: getattr(employer, "place_id" if field == "place" else field)
        for field in EMPLOYER_FIELDS
    }


@transaction.atomic
def save_employer(
    *, data: EmployerData, acting_user: Actor, employer: Employer | None = None
) -> Employer:
    """Register an employer, or change `employer`, in the acting user's jurisdiction."""
    require(acting_user, Perm.MANAGE_LEVY)
    locked = None
    if employer is not None:
        locked = Employer.objects.select_for_update().select_related("place").get(pk=employer.pk)
        require_in_scope(acting_user, locked)
    errors, values = _check_employer(data, acting_user, locked)
    fail(errors)
    target = locked or Employer()
    before = _employer_snapshot(target) if locked else {}
    for field, value in values.items():
        setattr(target, field, value)
    after = _employer_snapshot(target)
    if locked is None:
        target.save()
        audit.record(
            acting_user=acting_user,
            action="levy.employer.create",
            target=target,
            detail={"after": after},
        )
    else:
        changes = {k: [before[k], after[k]] for k in EMPLOYER_FIELDS if before[k] != after[k]}
        if changes:
            target.save()
            audit.record(
                acting_user=acting_user,
                action="levy.employer.update",
                target=target,
                detail={"changes": changes},
            )
    if employer is not None:
        employer.refresh_from_db()
    return target
