"""Every write of the employment security fund: employers, declarations, their verification
against the registry and the notice, each checked, written and audited in one transaction.

Verification rule: a declared employee counts when, on 31 December of the year the figures are
for (`year - 1`), they held a valid certificate on this registry (the certificate history when
the person has one, else the registry's issue and expiry dates) and were not dead, cancelled or
moved out; the declared name is the registry's; their contract is at least
`levy.minimum_contract_months` (12), social insurance is paid, the annual wage is at least the
minimum for 12 months; and no other employer's verified declaration of the same year counts
them (the first verified keeps them). A grade 1–2 holder counts `levy.severe_count` (2) times.
The rules are taken on the collection date: the declaration date, or 31 December of the
collection year for a declaration made later.
"""

from __future__ import annotations

import dataclasses
import datetime
import unicodedata
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.cn import uscc as uscc_number
from stdnum.exceptions import InvalidChecksum, InvalidLength
from stdnum.exceptions import ValidationError as NumberError

from canlian.accounts.access import require
from canlian.accounts.roles import Perm
from canlian.accounts.scoping import covers
from canlian.audit import records as audit
from canlian.certificates.models import Certificate
from canlian.levy.formula import (
    PARAMETERS_DIRECTORY,
    EmployerKind,
    Inputs,
    Result,
    calculate,
    result_json,
)
from canlian.levy.models import (
    Declaration,
    DeclarationStatus,
    DeclaredEmployee,
    Employer,
    Ineligibility,
)
from canlian.lib import crypto, idcard, masks
from canlian.lib.parameters import load_directory
from canlian.people import services as people
from canlian.people.models import ID_CONTEXT, LifeStatus, Person
from canlian.places.models import Level, Place

__all__ = [
    "EmployeeLine",
    "EmployerData",
    "average_wage",
    "check_uscc",
    "collection_date",
    "declare",
    "inputs_for",
    "mark_notified",
    "save_employer",
    "verify",
]

MIN_YEAR = 2000
MAX_CONTRACT_MONTHS = 600
SEVERE_GRADES = frozenset({1, 2})
MIN_CONTRACT_MONTHS = "levy.minimum_contract_months"
SEVERE_COUNT = "levy.severe_count"
MAX_STAFF = Decimal(1_000_000)
MAX_TOTAL_WAGES = Decimal(1_000_000_000_000)
MAX_WAGE = Decimal(10_000_000)  # one person's annual wage, or an average one
FEN = Decimal("0.01")
EMPLOYER_PLACE_LEVELS = frozenset({Level.COUNTY, Level.TOWNSHIP})
EMPLOYER_TEXT_LIMITS = {"name": 100, "address": 200, "contact_name": 64}
# Serialises verifications of one year on PostgreSQL (SQLite serialises all writes itself).
_VERIFY_LOCK_CLASS = 0x4C455659


@dataclasses.dataclass
class EmployerData:
    name: str
    uscc: str
    kind: str
    place_code: str
    address: str = ""
    contact_name: str = ""
    contact_phone: str = ""


@dataclasses.dataclass
class EmployeeLine:
    """One disabled employee as the employer declares them."""

    id_number: str
    name: str
    contract_months: int
    annual_wage: Decimal
    social_insurance: bool


Errors = dict[str, list[str]]


def _fail(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)


