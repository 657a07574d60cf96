"""Entering an employer's yearly declaration, or replacing it until its notice: the figures and
every declared disabled employee checked by named rules, then written and audited together."""

from __future__ import annotations

import dataclasses
import datetime
import functools
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from canlian.accounts import lookups
from canlian.accounts.access import require
from canlian.accounts.roles import Perm
from canlian.audit import records as audit
from canlian.levy.counting import (
    CertificateKind,
    Employment,
    RetirementTrack,
    check_veteran_grade,
    check_veteran_number,
    established_post_refusal,
    has_established_posts,
)
from canlian.levy.models import (
    VETERAN_NUMBER_CONTEXT,
    Declaration,
    DeclarationStatus,
    DeclaredEmployee,
    Employer,
)
from canlian.levy.services.checking import Errors, add, fail, is_sum, require_in_scope
from canlian.levy.services.employers import check_uscc
from canlian.lib import crypto, idcard, masks, rules
from canlian.people.fields import clean_text
from canlian.people.models import ID_CONTEXT

if TYPE_CHECKING:
    from canlian.accounts.models import User

MIN_YEAR = 2000
MAX_CONTRACT_MONTHS = 600
MAX_NAME = 64
MAX_STAFF = Decimal(1_000_000)
MAX_TOTAL_WAGES = Decimal(1_000_000_000_000)
MAX_WAGE = Decimal(10_000_000)  # one person's annual wage, or an average one


@dataclasses.dataclass
class EmployeeLine:
    """One disabled employee as the employer declares them."""

    id_number: str
    name: str
    contract_months: int
    annual_wage: Decimal
    social_insurance: bool
    # A disabled veteran's certificate (残疾军人证) instead of the registry's certificate.
    certificate_kind: str = CertificateKind.DISABILITY
    veteran_number: str = ""
    veteran_grade: int | None = None
    # The date of birth, when given, must be the ID number's; without it, the ID number's.
    birth_date: datetime.date | None = None
    # A woman in a management or professional post (retirement age 55 before the delay);
    # otherwise a woman's retirement age is a worker's (50 before the delay).
    female_cadre: bool = False
    # An established post (在编) needs no labour contract: its contract months may be 0.
    employment: str = Employment.CONTRACT
    # A dispatched worker: the other unit's credit code, and whether their agreement has this
    # unit count the worker (True) or the other (False).
    dispatch_partner_uscc: str = ""
    dispatch_counts_here: bool | None = None


def stored_line(
    employee: DeclaredEmployee, id_number: str, veteran_number: str = ""
) -> EmployeeLine:
    """The line as declared, from its stored row and its opened ID number and veteran's
    certificate number (opened through canlian.accounts.reveal, to change it)."""
    return EmployeeLine(
        id_number=id_number,
        name=employee.name,
        contract_months=employee.contract_months,
        annual_wage=employee.annual_wage,
        social_insurance=employee.social_insurance,
        certificate_kind=employee.certificate_kind,
        veteran_number=veteran_number,
        veteran_grade=employee.veteran_grade,
        female_cadre=employee.retirement_track == RetirementTrack.FEMALE_CADRE,
        employment=employee.employment,
        dispatch_partner_uscc=employee.dispatch_partner_uscc,
        dispatch_counts_here=employee.dispatch_counts_here,
    )


@dataclasses.dataclass(frozen=True)
class Figures:
    """The employer's figures for collection year `year` (those of `year - 1`)."""

    year: int
    staff: Decimal
    total_wages: Decimal
    local_average_wage: Decimal
    minimum_annual_wage: Decimal
    declared_on: datetime.date


# ---------------------------------------------------------------------------------------------
# The figures: each rule yields (field, message) for what it finds wrong.

Problems = Iterator[tuple[str, str]]


def _year_is_open(year: Any, today: datetime.date) -> bool:
    return not isinstance(year, bool) and isinstance(year, int) and MIN_YEAR <= year <= today.year


def _year_in_range(f: Figures, today: datetime.date) -> Problems:
    if not _year_is_open(f.year, today):
        yield (
            "year",
            _("The collection year must be from %(first)s to %(last)s.")
            % {
                "first": MIN_YEAR,
                "last": today.year,
            },
        )


def _declared_in_or_after_the_year(f: Figures, today: datetime.date) -> Problems:
    if _year_is_open(f.year, today) and f.declared_on.year < f.year:
        yield (
            "declared_on",
            _(
                "The declaration for %(year)s declares the figures of %(previous)s: it is "
                "made in %(year)s or later."
            )
            % {"year": f.year, "previous": f.year - 1},
        )


