"""Registering employers and changing them: checked, written and audited in one transaction."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _
from stdnum.cn import uscc as uscc_number
from stdnum.exceptions import InvalidChecksum, InvalidLength
from stdnum.exceptions import ValidationError as NumberError

from canlian.accounts.roles import Perm
from canlian.accounts.scoping import covers
from canlian.audit import records as audit
from canlian.levy.formula import EmployerKind
from canlian.levy.models import Employer
from canlian.levy.services.checking import Errors, add, fail, require_in_scope
from canlian.lib import idcard
from canlian.people import services as people
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


def _check_employer(
    data: EmployerData, acting_user: Actor, existing: Employer | None
) -> tuple[Errors, dict[str, Any]]:
    errors: Errors = {}
    values: dict[str, Any] = {
        field: clean_text(getattr(data, field)) for field in ("name", "address", "contact_name")
    }
    if not values["name"]:
        add(errors, "name", _("Enter the employer's name."))
    for field, limit in EMPLOYER_TEXT_LIMITS.items():
        if len(values[field]) > limit:
            add(errors, field, _("This is longer than %(limit)s characters.") % {"limit": limit})
    code, problem = check_uscc(data.uscc)
    values["uscc"] = code
    if problem:
        add(errors, "uscc", problem)
    else:
        clash = Employer.objects.filter(uscc=code)
        if existing is not None:
            clash = clash.exclude(pk=existing.pk)
        if clash.exists():
            add(
                errors,
                "uscc",
                _("An employer with this unified social credit code is already registered."),
            )
    if data.kind not in EmployerKind.values:
        add(errors, "kind", _("Choose the kind of employer."))
    values["kind"] = data.kind
    place = Place.objects.filter(code=data.place_code).first()
    if place is None or place.level not in EMPLOYER_PLACE_LEVELS:
        add(errors, "place_code", _("Choose the county or township where it is registered."))
    elif not covers(acting_user, place.code):
        add(errors, "place_code", _("This place is outside your jurisdiction."))
    values["place"] = place
    phone = normalise_phone(data.contact_phone)
    if phone and not PHONE_RE.match(phone):
        add(
            errors,
            "contact_phone",
            _("Enter an 11-digit mobile number or a landline with its area code."),
        )
    values["contact_phone"] = phone
    return errors, values


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
    people.require(acting_user, Perm.MANAGE_LEVY)
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
