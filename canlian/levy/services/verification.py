"""Verifying a declaration: each declared disabled employee against the registry and the
notice, then the amount due by the formula.

Verification rule: a declared employee counts when, on 31 December of the year the figures are
for (`year - 1`), they held a valid certificate on this registry (the certificate history when
the person has one, else the registry's issue and expiry dates) and were not dead, cancelled or
moved out; the declared name is the registry's; their contract is at least
`levy.minimum_contract_months` (12) unless they hold an established post (在编, no
contract); social insurance is paid, the annual wage is at least the
minimum for 12 months; and no other employer's verified declaration of the same year counts
them (the first verified keeps them); a dispatched worker (劳务派遣) counts for the unit
their dispatch agreement names, provided that unit is a registered employer and no other
declaration of the year declares the same worker (found by the ID number's index, whatever
unit declares it) otherwise than as that unit's side of the same agreement; they were of
working age on that day (16 to the statutory retirement date, canlian.levy.counting). A
grade 1–2 holder counts `levy.severe_count` (2) times.

A disabled veteran (a line with a 残疾军人证, canlian.levy.counting) is not looked for on the
registry's certificates: the line's grade decides (1–8 count, 1–3 twice), provided the clerk
saw the original certificate; when the veteran's ID number is on the registry, the name, death,
move and cancellation are checked as for any line.
The rules are taken on the collection date: the declaration date, or 31 December of the
collection year for a declaration made later. Each condition is a named function below
(CONDITIONS), returning the reason an employee does not count, or None.
"""

from __future__ import annotations

import dataclasses
import datetime
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Collection
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from canlian.accounts.access import require
from canlian.accounts.roles import Perm
from canlian.accounts.scoping import covers
from canlian.audit import records as audit
from canlian.certificates.models import Certificate
from canlian.levy.counting import (
    VETERAN_MAX_GRADE,
    VETERAN_SEVERE_MAX_GRADE,
    WORKING_AGE_MIN,
    CertificateKind,
    Employment,
    RetirementTrack,
    established_post_refusal,
    has_established_posts,
    missing_parameter,
    veteran_weight,
    working_age_problem,
)
from canlian.levy.formula import PARAMETERS_DIRECTORY, Inputs, Result, calculate, result_json
from canlian.levy.models import (
    Declaration,
    DeclarationStatus,
    DeclaredEmployee,
    Employer,
    Ineligibility,
)
from canlian.levy.services.checking import FEN, day, money, require_in_scope
from canlian.lib.parameters import Parameters, load_directory
from canlian.people.models import LifeStatus, Person, Sex

if TYPE_CHECKING:
    from canlian.accounts.models import User

SEVERE_GRADES = frozenset({1, 2})
MIN_CONTRACT_MONTHS = "levy.minimum_contract_months"
SEVERE_COUNT = "levy.severe_count"
# Serialises verifications of one year on PostgreSQL (SQLite serialises all writes itself).
_VERIFY_LOCK_CLASS = 0x4C455659

# Why a declared employee does not count: (Ineligibility code, the reason in words).
Reason = tuple[str, str]


def _lock_year(year: int) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_VERIFY_LOCK_CLASS, year])


def _same_name(declared: str, registered: str) -> bool:
    def fold(name: str) -> str:
        return "".join(unicodedata.normalize("NFKC", name).split()).replace("·", "").lower()

    return fold(declared) == fold(registered)


def _last_valid_day(certificate: Certificate) -> datetime.date:
    """A certificate superseded or cancelled on day X (`ended_on`) was valid until X − 1."""
    if certificate.ended_on is None:
        return certificate.expires_on
    return min(certificate.expires_on, certificate.ended_on - datetime.timedelta(days=1))


def _certificate_on(
    person: Person, history: list[Certificate], on: datetime.date
) -> tuple[int | None, Reason | None]:
    """The grade of the certificate valid on `on`, or None and the reason there is none. The
    certificate history decides when the person has one (a renewal keeps the holder valid
    across the change); otherwise the registry's issue and expiry dates."""
    periods = [(c.issued_on, _last_valid_day(c), c.grade) for c in history] or [
        (person.certificate_issued_on, person.certificate_expires_on, person.grade)
    ]
    for start, end, grade in periods:
        if start <= on <= end:
            return grade, None
    ended = [end for start, end, _grade in periods if end < on]
    if ended:
        return None, (
            Ineligibility.EXPIRED,
            _("The certificate was no longer valid on %(day)s: it ended on %(date)s.")
            % {"day": day(on), "date": day(max(ended))},
        )
    return None, (
        Ineligibility.NOT_YET_VALID,
        _("The certificate was issued on %(date)s, after %(day)s.")
        % {"date": day(min(start for start, _end, _grade in periods)), "day": day(on)},
    )


