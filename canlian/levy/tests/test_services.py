"""Employers, declarations, verification against the registry and the notice."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from canlian.audit.models import Entry
from canlian.certificates import services as certificates
from canlian.certificates.models import AppliedBy, Document, Kind
from canlian.conftest import opened
from canlian.levy import services
from canlian.levy.formula import Inputs, calculate, result_json
from canlian.levy.models import (
    VETERAN_NUMBER_CONTEXT,
    Declaration,
    DeclarationStatus,
    DeclaredEmployee,
    Employer,
    Ineligibility,
)
from canlian.levy.tests.conftest import (
    COUNTY,
    DECLARED_ON,
    OTHER_COUNTY,
    YEAR,
    employer_data,
    line,
    make_uscc,
)
from canlian.lib import crypto, idcard

D = datetime.date


def messages(error: ValidationError, field: str) -> list[str]:
    return error.message_dict.get(field, [])


def actions() -> list[str]:
    return list(
        Entry.objects.filter(action__startswith="levy.")
        .order_by("id")
        .values_list("action", flat=True)
    )


# ---------------------------------------------------------------------------------------------
# Employers


def test_an_employer_is_registered_with_its_code_in_upper_case(county_clerk: Any) -> None:
    code = make_uscc(7)

    employer = services.save_employer(
        data=employer_data(uscc=" " + code.lower() + " "), acting_user=county_clerk
    )

    assert employer.uscc == code
    assert employer.place_id == COUNTY
    assert actions() == ["levy.employer.create"]


def test_a_code_with_a_wrong_check_character_is_refused(county_clerk: Any) -> None:
    code = make_uscc(7)
    wrong = code[:-1] + ("1" if code[-1] != "1" else "2")

    with pytest.raises(ValidationError) as caught:
        services.save_employer(data=employer_data(uscc=wrong), acting_user=county_clerk)

    assert "check character" in messages(caught.value, "uscc")[0]
    assert not Employer.objects.exists()


@pytest.mark.parametrize(
    ("code", "fragment"),
    [("91410825MA000001", "not 16"), (make_uscc(1) + "0", "not 19")],
)
def test_a_code_of_the_wrong_shape_is_refused(county_clerk: Any, code: str, fragment: str) -> None:
    with pytest.raises(ValidationError) as caught:
        services.save_employer(data=employer_data(uscc=code), acting_user=county_clerk)

    assert fragment in messages(caught.value, "uscc")[0]


def test_a_code_with_a_letter_not_used_in_codes_is_refused(county_clerk: Any) -> None:
    body = "91410825MA000000I"  # I is not in the alphabet of GB 32100

    with pytest.raises(ValidationError) as caught:
        services.save_employer(data=employer_data(uscc=body + "1"), acting_user=county_clerk)

    assert "capital letters" in messages(caught.value, "uscc")[0]


def test_a_code_registered_twice_is_refused(make_employer: Any, county_clerk: Any) -> None:
    first = make_employer()

    with pytest.raises(ValidationError) as caught:
        services.save_employer(data=employer_data(uscc=first.uscc), acting_user=county_clerk)

    assert "already registered" in messages(caught.value, "uscc")[0]


def test_changing_an_employer_audits_the_changed_fields(
    make_employer: Any, county_clerk: Any
) -> None:
    employer = make_employer(kind="enterprise")

    services.save_employer(
        employer=employer,
        data=employer_data(uscc=employer.uscc, name=employer.name, kind="institution"),
        acting_user=county_clerk,
    )

    employer.refresh_from_db()
    assert employer.kind == "institution"
    entry = Entry.objects.get(action="levy.employer.update")
    assert entry.detail == {"changes": {"kind": ["enterprise", "institution"]}}
    assert entry.region == COUNTY


def test_an_employer_is_registered_in_a_county_or_township_of_ones_jurisdiction(
    county_clerk: Any,
) -> None:
    for code, fragment in (
        (OTHER_COUNTY, "outside your jurisdiction"),
        ("410825001001", "county or township"),  # a village
        ("999999000000", "county or township"),
    ):
        with pytest.raises(ValidationError) as caught:
            services.save_employer(data=employer_data(place_code=code), acting_user=county_clerk)
        assert fragment in messages(caught.value, "place_code")[0]


# ---------------------------------------------------------------------------------------------
# Declarations


def test_a_declaration_reports_every_bad_line_by_its_number(
    make_employer: Any, make_declaration: Any, make_person: Any
) -> None:
    person = make_person()
    good = opened(person)
    mistyped = good[:-1] + ("0" if good[-1] != "0" else "1")

    with pytest.raises(ValidationError) as caught:
        make_declaration(
            make_employer(),
            [
                line(person),
                line(person, id_number=mistyped),
                line(person),
                line(person, id_number=idcard.build(
                    region_code="410825", birth_date=D(1980, 1, 1), sequence=5
                ), name="", contract_months=601, annual_wage=Decimal("-1")),
            ],
        )  # fmt: skip

    found = messages(caught.value, "employees")
    assert found[0].startswith("Line 2: The check character does not match")
    assert "Line 3: The same ID number as line 1." in found
    assert "Line 4: Enter the name." in found
    assert any(m.startswith("Line 4: The contract length") for m in found)
    assert any(m.startswith("Line 4: The annual wage") for m in found)
    assert not Declaration.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("staff", Decimal(0)),
        ("staff", Decimal("-3")),
        ("staff", Decimal("2000000")),
        ("staff", Decimal("10.123")),
        ("total_wages", Decimal("-1")),
        ("total_wages", Decimal("1e13")),
        ("local_average_wage", Decimal(0)),
        ("local_average_wage", Decimal("NaN")),
        ("minimum_annual_wage", Decimal("-0.01")),
        ("year", 1999),
        ("year", 2999),
        ("declared_on", D(2025, 12, 31)),  # before the collection year
        ("declared_on", D(2999, 1, 1)),
    ],
)
def test_a_declaration_with_absurd_figures_is_refused(
    make_employer: Any, make_declaration: Any, field: str, value: Any
) -> None:
    with pytest.raises(ValidationError) as caught:
        make_declaration(make_employer(), **{field: value})

    assert list(caught.value.message_dict) == [field]


def test_declared_wages_above_the_total_wages_are_refused(
    make_employer: Any, make_declaration: Any, make_person: Any
) -> None:
    with pytest.raises(ValidationError) as caught:
        make_declaration(
            make_employer(),
            [line(make_person(), annual_wage=Decimal("50000"))],
            total_wages=Decimal("40000"),
            staff=Decimal(1),
        )

    assert "add up to more than the total wages" in messages(caught.value, "total_wages")[0]


def test_declared_id_numbers_are_kept_encrypted_with_the_registrys_index(
    make_employer: Any, make_declaration: Any, make_person: Any
) -> None:
    person = make_person()

    declaration = make_declaration(make_employer(), [line(person)])

    employee = declaration.employees.get()
    assert employee.id_number_index == person.id_number_index
    assert employee.id_number_masked == person.id_number_masked
    assert opened(person).encode() not in bytes(employee.id_number_cipher)
    assert opened(employee) == opened(person)
    assert employee.year == YEAR and employee.line == 1
    assert declaration.status == DeclarationStatus.DRAFT and declaration.amount is None


# ---------------------------------------------------------------------------------------------
# Verification


def test_an_eligible_employee_counts_once_and_a_grade_1_or_2_holder_twice(
    make_employer: Any, make_declaration: Any, make_person: Any, county_clerk: Any
) -> None:
    grade_3, grade_1, grade_2 = make_person(grade=3), make_person(grade=1), make_person(grade=2)
    declaration = make_declaration(make_employer(), [line(grade_3), line(grade_1), line(grade_2)])

    services.verify(declaration=declaration, acting_user=county_clerk)

    employees = list(declaration.employees.order_by("line"))
    assert [e.counts for e in employees] == [1, 2, 2]
    assert [e.person for e in employees] == [grade_3, grade_1, grade_2]
    assert all(e.reason == "" and e.reason_code == "" for e in employees)
    declaration.refresh_from_db()
    assert declaration.status == DeclarationStatus.VERIFIED
    assert declaration.counted == 5


def test_an_employee_registered_in_another_county_is_verified_against_the_whole_registry(
    make_employer: Any, make_declaration: Any, make_person: Any, county_clerk: Any
) -> None:
    person = make_person(place_code="410883001001", grade=4)
    declaration = make_declaration(make_employer(), [line(person)])

    services.verify(declaration=declaration, acting_user=county_clerk)

    assert declaration.employees.get().counts == 1


REASON_CASES: list[tuple[str, dict[str, Any], dict[str, Any], str]] = [
    (Ineligibility.NOT_REGISTERED, {}, {}, "Not on the registry"),
    (
        Ineligibility.EXPIRED,
        {"certificate_issued_on": D(2014, 6, 1)},
        {},
        "no longer valid on 2025-12-31: it ended on 2024-06-01",
    ),
    (
        Ineligibility.NOT_YET_VALID,
        {"certificate_issued_on": D(2026, 1, 15)},
        {},
        "issued on 2026-01-15, after 2025-12-31",
    ),
    (
        Ineligibility.DECEASED,
        {"life_status": "deceased", "life_status_date": D(2025, 6, 1)},
        {},
        "Deceased on 2025-06-01",
    ),
    (
        Ineligibility.CANCELLED,
        {"life_status": "cancelled", "life_status_date": D(2025, 11, 30)},
        {},
        "cancelled on 2025-11-30",
    ),
    (
        Ineligibility.MOVED_OUT,
        {"life_status": "moved_out", "life_status_date": D(2025, 2, 1)},
        {},
        "Moved out",
    ),
    (Ineligibility.NAME_MISMATCH, {}, {"name": "张冒名"}, "name differs"),
    (Ineligibility.SHORT_CONTRACT, {}, {"contract_months": 11}, "11 months: at least 12"),
    (Ineligibility.NO_INSURANCE, {}, {"social_insurance": False}, "No social insurance"),
    (
        Ineligibility.LOW_WAGE,
        {},
        {"annual_wage": Decimal("23999.99")},
        "23,999.99 yuan is below the minimum of 24,000.00 yuan",
    ),
]


@pytest.mark.parametrize(
    ("code", "person_fields", "line_fields", "fragment"),
    REASON_CASES,
    ids=[case[0] for case in REASON_CASES],
)
def test_an_employee_who_does_not_qualify_is_listed_with_the_reason_and_counts_0(
    make_employer: Any,
    make_declaration: Any,
    make_person: Any,
    county_clerk: Any,
    code: str,
    person_fields: dict[str, Any],
    line_fields: dict[str, Any],
    fragment: str,
) -> None:
    if code == Ineligibility.NOT_REGISTERED:
        person = None
        line_fields = {
            "id_number": idcard.build(region_code="410825", birth_date=D(1985, 2, 3), sequence=77),
            "name": "未登记",
        }
    else:
        person = make_person(**person_fields)
    declaration = make_declaration(
        make_employer(),
        [line(person, **line_fields)],
        minimum_annual_wage=Decimal("24000.00"),
    )

    services.verify(declaration=declaration, acting_user=county_clerk)

    employee = declaration.employees.get()
    assert (employee.counts, employee.reason_code) == (0, code)
    assert fragment in employee.reason
    assert employee.person == person
    declaration.refresh_from_db()
    assert declaration.counted == 0


def test_every_reason_of_one_employee_is_listed(
    make_employer: Any, make_declaration: Any, make_person: Any, county_clerk: Any
) -> None:
    person = make_person(certificate_issued_on=D(2014, 6, 1))
    declaration = make_declaration(
        make_employer(), [line(person, contract_months=6, social_insurance=False)]
    )

    services.verify(declaration=declaration, acting_user=county_clerk)

    employee = declaration.employees.get()
    assert employee.reason_code == Ineligibility.EXPIRED
    for fragment in ("no longer valid", "6 months", "No social insurance"):
        assert fragment in employee.reason


def test_a_death_after_the_year_does_not_undo_that_years_employment(
    make_employer: Any, make_declaration: Any, make_person: Any, county_clerk: Any
) -> None:
    person = make_person(life_status="deceased", life_status_date=D(2026, 1, 10), grade=3)
    declaration = make_declaration(make_employer(), [line(person)])

    services.verify(declaration=declaration, acting_user=county_clerk)

    assert declaration.employees.get().counts == 1


def test_a_certificate_renewed_after_the_year_counts_through_its_history(
    make_employer: Any, make_declaration: Any, make_person: Any, county_clerk: Any
) -> None:
    # Issued 2016-03-01, valid until 2026-03-01, renewed on 2026-02-10: the registry now
    # shows a certificate issued in 2026, but the old one was valid all through 2025.
    person = make_person(certificate_issued_on=D(2016, 3, 1), grade=3)
    application = certificates.submit_application(
        kind=Kind.RENEWAL,
        person=person,
        acting_user=county_clerk,
        received_on=D(2026, 2, 2),
        applied_by=AppliedBy.SELF,
        documents=[Document.ID_CARD, Document.PHOTOS, Document.OLD_CERTIFICATE],
        needs_assessment=False,
    )
    certificates.issue_without_assessment(
        application=application, on=D(2026, 2, 10), acting_user=county_clerk
    )
    person.refresh_from_db()
    assert person.certificate_issued_on == D(2026, 2, 10)
    declaration = make_declaration(make_employer(), [line(person)])

    services.verify(declaration=declaration, acting_user=county_clerk)

    assert declaration.employees.get().counts == 1


def test_one_person_counts_only_for_the_employer_verified_first(
    make_employer: Any, make_declaration: Any, make_person: Any, county_clerk: Any
) -> None:
    person = make_person(grade=3)
    first = make_declaration(make_employer(name="先核单位"), [line(person)])
    second = make_declaration(make_employer(name="后核单位"), [line(person)])
    services.verify(declaration=first, acting_user=county_clerk)

    services.verify(declaration=second, acting_user=county_clerk)
    services.verify(declaration=first, acting_user=county_clerk)  # verifying again keeps them

    assert first.employees.get().counts == 1
    other = second.employees.get()
    assert (other.counts, other.reason_code) == (0, Ineligibility.COUNTED_ELSEWHERE)
    assert f"Already counted by 先核单位 ({first.employer.uscc}) for {YEAR}." == other.reason


def test_a_person_counted_by_an_employer_of_another_year_still_counts(
    make_employer: Any, make_declaration: Any, make_person: Any, county_clerk: Any
) -> None:
    person = make_person(grade=3)
    earlier = make_declaration(
        make_employer(), [line(person)], year=YEAR - 1, declared_on=D(2025, 3, 3)
    )
    services.verify(declaration=earlier, acting_user=county_clerk)
    declaration = make_declaration(make_employer(), [line(person)])

    services.verify(declaration=declaration, acting_user=county_clerk)

    assert declaration.employees.get().counts == 1


def test_the_stored_amount_is_the_formulas_on_the_same_inputs(
    make_employer: Any, make_declaration: Any, make_person: Any, county_clerk: Any
) -> None:
    declaration = make_declaration(
        make_employer(), [line(make_person(grade=3)), line(make_person(grade=3), contract_months=3)]
    )

    services.verify(declaration=declaration, acting_user=county_clerk)

    expected = calculate(
        Inputs(
            year=YEAR,
            region=COUNTY,
            kind="enterprise",
            staff=Decimal(200),
            disabled=Decimal(1),
            disabled_severe=Decimal(0),
            average_wage=Decimal("60000.00"),
            local_average_wage=Decimal("50000.00"),
            on=DECLARED_ON,
        )
    )
    declaration.refresh_from_db()
    # Henan 1.6% of 200 = 3.2 required, 1 counted: 2.2 × 60,000 × 90% (ratio below 1%).
    assert declaration.amount == expected.amount == Decimal("118800.00")
    assert declaration.tier == expected.tier == "ninety"
    assert declaration.shortfall == expected.shortfall == Decimal("2.2")
    assert declaration.result == result_json(expected)
    assert declaration.counted == 1
    assert declaration.computed_at is not None


def test_the_average_wage_is_rounded_half_up_to_the_fen(
    make_employer: Any, make_declaration: Any
) -> None:
    declaration = make_declaration(
        make_employer(), staff=Decimal(3), total_wages=Decimal("100000.00")
    )

    assert services.average_wage(declaration) == Decimal("33333.33")


def test_figures_the_formula_refuses_leave_the_declaration_unverified(
    make_employer: Any, make_declaration: Any, make_person: Any, county_clerk: Any
) -> None:
    declaration = make_declaration(
        make_employer(),
        [line(make_person(grade=3)), line(make_person(grade=3))],
        staff=Decimal(1),
        total_wages=Decimal("80000.00"),
    )

    with pytest.raises(ValidationError) as caught:
        services.verify(declaration=declaration, acting_user=county_clerk)

    assert "outnumber the staff" in messages(caught.value, "__all__")[0]
    declaration.refresh_from_db()
    assert declaration.status == DeclarationStatus.DRAFT
    assert not DeclaredEmployee.objects.filter(counts__gt=0).exists()
    assert "levy.declaration.verify" not in actions()


def test_declaring_again_replaces_the_declaration_and_frees_its_employees(
    make_employer: Any, make_declaration: Any, make_person: Any, county_clerk: Any
) -> None:
    person, other_person = make_person(grade=3), make_person(grade=3)
    employer = make_employer()
    declaration = make_declaration(employer, [line(person)])
    services.verify(declaration=declaration, acting_user=county_clerk)

    replaced = make_declaration(employer, [line(other_person)], staff=Decimal(150))

    assert replaced.pk == declaration.pk
    replaced.refresh_from_db()
    assert replaced.status == DeclarationStatus.DRAFT
    assert replaced.amount is None and replaced.result == {} and replaced.counted is None
    assert [e.person_id for e in replaced.employees.all()] == [None]
    assert replaced.staff == Decimal(150)
    another = make_declaration(make_employer(), [line(person)])
    services.verify(declaration=another, acting_user=county_clerk)
    assert another.employees.get().counts == 1
    entry = Entry.objects.get(action="levy.declaration.replace")
    assert entry.detail["previous"] == {"status": "verified", "amount": "118800.00"}


def test_the_notice_makes_the_declaration_final(
    make_employer: Any, make_declaration: Any, make_person: Any, county_clerk: Any
) -> None:
    employer = make_employer()
    declaration = make_declaration(employer, [line(make_person(grade=3))])
    with pytest.raises(ValidationError) as caught:
        services.mark_notified(
            declaration=declaration, notified_on=D(2026, 3, 5), acting_user=county_clerk
        )
    assert "Verify the declaration" in messages(caught.value, "status")[0]
    services.verify(declaration=declaration, acting_user=county_clerk)

    services.mark_notified(
        declaration=declaration, notified_on=timezone.localdate(), acting_user=county_clerk
    )

    declaration.refresh_from_db()
    assert declaration.status == DeclarationStatus.NOTIFIED
    assert declaration.notified_by == county_clerk
    with pytest.raises(ValidationError):
        make_declaration(employer, [])
    with pytest.raises(ValidationError):
        services.verify(declaration=declaration, acting_user=county_clerk)
    with pytest.raises(ValidationError) as caught:
        services.mark_notified(
            declaration=declaration, notified_on=timezone.localdate(), acting_user=county_clerk
        )
    assert "already issued" in messages(caught.value, "status")[0]


def test_every_write_is_audited_in_its_region(
    make_employer: Any, make_declaration: Any, make_person: Any, county_clerk: Any
) -> None:
    person = make_person(grade=3)
    employer = make_employer()
    services.save_employer(
        employer=employer,
        data=employer_data(uscc=employer.uscc, name="改名后的单位"),
        acting_user=county_clerk,
    )
    declaration = make_declaration(employer, [line(person)])
    make_declaration(employer, [line(person)])
    services.verify(declaration=declaration, acting_user=county_clerk)
    services.mark_notified(
        declaration=declaration, notified_on=timezone.localdate(), acting_user=county_clerk
    )

    assert actions() == [
        "levy.employer.create",
        "levy.employer.update",
        "levy.declaration.create",
        "levy.declaration.replace",
        "levy.declaration.verify",
        "levy.declaration.notify",
    ]
    entries = Entry.objects.filter(action__startswith="levy.")
    assert {e.region for e in entries} == {COUNTY}
    assert {e.actor_id for e in entries} == {county_clerk.pk}
    verify = Entry.objects.get(action="levy.declaration.verify")
    assert verify.detail["employees"] == [
        {"line": 1, "id_number": person.id_number_masked, "counts": 1, "reason": ""}
    ]
    assert opened(person) not in str([e.detail for e in entries])


# ---------------------------------------------------------------------------------------------
# Scope and permissions


def test_a_clerk_of_another_county_sees_nothing_and_cannot_act(
    make_employer: Any, make_declaration: Any, make_person: Any, other_county_clerk: Any
) -> None:
    employer = make_employer()
    declaration = make_declaration(employer, [line(make_person())])

    assert not Employer.objects.visible_to(other_county_clerk).exists()
    assert not Declaration.objects.visible_to(other_county_clerk).exists()
    with pytest.raises(PermissionDenied):
        services.save_employer(
            employer=employer,
            data=employer_data(uscc=employer.uscc),
            acting_user=other_county_clerk,
        )
    with pytest.raises(PermissionDenied):
        make_declaration(employer, [], acting_user=other_county_clerk)
    with pytest.raises(PermissionDenied):
        services.verify(declaration=declaration, acting_user=other_county_clerk)
    with pytest.raises(PermissionDenied):
        services.mark_notified(
            declaration=declaration, notified_on=DECLARED_ON, acting_user=other_county_clerk
        )
    declaration.refresh_from_db()
    assert declaration.status == DeclarationStatus.DRAFT


def test_the_city_and_the_auditor_see_every_county_and_the_auditor_changes_nothing(
    make_employer: Any,
    make_declaration: Any,
    city_staff: Any,
    auditor: Any,
    other_county_clerk: Any,
) -> None:
    here = make_employer()
    there = make_employer(place_code=OTHER_COUNTY, acting_user=other_county_clerk)
    declaration = make_declaration(here)

    for user in (city_staff, auditor):
        assert set(Employer.objects.visible_to(user)) == {here, there}
        assert list(Declaration.objects.visible_to(user)) == [declaration]
    with pytest.raises(PermissionDenied):
        services.verify(declaration=declaration, acting_user=auditor)
    with pytest.raises(PermissionDenied):
        services.save_employer(data=employer_data(uscc=make_uscc(500)), acting_user=auditor)


def test_a_township_officer_has_no_access_to_the_levy(
    make_employer: Any, township_officer: Any
) -> None:
    make_employer()

    assert not Employer.objects.visible_to(township_officer).exists()
    with pytest.raises(PermissionDenied):
        services.save_employer(
            data=employer_data(uscc=make_uscc(501), place_code="410825001000"),
            acting_user=township_officer,
        )


# ---------------------------------------------------------------------------------------------
# Disabled veterans (残疾军人证)


def veteran_line(grade: int, **overrides: Any) -> services.EmployeeLine:
    """A veteran who is not on the registry, with a certificate of `grade`."""
    values: dict[str, Any] = {
        "id_number": idcard.build(region_code="410825", birth_date=D(1980, 5, 6), sequence=31),
        "name": "退役示例",
        "certificate_kind": "veteran",
        "veteran_number": "豫a123456",
        "veteran_grade": grade,
    }
    values.update(overrides)
    return line(None, **values)


@pytest.mark.parametrize(("grade", "counts"), [(3, 2), (4, 1), (8, 1), (9, 0)])
def test_a_veteran_counts_by_the_grade_of_the_certificate(
    make_employer: Any, make_declaration: Any, county_clerk: Any, grade: int, counts: int
) -> None:
    declaration = make_declaration(make_employer(), [veteran_line(grade)])

    services.verify(declaration=declaration, acting_user=county_clerk, originals_seen=True)

    employee = declaration.employees.get()
    assert (employee.counts, employee.original_seen) == (counts, True)
    assert employee.veteran_number_masked == "*" * 8
    assert b"123456" not in bytes(employee.veteran_number_cipher)
    assert employee.veteran_number_index == crypto.blind_index(
        "豫A123456", context=VETERAN_NUMBER_CONTEXT
    )
    assert opened(employee, "veteran_number") == "豫A123456"
    assert employee.reason_code == ("" if counts else Ineligibility.VETERAN_GRADE)
    declaration.refresh_from_db()
    assert declaration.counted == {2: 2, 1: 1, 0: 0}[counts]


def test_a_veteran_whose_original_was_not_seen_does_not_count(
    make_employer: Any, make_declaration: Any, county_clerk: Any
) -> None:
    declaration = make_declaration(make_employer(), [veteran_line(5)])

    services.verify(declaration=declaration, acting_user=county_clerk)

    employee = declaration.employees.get()
    assert (employee.counts, employee.reason_code) == (0, Ineligibility.ORIGINAL_NOT_SEEN)
    assert not employee.original_seen


def test_the_original_is_recorded_line_by_line_and_can_be_withdrawn(
    make_employer: Any, make_declaration: Any, county_clerk: Any, city_staff: Any
) -> None:
    declaration = make_declaration(
        make_employer(),
        [
            veteran_line(5),
            veteran_line(
                4,
                id_number=idcard.build(region_code="410825", birth_date=D(1981, 5, 6), sequence=33),
                veteran_number="豫B654321",
            ),
        ],
    )

    services.verify(declaration=declaration, acting_user=county_clerk, originals_seen=[1])

    first, second = declaration.employees.order_by("line")
    assert (first.original_seen, first.counts) == (True, 1)
    assert (first.original_seen_by, first.original_seen_at is not None) == (county_clerk, True)
    assert (second.original_seen, second.counts) == (False, 0)
    assert second.reason_code == Ineligibility.ORIGINAL_NOT_SEEN
    seen_at = first.original_seen_at

    # Verified again, the first original no longer ticked: withdrawn, by whom and when.
    services.verify(declaration=declaration, acting_user=city_staff, originals_seen=[2])

    first, second = declaration.employees.order_by("line")
    assert (first.original_seen, first.counts, first.original_seen_by) == (False, 0, city_staff)
    assert first.original_seen_at is not None and first.original_seen_at >= seen_at
    assert first.reason_code == Ineligibility.ORIGINAL_NOT_SEEN
    assert (second.original_seen, second.counts, second.original_seen_by) == (True, 1, city_staff)
    entry = Entry.objects.filter(action="levy.declaration.verify").order_by("-id").first()
    assert entry is not None
    assert entry.detail["originals_seen"] == [2]
    assert entry.detail["originals_changed"] == [
        {"line": 1, "original_seen": False},
        {"line": 2, "original_seen": True},
    ]


def test_one_veterans_certificate_is_declared_once_in_a_declaration(
    make_employer: Any, make_declaration: Any
) -> None:
    other = idcard.build(region_code="410825", birth_date=D(1981, 5, 6), sequence=33)
    with pytest.raises(ValidationError) as caught:
        make_declaration(
            make_employer(),
            [veteran_line(5), veteran_line(4, id_number=other, veteran_number="豫ａ123456")],
        )

    found = messages(caught.value, "employees")
    assert "Line 2: The same disabled veteran's certificate number as line 1." in found
    assert not Declaration.objects.exists()


@pytest.mark.parametrize(("second_number", "counts"), [("豫A123456", 0), ("豫A123457", 1)])
def test_one_veterans_certificate_counts_once_a_year(
    make_employer: Any,
    make_declaration: Any,
    county_clerk: Any,
    second_number: str,
    counts: int,
) -> None:
    other_person = idcard.build(region_code="410825", birth_date=D(1981, 5, 6), sequence=33)
    first = make_declaration(make_employer(name="先核单位"), [veteran_line(5)])
    second = make_declaration(
        make_employer(),
        [veteran_line(5, id_number=other_person, veteran_number=second_number)],
    )
    earlier_year = make_declaration(make_employer(), [veteran_line(5)], year=YEAR - 1)
    services.verify(declaration=earlier_year, acting_user=county_clerk, originals_seen=True)
    services.verify(declaration=first, acting_user=county_clerk, originals_seen=True)

    services.verify(declaration=second, acting_user=county_clerk, originals_seen=True)

    assert first.employees.get().counts == 1
    employee = second.employees.get()
    assert employee.counts == counts
    if not counts:
        assert employee.reason_code == Ineligibility.VETERAN_COUNTED_ELSEWHERE
        assert "先核单位" in employee.reason


def test_a_veteran_on_the_registry_is_checked_for_death_and_name(
    make_employer: Any, make_declaration: Any, make_person: Any, county_clerk: Any
) -> None:
    dead = make_person(life_status="deceased", life_status_date=D(2025, 6, 1))
    alive = make_person()
    declaration = make_declaration(
        make_employer(),
        [
            veteran_line(2, id_number=opened(dead), name=dead.name),
            veteran_line(2, id_number=opened(alive), name="别的名字", veteran_number="豫A765432"),
        ],
    )

    services.verify(declaration=declaration, acting_user=county_clerk, originals_seen=True)

    first, second = declaration.employees.order_by("line")
    assert (first.counts, first.reason_code) == (0, Ineligibility.DECEASED)
    assert (second.counts, second.reason_code) == (0, Ineligibility.NAME_MISMATCH)


def test_a_veterans_line_with_a_bad_number_or_grade_is_refused_with_every_problem(
    make_employer: Any, make_declaration: Any
) -> None:
    with pytest.raises(ValidationError) as caught:
        make_declaration(
            make_employer(),
            [veteran_line(11, veteran_number="12345")],
        )

    found = " ".join(messages(caught.value, "employees"))
    assert "Line 1:" in found
    assert "12345 is not valid" in found
    assert "from 1 to 10, not 11" in found
    assert not Declaration.objects.exists()


# ---------------------------------------------------------------------------------------------
# Working age, on 31 December of the figures' year (2025)


def born(person_maker: Any, birth: datetime.date, sequence: int) -> Any:
    """A registry person born on `birth`; an odd sequence is a man, an even one a woman."""
    number = idcard.build(region_code="410825", birth_date=birth, sequence=sequence)
    return person_maker(id_number=number, guardian_name="监护示例")  # a minor needs one


@pytest.mark.parametrize(
    ("birth", "sequence", "cadre", "counts", "code"),
    [
        (D(1965, 12, 31), 31, False, 1, ""),  # retires 2026-03-31 (3 months' delay)
        (D(1965, 8, 15), 31, False, 0, Ineligibility.RETIRED),  # retired 2025-10-15
        (D(1973, 6, 1), 32, True, 1, ""),  # a woman cadre: 55 and more from 2028
        (D(1973, 6, 1), 32, False, 0, Ineligibility.RETIRED),  # a woman worker: 50 in 2023
        (D(2009, 12, 31), 31, False, 1, ""),  # 16 on 2025-12-31
        (D(2010, 1, 1), 31, False, 0, Ineligibility.UNDER_AGE),  # 16 on 2026-01-01
    ],
)
def test_only_persons_of_working_age_count(
    make_employer: Any,
    make_declaration: Any,
    make_person: Any,
    county_clerk: Any,
    birth: datetime.date,
    sequence: int,
    cadre: bool,
    counts: int,
    code: str,
) -> None:
    person = born(make_person, birth, sequence)
    declaration = make_declaration(make_employer(), [line(person, female_cadre=cadre)])

    services.verify(declaration=declaration, acting_user=county_clerk)

    employee = declaration.employees.get()
    assert (employee.counts > 0, employee.reason_code) == (counts > 0, code)
    assert employee.birth_date == birth
    # The reason is shown beside the masked ID number: no date of birth in it.
    assert birth.isoformat() not in employee.reason
    assert "Born" not in employee.reason


def test_a_date_of_birth_that_differs_from_the_id_number_is_refused(
    make_employer: Any, make_declaration: Any, make_person: Any
) -> None:
    man = born(make_person, D(1985, 3, 4), 31)

    with pytest.raises(ValidationError) as caught:
        make_declaration(
            make_employer(),
            [line(man, birth_date=D(1985, 3, 5)), line(man, female_cadre=True)],
        )

    found = " ".join(messages(caught.value, "employees"))
    assert "Line 1: The date of birth 1985-03-05 differs from the ID number's, 1985-03-04." in found
    assert "Line 2:" in found and "a man's" in found


# ---------------------------------------------------------------------------------------------
# Established posts (在编人员) and contract months


@pytest.mark.parametrize(
    ("employment", "months", "counts"),
    [
        ("contract", 11, 0),  # one month short of levy.minimum_contract_months
        ("contract", 12, 1),
        ("established", 0, 1),  # no labour contract at all
        ("established", 11, 1),
    ],
)
def test_an_established_post_counts_without_a_labour_contract(
    make_employer: Any,
    make_declaration: Any,
    make_person: Any,
    county_clerk: Any,
    employment: str,
    months: int,
    counts: int,
) -> None:
    person = make_person(grade=3)
    employer = make_employer(kind="institution")
    declaration = make_declaration(
        employer, [line(person, employment=employment, contract_months=months)]
    )

    services.verify(declaration=declaration, acting_user=county_clerk)

    employee = declaration.employees.get()
    assert employee.counts == counts
    assert employee.reason_code == ("" if counts else Ineligibility.SHORT_CONTRACT)
    assert employee.employment == employment


ESTABLISHED_CASES = yaml.safe_load(
    (Path(__file__).parent / "counting_cases.yaml").read_text("utf-8")
)["established_post"]


@pytest.mark.parametrize("case", ESTABLISHED_CASES, ids=[c["name"] for c in ESTABLISHED_CASES])
def test_only_a_government_body_or_institution_declares_an_established_post(
    make_employer: Any,
    make_declaration: Any,
    make_person: Any,
    county_clerk: Any,
    case: dict[str, Any],
) -> None:
    employer = make_employer(kind=case["kind"])
    employees = [line(make_person(grade=3), employment="established", contract_months=0)]

    if not case["allowed"]:
        with pytest.raises(ValidationError) as caught:
            make_declaration(employer, employees)
        found = " ".join(messages(caught.value, "employees"))
        assert "Line 1: An established post" in found
        assert not Declaration.objects.exists()
        return
    declaration = make_declaration(employer, employees)
    services.verify(declaration=declaration, acting_user=county_clerk)
    assert declaration.employees.get().counts == 1


def test_a_stored_established_post_of_an_enterprise_needs_a_contract(
    make_employer: Any, make_declaration: Any, make_person: Any, county_clerk: Any
) -> None:
    """A row stored before the line rule, or an employer whose kind changed since: the
    verification checks the employer's kind again."""
    employer = make_employer(kind="institution")
    declaration = make_declaration(
        employer, [line(make_person(grade=3), employment="established", contract_months=0)]
    )
    Employer.objects.filter(pk=employer.pk).update(kind="enterprise")

    services.verify(declaration=declaration, acting_user=county_clerk)

    employee = declaration.employees.get()
    assert (employee.counts, employee.reason_code) == (0, Ineligibility.SHORT_CONTRACT)
    assert "government body or a public institution" in employee.reason