def _add(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _text(value: str) -> str:
    return people._clean_text(value)


def _require_in_scope(user: Any, employer: Employer) -> None:
    if not covers(user, employer.place.code):
        raise PermissionDenied(_("This employer is outside your jurisdiction."))


def _decimal(value: Any, *, minimum: Decimal, maximum: Decimal, above: bool = False) -> bool:
    """Whether `value` is a Decimal (or int) to the hundredth within the bounds: `above` makes
    the minimum exclusive."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        return False
    number = Decimal(value)
    if not number.is_finite():
        return False
    try:
        exact = number == number.quantize(FEN)
    except InvalidOperation:  # too many digits to quantize
        return False
    low_ok = number > minimum if above else number >= minimum
    return exact and low_ok and number <= maximum


def _money(value: Decimal) -> str:
    return f"{Decimal(value).quantize(FEN):,}"


# ---------------------------------------------------------------------------------------------
# Employers


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
    data: EmployerData, acting_user: Any, existing: Employer | None
) -> tuple[Errors, dict[str, Any]]:
    errors: Errors = {}
    values: dict[str, Any] = {
        field: _text(getattr(data, field)) for field in ("name", "address", "contact_name")
    }
    if not values["name"]:
        _add(errors, "name", _("Enter the employer's name."))
    for field, limit in EMPLOYER_TEXT_LIMITS.items():
        if len(values[field]) > limit:
            _add(errors, field, _("This is longer than %(limit)s characters.") % {"limit": limit})
    code, problem = check_uscc(data.uscc)
    values["uscc"] = code
    if problem:
        _add(errors, "uscc", problem)
    else:
        clash = Employer.objects.filter(uscc=code)
        if existing is not None:
            clash = clash.exclude(pk=existing.pk)
        if clash.exists():
            _add(
                errors,
                "uscc",
                _("An employer with this unified social credit code is already registered."),
            )
    if data.kind not in EmployerKind.values:
        _add(errors, "kind", _("Choose the kind of employer."))
    values["kind"] = data.kind
    place = Place.objects.filter(code=data.place_code).first()
    if place is None or place.level not in EMPLOYER_PLACE_LEVELS:
        _add(errors, "place_code", _("Choose the county or township where it is registered."))
    elif not covers(acting_user, place.code):
        _add(errors, "place_code", _("This place is outside your jurisdiction."))
    values["place"] = place
    phone = people._normalise_phone(data.contact_phone)
    if phone and not people.PHONE_RE.match(phone):
        _add(
            errors,
            "contact_phone",
            _("Enter an 11-digit mobile number or a landline with its area code."),
        )
    values["contact_phone"] = phone
    return errors, values


EMPLOYER_FIELDS = ("name", "uscc", "kind", "place", "address", "contact_name", "contact_phone")


def _employer_snapshot(employer: Employer) -> dict[str, Any]:
    return {
        field: getattr(employer, "place_id" if field == "place" else field)
        for field in EMPLOYER_FIELDS
    }


@transaction.atomic
def save_employer(
    *, data: EmployerData, acting_user: Any, employer: Employer | None = None
) -> Employer:
    """Register an employer, or change `employer`, in the acting user's jurisdiction."""
    require(acting_user, Perm.MANAGE_LEVY)
    locked = None
    if employer is not None:
        locked = Employer.objects.select_for_update().select_related("place").get(pk=employer.pk)
        _require_in_scope(acting_user, locked)
    errors, values = _check_employer(data, acting_user, locked)
    _fail(errors)
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
        changes = audit.changes(before, after, EMPLOYER_FIELDS)
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


# ---------------------------------------------------------------------------------------------
# Declarations


def _check_figures(
    *,
    year: int,
    staff: Decimal,
    total_wages: Decimal,
    local_average_wage: Decimal,
    minimum_annual_wage: Decimal,
    declared_on: datetime.date,
    today: datetime.date,
    errors: Errors,
) -> None:
    if isinstance(year, bool) or not isinstance(year, int) or not MIN_YEAR <= year <= today.year:
        _add(
            errors,
            "year",
            _("The collection year must be from %(first)s to %(last)s.")
            % {"first": MIN_YEAR, "last": today.year},
        )
    elif declared_on.year < year:
        _add(
            errors,
            "declared_on",
            _(
                "The declaration for %(year)s declares the figures of %(previous)s: it is "
                "made in %(year)s or later."
            )
            % {"year": year, "previous": year - 1},
        )
    if declared_on > today:
        _add(errors, "declared_on", _("The date is in the future."))
    if not _decimal(staff, minimum=Decimal(0), maximum=MAX_STAFF, above=True):
        _add(
            errors,
            "staff",
            _(
                "Enter the staff count (annual average): more than 0 and at most "
                "%(maximum)s, with at most two decimal places."
            )
            % {"maximum": f"{MAX_STAFF:,}"},
        )
    for field, value, maximum, above in (
        ("total_wages", total_wages, MAX_TOTAL_WAGES, False),
        ("local_average_wage", local_average_wage, MAX_WAGE, True),
        ("minimum_annual_wage", minimum_annual_wage, MAX_WAGE, False),
    ):
        if not _decimal(value, minimum=Decimal(0), maximum=maximum, above=above):
            message = (
                _("Enter a sum in yuan, more than 0 and at most %(maximum)s, to the fen.")
                if above
                else _("Enter a sum in yuan from 0 to %(maximum)s, to the fen.")
            )
            _add(errors, field, message % {"maximum": f"{maximum:,}"})


@dataclasses.dataclass
class _Line:
    line: int
    number: str
    index: str
    name: str
    contract_months: int
    annual_wage: Decimal
    social_insurance: bool


def _check_lines(
    employees: list[EmployeeLine], *, today: datetime.date, errors: Errors
) -> list[_Line]:
    """Check every line; report each problem as "Line N: …" under `employees`."""
    checked: list[_Line] = []
    seen: dict[str, int] = {}

    def fail(line: int, message: str) -> None:
        _add(
            errors,
            "employees",
            _("Line %(line)s: %(message)s") % {"line": line, "message": message},
        )

    for line, employee in enumerate(employees, start=1):
        check = idcard.check(employee.id_number, today=today)
        for message in check.errors:
            fail(line, message)
        name = _text(employee.name)
        if not name:
            fail(line, _("Enter the name."))
        elif len(name) > 64:
            fail(line, _("The name is longer than 64 characters."))
        months = employee.contract_months
        if (
            isinstance(months, bool)
            or not isinstance(months, int)
            or not 0 <= months <= MAX_CONTRACT_MONTHS
        ):
            fail(
                line,
                _("The contract length must be a whole number of months from 0 to %(maximum)s.")
                % {"maximum": MAX_CONTRACT_MONTHS},
            )
        wage_ok = _decimal(employee.annual_wage, minimum=Decimal(0), maximum=MAX_WAGE)
        if not wage_ok:
            fail(
                line,
                _("The annual wage must be a sum in yuan from 0 to %(maximum)s, to the fen.")
                % {"maximum": f"{MAX_WAGE:,}"},
            )
        if not isinstance(employee.social_insurance, bool):
            fail(line, _("Say whether social insurance is paid for this employee."))
        if not check.valid or check.normalized is None:
            continue
        first = seen.setdefault(check.normalized, line)
        if first != line:
            fail(line, _("The same ID number as line %(first)s.") % {"first": first})
            continue
        checked.append(
            _Line(
                line=line,
                number=check.normalized,
                index=crypto.blind_index(check.normalized, context=ID_CONTEXT),
                name=name,
                contract_months=months,
                annual_wage=Decimal(employee.annual_wage) if wage_ok else Decimal(0),
                social_insurance=employee.social_insurance,
            )
        )
    return checked


@transaction.atomic
def declare(
    *,
    employer: Employer,
    year: int,
    staff: Decimal,
    total_wages: Decimal,
    local_average_wage: Decimal,
    declared_on: datetime.date,
    employees: list[EmployeeLine],
    acting_user: Any,
    minimum_annual_wage: Decimal = Decimal(0),
) -> Declaration:
    """Enter the employer's declaration for collection year `year` (figures of `year - 1`), or
    replace it until its notice is issued: a replaced declaration is a draft again, to verify."""
    require(acting_user, Perm.MANAGE_LEVY)
    locked = Employer.objects.select_for_update().select_related("place").get(pk=employer.pk)
    _require_in_scope(acting_user, locked)
    today = timezone.localdate()
    errors: Errors = {}
    _check_figures(
        year=year,
        staff=staff,
        total_wages=total_wages,
        local_average_wage=local_average_wage,
        minimum_annual_wage=minimum_annual_wage,
        declared_on=declared_on,
        today=today,
        errors=errors,
    )
    lines = _check_lines(employees, today=today, errors=errors)
    declared_wages = sum((line.annual_wage for line in lines), Decimal(0))
    if "total_wages" not in errors and declared_wages > total_wages:
        _add(
            errors,
            "total_wages",
            _("The declared disabled employees' wages add up to more than the total wages."),
        )
    existing = (
        Declaration.objects.select_for_update().filter(employer=locked, year=year).first()
        if "year" not in errors
        else None
    )
    if existing is not None and existing.status == DeclarationStatus.NOTIFIED:
        _add(
            errors,
            "year",
            _("The payment notice for this declaration has been issued: it can no longer change."),
        )
    _fail(errors)

    declaration = existing or Declaration(employer=locked, year=year, created_by=acting_user)
    previous = {"status": existing.status, "amount": _str(existing.amount)} if existing else None
    declaration.staff = staff
    declaration.total_wages = total_wages
    declaration.local_average_wage = local_average_wage
    declaration.minimum_annual_wage = minimum_annual_wage
    declaration.declared_on = declared_on
    _clear_result(declaration)
    declaration.save()
    if existing is not None:
        existing.employees.all().delete()
    DeclaredEmployee.objects.bulk_create(
        DeclaredEmployee(
            declaration=declaration,
            year=year,
            line=line.line,
            id_number_cipher=crypto.encrypt(line.number, context=ID_CONTEXT),
            id_number_index=line.index,
            id_number_masked=masks.id_number(line.number),
            name=line.name,
            contract_months=line.contract_months,
            annual_wage=line.annual_wage,
            social_insurance=line.social_insurance,
        )
        for line in lines
    )
    audit.record(
        acting_user=acting_user,
        action="levy.declaration.replace" if existing else "levy.declaration.create",
        target=declaration,
        detail={
            "employer": locked.pk,
            "year": year,
            "staff": str(staff),
            "total_wages": str(total_wages),
            "local_average_wage": str(local_average_wage),
            "minimum_annual_wage": str(minimum_annual_wage),
            "declared_on": declared_on.isoformat(),
            "employees": [
                {"line": line.line, "id_number": masks.id_number(line.number)} for line in lines
            ],
            "previous": previous,
        },
    )
    return declaration


def _str(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _clear_result(declaration: Declaration) -> None:
    declaration.status = DeclarationStatus.DRAFT
    declaration.amount = None
    declaration.tier = ""
    declaration.counted = None
    declaration.shortfall = None
    declaration.result = {}
    declaration.computed_at = None
    declaration.verified_by = None


# ---------------------------------------------------------------------------------------------
# Verification


def _lock_year(year: int) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_VERIFY_LOCK_CLASS, year])


