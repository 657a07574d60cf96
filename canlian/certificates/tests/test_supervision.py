"""Supervision checks: the population a sample is drawn from, the reproducible draw, recording
each certificate's result and following up a discrepancy, and who sees which checks."""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from canlian.accounts.models import User
from canlian.accounts.roles import Role
from canlian.audit.models import Entry
from canlian.certificates import services, supervision
from canlian.certificates.models import Certificate, CheckItem, CheckResult, SupervisionCheck
from canlian.conftest import certificate_number_of, client_for
from canlian.people.models import LifeStatus, Person
from canlian.places.models import Place

pytestmark = pytest.mark.django_db

D = datetime.date
YEAR_2020 = (D(2020, 1, 1), D(2020, 12, 31))


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Services answer in English here, so the tests read the messages as written."""
    with translation.override("en"):
        yield


def place(code: str) -> Place:
    return Place.objects.get(code=code)


@pytest.fixture
def holders(make_person: Any) -> dict[str, list[Person]]:
    """温县 holders of 2020: six on the registry only, two with certificate rows; and holders
    the 2020 check of 温县 must leave out."""
    registry_only = [
        make_person(name=f"登记{n}", certificate_issued_on=D(2020, n, 1)) for n in range(1, 7)
    ]
    with_rows = [make_person(name=f"有证{n}", certificate_issued_on=D(2020, n, 15)) for n in (7, 8)]
    for person in with_rows:
        services.current_certificate(person)
    left_out = [
        make_person(name="二〇二一年", certificate_issued_on=D(2021, 2, 1)),
        make_person(name="孟州人", place_code="410883001001", certificate_issued_on=D(2020, 5, 1)),
    ]
    return {"registry_only": registry_only, "with_rows": with_rows, "left_out": left_out}


def draw(user: Any, **overrides: Any) -> SupervisionCheck:
    values: dict[str, Any] = {
        "county": place("410825000000"),
        "period_start": YEAR_2020[0],
        "period_end": YEAR_2020[1],
        "sample_size": 3,
        "seed": "20260315",
    }
    values.update(overrides)
    return supervision.draw_sample(acting_user=user, **values)


def drawn_persons(check: SupervisionCheck) -> list[int]:
    return list(check.items.order_by("id").values_list("certificate__person_id", flat=True))


def errors_of(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


# --- The population and the draw -------------------------------------------------------------


def test_the_population_is_the_countys_certificates_of_the_period_with_and_without_rows(
    holders,
):
    members = supervision.population(
        county=place("410825000000"), period_start=YEAR_2020[0], period_end=YEAR_2020[1]
    )
    expected = {p.pk for p in holders["registry_only"] + holders["with_rows"]}
    assert {person_id for person_id, _certificate in members} == expected
    assert members == sorted(members)


def test_the_same_seed_on_the_same_data_draws_the_same_sample(holders, city_staff):
    first = draw(city_staff)
    second = draw(city_staff)
    assert drawn_persons(first) == drawn_persons(second)
    assert list(first.items.values_list("certificate", flat=True)) == list(
        second.items.values_list("certificate", flat=True)
    )


def test_anyone_can_redo_the_draw_from_the_ordered_population_and_the_seed(holders, city_staff):
    members = supervision.population(
        county=place("410825000000"), period_start=YEAR_2020[0], period_end=YEAR_2020[1]
    )
    expected = [person_id for person_id, _c in random.Random("20260315").sample(members, 3)]
    assert drawn_persons(draw(city_staff)) == expected


def test_another_seed_draws_another_sample(holders, city_staff):
    assert drawn_persons(draw(city_staff, seed="1")) != drawn_persons(draw(city_staff, seed="2"))


def test_registry_holders_get_a_certificate_row_only_when_drawn(holders, city_staff):
    check = draw(city_staff, sample_size=3)
    registry_only = {p.pk for p in holders["registry_only"]}
    drawn_from_registry = registry_only & set(drawn_persons(check))
    assert Certificate.objects.filter(person_id__in=registry_only).count() == len(
        drawn_from_registry
    )
    for item in check.items.select_related("certificate__person"):
        certificate = item.certificate
        assert certificate.county_id == "410825000000"
        assert certificate.issued_on == certificate.person.certificate_issued_on


def test_the_sample_is_capped_at_the_population(holders, city_staff):
    check = draw(city_staff, sample_size=50)
    assert (check.sample_size, check.population, check.items.count()) == (8, 8, 8)


def test_a_draw_is_audited_with_its_seed_and_the_certificates_drawn(holders, city_staff):
    check = draw(city_staff)
    entry = Entry.objects.get(action="certificate.supervision.draw")
    assert entry.target_id == str(check.pk) and entry.region == "410825000000"
    assert entry.detail["seed"] == "20260315" and entry.detail["population"] == 8
    assert entry.detail["certificates"] == list(
        check.items.order_by("id").values_list("certificate", flat=True)
    )


def test_a_holder_no_longer_active_without_a_row_is_left_out(make_person, city_staff):
    gone = make_person(
        certificate_issued_on=D(2020, 3, 1),
        life_status=LifeStatus.DECEASED,
        life_status_date=D(2022, 1, 1),
    )
    kept = make_person(certificate_issued_on=D(2020, 4, 1))
    check = draw(city_staff, sample_size=5)
    assert drawn_persons(check) == [kept.pk]
    assert not gone.certificates.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"sample_size": 0}, "sample_size", "at least one"),
        ({"period_end": D(2019, 12, 31)}, "period_end", "before its start"),
        ({"county": "410825001000"}, "county", "Choose the county"),
        ({"county": None}, "county", "Choose the county"),
        ({"seed": " "}, "seed", "Enter the random seed"),
        ({"period_start": D(2010, 1, 1), "period_end": D(2010, 12, 31)}, "period_end", "no "),
    ],
)
def test_a_draw_is_refused(holders, city_staff, overrides, field, message):
    if isinstance(overrides.get("county"), str):
        overrides["county"] = place(overrides["county"])
    with pytest.raises(ValidationError) as exc:
        draw(city_staff, **overrides)
    assert any(message in m for m in errors_of(exc)[field])
    assert not SupervisionCheck.objects.exists()


def test_a_county_outside_the_supervisors_jurisdiction_is_refused(holders):
    # City staff placed at one county (an account made before roles were bound to levels of
    # the tree, written here as it is in the database).
    meng_staff = User.objects.create(
        username="meng-supervisor", role=Role.CITY_STAFF, place=place("410883000000")
    )
    with pytest.raises(ValidationError) as exc:
        draw(meng_staff)
    assert "outside your jurisdiction" in errors_of(exc)["county"][0]


def test_only_supervisors_draw_a_sample(holders, county_clerk, auditor):
    for user in (county_clerk, auditor):
        with pytest.raises(PermissionDenied):
            draw(user)


# --- Results and follow-up -------------------------------------------------------------------


@pytest.fixture
def item(holders: Any, city_staff: Any) -> CheckItem:
    return draw(city_staff, sample_size=1).items.get()


def test_a_consistent_result_is_recorded_and_audited(item, city_staff):
    supervision.record_result(
        item=item, result=CheckResult.CONSISTENT, finding="", checked_on=D(2026, 4, 1),
        acting_user=city_staff,
    )  # fmt: skip
    item.refresh_from_db()
    assert (item.result, item.checked_on) == (CheckResult.CONSISTENT, D(2026, 4, 1))
    assert Entry.objects.get(action="certificate.supervision.result").detail["result"] == (
        "consistent"
    )


def test_a_discrepancy_needs_a_finding(item, city_staff):
    with pytest.raises(ValidationError) as exc:
        supervision.record_result(
            item=item, result=CheckResult.DISCREPANCY, finding=" ", checked_on=D(2026, 4, 1),
            acting_user=city_staff,
        )  # fmt: skip
    assert "Describe the discrepancy" in errors_of(exc)["finding"][0]
    item.refresh_from_db()
    assert item.result == CheckResult.PENDING


def test_a_result_must_be_consistent_or_a_discrepancy_and_not_in_the_future(item, city_staff):
    with pytest.raises(ValidationError) as exc:
        supervision.record_result(
            item=item, result=CheckResult.PENDING, finding="", checked_on=D(2100, 1, 1),
            acting_user=city_staff,
        )  # fmt: skip
    assert set(errors_of(exc)) == {"result", "checked_on"}


def test_a_discrepancy_is_resolved_with_its_follow_up(item, city_staff):
    supervision.record_result(
        item=item, result=CheckResult.DISCREPANCY, finding="等级与实际不符",
        checked_on=D(2026, 4, 1), acting_user=city_staff,
    )  # fmt: skip
    supervision.resolve(
        item=item, follow_up="已重新评定并换证", resolved_on=D(2026, 4, 20), acting_user=city_staff
    )
    item.refresh_from_db()
    assert (item.follow_up, item.resolved_on) == ("已重新评定并换证", D(2026, 4, 20))
    assert Entry.objects.filter(action="certificate.supervision.resolve").count() == 1
    with pytest.raises(ValidationError) as exc:
        supervision.record_result(
            item=item, result=CheckResult.CONSISTENT, finding="", checked_on=D(2026, 4, 21),
            acting_user=city_staff,
        )  # fmt: skip
    assert "already resolved" in errors_of(exc)["result"][0]


def test_only_a_discrepancy_can_be_resolved(item, city_staff):
    with pytest.raises(ValidationError) as exc:
        supervision.resolve(
            item=item, follow_up="无", resolved_on=D(2026, 4, 20), acting_user=city_staff
        )
    assert "Only a discrepancy" in errors_of(exc)["follow_up"][0]
    supervision.record_result(
        item=item, result=CheckResult.CONSISTENT, finding="", checked_on=D(2026, 4, 1),
        acting_user=city_staff,
    )  # fmt: skip
    with pytest.raises(ValidationError):
        supervision.resolve(
            item=item, follow_up="无", resolved_on=D(2026, 4, 20), acting_user=city_staff
        )


def test_a_follow_up_cannot_predate_the_finding(item, city_staff):
    supervision.record_result(
        item=item, result=CheckResult.DISCREPANCY, finding="照片不符", checked_on=D(2026, 4, 1),
        acting_user=city_staff,
    )  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        supervision.resolve(
            item=item, follow_up="已更换照片", resolved_on=D(2026, 3, 1), acting_user=city_staff
        )
    assert "resolved_on" in errors_of(exc)


def test_a_county_clerk_cannot_record_results(item, county_clerk):
    with pytest.raises(PermissionDenied):
        supervision.record_result(
            item=item, result=CheckResult.CONSISTENT, finding="", checked_on=D(2026, 4, 1),
            acting_user=county_clerk,
        )  # fmt: skip


# --- Scoping and pages -----------------------------------------------------------------------


def test_a_county_clerk_never_sees_another_countys_checks(
    holders, city_staff, county_clerk, other_county_clerk
):
    check = draw(city_staff)
    assert list(SupervisionCheck.objects.visible_to(county_clerk)) == [check]
    assert list(SupervisionCheck.objects.visible_to(other_county_clerk)) == []
    theirs = client_for(other_county_clerk).get("/certificates/supervision/")
    assert theirs.status_code == 200 and theirs.context["page"].paginator.count == 0
    client = client_for(other_county_clerk)
    assert client.get(f"/certificates/supervision/{check.pk}/").status_code == 404
    item = check.items.first()
    assert item is not None
    assert client.get(f"/certificates/supervision/{check.pk}/items/{item.pk}/").status_code == 404


def test_the_list_is_refused_to_roles_without_the_certificate_right(system_admin, audit_admin):
    for user in (system_admin, audit_admin):
        assert client_for(user).get("/certificates/supervision/").status_code == 403


def test_only_supervisors_open_the_draw_form(county_clerk, city_staff, places):
    assert client_for(county_clerk).get("/certificates/supervision/new/").status_code == 403
    response = client_for(city_staff).get("/certificates/supervision/new/")
    assert response.status_code == 200
    seed = response.context["form"].initial["seed"]
    assert len(seed) == 8 and seed.isdigit()


def test_the_draw_form_creates_a_check(holders, city_staff):
    response = client_for(city_staff).post(
        "/certificates/supervision/new/",
        {
            "county": "410825000000",
            "period_start": "2020-01-01",
            "period_end": "2020-12-31",
            "sample_size": "2",
            "seed": "abc",
        },
    )
    check = SupervisionCheck.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/certificates/supervision/{check.pk}/"
    assert (check.seed, check.sample_size) == ("abc", 2)


def test_an_empty_draw_form_links_every_error_to_its_field(city_staff, places):
    response = client_for(city_staff).post("/certificates/supervision/new/", {})
    html = response.content.decode()
    summary = html[html.index("govuk-error-summary") :]
    for field in ("county", "period_start", "period_end", "sample_size", "seed"):
        assert f'href="#id_{field}"' in summary


def test_the_detail_shows_masked_numbers_and_links_each_holder(holders, city_staff):
    check = draw(city_staff)
    html = client_for(city_staff).get(f"/certificates/supervision/{check.pk}/").content.decode()
    for item in check.items.select_related("certificate__person"):
        person = item.certificate.person
        assert item.certificate.number_masked in html
        assert certificate_number_of(person) not in html
        assert f'href="/people/{person.pk}/"' in html


def test_the_item_page_records_a_result_then_the_follow_up(item, city_staff):
    client = client_for(city_staff)
    url = f"/certificates/supervision/{item.check_run_id}/items/{item.pk}/"
    response = client.post(
        url,
        {
            "action": "record",
            "result-result": CheckResult.DISCREPANCY,
            "result-finding": "住址变更未登记",
            "result-checked_on": "2026-04-01",
        },
    )
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert 'name="resolve-follow_up"' in page
    response = client.post(
        url,
        {"action": "resolve", "resolve-follow_up": "已登记", "resolve-resolved_on": "2026-04-02"},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.result == CheckResult.DISCREPANCY and item.resolved_on == D(2026, 4, 2)


def test_a_discrepancy_without_finding_shows_the_error_on_the_finding(item, city_staff):
    url = f"/certificates/supervision/{item.check_run_id}/items/{item.pk}/"
    response = client_for(city_staff).post(
        url,
        {
            "action": "record",
            "result-result": CheckResult.DISCREPANCY,
            "result-checked_on": "2026-04-01",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="#id_result-finding"' in html and 'id="id_result-finding-error"' in html


def test_a_county_clerk_sees_the_item_but_cannot_post_a_result(item, county_clerk):
    url = f"/certificates/supervision/{item.check_run_id}/items/{item.pk}/"
    client = client_for(county_clerk)
    page = client.get(url)
    assert page.status_code == 200 and 'name="action"' not in page.content.decode()
    response = client.post(
        url, {"action": "record", "result-result": "consistent", "result-checked_on": "2026-04-01"}
    )
    assert response.status_code == 403
    assert CheckItem.objects.get(pk=item.pk).result == CheckResult.PENDING