def test_an_unknown_kind_of_employment_is_refused(
    make_employer: Any, make_declaration: Any, make_person: Any
) -> None:
    with pytest.raises(ValidationError) as caught:
        make_declaration(make_employer(), [line(make_person(), employment="temporary")])

    assert "Line 1: Unknown kind of employment." in messages(caught.value, "employees")


# ---------------------------------------------------------------------------------------------
# Dispatched workers (劳务派遣): one unit counts them, as the two agree


def dispatched(person: Any, partner: Employer, *, here: bool, **overrides: Any) -> Any:
    return line(
        person,
        employment="dispatched",
        dispatch_partner_uscc=partner.uscc.lower(),  # stored normalised
        dispatch_counts_here=here,
        **overrides,
    )


@pytest.mark.parametrize(
    ("agency_here", "user_here", "agency", "user"),
    [
        # agreements that match: exactly one counts
        (False, True, (0, Ineligibility.DISPATCH_OTHER_UNIT), (1, "")),
        (True, False, (1, ""), (0, Ineligibility.DISPATCH_OTHER_UNIT)),
        # agreements that do not: neither counts, both are told
        (True, True, (0, Ineligibility.DISPATCH_MISMATCH), (0, Ineligibility.DISPATCH_MISMATCH)),
        (
            False,
            False,
            (0, Ineligibility.DISPATCH_OTHER_UNIT),
            (0, Ineligibility.DISPATCH_OTHER_UNIT),
        ),
    ],
)
def test_a_dispatched_worker_counts_for_the_unit_the_two_agree(
    make_employer: Any,
    make_declaration: Any,
    make_person: Any,
    county_clerk: Any,
    agency_here: bool,
    user_here: bool,
    agency: tuple[int, str],
    user: tuple[int, str],
) -> None:
    person = make_person(grade=3)
    agency_unit, user_unit = make_employer(), make_employer()
    first = make_declaration(agency_unit, [dispatched(person, user_unit, here=agency_here)])
    second = make_declaration(user_unit, [dispatched(person, agency_unit, here=user_here)])

    services.verify(declaration=first, acting_user=county_clerk)
    services.verify(declaration=second, acting_user=county_clerk)

    one, other = first.employees.get(), second.employees.get()
    assert (one.counts, one.reason_code) == agency
    assert (other.counts, other.reason_code) == user
    assert one.dispatch_partner_uscc == user_unit.uscc
    if agency_here == user_here:
        assert "dispatch" in one.reason or "agreement" in one.reason


