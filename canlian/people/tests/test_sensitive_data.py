"""Masking by default, logged reveal, and no full ID number anywhere in the database."""

from __future__ import annotations

import pytest
from django.db import connection

from canlian.audit.models import Entry
from canlian.conftest import certificate_number_of, client_for, opened
from canlian.people import services
from canlian.people.models import Person

pytestmark = pytest.mark.django_db

ACCOUNT = "6222020200112233445"


@pytest.fixture
def person(make_person):
    return make_person(bank_account=ACCOUNT, bank_name="农业银行")


def test_detail_page_shows_masked_values_only(person, county_clerk):
    html = client_for(county_clerk).get(f"/people/{person.pk}/").content.decode()
    assert opened(person) not in html
    assert ACCOUNT not in html
    assert person.id_number_masked in html
    assert person.bank_account_masked in html


def test_list_page_shows_masked_values_only(person, county_clerk):
    html = client_for(county_clerk).get("/people/").content.decode()
    assert opened(person) not in html and person.id_number_masked in html


def test_reveal_shows_full_values_and_writes_an_access_record(person, county_clerk):
    response = client_for(county_clerk).post(f"/people/{person.pk}/reveal/")
    html = response.content.decode()
    assert opened(person) in html and ACCOUNT in html
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
    assert opened(person) not in body and person.id_number_masked in body
    entry = Entry.objects.get(action="person.export")
    assert entry.detail["rows"] == 1
    assert entry.detail["filters"]["category"] == 4


