"""Mobile certification tours: planning one, taking applications on the spot, and the batch
steps that go on past an application they must refuse."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from canlian.audit.models import Entry
from canlian.certificates import grading, institutions, services, tours
from canlian.certificates.models import (
    Application,
    AppliedBy,
    Document,
    Institution,
    Status,
    Tour,
)
from canlian.conftest import client_for
from canlian.lib import idcard
from canlian.places.models import Place

pytestmark = pytest.mark.django_db

D = datetime.date
STARTS, ENDS = D(2026, 3, 2), D(2026, 3, 13)
RECEIVED = D(2026, 3, 3)
BASIC = [Document.ID_CARD, Document.HOUSEHOLD_BOOK, Document.PHOTOS]


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Services answer in English here, so the tests read the messages as written."""
    with translation.override("en"):
        yield


def place(code: str) -> Place:
    return Place.objects.get(code=code)


@pytest.fixture
def hospital(system_admin: Any) -> Institution:
    """Designated for the city; assesses visual, hearing and physical disability only."""
    return institutions.save_institution(
        name="焦作市第二人民医院（示例）",
        place=place("410800000000"),
        categories=[1, 2, 4],
        home_visits=False,
        address="",
        active=True,
        acting_user=system_admin,
    )


def plan(clerk: Any, institution: Institution, **overrides: Any) -> Tour:
    values: dict[str, Any] = {
        "county": place("410825000000"),
        "name": "2026年春季巡回办证（示例）",
        "starts_on": STARTS,
        "ends_on": ENDS,
        "institution": institution,
        "team": "李医生\n张干事",
        "villages": [place("410825001001"), place("410825002000")],
    }
    values.update(overrides)
    return tours.create_tour(acting_user=clerk, **values)


@pytest.fixture
def tour(county_clerk: Any, hospital: Institution) -> Tour:
    return plan(county_clerk, hospital)


def register(tour: Tour, clerk: Any, sequence: int, **overrides: Any) -> Application:
    category = overrides.pop("category", 4)
    documents = overrides.pop("documents", BASIC)
    received_on = overrides.pop("received_on", RECEIVED)
    values: dict[str, Any] = {
        "id_number": idcard.build(
            region_code="410825", birth_date=D(1975, 6, 1), sequence=sequence
        ),
        "name": f"申请人{sequence}",
        "ethnicity": "01",
        "place_code": "410825001001",
    }
    values.update(overrides)
    return tours.register_applicant(
        tour=tour,
        applicant=services.Applicant(**values),
        category=category,
        applied_by=AppliedBy.SELF,
        documents=documents,
        received_on=received_on,
        acting_user=clerk,
    )


def assess(application: Application, clerk: Any, on: D) -> None:
    services.record_assessment(
        application=application,
        assessed_on=on,
        assessor="李医生",
        category=application.category,
        measures=grading.Measures(hearing_loss_db=85),
        assessor_grade=2,
        acting_user=clerk,
    )


def errors_of(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


# --- Planning a tour -------------------------------------------------------------------------


def test_a_county_clerk_plans_a_tour_to_villages_of_their_county(county_clerk, tour):
    assert tour.county_id == "410825000000"
    assert set(tour.villages.values_list("code", flat=True)) == {"410825001001", "410825002000"}
    entry = Entry.objects.get(action="certificate.tour.create")
    assert entry.target_id == str(tour.pk) and entry.region == "410825000000"
    assert entry.detail["villages"] == ["410825001001", "410825002000"]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"villages": ["410883001001"]}, "villages", "Not a township or village of 温县"),
        ({"villages": ["410825000000"]}, "villages", "Not a township or village of 温县"),
        ({"villages": []}, "villages", "Choose at least one"),
        ({"ends_on": D(2026, 3, 1)}, "ends_on", "before the first day"),
        ({"ends_on": D(2026, 9, 1)}, "ends_on", "at most 92 days"),
        ({"county": "410883000000"}, "county", "outside your jurisdiction"),
        ({"county": "410825001000"}, "county", "Choose the county"),
        ({"name": ""}, "name", "Enter a name"),
        ({"team": " "}, "team", "Enter the members"),
    ],
)
def test_a_tour_is_refused(county_clerk, hospital, overrides, field, message):
    if "villages" in overrides:
        overrides["villages"] = [place(code) for code in overrides["villages"]]
    if "county" in overrides:
        overrides["county"] = place(overrides["county"])
    with pytest.raises(ValidationError) as exc:
        plan(county_clerk, hospital, **overrides)
    assert any(message in m for m in errors_of(exc)[field])
    assert not Tour.objects.exists()


