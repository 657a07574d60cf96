"""The drill-down of the figures whose records are not persons: every number of a figure's
page leads to as many records, listed through the model's own scoped queryset and masked; a
record counted but now out of the user's sight is said, not listed; a ratio has no links."""

from __future__ import annotations

import dataclasses
import datetime
import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from canlian.certificates.models import Application, Certificate, Issue, Objection
from canlian.conftest import client_for, opened
from canlian.levy import services as levy
from canlian.levy.models import DeclaredEmployee
from canlian.levy.tests.conftest import employer_data, line
from canlian.payroll.models import LineKind, Stop
from canlian.people.models import Person, StatusKind, StatusPeriod
from canlian.spreadsheets.models import ImportJob
from canlian.stats import catalogue
from canlian.stats.figures.subsidies import stop_reason_words
from canlian.stats.tests.helpers import certificate, first_application, objection, roll
from canlian.stats.tests.test_views import links, text

pytestmark = pytest.mark.django_db

D = datetime.date
PERIOD = {"start": "2025-01-01", "end": "2025-12-31"}
ROW = re.compile(r'<tr class="govuk-table__row">\s*<th scope="row"')


def heading(page: Any) -> str:
    found = re.search(r'id="results-heading">([^<]+)<', page.content.decode())
    assert found is not None
    return found.group(1).replace(",", "")


def every_number_leads_to_as_many_records(client: Any, figure_id: str, by: list[str]) -> int:
    """Open the figure broken down `by`, follow every number; return how many were followed."""
    page = client.get(reverse("stats:figure", args=[figure_id]), {**PERIOD, "by": by})
    found = links(page, figure_id)
    for href, number in found:
        listed = client.get(href)
        assert listed.status_code == 200, href
        assert number.replace(",", "") in heading(listed), (href, number)
        assert len(ROW.findall(listed.content.decode())) == int(number.replace(",", "")), href
    return len(found)


@pytest.fixture
def issued(make_person: Any) -> dict[str, Person]:
    holders = {
        "wen": make_person(grade=1),
        "wen2": make_person(),
        "meng": make_person(place_code="410883001001"),
    }
    for holder in holders.values():
        certificate(holder, D(2025, 3, 3), Issue.FIRST)
    return holders


def test_certificates_lead_to_as_many_certificates_masked(
    issued: dict[str, Person], city_staff: Any
) -> None:
    client = client_for(city_staff)
    assert (
        every_number_leads_to_as_many_records(
            client, "certificates.issued_first", ["county", "grade"]
        )
        >= 5
    )
    listed = client.get(reverse("stats:records", args=["certificates.issued_first"]), PERIOD)
    body = listed.content.decode()
    holder = issued["wen"]
    assert Certificate.objects.get(person=holder).number_masked in body
    assert opened(holder) not in body  # never the full ID number
    assert heading(listed).startswith("3")


def test_a_county_clerk_lists_only_their_county(
    issued: dict[str, Person], county_clerk: Any
) -> None:
    client = client_for(county_clerk)
    page = client.get(reverse("stats:figure", args=["certificates.issued_first"]),
                      {**PERIOD, "by": ["county"]})  # fmt: skip
    assert "孟州" not in text(page)
    other = client.get(reverse("stats:records", args=["certificates.issued_first"]),
                       {**PERIOD, "county": "410883"})  # fmt: skip
    assert not ROW.findall(other.content.decode())
    meng = reverse("people:detail", args=[issued["meng"].pk])
    assert meng not in other.content.decode()


def test_a_holder_moved_away_is_counted_and_said_but_not_listed(
    issued: dict[str, Person], county_clerk: Any
) -> None:
    """Issued by 温县, the holder now registered in 孟州市: 温县's figure counts the
    certificate; its list says one more is counted and shows nothing of it."""
    moved = issued["wen2"]
    Person.objects.filter(pk=moved.pk).update(place_id="410883001001")
    client = client_for(county_clerk)
    page = client.get(reverse("stats:records", args=["certificates.issued_first"]), PERIOD)
    assert len(ROW.findall(page.content.decode())) == 1
    assert "govuk-inset-text" in page.content.decode()
    assert Certificate.objects.get(person=moved).number_masked not in page.content.decode()