def _same_name(declared: str, registered: str) -> bool:
    def fold(name: str) -> str:
        return "".join(unicodedata.normalize("NFKC", name).split()).replace("·", "").lower()

    return fold(declared) == fold(registered)


def _day(value: datetime.date) -> str:
    return value.isoformat()


def _last_valid_day(certificate: Certificate) -> datetime.date:
    """A certificate superseded or cancelled on day X (`ended_on`) was valid until X − 1."""
    if certificate.ended_on is None:
        return certificate.expires_on
    return min(certificate.expires_on, certificate.ended_on - datetime.timedelta(days=1))


def _certificate_on(
    person: Person, history: list[Certificate], day: datetime.date
) -> tuple[int | None, tuple[str, str] | None]:
    """The grade of the certificate valid on `day`, or None and the reason there is none. The
    certificate history decides when the person has one (a renewal keeps the holder valid
    across the change); otherwise the registry's issue and expiry dates."""
    periods = [(c.issued_on, _last_valid_day(c), c.grade) for c in history] or [
        (person.certificate_issued_on, person.certificate_expires_on, person.grade)
    ]
    for start, end, grade in periods:
        if start <= day <= end:
            return grade, None
    ended = [end for start, end, _grade in periods if end < day]
    if ended:
        return None, (
            Ineligibility.EXPIRED,
            _("The certificate was no longer valid on %(day)s: it ended on %(date)s.")
            % {"day": _day(day), "date": _day(max(ended))},
        )
    return None, (
        Ineligibility.NOT_YET_VALID,
        _("The certificate was issued on %(date)s, after %(day)s.")
        % {"date": _day(min(start for start, _end, _grade in periods)), "day": _day(day)},
    )


