"""The levy demo: employers of every kind with valid codes, declarations in every status, every
verification failure shown, amounts as the formula computes them, the same seed giving the same
declarations, and an intact audit chain."""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from stdnum.cn import uscc

from canlian.audit.records import verify_chain
from canlian.demo import build as demo
from canlian.demo.levy import (
    DEMO_MARK,
    build_levy_demo,
    demo_acting_users,
    make_uscc,
    organisation_check,
)
from canlian.levy import services
from canlian.levy.formula import EmployerKind, Tier, calculate
from canlian.levy.models import (
    Declaration,
    DeclarationStatus,
    DeclaredEmployee,
    Employer,
    Ineligibility,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 15)
SEED = 41
PERSONS = 1500  # enough qualifying persons for every employer's plan


def build(*, reset: bool = False) -> dict[str, Any]:
    """A small registry (the demo logins, no workflow demos), then the levy demo on it."""
    demo.build_demo(persons=PERSONS, seed=SEED, today=TODAY, reset=reset, levy=False)
    return build_levy_demo(seed=SEED, acting_users=demo_acting_users(), today=TODAY)


def snapshot() -> list[tuple[Any, ...]]:
    employers = list(
        Employer.objects.order_by("uscc").values_list("uscc", "name", "kind", "place_id", "address")
    )
    declarations = list(
        Declaration.objects.order_by("employer__uscc").values_list(
            "employer__uscc",
            "status",
            "staff",
            "total_wages",
            "declared_on",
            "amount",
            "tier",
            "counted",
        )
    )
    employees = list(
        DeclaredEmployee.objects.order_by("declaration__employer__uscc", "line").values_list(
            "declaration__employer__uscc",
            "id_number_masked",
            "name",
            "annual_wage",
            "counts",
            "reason_code",
        )
    )
    return [*employers, *declarations, *employees]


@pytest.fixture(scope="module")
def counts(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """One levy demo for the module's tests, rolled back at the end (each test runs in a
    transaction of its own inside this one, so a test's changes are rolled back too)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build()
        transaction.set_rollback(True)


def test_the_organisation_code_check_digit_follows_gb_11714():
    assert organisation_check("D2143569") == "X"  # the example usually cited for GB 11714
    code = make_uscc("91", "410825", "MA0000AB")
    assert uscc.is_valid(code) and code[2:8] == "410825"


def test_employers_of_every_kind_have_valid_codes_of_their_county(counts):
    employers = list(Employer.objects.all())
    assert 60 <= counts["employers"] == len(employers) <= 100
    assert set(Counter(e.kind for e in employers)) == set(EmployerKind.values)
    kinds = Counter(e.kind for e in employers)
    assert kinds[EmployerKind.ENTERPRISE] > len(employers) / 2
    assert {e.county_code for e in employers} == set(demo.COUNTY_POPULATION)
    for employer in employers:
        assert employer.name.endswith(DEMO_MARK)
        code, problem = services.check_uscc(employer.uscc)
        assert problem is None and code == employer.uscc
        assert employer.uscc[2:8] == employer.county_code
        body = employer.uscc[8:16]
        assert employer.uscc[16] == organisation_check(body)


def test_declarations_are_left_in_every_status_with_staff_from_8_to_2000(counts):
    declarations = Declaration.objects.select_related("employer")
    for status in DeclarationStatus.values:
        assert counts[status] > 0, status
        assert declarations.filter(status=status).count() == counts[status]
    assert counts["declarations"] == declarations.count() < counts["employers"]
    for declaration in declarations:
        assert declaration.year == TODAY.year
        assert datetime.date(TODAY.year, 1, 1) <= declaration.declared_on <= TODAY
        assert 8 <= declaration.staff <= 2000
    assert declarations.filter(staff__lte=30, employer__kind=EmployerKind.ENTERPRISE).exists()
    tiers = set(declarations.exclude(status=DeclarationStatus.DRAFT).values_list("tier", flat=True))
    assert {Tier.MET, Tier.EXEMPT, Tier.HALF, Tier.NINETY} <= tiers
    capped = [
        d
        for d in declarations.exclude(status=DeclarationStatus.DRAFT)
        if services.average_wage(d) > 2 * d.local_average_wage and d.amount
    ]
    assert capped, "no amount shows the wage cap"


def test_every_reason_a_declared_employee_fails_is_shown(counts):
    checked = DeclaredEmployee.objects.exclude(declaration__status=DeclarationStatus.DRAFT)
    reasons = Counter(checked.filter(counts=0).values_list("reason_code", flat=True))
    for reason in (
        Ineligibility.NOT_REGISTERED,
        Ineligibility.SHORT_CONTRACT,
        Ineligibility.NO_INSURANCE,
        Ineligibility.LOW_WAGE,
        Ineligibility.COUNTED_ELSEWHERE,
    ):
        assert reasons[reason] > 0, reason
    assert "" not in reasons  # every line that does not count says why
    assert checked.filter(counts=2).exists()  # grade 1–2 holders count twice
    assert checked.filter(counts__gt=0).count() == counts["counted_persons"]
    assert checked.filter(person__isnull=True).count() == reasons[Ineligibility.NOT_REGISTERED]


def test_every_verified_amount_is_the_formula_recomputed(counts):
    total = 0
    verified = Declaration.objects.exclude(status=DeclarationStatus.DRAFT).select_related(
        "employer"
    )
    for declaration in verified:
        employees = list(declaration.employees.all())
        result = calculate(services.inputs_for(declaration, employees))
        assert declaration.amount == result.amount, declaration
        assert declaration.tier == result.tier
        total += declaration.amount
    assert f"{total:.2f}" == counts["amount"]


def test_no_person_is_counted_twice_in_a_year(counts):
    counted = Counter(
        DeclaredEmployee.objects.filter(counts__gt=0).values_list("year", "id_number_index")
    )
    assert counted and max(counted.values()) == 1


def test_the_county_clerks_keep_their_own_employers(counts):
    users = demo_acting_users()
    assert users["410825"].username == "clerk-wenxian"
    assert users["410883"].username == "clerk-mengzhou"
    for county in ("410825", "410883"):
        mine = Declaration.objects.filter(employer__place_id=county + "000000")
        assert mine.exists()
        assert set(mine.values_list("created_by", flat=True)) == {users[county].pk}


def test_the_same_seed_gives_the_same_declarations_after_a_reset(counts):
    first = snapshot()
    again = build(reset=True)  # the reset deletes the levy rows before the persons
    assert again == counts
    assert snapshot() == first


def test_the_audit_chain_verifies(counts):
    checked, broken = verify_chain()
    assert broken is None
    assert checked > counts["employers"] + counts["declarations"]


def test_build_demo_runs_the_levy_demo_on_request_only():
    result = demo.build_demo(persons=150, seed=SEED, today=TODAY, reset=True)
    assert result["levy"] == {}
    assert not Employer.objects.exists()
    result = demo.build_demo(persons=150, seed=SEED, today=TODAY, reset=True, levy=True)
    assert result["levy"]["declarations"] == Declaration.objects.count() > 0
    # A registry this small runs out of qualifying persons; every status is still shown.
    assert all(result["levy"][status] > 0 for status in DeclarationStatus.values)
    result = demo.build_demo(persons=150, seed=SEED, today=TODAY, reset=True)
    assert result["deleted"]["levy_employers"] > 0
    assert not Employer.objects.exists()