def _declared_by_today(f: Figures, today: datetime.date) -> Problems:
    if f.declared_on > today:
        yield "declared_on", _("The date is in the future.")


def _staff_is_an_average_count(f: Figures, today: datetime.date) -> Problems:
    if not is_sum(f.staff, minimum=Decimal(0), maximum=MAX_STAFF, above=True):
        yield (
            "staff",
            _(
                "Enter the staff count (annual average): more than 0 and at most "
                "%(maximum)s, with at most two decimal places."
            )
            % {"maximum": f"{MAX_STAFF:,}"},
        )


def _wages_are_sums_in_yuan(f: Figures, today: datetime.date) -> Problems:
    for field, maximum, above in (
        ("total_wages", MAX_TOTAL_WAGES, False),
        ("local_average_wage", MAX_WAGE, True),
        ("minimum_annual_wage", MAX_WAGE, False),
    ):
        if not is_sum(getattr(f, field), minimum=Decimal(0), maximum=maximum, above=above):
            message = (
                _("Enter a sum in yuan, more than 0 and at most %(maximum)s, to the fen.")
                if above
                else _("Enter a sum in yuan from 0 to %(maximum)s, to the fen.")
            )
            yield field, message % {"maximum": f"{maximum:,}"}


FIGURE_RULES: tuple[Callable[[Figures, datetime.date], Problems], ...] = (
    _year_in_range,
    _declared_in_or_after_the_year,
    _declared_by_today,
    _staff_is_an_average_count,
    _wages_are_sums_in_yuan,
)


# ---------------------------------------------------------------------------------------------
# The declared employees: each rule returns the messages of what it finds wrong with one line.

LineRule = Callable[[EmployeeLine, idcard.IdCheck], Iterable[str]]


def _id_number_valid(employee: EmployeeLine, check: idcard.IdCheck) -> Iterable[str]:
    return check.errors


def _name_given(employee: EmployeeLine, check: idcard.IdCheck) -> Iterable[str]:
    name = clean_text(employee.name)
    if not name:
        return [_("Enter the name.")]
    if len(name) > MAX_NAME:
        return [_("The name is longer than 64 characters.")]
    return []


def _contract_in_whole_months(employee: EmployeeLine, check: idcard.IdCheck) -> Iterable[str]:
    months = employee.contract_months
    if (
        isinstance(months, bool)
        or not isinstance(months, int)
        or not 0 <= months <= MAX_CONTRACT_MONTHS
    ):
        return [
            _("The contract length must be a whole number of months from 0 to %(maximum)s.")
            % {"maximum": MAX_CONTRACT_MONTHS}
        ]
    return []


def _wage_is_a_sum_in_yuan(employee: EmployeeLine, check: idcard.IdCheck) -> Iterable[str]:
    if not _wage_ok(employee):
        return [
            _("The annual wage must be a sum in yuan from 0 to %(maximum)s, to the fen.")
            % {"maximum": f"{MAX_WAGE:,}"}
        ]
    return []


def _insurance_stated(employee: EmployeeLine, check: idcard.IdCheck) -> Iterable[str]:
    if not isinstance(employee.social_insurance, bool):
        return [_("Say whether social insurance is paid for this employee.")]
    return []


def _veteran_certificate_well_formed(
    employee: EmployeeLine, check: idcard.IdCheck
) -> Iterable[str]:
    """A veteran's line carries the certificate's number and a grade of 1–10; another line
    neither."""
    if employee.certificate_kind not in CertificateKind.values:
        return [_("Unknown kind of certificate.")]
    if employee.certificate_kind == CertificateKind.DISABILITY:
        if employee.veteran_number or employee.veteran_grade is not None:
            return [_("A veteran's certificate number or grade is given without the kind.")]
        return []
    problems = [
        check_veteran_number(employee.veteran_number)[1],
        check_veteran_grade(employee.veteran_grade),
    ]
    return [problem for problem in problems if problem]


def _employment_known(employee: EmployeeLine, check: idcard.IdCheck) -> Iterable[str]:
    if employee.employment not in Employment.values:
        return [_("Unknown kind of employment.")]
    return []


def _dispatch_agreement_stated(employee: EmployeeLine, check: idcard.IdCheck) -> Iterable[str]:
    """A dispatched worker's line names the other unit and which of the two counts them."""
    if employee.employment != Employment.DISPATCHED:
        if employee.dispatch_partner_uscc or employee.dispatch_counts_here is not None:
            return [_("A dispatch agreement is given for a worker who is not dispatched.")]
        return []
    problems = []
    if not employee.dispatch_partner_uscc:
        problems.append(
            _("Enter the unified social credit code of the other unit of the dispatch.")
        )
    elif (problem := check_uscc(employee.dispatch_partner_uscc)[1]) is not None:
        problems.append(_("The other unit of the dispatch: %(problem)s") % {"problem": problem})
    if not isinstance(employee.dispatch_counts_here, bool):
        problems.append(_("Say which unit counts the dispatched worker under the agreement."))
    return problems