def _life_status_reason(person: Person, day: datetime.date) -> tuple[str, str] | None:
    changed = person.life_status_date
    if person.life_status == LifeStatus.ACTIVE or changed is None or changed > day:
        return None
    date = _day(changed)
    if person.life_status == LifeStatus.DECEASED:
        return Ineligibility.DECEASED, _("Deceased on %(date)s.") % {"date": date}
    if person.life_status == LifeStatus.MOVED_OUT:
        return Ineligibility.MOVED_OUT, _(
            "Moved out of this registry's area on %(date)s: the federation of the new place "
            "verifies the certificate."
        ) % {"date": date}
    return Ineligibility.CANCELLED, _("The certificate was cancelled on %(date)s.") % {"date": date}


def _assess(
    employee: DeclaredEmployee,
    person: Person | None,
    history: list[Certificate],
    declaration: Declaration,
    counted_by: Declaration | None,
    min_months: int,
) -> tuple[int, list[tuple[str, str]]]:
    """How much `employee` counts (0, 1 or 2) and every reason they do not."""
    day = datetime.date(declaration.figures_year, 12, 31)
    reasons: list[tuple[str, str]] = []
    grade = None
    if person is None:
        reasons.append(
            (Ineligibility.NOT_REGISTERED, _("Not on the registry of certified disabled persons."))
        )
    else:
        if not _same_name(employee.name, person.name):
            reasons.append(
                (
                    Ineligibility.NAME_MISMATCH,
                    _("The name differs from the registry's record for this ID number."),
                )
            )
        life = _life_status_reason(person, day)
        if life is not None:
            reasons.append(life)
        else:
            grade, problem = _certificate_on(person, history, day)
            if problem is not None:
                reasons.append(problem)
    if employee.contract_months < min_months:
        reasons.append(
            (
                Ineligibility.SHORT_CONTRACT,
                _("A contract of %(months)s months: at least %(minimum)s months are required.")
                % {"months": employee.contract_months, "minimum": min_months},
            )
        )
    if not employee.social_insurance:
        reasons.append((Ineligibility.NO_INSURANCE, _("No social insurance is paid.")))
    if employee.annual_wage < declaration.minimum_annual_wage:
        reasons.append(
            (
                Ineligibility.LOW_WAGE,
                _(
                    "The annual wage of %(wage)s yuan is below the minimum of %(minimum)s yuan "
                    "(12 months of the minimum wage)."
                )
                % {
                    "wage": _money(employee.annual_wage),
                    "minimum": _money(declaration.minimum_annual_wage),
                },
            )
        )
    if counted_by is not None:
        reasons.append(
            (
                Ineligibility.COUNTED_ELSEWHERE,
                _("Already counted by %(employer)s (%(code)s) for %(year)s.")
                % {
                    "employer": counted_by.employer.name,
                    "code": counted_by.employer.uscc,
                    "year": declaration.year,
                },
            )
        )
    if reasons or grade is None:
        return 0, reasons
    return (2 if grade in SEVERE_GRADES else 1), reasons