def test_a_dispatch_line_is_reported_when_the_other_unit_declares_a_contract(
    make_employer: Any, make_declaration: Any, make_person: Any, county_clerk: Any
) -> None:
    person = make_person(grade=3)
    agency_unit, user_unit = make_employer(), make_employer(name="用工示例厂")
    own = make_declaration(agency_unit, [line(person)])  # counts them as its own employee
    theirs = make_declaration(user_unit, [dispatched(person, agency_unit, here=True)])
    services.verify(declaration=own, acting_user=county_clerk)

    services.verify(declaration=theirs, acting_user=county_clerk)

    assert own.employees.get().counts == 1
    employee = theirs.employees.get()
    assert (employee.counts, employee.reason_code) == (0, Ineligibility.DISPATCH_MISMATCH)
    assert agency_unit.name in employee.reason
    assert "Already counted by" in employee.reason  # and never twice


def test_a_dispatch_line_without_its_agreement_or_with_itself_is_refused(
    make_employer: Any, make_declaration: Any, make_person: Any
) -> None:
    employer = make_employer()
    person = make_person()
    with pytest.raises(ValidationError) as caught:
        make_declaration(
            employer,
            [
                line(person, employment="dispatched"),
                dispatched(make_person(), employer, here=True),
                line(make_person(), dispatch_counts_here=True),
            ],
        )

    found = messages(caught.value, "employees")
    assert (
        "Line 1: Enter the unified social credit code of the other unit of the dispatch." in found
    )
    assert "Line 1: Say which unit counts the dispatched worker under the agreement." in found
    assert "Line 2: The other unit of the dispatch is this employer itself." in found
    assert "Line 3: A dispatch agreement is given for a worker who is not dispatched." in found


