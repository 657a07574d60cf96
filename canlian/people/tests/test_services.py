"""Registry writes: every rule refuses bad input with its reason and writes nothing."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from canlian.audit.models import Entry
from canlian.conftest import opened, person_data
from canlian.lib import idcard
from canlian.people import services
from canlian.people.models import Person, StatusKind

pytestmark = pytest.mark.django_db


def refused(data: services.PersonData, user: object) -> dict[str, list[str]]:
    """Try to create; return the errors and assert nothing was written."""
    persons, entries = Person.objects.count(), Entry.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.create_person(data=data, acting_user=user)
    assert Person.objects.count() == persons
    assert Entry.objects.count() == entries
    return caught.value.message_dict


def test_valid_person_is_created_with_fields_derived_from_the_id(county_clerk):
    person = services.create_person(data=person_data(name="  王建国 "), acting_user=county_clerk)
    assert person.name == "王建国"
    assert person.sex == "M"  # sequence 123 is odd
    assert person.birth_date == datetime.date(1970, 5, 17)
    assert person.name_initials == "wjg"
    assert person.certificate_expires_on == datetime.date(2029, 3, 1)
    assert person.id_number_masked == "*" * 18


def test_lower_case_x_and_full_width_digits_are_normalised_before_storing(county_clerk):
    number = idcard.build(region_code="410825", birth_date=datetime.date(1980, 1, 1), sequence=5)
    messy = " " + number.translate(str.maketrans("0123456789X", "０１２３４５６７８９x")) + "　"
    person = services.create_person(data=person_data(id_number=messy), acting_user=county_clerk)
    assert opened(person) == number


def test_fifteen_digit_number_is_upgraded(county_clerk):
    full = idcard.build(region_code="410825", birth_date=datetime.date(1965, 8, 9), sequence=42)
    old = full[:6] + full[8:17]
    person = services.create_person(data=person_data(id_number=old), acting_user=county_clerk)
    assert opened(person) == full


def test_wrong_check_digit_is_refused(county_clerk):
    number = person_data().id_number
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    assert "id_number" in refused(person_data(id_number=wrong), county_clerk)


def test_excel_scientific_notation_is_refused_with_an_explanation(county_clerk):
    errors = refused(person_data(id_number="4.10825E+17"), county_clerk)
    assert any("Excel" in message for message in errors["id_number"])


def test_sex_contradicting_the_id_is_refused(county_clerk):
    assert "sex" in refused(person_data(sex="F"), county_clerk)


def test_birth_date_contradicting_the_id_is_refused(county_clerk):
    errors = refused(person_data(birth_date=datetime.date(1970, 5, 18)), county_clerk)
    assert "birth_date" in errors


def test_certificate_number_must_be_id_plus_category_plus_grade(county_clerk):
    data = person_data()
    good = f"{data.id_number}42"
    assert services.create_person(
        data=person_data(certificate_number=good), acting_user=county_clerk
    )
    other = person_data(
        id_number=idcard.build(
            region_code="410825", birth_date=datetime.date(1971, 1, 1), sequence=9
        )
    )
    other.certificate_number = f"{other.id_number}43"  # grade digit disagrees
    assert "certificate_number" in refused(other, county_clerk)


@pytest.mark.parametrize("category", [5, 6])
def test_intellectual_and_mental_disability_need_a_guardian(county_clerk, category):
    assert "guardian_name" in refused(person_data(category=category), county_clerk)
    person = services.create_person(
        data=person_data(category=category, guardian_name="王母"), acting_user=county_clerk
    )
    assert person.guardian_name == "王母"


def test_a_minor_needs_a_guardian(county_clerk):
    today = timezone.localdate()
    child = idcard.build(
        region_code="410825", birth_date=today.replace(year=today.year - 10), sequence=2
    )
    assert "guardian_name" in refused(
        person_data(id_number=child, certificate_issued_on=today), county_clerk
    )


def test_category_and_grade_out_of_range_are_refused(county_clerk):
    errors = refused(person_data(category=8, grade=5), county_clerk)
    assert set(errors) >= {"category", "grade"}


def test_future_issue_date_is_refused(county_clerk):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert "certificate_issued_on" in refused(
        person_data(certificate_issued_on=tomorrow), county_clerk
    )


def test_the_same_id_number_cannot_be_registered_twice(county_clerk):
    services.create_person(data=person_data(), acting_user=county_clerk)
    assert "id_number" in refused(person_data(name="另一人"), county_clerk)


def test_a_clerk_cannot_register_a_person_in_another_county(county_clerk):
    assert "place_code" in refused(person_data(place_code="410883001001"), county_clerk)


def test_a_county_is_not_a_household_registration_place(county_clerk):
    assert "place_code" in refused(person_data(place_code="410825000000"), county_clerk)


def test_deceased_status_needs_a_date(county_clerk):
    assert "life_status_date" in refused(person_data(life_status="deceased"), county_clerk)


def test_all_problems_are_reported_at_once(county_clerk):
    errors = refused(
        person_data(id_number="123", name="", phone="12", bank_account="12ab"), county_clerk
    )
    assert {"id_number", "name", "phone", "bank_account"} <= set(errors)


def test_rare_characters_outside_the_bmp_survive_storage(county_clerk):
    person = services.create_person(data=person_data(name="王𠈌"), acting_user=county_clerk)
    person.refresh_from_db()
    assert person.name == "王𠈌"
    assert Person.objects.filter(name__startswith="王𠈌").count() == 1


def test_an_auditor_cannot_create_or_change_anything(auditor, county_clerk):
    with pytest.raises(PermissionDenied):
        services.create_person(data=person_data(), acting_user=auditor)
    person = services.create_person(data=person_data(), acting_user=county_clerk)
    with pytest.raises(PermissionDenied):
        services.update_person(person=person, data=person_data(name="改"), acting_user=auditor)


def test_create_writes_an_audit_entry_with_masked_values_only(county_clerk):
    data = person_data(bank_account="6222000011112222333")
    person = services.create_person(data=data, acting_user=county_clerk)
    entry = Entry.objects.get(action="person.create")
    assert entry.actor == county_clerk
    assert entry.target_id == str(person.pk)
    text = str(entry.detail)
    assert data.id_number not in text
    assert "6222000011112222333" not in text
    assert entry.detail["after"]["id_number_masked"] == person.id_number_masked


def test_update_records_each_changed_field_before_and_after(county_clerk):
    person = services.create_person(data=person_data(), acting_user=county_clerk)
    changes = services.update_person(
        person=person, data=person_data(grade=1, address="新地址"), acting_user=county_clerk
    )
    assert changes == {"grade": [2, 1], "address": ["", "新地址"]}
    entry = Entry.objects.get(action="person.update")
    assert entry.detail["changes"] == changes
    person.refresh_from_db()
    assert person.grade == 1


def test_update_with_identical_data_writes_nothing(county_clerk):
    person = services.create_person(data=person_data(), acting_user=county_clerk)
    before = Entry.objects.count()
    assert services.update_person(person=person, data=person_data(), acting_user=county_clerk) == {}
    assert Entry.objects.count() == before


def test_failed_update_changes_nothing(county_clerk):
    person = services.create_person(data=person_data(), acting_user=county_clerk)
    with pytest.raises(ValidationError):
        services.update_person(
            person=person, data=person_data(name="", grade=1), acting_user=county_clerk
        )
    person.refresh_from_db()
    assert (person.name, person.grade) == ("王建国", 2)


def test_overlapping_status_periods_of_the_same_kind_are_refused(county_clerk):
    person = services.create_person(data=person_data(), acting_user=county_clerk)
    services.add_status_period(
        person=person, kind=StatusKind.DIBAO, start=datetime.date(2020, 1, 1), end=None,
        acting_user=county_clerk,
    )  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        services.add_status_period(
            person=person, kind=StatusKind.DIBAO, start=datetime.date(2021, 1, 1), end=None,
            acting_user=county_clerk,
        )  # fmt: skip
    assert "start" in caught.value.message_dict
    assert person.status_periods.count() == 1


def test_status_filter_finds_only_current_holders(county_clerk, make_person):
    holder = make_person()
    former = make_person()
    services.add_status_period(
        person=holder, kind=StatusKind.REGISTERED_POOR, start=datetime.date(2016, 1, 1),
        end=None, acting_user=county_clerk,
    )  # fmt: skip
    services.add_status_period(
        person=former, kind=StatusKind.REGISTERED_POOR, start=datetime.date(2016, 1, 1),
        end=datetime.date(2020, 12, 31), acting_user=county_clerk,
    )  # fmt: skip
    found = Person.objects.with_status(StatusKind.REGISTERED_POOR, timezone.localdate())
    assert list(found) == [holder]
