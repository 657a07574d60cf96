"""Jurisdiction scoping holds on every read path: pages, counts, search, exports."""

from __future__ import annotations

import pytest

from canlian.audit.models import Entry
from canlian.conftest import client_for, opened
from canlian.people.models import Person
from canlian.people.selectors import PersonFilters, search_persons

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_counties(make_person):
    wen = make_person(name="温县人", place_code="410825001001")
    meng = make_person(name="孟州人", place_code="410883001001")
    return wen, meng


def test_visible_to_limits_a_county_clerk_to_their_county(two_counties, county_clerk):
    wen, _meng = two_counties
    assert list(Person.objects.visible_to(county_clerk)) == [wen]


def test_a_city_wide_role_sees_every_county(two_counties, city_staff, auditor):
    assert Person.objects.visible_to(city_staff).count() == 2
    assert Person.objects.visible_to(auditor).count() == 2


def test_roles_without_the_registry_permission_see_nobody(
    two_counties, security_admin, audit_admin, system_admin
):
    for user in (security_admin, audit_admin, system_admin):
        assert Person.objects.visible_to(user).count() == 0


def test_an_account_with_no_place_or_no_role_sees_nobody(two_counties, county_clerk):
    county_clerk.place = None
    assert Person.objects.visible_to(county_clerk).count() == 0
    county_clerk.refresh_from_db()
    county_clerk.role = ""
    assert Person.objects.visible_to(county_clerk).count() == 0


def test_an_inactive_account_sees_nobody(two_counties, county_clerk):
    county_clerk.is_active = False
    assert Person.objects.visible_to(county_clerk).count() == 0


def test_a_township_officer_sees_only_their_township(make_person, township_officer):
    inside = make_person(place_code="410825001001")
    make_person(place_code="410825002000")
    assert list(Person.objects.visible_to(township_officer)) == [inside]


@pytest.mark.parametrize("suffix", ["", "edit/", "history/", "status/new/"])
def test_another_countys_person_is_a_404_on_every_page(two_counties, county_clerk, suffix):
    _wen, meng = two_counties
    response = client_for(county_clerk).get(f"/people/{meng.pk}/{suffix}")
    assert response.status_code == 404


def test_reveal_of_another_countys_person_is_a_404_and_logs_nothing(two_counties, county_clerk):
    _wen, meng = two_counties
    before = Entry.objects.filter(action="person.reveal").count()
    response = client_for(county_clerk).post(f"/people/{meng.pk}/reveal/")
    assert response.status_code == 404
    assert Entry.objects.filter(action="person.reveal").count() == before


def test_list_count_and_search_exclude_other_counties(two_counties, county_clerk):
    client = client_for(county_clerk)
    page = client.get("/people/").content.decode()
    assert "温县人" in page and "孟州人" not in page
    assert client.get("/people/").context["page"].paginator.count == 1
    searched = client.get("/people/", {"q": "孟州"})
    assert searched.context["page"].paginator.count == 0
    _wen, meng = two_counties
    by_id = client.get("/people/", {"q": opened(meng)})
    assert by_id.context["page"].paginator.count == 0


def test_export_contains_only_the_users_county(two_counties, county_clerk):
    response = client_for(county_clerk).get("/people/export.csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "温县人" in body and "孟州人" not in body


def test_a_filter_cannot_widen_the_scope(two_counties, county_clerk):
    found = search_persons(county_clerk, PersonFilters(place="410883"))
    assert found.count() == 0


def test_an_invalid_filter_refuses_the_export_instead_of_widening_it(two_counties, city_staff):
    client = client_for(city_staff)
    response = client.get("/people/export.csv", {"category": "4", "grade": "9"})
    assert response.status_code == 400
    assert not Entry.objects.filter(action__startswith="person.export").exists()


def test_an_invalid_filter_keeps_the_valid_ones(make_person, county_clerk):
    physical = make_person(category=4)
    make_person(category=1)
    response = client_for(county_clerk).get("/people/", {"category": "4", "grade": "9"})
    assert response.context["form"].errors
    assert list(response.context["page"].object_list) == [physical]


# --- No probing across jurisdictions -------------------------------------------------------------


def _refusal_on_create(client, number):
    from canlian.conftest import person_data

    data = person_data(id_number=number, place_code="410825001001")
    form = {
        "id_number": data.id_number, "name": data.name, "ethnicity": "01",
        "place_code": data.place_code, "category": 4, "grade": 2,
        "certificate_issued_on": "2019-03-01", "life_status": "active",
    }  # fmt: skip
    response = client.post("/people/new/", form)
    assert response.status_code == 200
    return response.content.decode()


OUTSIDE = "此处不能办理"


def test_an_id_number_registered_outside_the_officers_jurisdiction_is_refused_without_saying_where(
    make_person, township_officer
):
    meng = make_person(name="孟州人", place_code="410883001001")  # another county
    other_township = make_person(name="二镇人", place_code="410825002000")  # same county
    client = client_for(township_officer)
    for person in (meng, other_township):
        html = _refusal_on_create(client, opened(person))
        assert OUTSIDE in html
        assert "已登记在册" not in html
        for clue in (person.name, "孟州", "测试二镇", person.place_id):
            assert clue not in html
    assert Person.objects.count() == 2


def test_an_id_number_in_the_officers_own_jurisdiction_is_named_as_already_registered(
    make_person, township_officer
):
    own = make_person(name="本镇人", place_code="410825001001")
    html = _refusal_on_create(client_for(township_officer), opened(own))
    assert OUTSIDE not in html and "已登记在册" in html


def test_an_import_row_of_a_person_registered_elsewhere_gets_the_same_refusal(
    tmp_path, make_person, township_officer
):
    from canlian.people.exchange.importing import import_persons
    from canlian.people.tests.exchange.helpers import row, write_csv

    meng = make_person(name="孟州人", place_code="410883001001")
    path = write_csv(tmp_path / "f.csv", [row(1, 公民身份号码=opened(meng))])
    outcome = import_persons(path, filename="f.csv", acting_user=township_officer, dry_run=True)
    reasons = [p.reason for p in outcome.problems]
    assert any(OUTSIDE in r for r in reasons)
    assert not any("孟州" in r or "已登记在册" in r for r in reasons)