@pytest.mark.parametrize(("registered", "counts"), [(True, 1), (False, 0)])
def test_the_other_unit_of_a_dispatch_must_be_a_registered_employer(
    make_employer: Any,
    make_declaration: Any,
    make_person: Any,
    county_clerk: Any,
    registered: bool,
    counts: int,
) -> None:
    partner_code = make_uscc(901)
    if registered:
        make_employer(uscc=partner_code)  # registered, and declares nothing
    declaration = make_declaration(
        make_employer(),
        [
            line(
                make_person(grade=3), employment="dispatched",
                dispatch_partner_uscc=partner_code, dispatch_counts_here=True,
            )
        ],
    )  # fmt: skip

    services.verify(declaration=declaration, acting_user=county_clerk)

    employee = declaration.employees.get()
    assert employee.counts == counts
    if not registered:
        assert employee.reason_code == Ineligibility.DISPATCH_UNKNOWN
        assert partner_code in employee.reason


@pytest.mark.parametrize(("third_declares", "counts"), [(False, 1), (True, 0)])
def test_a_dispatch_line_is_checked_against_every_unit_declaring_the_worker(
    make_employer: Any,
    make_declaration: Any,
    make_person: Any,
    county_clerk: Any,
    third_declares: bool,
    counts: int,
) -> None:
    """The worker declared by a unit the agreement does not name (not yet verified, so not
    counted there): the line naming another partner does not count."""
    person = make_person(grade=3)
    named = make_employer(name="被指派遣单位")
    if third_declares:
        make_declaration(make_employer(name="第三单位"), [line(person)])
    ours = make_declaration(make_employer(), [dispatched(person, named, here=True)])

    services.verify(declaration=ours, acting_user=county_clerk)

    employee = ours.employees.get()
    assert employee.counts == counts
    if third_declares:
        assert employee.reason_code == Ineligibility.DISPATCH_MISMATCH
        assert "第三单位" in employee.reason