def collection_date(declaration: Declaration) -> datetime.date:
    """The date the rules are taken on: the declaration date when it falls in the collection
    year, else (a late declaration) 31 December of that year, the formula's default."""
    if declaration.declared_on.year == declaration.year:
        return declaration.declared_on
    return datetime.date(declaration.year, 12, 31)


def _parameter(name: str, declaration: Declaration) -> int:
    on = collection_date(declaration)
    region = str(declaration.employer.place_id)
    value = load_directory(PARAMETERS_DIRECTORY).value(name, on=on, region=region)
    if value is None:
        raise ValidationError(
            {
                "__all__": [
                    _(
                        "No value of the parameter %(parameter)s is in force on %(on)s in "
                        "region %(region)s."
                    )
                    % {"parameter": name, "on": on.isoformat(), "region": region}
                ]
            }
        )
    return int(value.decimal)


def _registry_outcomes(declaration: Declaration, employees: list[DeclaredEmployee]) -> None:
    """Set each employee's person, counts and reasons from the registry."""
    min_months = _parameter(MIN_CONTRACT_MONTHS, declaration)
    indexes = [employee.id_number_index for employee in employees]
    persons = {p.id_number_index: p for p in Person.objects.filter(id_number_index__in=indexes)}
    history: dict[int, list[Certificate]] = defaultdict(list)
    for certificate in Certificate.objects.filter(person__in=list(persons.values())):
        history[certificate.person_id].append(certificate)
    counted_elsewhere = {
        other.id_number_index: other.declaration
        for other in DeclaredEmployee.objects.filter(
            year=declaration.year, counts__gt=0, id_number_index__in=indexes
        )
        .exclude(declaration=declaration)
        .select_related("declaration__employer")
    }
    for employee in employees:
        person = persons.get(employee.id_number_index)
        counts, reasons = _assess(
            employee,
            person,
            history[person.pk] if person else [],
            declaration,
            counted_elsewhere.get(employee.id_number_index),
            min_months,
        )
        employee.person = person
        employee.counts = counts
        employee.reason_code = reasons[0][0] if reasons else ""
        employee.reason = " ".join(text for _code, text in reasons)[:500]


def average_wage(declaration: Declaration) -> Decimal:
    """The employer's average annual wage: total wages ÷ staff, rounded half up to the fen."""
    return (declaration.total_wages / declaration.staff).quantize(FEN, rounding=ROUND_HALF_UP)


