"""Pages speak Chinese by default, show every error linked to its field, and keep preferences."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from canlian.accounts.models import User
from canlian.conftest import client_for, person_data

pytestmark = pytest.mark.django_db


def test_pages_are_in_simplified_chinese_by_default(county_clerk):
    html = client_for(county_clerk).get("/people/").content.decode()
    assert '<html lang="zh-Hans"' in html
    assert "残疾人" in html


def test_english_is_available_as_the_second_language(county_clerk):
    client = client_for(county_clerk)
    client.post("/i18n/setlang/", {"language": "en", "next": "/people/"})
    html = client.get("/people/").content.decode()
    assert '<html lang="en"' in html and "Registry of disabled persons" in html


def test_an_empty_form_lists_every_error_in_a_summary_linking_to_its_field(county_clerk):
    response = client_for(county_clerk).post("/people/new/", {})
    html = response.content.decode()
    assert response.status_code == 200
    title = re.search(r"<title>(.*?)</title>", html, re.S)
    assert title and title.group(1).startswith("错误：")
    summary = html[html.index("govuk-error-summary") :]
    for field in ("id_number", "name", "place_code", "certificate_issued_on"):
        assert f'href="#id_{field}"' in summary
        assert f'id="id_{field}"' in html
        assert f'aria-describedby="id_{field}-hint id_{field}-error"' in html or (
            f'aria-describedby="id_{field}-error"' in html
        )


def test_a_domain_error_from_the_service_is_shown_on_its_field(county_clerk):
    data = person_data(sex="F")
    post = {
        "id_number": data.id_number, "name": data.name, "sex": "F", "ethnicity": "01",
        "place_code": data.place_code, "category": "4", "grade": "2",
        "certificate_issued_on": "2019-03-01", "life_status": "active",
    }  # fmt: skip
    html = client_for(county_clerk).post("/people/new/", post).content.decode()
    assert 'href="#id_sex"' in html
    assert 'id="id_sex-error"' in html


def test_a_valid_form_creates_the_person_and_redirects_to_the_record(county_clerk):
    data = person_data()
    post = {
        "id_number": data.id_number, "name": "赵六", "ethnicity": "01",
        "place_code": data.place_code, "category": "4", "grade": "2",
        "certificate_issued_on": "2019/03/01", "life_status": "active",
    }  # fmt: skip
    response = client_for(county_clerk).post("/people/new/", post)
    assert response.status_code == 302
    detail = client_for(county_clerk).get(response["Location"]).content.decode()
    assert "赵六" in detail


def test_editing_then_saving_records_the_change_in_the_history(make_person, county_clerk):
    person = make_person()
    client = client_for(county_clerk)
    form = client.get(f"/people/{person.pk}/edit/").context["form"]
    post = {k: ("" if v is None else v) for k, v in form.initial.items()}
    post["birth_date"] = person.birth_date.isoformat()
    post["certificate_issued_on"] = person.certificate_issued_on.isoformat()
    post["certificate_expires_on"] = person.certificate_expires_on.isoformat()
    post["grade"] = "1"
    assert client.post(f"/people/{person.pk}/edit/", post).status_code == 302
    history = client.get(f"/people/{person.pk}/history/").content.decode()
    assert "残疾等级：二级 → 一级" in history


def test_text_size_and_contrast_are_remembered_for_the_account(county_clerk):
    client = client_for(county_clerk)
    client.post("/ui/", {"text": "larger", "next": "/people/"})
    client.post("/ui/", {"contrast": "high", "next": "/people/"})
    assert User.objects.get(pk=county_clerk.pk).ui_preferences == {
        "text": "larger",
        "contrast": "high",
    }
    fresh = client_for(User.objects.get(pk=county_clerk.pk))
    html = fresh.get("/people/").content.decode()
    assert "cl-text-larger" in html and "cl-contrast-high" in html


def test_preferences_refuse_to_redirect_off_site(places):
    response = Client().post("/ui/", {"text": "large", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_a_bad_filter_value_shows_an_error_not_a_crash(county_clerk):
    response = client_for(county_clerk).get("/people/", {"category": "9", "page": "abc"})
    assert response.status_code == 200
    assert response.context["form"].errors