def test_the_institution_must_be_active_and_designated_for_the_county_or_its_city(
    county_clerk, system_admin, hospital
):
    other_county = institutions.save_institution(
        name="孟州医院（示例）", place=place("410883000000"), categories=[4],
        home_visits=False, address="", active=True, acting_user=system_admin,
    )  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        plan(county_clerk, other_county)
    assert "not designated for this county" in errors_of(exc)["institution"][0]
    institutions.save_institution(
        institution=hospital, name=hospital.name, place=hospital.place, categories=[4],
        home_visits=False, address="", active=False, acting_user=system_admin,
    )  # fmt: skip
    hospital.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        plan(county_clerk, hospital)
    assert "no longer designated" in errors_of(exc)["institution"][0]


def test_roles_without_the_processing_right_cannot_plan_a_tour(township_officer, auditor, hospital):
    for user in (township_officer, auditor):
        with pytest.raises(PermissionDenied):
            plan(user, hospital)


# --- Registering on the spot -----------------------------------------------------------------


def test_an_applicant_registered_on_the_spot_is_a_first_application_of_the_tour(county_clerk, tour):
    application = register(tour, county_clerk, 11)
    assert application.tour == tour
    assert application.status == Status.SUBMITTED
    assert application.kind == "first"
    assert Entry.objects.get(action="certificate.apply").detail["tour"] == tour.pk


def test_an_application_outside_the_tour_dates_is_refused(county_clerk, tour):
    with pytest.raises(ValidationError) as exc:
        register(tour, county_clerk, 12, received_on=D(2026, 3, 20))
    assert "2026-03-02" in errors_of(exc)["received_on"][0]


def test_a_clerk_of_another_county_cannot_register_on_the_tour(other_county_clerk, tour):
    with pytest.raises(PermissionDenied):
        register(tour, other_county_clerk, 13, place_code="410883001001")
    assert not Application.objects.exists()


# --- The batch steps -------------------------------------------------------------------------


def test_book_all_books_each_accepted_application_and_reports_the_one_it_refuses(
    county_clerk, tour
):
    # given: a hearing case, an intellectual case the institution does not assess, a physical
    hearing = register(tour, county_clerk, 21, category=2)
    intellectual = register(
        tour, county_clerk, 22, category=5, guardian_name="监护人",
        documents=[*BASIC, Document.GUARDIAN_PROOF],
    )  # fmt: skip
    physical = register(tour, county_clerk, 23, category=4)
    # when
    outcomes = tours.book_all(tour=tour, booked_for=D(2026, 3, 10), acting_user=county_clerk)
    # then
    assert [(a.pk, error) for a, error in outcomes] == [
        (hearing.pk, None),
        (intellectual.pk, "This institution does not assess Intellectual disability."),
        (physical.pk, None),
    ]
    statuses = dict(Application.objects.values_list("pk", "status"))
    assert statuses == {
        hearing.pk: Status.BOOKED,
        intellectual.pk: Status.SUBMITTED,
        physical.pk: Status.BOOKED,
    }
    batch = Entry.objects.get(action="certificate.tour.book_all")
    assert batch.detail["done"] == [hearing.pk, physical.pk]
    assert list(batch.detail["refused"]) == [str(intellectual.pk)]
    assert Entry.objects.filter(action="certificate.book").count() == 2


def test_the_refusal_names_the_category_once_in_chinese(county_clerk, tour):
    # given: an intellectual case the institution does not assess
    intellectual = register(
        tour, county_clerk, 22, category=5, guardian_name="监护人",
        documents=[*BASIC, Document.GUARDIAN_PROOF],
    )  # fmt: skip
    # when
    with translation.override("zh-hans"):
        outcomes = tours.book_all(tour=tour, booked_for=D(2026, 3, 10), acting_user=county_clerk)
    # then: 智力残疾 is the category's name; no 残疾残疾
    assert [(a.pk, error) for a, error in outcomes] == [(intellectual.pk, "此机构不评定智力残疾。")]