def _birth_date_agrees(employee: EmployeeLine, check: idcard.IdCheck) -> Iterable[str]:
    given = employee.birth_date
    if given is not None and check.birth_date is not None and given != check.birth_date:
        return [
            _("The date of birth %(given)s differs from the ID number's, %(date)s.")
            % {"given": given.isoformat(), "date": check.birth_date.isoformat()}
        ]
    return []


def _cadre_post_is_a_womans(employee: EmployeeLine, check: idcard.IdCheck) -> Iterable[str]:
    if employee.female_cadre and check.sex == idcard.Sex.MALE:
        return [
            _(
                "The ID number is a man's: the management or professional post mark sets a "
                "woman's retirement age only."
            )
        ]
    return []


LINE_RULES: tuple[LineRule, ...] = (
    _id_number_valid,
    _name_given,
    _contract_in_whole_months,
    _wage_is_a_sum_in_yuan,
    _insurance_stated,
    _veteran_certificate_well_formed,
    _employment_known,
    _dispatch_agreement_stated,
    _birth_date_agrees,
    _cadre_post_is_a_womans,
)


def _wage_ok(employee: EmployeeLine) -> bool:
    return is_sum(employee.annual_wage, minimum=Decimal(0), maximum=MAX_WAGE)


@dataclasses.dataclass
class _Line:
    """A declared employee whose ID number is valid and not repeated: what is stored."""

    line: int
    number: str
    index: str
    name: str
    contract_months: int
    annual_wage: Decimal
    social_insurance: bool
    certificate_kind: str
    veteran_number: str
    veteran_index: str
    veteran_grade: int | None
    birth_date: datetime.date | None
    id_area: str
    retirement_track: str
    employment: str
    dispatch_partner_uscc: str
    dispatch_counts_here: bool | None

    @classmethod
    def of(cls, line: int, employee: EmployeeLine, check: idcard.IdCheck) -> _Line:
        assert check.normalized is not None
        number = check.normalized
        veteran = employee.certificate_kind == CertificateKind.VETERAN
        veteran_number = check_veteran_number(employee.veteran_number)[0] if veteran else ""
        return cls(
            line=line,
            number=number,
            index=crypto.blind_index(number, context=ID_CONTEXT),
            name=clean_text(employee.name),
            contract_months=employee.contract_months,
            annual_wage=Decimal(employee.annual_wage) if _wage_ok(employee) else Decimal(0),
            social_insurance=employee.social_insurance,
            certificate_kind=employee.certificate_kind,
            veteran_number=veteran_number,
            veteran_index=(
                crypto.blind_index(veteran_number, context=VETERAN_NUMBER_CONTEXT)
                if veteran_number
                else ""
            ),
            veteran_grade=employee.veteran_grade if veteran else None,
            birth_date=check.birth_date,
            id_area=number[:6],
            retirement_track=_track(check.sex, female_cadre=employee.female_cadre),
            employment=employee.employment,
            dispatch_partner_uscc=(
                check_uscc(employee.dispatch_partner_uscc)[0]
                if employee.employment == Employment.DISPATCHED
                else ""
            ),
            dispatch_counts_here=employee.dispatch_counts_here,
        )


def _track(sex: idcard.Sex | None, *, female_cadre: bool) -> str:
    if sex == idcard.Sex.MALE:
        return RetirementTrack.MALE
    if sex == idcard.Sex.FEMALE:
        return RetirementTrack.FEMALE_CADRE if female_cadre else RetirementTrack.FEMALE_WORKER
    return ""


def _check_lines(
    employees: list[EmployeeLine], *, today: datetime.date, errors: Errors
) -> list[_Line]:
    """Check every line by LINE_RULES, then that its ID number is not on an earlier line;
    report each problem as "Line N: …" under `employees`. Return the lines with a valid ID
    number seen for the first time."""
    checked: list[_Line] = []
    seen: dict[str, int] = {}
    veterans: dict[str, int] = {}
    for line, employee in enumerate(employees, start=1):
        check = idcard.check(employee.id_number, today=today)
        messages = [message for rule in LINE_RULES for message in rule(employee, check)]
        if employee.certificate_kind == CertificateKind.VETERAN:
            number, problem = check_veteran_number(employee.veteran_number)
            first_veteran = veterans.setdefault(number, line) if problem is None else line
            if first_veteran != line:
                messages.append(
                    _("The same disabled veteran's certificate number as line %(first)s.")
                    % {"first": first_veteran}
                )
        if check.valid and check.normalized is not None:
            first = seen.setdefault(check.normalized, line)
            if first != line:
                messages.append(_("The same ID number as line %(first)s.") % {"first": first})
            else:
                checked.append(_Line.of(line, employee, check))
        for message in messages:
            add(
                errors,
                "employees",
                _("Line %(line)s: %(message)s") % {"line": line, "message": message},
            )
    return checked