def test_the_listing_reads_through_the_models_own_scope(
    issued: dict[str, Person], county_clerk: Any, monkeypatch: Any, apply_any: Any
) -> None:
    """A figure whose records forgot the region: the page still lists only what the user may
    read (Application.objects.visible_to)."""
    wen, meng = apply_any("410825001001"), apply_any("410883001001")
    figure = catalogue.figure("certificates.applications_open")
    careless = dataclasses.replace(figure, records=lambda query: Application.objects.all())
    monkeypatch.setitem(catalogue._FIGURES, figure.id, careless)
    page = client_for(county_clerk).get(
        reverse("stats:records", args=[figure.id]), {"as_of": "2025-12-31"}
    )
    body = page.content.decode()
    assert reverse("certificates:application_detail", args=[wen.pk]) in body
    assert reverse("certificates:application_detail", args=[meng.pk]) not in body
    assert wen.id_number_masked in body


@pytest.fixture
def apply_any(county_clerk: Any, other_county_clerk: Any) -> Any:
    def make(place: str) -> Application:
        clerk = county_clerk if place.startswith("410825") else other_county_clerk
        return first_application(clerk, place, D(2025, 6, 2))

    return make


def test_stops_and_recoveries_lead_to_their_records(make_person: Any, city_staff: Any) -> None:
    a, b = make_person(), make_person(place_code="410883001001")
    roll("410825", D(2025, 6, 1), [(a, LineKind.REGULAR, Decimal("60.00"))],
         stops=[(b, ["alive"])])  # fmt: skip
    roll("410883", D(2025, 7, 1), [], stops=[(b, []), (a, ["resident"])])
    client = client_for(city_staff)
    assert (
        every_number_leads_to_as_many_records(client, "subsidies.stops", ["county", "stop_reason"])
        >= 5
    )
    listed = client.get(reverse("stats:records", args=["subsidies.stops"]),
                        {**PERIOD, "stop_reason": "no_amount"})  # fmt: skip
    body = listed.content.decode()
    assert len(ROW.findall(body)) == 1
    assert reverse("people:detail", args=[b.pk]) in body
    assert stop_reason_words("no_amount") in text(listed)


def test_rows_imported_lead_to_the_files_with_their_rows(
    county_clerk: Any, township_officer: Any
) -> None:
    for user, rows in ((county_clerk, 120), (township_officer, 5)):
        ImportJob.objects.create(
            created_by=user, region=user.scope_prefix, filename="名单.xlsx",
            upload="imports/x.xlsx", size=1, sha256="0" * 64,
            status=ImportJob.Status.APPLIED, rows_done=rows,
        )  # fmt: skip
    client = client_for(county_clerk)
    now = timezone.localdate()
    today = {"start": f"{now.year - 1}-01-01", "end": now.isoformat()}
    page = client.get(reverse("stats:figure", args=["imports.rows"]), {**today, "by": ["office"]})
    numbers = dict((h.rsplit("office=", 1)[-1], n) for h, n in links(page, "imports.rows"))
    assert numbers["410825001"] == "5" and numbers["410825"] == "120"
    listed = client.get(reverse("stats:records", args=["imports.rows"]), today)
    assert "125" in heading(listed)
    assert len(ROW.findall(listed.content.decode())) == 2


def test_a_ratio_is_shown_as_a_percentage_without_links(make_person: Any, city_staff: Any) -> None:
    a = make_person(grade=2)
    make_person(grade=2)
    roll("410825", D(2025, 6, 1), [(a, LineKind.REGULAR, Decimal("60.00"))])
    page = client_for(city_staff).get(
        reverse("stats:figure", args=["subsidies.coverage"]),
        {"start": "2025-06-01", "end": "2025-06-30", "by": ["programme"]},
    )
    assert "50.00%" in text(page)
    assert "/stats/figures/subsidies.coverage/records/" not in page.content.decode()


