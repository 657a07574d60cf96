"""Masking by default, logged reveal, and no full ID number anywhere in the database."""

from __future__ import annotations

import pytest
from django.db import connection

from canlian.audit.models import Entry
from canlian.conftest import client_for
from canlian.people import services

pytestmark = pytest.mark.django_db

ACCOUNT = "6222020200112233445"


@pytest.fixture
def person(make_person):
    return make_person(bank_account=ACCOUNT, bank_name="农业银行")


def test_detail_page_shows_masked_values_only(person, county_clerk):
    html = client_for(county_clerk).get(f"/people/{person.pk}/").content.decode()
    assert person.id_number() not in html
    assert ACCOUNT not in html
    assert person.id_number_masked in html
    assert person.bank_account_masked in html


def test_list_page_shows_masked_values_only(person, county_clerk):
    html = client_for(county_clerk).get("/people/").content.decode()
    assert person.id_number() not in html and person.id_number_masked in html


def test_reveal_shows_full_values_and_writes_an_access_record(person, county_clerk):
    response = client_for(county_clerk).post(f"/people/{person.pk}/reveal/")
    html = response.content.decode()
    assert person.id_number() in html and ACCOUNT in html
    entry = Entry.objects.get(action="person.reveal")
    assert entry.kind == Entry.Kind.ACCESS
    assert entry.actor == county_clerk
    assert entry.target_id == str(person.pk)
    assert entry.source == "127.0.0.1"


def test_reveal_without_the_permission_is_refused_and_not_logged(person, township_officer):
    response = client_for(township_officer).post(f"/people/{person.pk}/reveal/")
    assert response.status_code == 403
    assert not Entry.objects.filter(action="person.reveal").exists()


def test_reveal_by_get_is_not_allowed(person, county_clerk):
    assert client_for(county_clerk).get(f"/people/{person.pk}/reveal/").status_code == 405
    assert not Entry.objects.filter(action="person.reveal").exists()


def test_reading_a_record_is_logged(person, county_clerk):
    client_for(county_clerk).get(f"/people/{person.pk}/")
    assert Entry.objects.filter(action="person.view", target_id=str(person.pk)).count() == 1


def test_masked_export_hides_full_values_and_is_logged(person, county_clerk):
    response = client_for(county_clerk).get("/people/export.csv", {"category": "4"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert person.id_number() not in body and person.id_number_masked in body
    entry = Entry.objects.get(action="person.export")
    assert entry.detail["rows"] == 1
    assert entry.detail["filters"]["category"] == 4


def test_full_export_needs_the_export_reveal_permission(person, county_clerk, city_staff):
    assert client_for(county_clerk).get("/people/export.csv", {"full": "1"}).status_code == 403
    response = client_for(city_staff).get("/people/export.csv", {"full": "1"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert person.id_number() in body and ACCOUNT in body
    assert Entry.objects.filter(action="person.export.full", actor=city_staff).count() == 1


def test_export_escapes_cells_that_would_run_as_formulas(make_person, county_clerk):
    make_person(address='=HYPERLINK("http://x")')
    response = client_for(county_clerk).get("/people/export.csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK" in body


def _all_database_text() -> str:
    """Every value of every table, as text, like a dump would contain."""
    chunks: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        chunks.append(bytes(value).decode("latin-1"))
                    else:
                        chunks.append(str(value))
    return "\n".join(chunks)


def test_the_database_holds_no_full_id_number_or_bank_account(make_person, county_clerk):
    persons = [make_person(bank_account=f"62220202001122334{i:02d}") for i in range(5)]
    services.reveal(person=persons[0], acting_user=county_clerk)
    dump = _all_database_text()
    for person in persons:
        assert person.id_number() not in dump
        assert person.id_number()[:17] not in dump
        assert person.bank_account() not in dump


def test_blind_index_finds_a_person_by_exact_id(person, county_clerk):
    response = client_for(county_clerk).get("/people/", {"q": person.id_number().lower()})
    assert list(response.context["page"].object_list) == [person]


def test_search_by_certificate_number_finds_the_person(person, county_clerk):
    response = client_for(county_clerk).get("/people/", {"q": person.certificate_number()})
    assert list(response.context["page"].object_list) == [person]


def test_search_by_pinyin_initials(make_person, county_clerk):
    zhang = make_person(name="张三丰")
    make_person(name="李四")
    response = client_for(county_clerk).get("/people/", {"q": "ZS"})
    assert list(response.context["page"].object_list) == [zhang]