def test_full_export_needs_the_export_reveal_permission(person, county_clerk, city_staff):
    assert client_for(county_clerk).get("/people/export.csv", {"full": "1"}).status_code == 403
    response = client_for(city_staff).get("/people/export.csv", {"full": "1"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert opened(person) in body and ACCOUNT in body
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
    services.reveal(person=persons[0], what="identity", acting_user=county_clerk)
    services.reveal(person=persons[0], what="contact", acting_user=county_clerk)
    dump = _all_database_text()
    for person in persons:
        assert opened(person) not in dump
        assert opened(person)[:17] not in dump
        assert opened(person, "bank_account") not in dump


def test_blind_index_finds_a_person_by_exact_id(person, county_clerk):
    response = client_for(county_clerk).get("/people/", {"q": opened(person).lower()})
    assert list(response.context["page"].object_list) == [person]


def test_search_by_certificate_number_finds_the_person(person, county_clerk):
    response = client_for(county_clerk).get("/people/", {"q": certificate_number_of(person)})
    assert list(response.context["page"].object_list) == [person]


def test_search_by_pinyin_initials(make_person, county_clerk):
    zhang = make_person(name="张三丰")
    make_person(name="李四")
    response = client_for(county_clerk).get("/people/", {"q": "ZS"})
    assert list(response.context["page"].object_list) == [zhang]


# --- Editing without revealing (docs/decisions/0013) ----------------------------------------


def _edit_form(client, person):
    from canlian.people.forms import edit_initial

    values = {
        k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in edit_initial(person).items()
    }
    return {k: "" if v is None else v for k, v in values.items()}


def test_the_edit_form_shows_masks_not_the_values_the_reveal_permission_guards(
    make_person, township_officer
):
    person = make_person(
        bank_account=ACCOUNT, bank_name="农业银行", phone="13812345678",
        place_code="410825001001", guardian_name="王父", guardian_phone="13987654321",
    )  # fmt: skip
    html = client_for(township_officer).get(f"/people/{person.pk}/edit/").content.decode()
    for value in (opened(person), ACCOUNT, "13812345678", "13987654321"):
        assert value not in html
    assert person.id_number_masked in html and person.bank_account_masked in html
    assert "138****5678" in html
    # Opening the form reveals nothing, so it is no reveal in the log either.
    assert not Entry.objects.filter(kind=Entry.Kind.ACCESS, action__contains="edit").exists()


def test_masks_sent_back_untouched_keep_the_stored_values(make_person, township_officer):
    person = make_person(bank_account=ACCOUNT, bank_name="农业银行", phone="13812345678")
    form = _edit_form(client_for(township_officer), person)
    form["address"] = "新地址1号"
    response = client_for(township_officer).post(f"/people/{person.pk}/edit/", form)
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.address == "新地址1号"
    assert opened(person, "bank_account") == ACCOUNT
    assert opened(person, "phone") == "13812345678"
    changes = Entry.objects.filter(action="person.update").get().detail["changes"]
    assert set(changes) == {"address"}


def test_a_whole_new_number_typed_on_the_edit_form_replaces_the_stored_one(
    make_person, township_officer
):
    person = make_person(bank_account=ACCOUNT, bank_name="农业银行", phone="13812345678")
    form = _edit_form(client_for(township_officer), person)
    form["bank_account"] = "6222020200112230000"
    form["phone"] = "13912345678"  # same last four digits: the mask reads almost the same
    client_for(township_officer).post(f"/people/{person.pk}/edit/", form)
    person.refresh_from_db()
    assert opened(person, "bank_account") == "6222020200112230000"
    assert opened(person, "phone") == "13912345678"
    changes = Entry.objects.filter(action="person.update").get().detail["changes"]
    assert changes["bank_account_masked"] == ["***************3445", "***************0000"]
    assert changes["phone_masked"] == ["138****5678", "139****5678"]


def test_a_changed_mask_is_refused_with_a_reason_and_nothing_is_saved(
    make_person, township_officer
):
    person = make_person(bank_account=ACCOUNT, bank_name="农业银行")
    form = _edit_form(client_for(township_officer), person)
    form["bank_account"] = "***************3446"
    form["id_number"] = "*" * 16 + "99"
    response = client_for(township_officer).post(f"/people/{person.pk}/edit/", form)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("请输入完整号码") == 2 * 2  # each in the summary and at its field
    person.refresh_from_db()
    assert opened(person, "bank_account") == ACCOUNT
    assert not Entry.objects.filter(action="person.update").exists()


def test_a_new_id_number_typed_on_the_edit_form_is_checked_and_replaces_the_old(
    make_person, county_clerk
):
    from canlian.lib import idcard

    person = make_person()
    new = idcard.build(region_code="410825", birth_date=person.birth_date, sequence=777)
    form = _edit_form(client_for(county_clerk), person)
    form["id_number"] = new
    client_for(county_clerk).post(f"/people/{person.pk}/edit/", form)
    person.refresh_from_db()
    assert opened(person) == new and person.id_number_masked == "*" * 18


# --- Revealing phone numbers ----------------------------------------------------------------


def test_the_township_officer_reveals_phone_numbers_but_not_the_id_number(
    make_person, township_officer
):
    person = make_person(phone="13812345678", place_code="410825001001")
    client = client_for(township_officer)
    html = client.post(f"/people/{person.pk}/reveal/", {"what": "contact"}).content.decode()
    assert "13812345678" in html and opened(person) not in html
    entry = Entry.objects.get(action="person.reveal")
    assert entry.detail["fields"] == ["phone", "guardian_phone"]
    assert client.post(f"/people/{person.pk}/reveal/", {"what": "identity"}).status_code == 403
    assert Entry.objects.filter(action="person.reveal").count() == 1


# --- No full number can be rebuilt from a masked export -----------------------------------------


def test_no_id_number_of_a_thousand_demo_persons_can_be_rebuilt_from_a_masked_export():
    import csv
    import datetime
    import io

    from canlian.accounts import services as accounts
    from canlian.accounts.roles import Role
    from canlian.demo import build as demo
    from canlian.lib.tests.test_masks import candidates
    from canlian.people.models import Person
    from canlian.places.models import Place

    demo.build_demo(persons=1000, seed=5, today=datetime.date(2026, 6, 15))
    clerk = accounts.create_account(
        username="exporter", password="x", role=Role.CITY_STAFF,
        place=Place.objects.get(code="410800000000"), acting_user=None, check_password=False,
    )  # fmt: skip
    response = client_for(clerk).get("/people/export.csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == 1000
    truth = {p.id_number_masked + p.name + p.birth_date.isoformat(): opened(p) for p in
             Person.objects.all()}  # fmt: skip
    determined = 0
    for row in rows:
        number = truth[row["公民身份号码"] + row["姓名"] + row["出生日期"]]
        # The attacker is given the true region code (the household place gives it for most)
        # and even the sequence's hundreds digit (sequences given out in small blocks).
        birth = datetime.date.fromisoformat(row["出生日期"])
        sex = "M" if row["性别"] == "男" else "F"
        block = int(number[14])
        found = candidates(number[:6], birth, sex, row["公民身份号码"], hundreds=block)
        assert number in found
        determined += len(found) == 1
        assert len(found) >= 50
        assert row["残疾人证号"][:18] == row["公民身份号码"]
        for column, hidden in (("银行账号", 8), ("联系电话", 4), ("监护人电话", 4)):
            assert row[column].count("*") >= hidden or not row[column]
    assert determined == 0


def test_a_certificate_number_cannot_be_tried_against_the_one_on_record(
    make_person, township_officer
):
    """The edit form offers no field that compares a typed number with the person's: a
    certificate number sent with a kept ID number is ignored, right or wrong, and the page
    answers the same."""
    person = make_person()
    client = client_for(township_officer)
    form = _edit_form(client, person)
    right = f"{opened(person)}{person.category}{person.grade}"
    wrong = f"{opened(person)[:-1]}{'0' if opened(person)[-1] != '0' else '1'}{right[-2:]}"
    answers = set()
    for typed in (right, wrong):
        response = client.post(f"/people/{person.pk}/edit/", {**form, "certificate_number": typed})
        answers.add((response.status_code, response.get("Location")))
    assert answers == {(302, f"/people/{person.pk}/")}
    page = client.get(f"/people/{person.pk}/edit/").content.decode()
    assert 'name="certificate_number"' in page and "disabled" in page


# --- What was recorded before the masks changed ------------------------------------------------


def test_entries_recorded_before_the_masks_changed_are_shown_with_todays(
    make_person, township_officer, audit_admin
):
    """An upgraded registry's history and audit log hold the earlier masks (first four and
    last four characters) and plain phone numbers: they are shown masked as today."""
    from canlian.audit import records as audit

    person = make_person(phone="13812345678")
    number = opened(person)
    old_mask = number[:4] + "*" * 10 + number[-4:]
    audit.record(
        acting_user=None, action="person.update", target=person,
        detail={"changes": {"id_number_masked": [old_mask, old_mask],
                            "phone": ["13912345678", "13812345678"],
                            "bank_account_masked": ["6222***********0123", ""]}},
    )  # fmt: skip
    history = client_for(township_officer).get(f"/people/{person.pk}/history/").content.decode()
    log = client_for(audit_admin).get("/audit/").content.decode()
    for page in (history, log):
        assert old_mask not in page and number[-8:] not in page
        assert "13912345678" not in page and "139****5678" in page
        assert "6222" not in page and "***************0123" in page


def test_the_revealed_certificate_number_carries_the_replacement_suffix(person, county_clerk):
    Person.objects.filter(pk=person.pk).update(card_suffix=2)
    person.refresh_from_db()
    values = services.reveal(person=person, what="identity", acting_user=county_clerk)
    assert values["certificate_number"] == f"{opened(person)}{person.category}{person.grade}B2"
