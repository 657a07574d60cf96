"""Designated assessment institutions: who may designate them, for which areas and categories,
and who sees them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from canlian.audit.models import Entry
from canlian.certificates import institutions
from canlian.certificates.models import Institution
from canlian.conftest import client_for
from canlian.places.models import Place

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Services answer in English here, so the tests read the messages as written."""
    with translation.override("en"):
        yield


def place(code: str) -> Place:
    return Place.objects.get(code=code)


def designate(admin: Any, **overrides: Any) -> Institution:
    values: dict[str, Any] = {
        "name": "焦作市第一人民医院（示例）",
        "place": place("410800000000"),
        "categories": [1, 2, 3, 4, 5, 6, 7],
        "home_visits": True,
        "address": "示例路1号",
        "active": True,
    }
    values.update(overrides)
    return institutions.save_institution(acting_user=admin, **values)


def messages_of(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


# --- The service -----------------------------------------------------------------------------


def test_the_system_administrator_designates_an_institution_and_it_is_audited(system_admin):
    institution = designate(system_admin, place=place("410825000000"), categories=[4, 2, 4])
    assert institution.categories == [2, 4]
    entry = Entry.objects.get(action="certificate.institution.create")
    assert entry.target_id == str(institution.pk)
    assert entry.region == "410825000000"
    assert entry.detail["changes"]["name"] == [None, "焦作市第一人民医院（示例）"]


def test_an_edit_records_only_what_changed(system_admin):
    institution = designate(system_admin)
    institutions.save_institution(
        institution=institution,
        name=institution.name,
        place=institution.place,
        categories=[1, 2],
        home_visits=True,
        address=institution.address,
        active=False,
        acting_user=system_admin,
    )
    institution.refresh_from_db()
    assert institution.categories == [1, 2] and not institution.active
    entry = Entry.objects.get(action="certificate.institution.update")
    assert set(entry.detail["changes"]) == {"categories", "active"}


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"categories": []}, "categories", "Choose at least one category"),
        ({"categories": [4, 8]}, "categories", "national code from 1 to 7"),
        ({"place": "410825001000"}, "place", "not a township or village"),
        ({"place": "410825001001"}, "place", "not a township or village"),
        ({"place": None}, "place", "Choose the area"),
        ({"place": "410000000000"}, "place", "outside your jurisdiction"),
        ({"name": "  "}, "name", "Enter the name"),
    ],
)
def test_an_institution_is_refused(system_admin, overrides, field, message):
    if isinstance(overrides.get("place"), str):
        overrides["place"] = place(overrides["place"])
    with pytest.raises(ValidationError) as exc:
        designate(system_admin, **overrides)
    assert any(message in m for m in messages_of(exc)[field])
    assert not Institution.objects.exists()


def test_a_name_is_unique_for_its_place_but_not_across_places(system_admin):
    designate(system_admin)
    with pytest.raises(ValidationError) as exc:
        designate(system_admin)
    assert "already designated for" in messages_of(exc)["name"][0]
    other = designate(system_admin, place=place("410825000000"))
    assert other.place_id == "410825000000"


def test_only_the_places_manager_designates(county_clerk, city_staff):
    for user in (county_clerk, city_staff):
        with pytest.raises(PermissionDenied):
            designate(user)


def test_a_county_clerk_sees_the_institutions_serving_their_county_only(
    system_admin, county_clerk, other_county_clerk, auditor
):
    city = designate(system_admin)
    wen = designate(system_admin, name="温县医院（示例）", place=place("410825000000"))
    meng = designate(system_admin, name="孟州医院（示例）", place=place("410883000000"))
    assert set(institutions.institutions_for(county_clerk)) == {city, wen}
    assert set(institutions.institutions_for(other_county_clerk)) == {city, meng}
    assert set(institutions.institutions_for(auditor)) == {city, wen, meng}
    assert set(institutions.institutions_for(system_admin)) == {city, wen, meng}


# --- The pages -------------------------------------------------------------------------------


def test_the_list_shows_a_county_clerk_their_institutions_without_edit_links(
    system_admin, county_clerk
):
    designate(system_admin, name="温县医院（示例）", place=place("410825000000"))
    designate(system_admin, name="孟州医院（示例）", place=place("410883000000"))
    response = client_for(county_clerk).get("/certificates/institutions/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "温县医院（示例）" in html and "孟州医院（示例）" not in html
    assert "/edit/" not in html


def test_roles_without_certificates_or_places_are_refused_the_list(security_admin, audit_admin):
    for user in (security_admin, audit_admin):
        assert client_for(user).get("/certificates/institutions/").status_code == 403


def test_only_the_places_manager_opens_the_forms(system_admin, county_clerk, city_staff):
    institution = designate(system_admin)
    for user in (county_clerk, city_staff):
        client = client_for(user)
        assert client.get("/certificates/institutions/new/").status_code == 403
        assert client.get(f"/certificates/institutions/{institution.pk}/edit/").status_code == 403
    assert client_for(system_admin).get("/certificates/institutions/new/").status_code == 200


def test_the_form_creates_an_institution(system_admin):
    response = client_for(system_admin).post(
        "/certificates/institutions/new/",
        {
            "name": "温县康复中心（示例）",
            "place": "410825000000",
            "categories": ["5", "6"],
            "home_visits": "on",
            "address": "",
            "active": "on",
        },
    )
    assert response.status_code == 302
    institution = Institution.objects.get(name="温县康复中心（示例）")
    assert institution.categories == [5, 6] and institution.home_visits and institution.active


def test_an_empty_form_links_every_error_to_its_field(system_admin):
    response = client_for(system_admin).post("/certificates/institutions/new/", {})
    html = response.content.decode()
    summary = html[html.index("govuk-error-summary") :]
    for field in ("name", "place", "categories"):
        assert f'href="#id_{field}"' in summary
        assert f'id="id_{field}"' in html


def test_a_service_refusal_shows_on_its_field(system_admin):
    designate(system_admin)
    response = client_for(system_admin).post(
        "/certificates/institutions/new/",
        {"name": "焦作市第一人民医院（示例）", "place": "410800000000", "categories": ["1"]},
    )
    assert response.status_code == 200
    assert 'id="id_name-error"' in response.content.decode()


def test_the_edit_form_saves_changes(system_admin):
    institution = designate(system_admin)
    client = client_for(system_admin)
    assert client.get(f"/certificates/institutions/{institution.pk}/edit/").status_code == 200
    response = client.post(
        f"/certificates/institutions/{institution.pk}/edit/",
        {"name": "改名医院（示例）", "place": "410800000000", "categories": ["1", "2"]},
    )
    assert response.status_code == 302
    institution.refresh_from_db()
    assert institution.name == "改名医院（示例）" and not institution.active
