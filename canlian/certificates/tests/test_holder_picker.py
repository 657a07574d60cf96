"""A holder's renewal, change, replacement or transfer starts from the person picker when the
page is opened for a kind without a person: the worklist links to each kind, the search finds
holders of the user's jurisdiction only, and the form opens for the person chosen. A person
outside the jurisdiction sent by hand is refused with the reason, and nothing is written."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from canlian.certificates.models import Application
from canlian.conftest import client_for

pytestmark = pytest.mark.django_db

NEW = "/certificates/applications/new/"
RENEWAL = {
    "applied_by": "self",
    "documents": ["id_card", "photos", "old_certificate"],
    "received_on": "2025-12-15",
}


def english(user: Any) -> Client:
    client = client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def radios(page: str) -> set[str]:
    return set(re.findall(r'type="radio" value="(\d+)"', page))


def test_the_worklist_links_each_holder_application_to_its_search(county_clerk: Any) -> None:
    assert reverse("certificates:application_create") == NEW
    page = english(county_clerk).get(reverse("certificates:worklist")).content.decode()
    for kind in ("renewal", "change", "replacement", "transfer"):
        assert f'href="{NEW}?kind={kind}"' in page


def test_a_renewal_finds_the_holder_and_opens_their_form(
    make_person: Any, county_clerk: Any
) -> None:
    holder = make_person(name="孙持证", certificate_issued_on=datetime.date(2016, 3, 1))
    make_person(name="孙持证", place_code="410883001001")  # 孟州市: never offered
    client = english(county_clerk)
    page = client.get(NEW, {"kind": "renewal"}).content.decode()
    assert 'name="who"' in page and "Find the certificate holder" in page
    assert 'name="applied_by"' not in page
    page = client.get(NEW, {"kind": "renewal", "who": "孙持"}).content.decode()
    assert radios(page) == {str(holder.pk)}
    assert 'name="kind" value="renewal"' in page  # the kind goes with the search and choice
    form = client.get(
        NEW, {"kind": "renewal", "who": "孙持", "picked": "1", "person": holder.pk}
    ).content.decode()
    assert 'name="applied_by"' in form and "孙持证" in form
    response = client.post(f"{NEW}?kind=renewal&person={holder.pk}", RENEWAL)
    assert response.status_code == 302
    assert Application.objects.get().person_id == holder.pk


def test_a_holder_outside_the_jurisdiction_sent_directly_is_refused_and_nothing_written(
    make_person: Any, county_clerk: Any
) -> None:
    there = make_person(name="孙外县", place_code="410883001001")
    response = english(county_clerk).post(f"{NEW}?kind=renewal&person={there.pk}", RENEWAL)
    page = response.content.decode()
    assert response.status_code == 404
    assert "The person chosen is not among those you may choose here" in page
    assert "孙外县" not in page and 'name="applied_by"' not in page
    assert not Application.objects.exists()