def _life_status_reason(person: Person, on: datetime.date) -> Reason | None:
    changed = person.life_status_date
    if person.life_status == LifeStatus.ACTIVE or changed is None or changed > on:
        return None
    date = day(changed)
    if person.life_status == LifeStatus.DECEASED:
        return Ineligibility.DECEASED, _("Deceased on %(date)s.") % {"date": date}
    if person.life_status == LifeStatus.MOVED_OUT:
        return Ineligibility.MOVED_OUT, _(
            "Moved out of this registry's area on %(date)s: the federation of the new place "
            "verifies the certificate."
        ) % {"date": date}
    return Ineligibility.CANCELLED, _("The certificate was cancelled on %(date)s.") % {"date": date}


@dataclasses.dataclass(frozen=True)
class Case:
    """What the conditions read of one declared employee."""

    employee: DeclaredEmployee
    person: Person | None
    history: list[Certificate]
    declaration: Declaration
    counted_by: Declaration | None  # another employer's declaration that counts them
    min_months: int
    parameters: Parameters
    on: datetime.date  # the collection date, the parameters are taken on
    region: str
    # The same person's lines in the other declarations of the year (any unit), and whether
    # the unit a dispatched worker's line names is a registered employer.
    other_lines: tuple[DeclaredEmployee, ...] = ()
    partner_registered: bool = True
    # A veteran: another declaration of the same year that counts the same certificate.
    veteran_counted_by: Declaration | None = None
    # Whether the person (or, not on the registry, the ID number's area) lies in the
    # verifying user's jurisdiction: outside it the registry's facts are not told.
    inside: bool = True
    # The region codes the verifying user covers (the other units named in reasons).
    sees: Callable[[Employer], bool] = lambda _employer: True

    @property
    def veteran(self) -> bool:
        return self.employee.certificate_kind == CertificateKind.VETERAN

    @property
    def day(self) -> datetime.date:
        """The end of the year the figures are for: the day the registry is read on."""
        return datetime.date(self.declaration.figures_year, 12, 31)


# ---------------------------------------------------------------------------------------------
# The conditions, in the order their reasons are given


def on_registry(case: Case) -> Reason | None:
    """A disability certificate is the registry's; a veteran's certificate is not on it."""
    if case.person is None and not case.veteran:
        return Ineligibility.NOT_REGISTERED, _("Not on the registry of certified disabled persons.")
    return None


def name_matches(case: Case) -> Reason | None:
    if case.person is not None and not _same_name(case.employee.name, case.person.name):
        return (
            Ineligibility.NAME_MISMATCH,
            _("The name differs from the registry's record for this ID number."),
        )
    return None


def alive_and_not_cancelled(case: Case) -> Reason | None:
    """Not dead, moved out or cancelled by the day (a later change does not matter). For a
    veteran only death matters: the registry's certificate and area are not theirs."""
    if case.person is None:
        return None
    reason = _life_status_reason(case.person, case.day)
    if case.veteran and reason is not None and reason[0] != Ineligibility.DECEASED:
        return None
    return reason


def certificate_valid(case: Case) -> Reason | None:
    """A valid certificate on the day (asked only of a person still on the registry)."""
    if case.veteran:
        return None
    if case.person is None or _life_status_reason(case.person, case.day) is not None:
        return None
    return _certificate_on(case.person, case.history, case.day)[1]


def veteran_grade_counts(case: Case) -> Reason | None:
    """A veteran's certificate of grade 1 to `levy.veteran_max_grade` (8)."""
    if not case.veteran or case.employee.veteran_grade is None:
        return None
    reason = _veteran(case)[1]
    return None if reason is None else (Ineligibility.VETERAN_GRADE, reason)