def test_a_figure_without_a_breakdown_shows_its_total(
    issued: dict[str, Person], city_staff: Any
) -> None:
    url = reverse("stats:figure", args=["certificates.issued_first"])
    page = client_for(city_staff).get(url, PERIOD)
    assert page.status_code == 200
    assert [n for _h, n in links(page, "certificates.issued_first")] == ["3"]


def test_objections_stops_and_declared_employees_are_read_in_scope(
    make_person: Any, county_clerk: Any, other_county_clerk: Any, township_officer: Any
) -> None:
    """The querysets the drill-down reads them through: the county's own, nothing of
    another county, nothing without the area's permission."""
    wen = first_application(county_clerk, "410825001001", D(2025, 6, 2))
    objection(wen, D(2025, 6, 20), previous_status="publicity")
    person = make_person()
    roll("410825", D(2025, 6, 1), [], stops=[(person, ["alive"])])
    employer = levy.save_employer(data=employer_data(), acting_user=county_clerk)
    levy.declare(
        employer=employer, employees=[line(person)], acting_user=county_clerk, year=2025,
        staff=Decimal("200"), total_wages=Decimal("12000000.00"),
        local_average_wage=Decimal("50000.00"), declared_on=D(2025, 3, 2),
    )  # fmt: skip
    for queryset in (Objection.objects, Stop.objects, DeclaredEmployee.objects):
        assert queryset.visible_to(county_clerk).count() == 1, queryset.model
        assert queryset.visible_to(other_county_clerk).count() == 0, queryset.model
    # The township officer reads objections of their township, no roll's stops (rolls are
    # kept per county) and no levy at all.
    assert Objection.objects.visible_to(township_officer).count() == 1
    assert Stop.objects.visible_to(township_officer).count() == 0
    assert DeclaredEmployee.objects.visible_to(township_officer).count() == 0


def test_distinct_persons_over_months_lead_to_as_many_persons(
    make_person: Any, city_staff: Any
) -> None:
    """Persons eligible by subsidy and month: a person in several months and both subsidies
    is one person in every total, and each total's list has as many persons."""
    both = make_person(grade=2)
    StatusPeriod.objects.create(person=both, kind=StatusKind.DIBAO, start=D(2025, 11, 1))
    make_person(grade=1, place_code="410883001001")
    # Months kept as the nightly snapshot keeps them: a page decides at most one month.
    call_command("subsidy", "snapshot", "--month", "2025-10", "--through", "2025-12")
    client = client_for(city_staff)
    period = {"start": "2025-10-01", "end": "2025-12-31"}
    page = client.get(reverse("stats:figure", args=["subsidies.eligible"]),
                      {**period, "by": ["programme", "month"]})  # fmt: skip
    found = links(page, "subsidies.eligible")
    grand = [n for h, n in found if "programme=" not in h and "month=" not in h]
    assert grand == ["2"]
    for href, number in found:
        listed = client.get(href)
        assert len(ROW.findall(listed.content.decode())) == int(number), href


def test_each_area_is_seen_with_its_own_permission(
    township_officer: Any, civil_affairs: Any
) -> None:
    """The township officer holds no levy right and the civil-affairs approver may not change
    the registry: neither sees those figures, nor opens their records."""
    seen = {f.id for f in catalogue.visible(township_officer)}
    assert "certificates.applications_open" in seen and "quality.missing_phone" in seen
    assert not {f for f in seen if f.startswith("levy.")}
    levy_records = reverse("stats:records", args=["levy.employers_declared"])
    assert client_for(township_officer).get(levy_records, PERIOD).status_code == 403
    assert "imports.jobs" not in {f.id for f in catalogue.visible(civil_affairs)}
    imports = reverse("stats:records", args=["imports.jobs"])
    assert client_for(civil_affairs).get(imports, PERIOD).status_code == 403