# ---------------------------------------------------------------------------------------------
# The declaration


def _check(
    figures: Figures, employees: list[EmployeeLine], employer: Employer
) -> tuple[list[_Line], Declaration | None]:
    """The checked lines and the declaration they replace (locked), or every problem raised as
    one ValidationError."""
    errors, lines = _rule_errors(figures, employees, employer, partial=False)
    existing = (
        Declaration.objects.select_for_update().filter(employer=employer, year=figures.year).first()
        if "year" not in errors
        else None
    )
    _replaceable(existing, errors)
    fail(errors)
    return lines, existing


def declaration_problems(
    *,
    employer: Employer,
    year: int | None,
    staff: Decimal | None,
    total_wages: Decimal | None,
    local_average_wage: Decimal | None,
    minimum_annual_wage: Decimal | None,
    declared_on: datetime.date | None,
    employees: list[EmployeeLine] | None,
) -> Errors:
    """The rules' problems with a declaration as far as it was given, by field, saving
    nothing: the form lists them with its own fields' problems, so that one submit reports
    everything. A value not given is None; a rule that needs it is skipped (the employees as
    None: the lines could not be read, and their rules wait). declare runs them all."""
    figures = Figures(
        year=year,  # type: ignore[arg-type]
        staff=staff,  # type: ignore[arg-type]
        total_wages=total_wages,  # type: ignore[arg-type]
        local_average_wage=local_average_wage,  # type: ignore[arg-type]
        minimum_annual_wage=minimum_annual_wage,  # type: ignore[arg-type]
        declared_on=declared_on,  # type: ignore[arg-type]
    )
    errors, _lines = _rule_errors(figures, employees, employer, partial=True)
    if year is not None and "year" not in errors:
        _replaceable(Declaration.objects.filter(employer=employer, year=year).first(), errors)
    return errors


def _on_day(
    rule: Callable[[Figures, datetime.date], Problems], today: datetime.date, f: Figures
) -> Problems:
    return rule(f, today)


def _rule_errors(
    figures: Figures, employees: list[EmployeeLine] | None, employer: Employer, *, partial: bool
) -> tuple[Errors, list[_Line]]:
    """Every problem FIGURE_RULES and the line rules find, and the checked lines. With
    `partial`, a figure not given is None and a rule that needs it is skipped."""
    today = timezone.localdate()
    checks = [functools.partial(_on_day, rule, today) for rule in FIGURE_RULES]
    errors: Errors = rules.collect(figures, checks, partial=partial)
    if employees is None:
        return errors, []
    lines = _check_lines(employees, today=today, errors=errors)
    for line in lines:
        if line.employment == Employment.ESTABLISHED and not has_established_posts(employer.kind):
            add(
                errors,
                "employees",
                _("Line %(line)s: %(message)s")
                % {"line": line.line, "message": established_post_refusal()},
            )
        if line.dispatch_partner_uscc and line.dispatch_partner_uscc == employer.uscc:
            add(
                errors,
                "employees",
                _("Line %(line)s: %(message)s")
                % {
                    "line": line.line,
                    "message": _("The other unit of the dispatch is this employer itself."),
                },
            )
    declared_wages = sum((line.annual_wage for line in lines), Decimal(0))
    if (
        figures.total_wages is not None
        and "total_wages" not in errors
        and declared_wages > figures.total_wages
    ):
        add(
            errors,
            "total_wages",
            _("The declared disabled employees' wages add up to more than the total wages."),
        )
    return errors, lines


def _replaceable(existing: Declaration | None, errors: Errors) -> None:
    """A declaration whose verification result was issued cannot be replaced."""
    if existing is not None and existing.status == DeclarationStatus.NOTIFIED:
        add(
            errors,
            "year",
            _(
                "The verification result for this declaration has been issued: it can no "
                "longer change."
            ),
        )