def veteran_original_seen(case: Case) -> Reason | None:
    """The clerk saw the original veteran's certificate (it is not on the registry)."""
    if case.veteran and not case.employee.original_seen:
        return (
            Ineligibility.ORIGINAL_NOT_SEEN,
            _("The original disabled veteran's certificate has not been seen."),
        )
    return None


def _veteran(case: Case) -> tuple[int, str | None]:
    assert case.employee.veteran_grade is not None
    try:
        return veteran_weight(
            case.employee.veteran_grade, parameters=case.parameters, on=case.on, region=case.region
        )
    except ValueError as exc:
        raise ValidationError({"__all__": [str(exc)]}) from exc


def of_working_age(case: Case) -> Reason | None:
    """At least `levy.working_age_min` (16) and before the statutory retirement date on the
    day (canlian.levy.counting). The line's date of birth is the ID number's; a line stored
    without it takes the registry's, and then the registry's sex for the retirement age."""
    birth, track = case.employee.birth_date, case.employee.retirement_track
    if case.person is not None:
        birth = birth or case.person.birth_date
        if not track:
            male = case.person.sex == Sex.MALE
            track = RetirementTrack.MALE if male else RetirementTrack.FEMALE_WORKER
    if birth is None or not track:
        return None
    try:
        problem = working_age_problem(
            birth, track, day=case.day, parameters=case.parameters, region=case.region
        )
    except ValueError as exc:
        raise ValidationError({"__all__": [str(exc)]}) from exc
    if problem is None:
        return None
    code = Ineligibility.UNDER_AGE if problem[0] == "under_age" else Ineligibility.RETIRED
    return code, problem[1]


def contract_long_enough(case: Case) -> Reason | None:
    """A labour contract (or a dispatch worker's) of `levy.minimum_contract_months`; staff of
    an established post (在编人员) of a government body or public institution hold no labour
    contract and need none. The kind is checked again here: a row stored before the line rule
    (or an employer whose kind changed since) gets no exemption from an enterprise."""
    if case.employee.employment == Employment.ESTABLISHED:
        kind = case.declaration.employer.kind
        if has_established_posts(kind):
            return None
        return Ineligibility.SHORT_CONTRACT, established_post_refusal()
    months = case.employee.contract_months
    if months < case.min_months:
        return (
            Ineligibility.SHORT_CONTRACT,
            _("A contract of %(months)s months: at least %(minimum)s months are required.")
            % {"months": months, "minimum": case.min_months},
        )
    return None


def dispatch_counted_here(case: Case) -> Reason | None:
    """A dispatched worker counts for the unit the dispatch agreement names, never both."""
    employee = case.employee
    if employee.employment == Employment.DISPATCHED and employee.dispatch_counts_here is False:
        return (
            Ineligibility.DISPATCH_OTHER_UNIT,
            _(
                "A dispatched worker: under the dispatch agreement the other unit "
                "(%(code)s) counts this worker."
            )
            % {"code": employee.dispatch_partner_uscc},
        )
    return None


def dispatch_partner_registered(case: Case) -> Reason | None:
    """The other unit a dispatched worker's line names is a registered employer: a unit cannot
    name a partner that does not exist to keep the worker for itself."""
    employee = case.employee
    if employee.employment != Employment.DISPATCHED or case.partner_registered:
        return None
    return (
        Ineligibility.DISPATCH_UNKNOWN,
        _(
            "The other unit of the dispatch (%(code)s) is not a registered employer: register "
            "it, or correct its credit code."
        )
        % {"code": employee.dispatch_partner_uscc},
    )


def dispatch_agreement_matches(case: Case) -> Reason | None:
    """Every other declaration of the year that declares the same worker (found by the ID
    number's index, whatever unit declares it) must be the other unit the agreement names,
    with a dispatch line naming this unit and saying the opposite about who counts."""
    employee = case.employee
    if employee.employment != Employment.DISPATCHED:
        return None
    for other in case.other_lines:
        reason = _disagreement(case, other)
        if reason is not None:
            return reason
    return None


def _outside_unit() -> str:
    """The one reason for a line another declaration holds when that unit lies outside the
    verifying user's jurisdiction: neither its name nor its credit code."""
    return _(
        "Already declared by a unit outside your jurisdiction: check with the city federation."
    )