# ---------------------------------------------------------------------------------------------
# Another county's persons and units: the registry's facts and names are not told


def test_a_clerk_learns_nothing_of_another_countys_persons_from_declared_numbers(
    make_employer: Any, make_declaration: Any, make_person: Any, county_clerk: Any
) -> None:
    """A 温县 clerk typing 孟州 numbers gets one neutral reason, whether the number is on the
    registry (with another name) or not; their own county's numbers keep the reasons."""
    meng = make_person(place_code="410883001001", grade=4)
    meng_short = make_person(place_code="410883001001", grade=4)
    made_up = idcard.build(region_code="410883", birth_date=D(1985, 2, 3), sequence=77)
    own_unregistered = idcard.build(region_code="410825", birth_date=D(1985, 2, 3), sequence=78)
    declaration = make_declaration(
        make_employer(),
        [
            line(meng, name="张冒名"),
            line(None, id_number=made_up, name="未登记"),
            line(None, id_number=own_unregistered, name="未登记"),
            line(meng_short, contract_months=11),
        ],
    )

    services.verify(declaration=declaration, acting_user=county_clerk)

    wrong_name, unknown, own, short = declaration.employees.order_by("line")
    for employee in (wrong_name, unknown):
        assert (employee.counts, employee.reason_code) == (0, Ineligibility.OUTSIDE_JURISDICTION)
        assert employee.reason == (
            "Not registered in your jurisdiction: check with the city federation."
        )
    assert own.reason_code == Ineligibility.NOT_REGISTERED
    assert (short.counts, short.reason_code) == (0, Ineligibility.SHORT_CONTRACT)