def test_book_all_with_nothing_waiting_is_refused(county_clerk, tour):
    with pytest.raises(ValidationError) as exc:
        tours.book_all(tour=tour, booked_for=D(2026, 3, 10), acting_user=county_clerk)
    assert "No application of this tour is waiting" in errors_of(exc)["tour"][0]


def test_publish_all_posts_each_assessed_application_and_reports_the_one_it_refuses(
    county_clerk, tour
):
    # given: three booked, two assessed (one after the day the notice goes up), one not
    early, late, waiting = (register(tour, county_clerk, n, category=2) for n in (31, 32, 33))
    tours.book_all(tour=tour, booked_for=D(2026, 3, 10), acting_user=county_clerk)
    assess(early, county_clerk, D(2026, 3, 10))
    assess(late, county_clerk, D(2026, 3, 20))
    # when
    outcomes = tours.publish_all(
        tour=tour, starts_on=D(2026, 3, 16), location="村委会公示栏", acting_user=county_clerk
    )
    # then: only the assessed ones are attempted; the late one is refused with its reason
    assert [(a.pk, error) for a, error in outcomes] == [
        (early.pk, None),
        (late.pk, "The publicity cannot start before the assessment."),
    ]
    early.refresh_from_db()
    assert early.status == Status.PUBLICITY and early.publicity_location == "村委会公示栏"
    assert Application.objects.get(pk=late.pk).status == Status.ASSESSED
    assert Application.objects.get(pk=waiting.pk).status == Status.BOOKED
    assert Entry.objects.get(action="certificate.tour.publish_all").detail["done"] == [early.pk]


def test_publish_all_needs_the_place_of_the_notice(county_clerk, tour):
    with pytest.raises(ValidationError) as exc:
        tours.publish_all(
            tour=tour, starts_on=D(2026, 3, 16), location=" ", acting_user=county_clerk
        )
    assert "location" in errors_of(exc)


def test_a_clerk_of_another_county_cannot_run_a_batch(county_clerk, other_county_clerk, tour):
    register(tour, county_clerk, 41)
    with pytest.raises(PermissionDenied):
        tours.book_all(tour=tour, booked_for=D(2026, 3, 10), acting_user=other_county_clerk)
    assert Application.objects.get().status == Status.SUBMITTED


# --- Scoping ---------------------------------------------------------------------------------


def test_a_county_clerk_never_sees_another_countys_tours(
    county_clerk, other_county_clerk, city_staff, auditor, tour
):
    assert list(Tour.objects.visible_to(county_clerk)) == [tour]
    assert list(Tour.objects.visible_to(other_county_clerk)) == []
    assert list(Tour.objects.visible_to(city_staff)) == [tour]
    assert list(Tour.objects.visible_to(auditor)) == [tour]


def test_the_list_shows_only_the_users_tours(county_clerk, other_county_clerk, tour):
    mine = client_for(county_clerk).get("/certificates/tours/")
    assert mine.status_code == 200 and tour.name in mine.content.decode()
    theirs = client_for(other_county_clerk).get("/certificates/tours/")
    assert theirs.status_code == 200 and tour.name not in theirs.content.decode()
    assert theirs.context["page"].paginator.count == 0


@pytest.mark.parametrize("suffix", ["", "register/", "book/", "publish/"])
def test_another_countys_tour_is_a_404_on_every_page(other_county_clerk, tour, suffix):
    client = client_for(other_county_clerk)
    assert client.get(f"/certificates/tours/{tour.pk}/{suffix}").status_code == 404


def test_roles_without_the_certificate_right_are_refused_the_list(system_admin, security_admin):
    for user in (system_admin, security_admin):
        assert client_for(user).get("/certificates/tours/").status_code == 403


# --- The pages -------------------------------------------------------------------------------