def _disagreement(case: Case, other: DeclaredEmployee) -> Reason | None:
    employee = case.employee
    other_unit = other.declaration.employer
    if not case.sees(other_unit):
        agrees_outside = (
            other_unit.uscc == employee.dispatch_partner_uscc
            and other.employment == Employment.DISPATCHED
            and other.dispatch_partner_uscc == case.declaration.employer.uscc
            and other.dispatch_counts_here is not None
            and other.dispatch_counts_here != employee.dispatch_counts_here
        )
        return None if agrees_outside else (Ineligibility.DISPATCH_MISMATCH, _outside_unit())
    if other_unit.uscc != employee.dispatch_partner_uscc:
        return (
            Ineligibility.DISPATCH_MISMATCH,
            _(
                "%(employer)s (%(code)s) also declares this worker for %(year)s, but the "
                "dispatch agreement on this line names %(partner)s as the other unit."
            )
            % {
                "employer": other_unit.name,
                "code": other_unit.uscc,
                "year": case.declaration.year,
                "partner": employee.dispatch_partner_uscc,
            },
        )
    agrees = (
        other.employment == Employment.DISPATCHED
        and other.dispatch_partner_uscc == case.declaration.employer.uscc
        and other.dispatch_counts_here is not None
        and other.dispatch_counts_here != employee.dispatch_counts_here
    )
    if agrees:
        return None
    return (
        Ineligibility.DISPATCH_MISMATCH,
        _(
            "%(employer)s (%(code)s) declares this worker for %(year)s with an agreement that "
            "does not match this line: the two units must agree which one counts the worker."
        )
        % {
            "employer": other.declaration.employer.name,
            "code": other.declaration.employer.uscc,
            "year": case.declaration.year,
        },
    )


def insured(case: Case) -> Reason | None:
    if not case.employee.social_insurance:
        return Ineligibility.NO_INSURANCE, _("No social insurance is paid.")
    return None


def paid_the_minimum_wage(case: Case) -> Reason | None:
    wage, minimum = case.employee.annual_wage, case.declaration.minimum_annual_wage
    if wage < minimum:
        return (
            Ineligibility.LOW_WAGE,
            _(
                "The annual wage of %(wage)s yuan is below the minimum of %(minimum)s yuan "
                "(12 months of the minimum wage)."
            )
            % {"wage": money(wage), "minimum": money(minimum)},
        )
    return None


def veteran_not_counted_elsewhere(case: Case) -> Reason | None:
    """One disabled veteran's certificate counts once a year: not while another declaration
    of the year counts the same number (found by its blind index)."""
    other = case.veteran_counted_by
    if case.veteran and other is not None:
        if not case.sees(other.employer):
            return Ineligibility.VETERAN_COUNTED_ELSEWHERE, _outside_unit()
        return (
            Ineligibility.VETERAN_COUNTED_ELSEWHERE,
            _(
                "This disabled veteran's certificate is already counted by %(employer)s "
                "(%(code)s) for %(year)s."
            )
            % {
                "employer": other.employer.name,
                "code": other.employer.uscc,
                "year": case.declaration.year,
            },
        )
    return None


def not_counted_elsewhere(case: Case) -> Reason | None:
    other = case.counted_by
    if other is not None:
        if not case.sees(other.employer):
            return Ineligibility.COUNTED_ELSEWHERE, _outside_unit()
        return (
            Ineligibility.COUNTED_ELSEWHERE,
            _("Already counted by %(employer)s (%(code)s) for %(year)s.")
            % {
                "employer": other.employer.name,
                "code": other.employer.uscc,
                "year": case.declaration.year,
            },
        )
    return None


CONDITIONS: tuple[Callable[[Case], Reason | None], ...] = (
    on_registry,
    name_matches,
    alive_and_not_cancelled,
    certificate_valid,
    veteran_grade_counts,
    veteran_original_seen,
    of_working_age,
    dispatch_counted_here,
    dispatch_partner_registered,
    dispatch_agreement_matches,
    contract_long_enough,
    insured,
    paid_the_minimum_wage,
    not_counted_elsewhere,
    veteran_not_counted_elsewhere,
)


# The reasons that tell what the registry holds of a person.
REGISTRY_FACTS = frozenset(
    {
        Ineligibility.NOT_REGISTERED,
        Ineligibility.NAME_MISMATCH,
        Ineligibility.DECEASED,
        Ineligibility.MOVED_OUT,
        Ineligibility.CANCELLED,
        Ineligibility.EXPIRED,
        Ineligibility.NOT_YET_VALID,
    }
)