def _store_employees(declaration: Declaration, lines: list[_Line]) -> None:
    DeclaredEmployee.objects.bulk_create(
        DeclaredEmployee(
            declaration=declaration,
            year=declaration.year,
            line=line.line,
            id_number_cipher=crypto.encrypt(line.number, context=ID_CONTEXT),
            id_number_index=line.index,
            id_number_masked=masks.id_number(line.number),
            name=line.name,
            contract_months=line.contract_months,
            annual_wage=line.annual_wage,
            social_insurance=line.social_insurance,
            certificate_kind=line.certificate_kind,
            veteran_number_cipher=(
                crypto.encrypt(line.veteran_number, context=VETERAN_NUMBER_CONTEXT)
                if line.veteran_number
                else None
            ),
            veteran_number_index=line.veteran_index,
            veteran_number_masked=masks.veteran_number(line.veteran_number),
            veteran_grade=line.veteran_grade,
            birth_date=line.birth_date,
            id_area=line.id_area,
            retirement_track=line.retirement_track,
            employment=line.employment,
            dispatch_partner_uscc=line.dispatch_partner_uscc,
            dispatch_counts_here=line.dispatch_counts_here,
        )
        for line in lines
    )


def _audit_detail(
    figures: Figures, employer: Employer, lines: list[_Line], existing: Declaration | None
) -> dict[str, Any]:
    return {
        "employer": employer.pk,
        "year": figures.year,
        "staff": str(figures.staff),
        "total_wages": str(figures.total_wages),
        "local_average_wage": str(figures.local_average_wage),
        "minimum_annual_wage": str(figures.minimum_annual_wage),
        "declared_on": figures.declared_on.isoformat(),
        "employees": [
            {
                "line": line.line,
                "id_number": masks.id_number(line.number),
                "certificate_kind": line.certificate_kind,
                "employment": line.employment,
                "dispatch_partner": line.dispatch_partner_uscc,
                "dispatch_counts_here": line.dispatch_counts_here,
                "veteran_grade": line.veteran_grade,
            }
            for line in lines
        ],
        "previous": (
            {"status": existing.status, "amount": _str(existing.amount)} if existing else None
        ),
    }


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
    acting_user: User,
    minimum_annual_wage: Decimal = Decimal(0),
) -> Declaration:
    """Enter the employer's declaration for collection year `year` (figures of `year - 1`), or
    replace it until its notice is issued: a replaced declaration is a draft again, to verify."""
    require(acting_user, Perm.MANAGE_LEVY)
    locked = Employer.objects.select_for_update().select_related("place").get(pk=employer.pk)
    require_in_scope(acting_user, locked)
    figures = Figures(
        year=year,
        staff=staff,
        total_wages=total_wages,
        local_average_wage=local_average_wage,
        minimum_annual_wage=minimum_annual_wage,
        declared_on=declared_on,
    )
    lines, existing = _check(figures, employees, locked)
    detail = _audit_detail(figures, locked, lines, existing)
    declaration = existing or Declaration(employer=locked, year=year, created_by=acting_user)
    declaration.staff = staff
    declaration.total_wages = total_wages
    declaration.local_average_wage = local_average_wage
    declaration.minimum_annual_wage = minimum_annual_wage
    declaration.declared_on = declared_on
    clear_result(declaration)
    declaration.save()
    if existing is not None:
        existing.employees.all().delete()
    _store_employees(declaration, lines)
    audit.record(
        acting_user=acting_user,
        action="levy.declaration.replace" if existing else "levy.declaration.create",
        target=declaration,
        detail=detail,
    )
    return declaration


def record_number_lookups(
    *, employer: Employer, year: int, employees: list[EmployeeLine], acting_user: User
) -> None:
    """Count each ID number the declaration adds (one its stored declaration of `year` does
    not hold) as a look-up by number (canlian.accounts.lookups): verification compares it
    with the registry. Raises TooManyNumberSearches past the hourly limit, before anything
    is saved."""
    stored = set(
        DeclaredEmployee.objects.filter(declaration__employer=employer, year=year).values_list(
            "id_number_index", flat=True
        )
    )
    today = timezone.localdate()
    for employee in employees:
        check = idcard.check(employee.id_number, today=today)
        if not check.valid or check.normalized is None:
            continue
        index = crypto.blind_index(check.normalized, context=ID_CONTEXT)
        if index not in stored:
            stored.add(index)
            lookups.record(user=acting_user, number=check.normalized, where="levy.declaration")


def _str(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def clear_result(declaration: Declaration) -> None:
    """Make `declaration` a draft again, without the result of its last verification."""
    declaration.status = DeclarationStatus.DRAFT
    declaration.amount = None
    declaration.tier = ""
    declaration.counted = None
    declaration.shortfall = None
    declaration.result = {}
    declaration.computed_at = None
    declaration.verified_by = None