def test_the_plan_form_lists_the_countys_townships_and_villages_as_checkboxes(
    county_clerk, hospital
):
    response = client_for(county_clerk).get("/certificates/tours/new/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'type="checkbox"' in html and 'value="410825001001"' in html
    assert 'value="410883001001"' not in html
    assert hospital.name in html


def test_planning_through_the_form_creates_the_tour(county_clerk, hospital):
    response = client_for(county_clerk).post(
        "/certificates/tours/new/",
        {
            "county": "410825000000",
            "name": "秋季巡回（示例）",
            "starts_on": "2026-09-01",
            "ends_on": "2026-09-05",
            "institution": str(hospital.pk),
            "team": "王医生",
            "villages": ["410825001001"],
        },
    )
    assert response.status_code == 302
    tour = Tour.objects.get(name="秋季巡回（示例）")
    assert response["Location"] == f"/certificates/tours/{tour.pk}/"


def test_an_empty_plan_form_links_every_error_to_its_field(county_clerk, hospital):
    response = client_for(county_clerk).post("/certificates/tours/new/", {})
    html = response.content.decode()
    summary = html[html.index("govuk-error-summary") :]
    for field in ("name", "starts_on", "ends_on", "institution", "team", "villages"):
        assert f'href="#id_{field}"' in summary
        assert f'id="id_{field}"' in html


def test_city_staff_choose_the_county_first(city_staff, hospital):
    client = client_for(city_staff)
    chooser = client.get("/certificates/tours/new/")
    assert chooser.status_code == 200 and 'name="county"' in chooser.content.decode()
    assert 'type="checkbox"' not in chooser.content.decode()
    form = client.get("/certificates/tours/new/", {"county": "410883000000"})
    assert 'value="410883001001"' in form.content.decode()


def test_a_township_officer_cannot_open_the_plan_form(township_officer):
    assert client_for(township_officer).get("/certificates/tours/new/").status_code == 403


def test_the_detail_lists_the_tours_applications_and_their_statuses(county_clerk, tour):
    application = register(tour, county_clerk, 51)
    response = client_for(county_clerk).get(f"/certificates/tours/{tour.pk}/")
    html = response.content.decode()
    assert application.name in html
    assert application.id_number_masked in html
    assert f"cl-status-tag--{Status.SUBMITTED}" in html


def test_the_register_form_accepts_an_applicant(county_clerk, tour):
    response = client_for(county_clerk).post(
        f"/certificates/tours/{tour.pk}/register/",
        {
            "id_number": idcard.build(region_code="410825", birth_date=D(1960, 1, 1), sequence=61),
            "name": "现场申请人",
            "ethnicity": "01",
            "place_code": "410825001001",
            "category": "4",
            "applied_by": AppliedBy.PROXY,
            "proxy_name": "代办人",
            "documents": BASIC,
            "received_on": "2026-03-04",
        },
    )
    assert response.status_code == 302
    application = Application.objects.get(name="现场申请人")
    assert application.tour == tour and application.proxy_name == "代办人"


def test_the_register_form_offers_only_the_tours_county(county_clerk, city_staff, tour):
    html = client_for(city_staff).get(f"/certificates/tours/{tour.pk}/register/").content.decode()
    assert 'value="410825001001"' in html and 'value="410883001001"' not in html


def test_the_batch_page_names_each_refused_application_with_its_reason(county_clerk, tour):
    register(tour, county_clerk, 71, category=2)
    refused = register(
        tour, county_clerk, 72, category=5, guardian_name="监护人",
        documents=[*BASIC, Document.GUARDIAN_PROOF],
    )  # fmt: skip
    client = client_for(county_clerk)
    confirm = client.get(f"/certificates/tours/{tour.pk}/book/")
    assert confirm.context["waiting"] == 2
    response = client.post(f"/certificates/tours/{tour.pk}/book/", {"booked_for": "2026-03-10"})
    assert response.status_code == 200
    assert response.context["done"] == 1 and response.context["refused"] == 1
    html = response.content.decode()
    row = html[html.index(refused.name) :]
    row = row[: row.index("</tr>")]
    assert "智力" in row or "Intellectual" in row


def test_a_batch_form_submitted_empty_shows_the_error_summary(county_clerk, tour):
    register(tour, county_clerk, 81)
    response = client_for(county_clerk).post(f"/certificates/tours/{tour.pk}/book/", {})
    assert 'href="#id_booked_for"' in response.content.decode()
    assert Application.objects.get().status == Status.SUBMITTED