def outside_reason() -> Reason:
    """The one reason for a line whose person (or ID number) lies outside the verifying
    user's jurisdiction and fails on the registry: it says neither whether the number is on
    the registry nor what it holds, so that declared lines cannot probe other counties."""
    return Ineligibility.OUTSIDE_JURISDICTION, _(
        "Not registered in your jurisdiction: check with the city federation."
    )


def assess(case: Case) -> tuple[int, list[Reason]]:
    """How much the employee counts (0, 1 or 2) and every reason they do not."""
    reasons = [reason for condition in CONDITIONS if (reason := condition(case)) is not None]
    if not case.inside and any(code in REGISTRY_FACTS for code, _text in reasons):
        others = [reason for reason in reasons if reason[0] not in REGISTRY_FACTS]
        reasons = [outside_reason(), *others]
    if reasons:
        return 0, reasons
    if case.veteran:
        return _veteran(case)[0], reasons
    if case.person is None:
        return 0, reasons
    grade = _certificate_on(case.person, case.history, case.day)[0]
    if grade is None:
        return 0, reasons
    return (2 if grade in SEVERE_GRADES else 1), reasons


# ---------------------------------------------------------------------------------------------
# The declaration


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
        raise ValidationError({"__all__": [missing_parameter(name, on=on, region=region)]})
    return int(value.decimal)


def _inside(user: User, person: Person | None, employee: DeclaredEmployee) -> bool:
    """Whether the registry's facts of the line may be told to `user`: the person's place
    lies in their jurisdiction, or, not on the registry, the ID number's area code kept at
    declaration (a number of another county's area is answered as one of its persons would
    be; a line declared before the area was kept is answered as outside)."""
    if person is not None:
        return covers(user, str(person.place_id))
    area = employee.id_area
    if not area:
        return False
    prefix = str(getattr(user, "scope_prefix", "") or "")
    return covers(user, area) or (bool(prefix) and prefix.startswith(area))


@dataclasses.dataclass(frozen=True)
class RulesInForce:
    """The figures of the verification rules for a declaration, as the page states them."""

    severe_max_grade: int  # a certificate of grade 1 to this counts twice
    veteran_max_grade: int  # a veteran's certificate of grade 1 to this counts
    veteran_severe_max_grade: int  # … and of grade 1 to this, twice
    working_age_min: int  # years old, on 31 December of the figures' year
    minimum_contract_months: int


def rules_in_force(declaration: Declaration) -> RulesInForce:
    """The rules' figures `verify` applies to `declaration`: on the collection date in its
    employer's region (the working age on 31 December of the figures' year)."""
    parameters = load_directory(PARAMETERS_DIRECTORY)
    on, region = collection_date(declaration), str(declaration.employer.place_id)
    year_end = datetime.date(declaration.figures_year, 12, 31)

    def count(name: str, day: datetime.date) -> int:
        value = parameters.value(name, on=day, region=region)
        if value is None:
            raise ValidationError({"__all__": [missing_parameter(name, on=day, region=region)]})
        return int(value.decimal)

    return RulesInForce(
        severe_max_grade=max(SEVERE_GRADES),
        veteran_max_grade=count(VETERAN_MAX_GRADE, on),
        veteran_severe_max_grade=count(VETERAN_SEVERE_MAX_GRADE, on),
        working_age_min=count(WORKING_AGE_MIN, year_end),
        minimum_contract_months=count(MIN_CONTRACT_MONTHS, on),
    )