def test_a_unit_of_another_county_that_counts_the_person_is_not_named(
    make_employer: Any,
    make_declaration: Any,
    make_person: Any,
    county_clerk: Any,
    other_county_clerk: Any,
) -> None:
    person = make_person(grade=3)
    meng = make_employer(
        name="孟州先核单位",
        uscc=make_uscc(7, region="410883"),
        place_code=OTHER_COUNTY,
        acting_user=other_county_clerk,
    )
    first = make_declaration(meng, [line(person)], acting_user=other_county_clerk)
    services.verify(declaration=first, acting_user=other_county_clerk)
    second = make_declaration(make_employer(), [line(person)])

    services.verify(declaration=second, acting_user=county_clerk)

    employee = second.employees.get()
    assert (employee.counts, employee.reason_code) == (0, Ineligibility.COUNTED_ELSEWHERE)
    assert employee.reason == (
        "Already declared by a unit outside your jurisdiction: check with the city federation."
    )
    assert meng.uscc not in employee.reason


def test_a_veteran_counted_by_a_unit_of_another_county_does_not_name_it(
    make_employer: Any, make_declaration: Any, county_clerk: Any, other_county_clerk: Any
) -> None:
    meng = make_employer(
        name="孟州先核单位",
        uscc=make_uscc(8, region="410883"),
        place_code=OTHER_COUNTY,
        acting_user=other_county_clerk,
    )
    first = make_declaration(meng, [veteran_line(5)], acting_user=other_county_clerk)
    services.verify(declaration=first, acting_user=other_county_clerk, originals_seen=True)
    someone = idcard.build(region_code="410825", birth_date=D(1981, 5, 6), sequence=33)
    second = make_declaration(make_employer(), [veteran_line(5, id_number=someone)])

    services.verify(declaration=second, acting_user=county_clerk, originals_seen=True)

    employee = second.employees.get()
    assert employee.reason_code == Ineligibility.VETERAN_COUNTED_ELSEWHERE
    assert "孟州先核单位" not in employee.reason
    assert meng.uscc not in employee.reason