def inputs_for(declaration: Declaration, employees: list[DeclaredEmployee]) -> Inputs:
    """The formula's inputs for `declaration` once its employees are verified."""
    return Inputs(
        year=declaration.year,
        region=str(declaration.employer.place_id),
        kind=declaration.employer.kind,
        staff=declaration.staff,
        disabled=Decimal(sum(1 for e in employees if e.counts == 1)),
        disabled_severe=Decimal(sum(1 for e in employees if e.counts == 2)),
        average_wage=average_wage(declaration),
        local_average_wage=declaration.local_average_wage,
        on=collection_date(declaration),
    )


def _compute(declaration: Declaration, employees: list[DeclaredEmployee]) -> Result:
    try:
        return calculate(inputs_for(declaration, employees))
    except ValueError as exc:
        raise ValidationError({"__all__": [str(exc)]}) from exc


@transaction.atomic
def verify(*, declaration: Declaration, acting_user: Any) -> Declaration:
    """Verify every declared disabled employee against the registry, compute the amount due
    and keep the result. A verified declaration may be verified again until its notice."""
    require(acting_user, Perm.MANAGE_LEVY)
    locked = (
        Declaration.objects.select_for_update()
        .select_related("employer", "employer__place")
        .get(pk=declaration.pk)
    )
    _require_in_scope(acting_user, locked.employer)
    if locked.status == DeclarationStatus.NOTIFIED:
        raise ValidationError(
            {"status": [_("The payment notice has been issued: the declaration is final.")]}
        )
    _lock_year(locked.year)
    employees = list(locked.employees.order_by("line"))
    _registry_outcomes(locked, employees)
    DeclaredEmployee.objects.bulk_update(
        employees, ["person", "counts", "reason_code", "reason"], batch_size=500
    )
    result = _compute(locked, employees)
    locked.status = DeclarationStatus.VERIFIED
    locked.amount = result.amount
    locked.tier = str(result.tier)
    severe_count = _parameter(SEVERE_COUNT, locked)
    locked.counted = sum(severe_count if e.counts == 2 else e.counts for e in employees)
    locked.shortfall = Decimal(result.shortfall).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    locked.result = result_json(result)
    locked.computed_at = timezone.now()
    locked.verified_by = acting_user
    locked.save()
    audit.record(
        acting_user=acting_user,
        action="levy.declaration.verify",
        target=locked,
        detail={
            "amount": str(locked.amount),
            "tier": locked.tier,
            "counted": locked.counted,
            "employees": [
                {"line": e.line, "id_number": e.id_number_masked, "counts": e.counts,
                 "reason": e.reason_code}
                for e in employees
            ],
        },
    )  # fmt: skip
    declaration.refresh_from_db()
    return locked


@transaction.atomic
def mark_notified(
    *, declaration: Declaration, notified_on: datetime.date, acting_user: Any
) -> Declaration:
    """Record that the payment notice of a verified declaration was issued on `notified_on`."""
    require(acting_user, Perm.MANAGE_LEVY)
    locked = (
        Declaration.objects.select_for_update()
        .select_related("employer", "employer__place")
        .get(pk=declaration.pk)
    )
    _require_in_scope(acting_user, locked.employer)
    errors: Errors = {}
    if locked.status == DeclarationStatus.DRAFT:
        _add(errors, "status", _("Verify the declaration before issuing the payment notice."))
    elif locked.status == DeclarationStatus.NOTIFIED:
        assert locked.notified_on is not None
        _add(
            errors,
            "status",
            _("The payment notice was already issued on %(date)s.")
            % {"date": _day(locked.notified_on)},
        )
    if notified_on > timezone.localdate():
        _add(errors, "notified_on", _("The date is in the future."))
    elif locked.computed_at and notified_on < timezone.localdate(locked.computed_at):
        _add(errors, "notified_on", _("The date is before the declaration was verified."))
    _fail(errors)
    locked.status = DeclarationStatus.NOTIFIED
    locked.notified_on = notified_on
    locked.notified_by = acting_user
    locked.save(update_fields=["status", "notified_on", "notified_by", "updated_at"])
    audit.record(
        acting_user=acting_user,
        action="levy.declaration.notify",
        target=locked,
        detail={"notified_on": notified_on.isoformat(), "amount": str(locked.amount)},
    )
    declaration.refresh_from_db()
    return locked