def _registry_outcomes(
    declaration: Declaration, employees: list[DeclaredEmployee], user: User
) -> None:
    """Set each employee's person, counts and reasons from the registry, telling `user` the
    registry's facts and the other units only within their jurisdiction."""
    min_months = _parameter(MIN_CONTRACT_MONTHS, declaration)
    parameters = load_directory(PARAMETERS_DIRECTORY)
    on, region = collection_date(declaration), str(declaration.employer.place_id)
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
    veteran_indexes = [e.veteran_number_index for e in employees if e.veteran_number_index]
    veterans_elsewhere = {
        other.veteran_number_index: other.declaration
        for other in DeclaredEmployee.objects.filter(
            year=declaration.year, counts__gt=0, veteran_number_index__in=veteran_indexes
        )
        .exclude(declaration=declaration)
        .select_related("declaration__employer")
    }
    partners = {e.dispatch_partner_uscc for e in employees if e.dispatch_partner_uscc}
    registered = set(Employer.objects.filter(uscc__in=partners).values_list("uscc", flat=True))
    dispatched = [e.id_number_index for e in employees if e.employment == Employment.DISPATCHED]
    other_lines: dict[str, list[DeclaredEmployee]] = defaultdict(list)
    for other in (
        DeclaredEmployee.objects.filter(year=declaration.year, id_number_index__in=dispatched)
        .exclude(declaration=declaration)
        .select_related("declaration__employer")
        .order_by("declaration__employer__uscc", "pk")
    ):
        other_lines[other.id_number_index].append(other)
    for employee in employees:
        person = persons.get(employee.id_number_index)
        counts, reasons = assess(
            Case(
                employee=employee,
                person=person,
                history=history[person.pk] if person else [],
                declaration=declaration,
                counted_by=counted_elsewhere.get(employee.id_number_index),
                min_months=min_months,
                parameters=parameters,
                on=on,
                region=region,
                other_lines=tuple(other_lines.get(employee.id_number_index, ())),
                partner_registered=(
                    not employee.dispatch_partner_uscc
                    or employee.dispatch_partner_uscc in registered
                ),
                veteran_counted_by=(
                    veterans_elsewhere.get(employee.veteran_number_index)
                    if employee.veteran_number_index
                    else None
                ),
                inside=_inside(user, person, employee),
                sees=lambda employer: covers(user, str(employer.place_id)),
            )
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


def _record_originals(
    employees: list[DeclaredEmployee], seen: bool | Collection[int], user: User
) -> list[dict[str, object]]:
    """Set, on each veteran's line, whether the clerk saw the original certificate in this
    verification (`seen`: the line numbers, or True/False for every veteran's line); a line
    whose mark changes records who and when. Return the changes, for the audit record."""
    now = timezone.now()
    changes: list[dict[str, object]] = []
    for employee in employees:
        if employee.certificate_kind != CertificateKind.VETERAN:
            continue
        value = seen if isinstance(seen, bool) else employee.line in seen
        if value == employee.original_seen and employee.original_seen_at is not None:
            continue
        if value != employee.original_seen:
            changes.append({"line": employee.line, "original_seen": value})
        employee.original_seen = value
        employee.original_seen_by = user
        employee.original_seen_at = now
    return changes


@transaction.atomic
def verify(
    *,
    declaration: Declaration,
    acting_user: User,
    originals_seen: bool | Collection[int] = False,
) -> Declaration:
    """Verify every declared disabled employee against the registry, compute the amount due
    and keep the result. A verified declaration may be verified again until its notice.
    `originals_seen`: the lines of the declared disabled veterans whose original certificates
    the clerk saw in this verification (True or False: every veteran's line). Each
    verification sets the mark anew on every veteran's line: a line left out withdraws it,
    and a veteran whose original is not seen does not count."""
    require(acting_user, Perm.MANAGE_LEVY)
    locked = (
        Declaration.objects.select_for_update()
        .select_related("employer", "employer__place")
        .get(pk=declaration.pk)
    )
    require_in_scope(acting_user, locked.employer)
    if locked.status == DeclarationStatus.NOTIFIED:
        raise ValidationError(
            {"status": [_("The verification result has been issued: the declaration is final.")]}
        )
    _lock_year(locked.year)
    employees = list(locked.employees.order_by("line"))
    original_changes = _record_originals(employees, originals_seen, acting_user)
    _registry_outcomes(locked, employees, acting_user)
    DeclaredEmployee.objects.bulk_update(
        employees,
        [
            "person", "counts", "reason_code", "reason",
            "original_seen", "original_seen_by", "original_seen_at",
        ],
        batch_size=500,
    )  # fmt: skip
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
            "originals_seen": [
                e.line
                for e in employees
                if e.certificate_kind == CertificateKind.VETERAN and e.original_seen
            ],
            "originals_changed": original_changes,
            "employees": [
                {"line": e.line, "id_number": e.id_number_masked, "counts": e.counts,
                 "reason": e.reason_code}
                for e in employees
            ],
        },
    )  # fmt: skip
    declaration.refresh_from_db()
    return locked
