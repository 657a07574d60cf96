"""The receipt of a subsidy application: the code, the public page's absolute address and a QR
code of exactly that address, the office's phone; the whole code only for the officer who took
the application; no full ID number; out of scope is 404; every print is logged."""

from __future__ import annotations

import datetime
import html
import io
from typing import Any

import pytest
import segno
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from canlian.audit.models import Entry
from canlian.benefits import deadlines
from canlian.benefits.eligibility.rules import load_parameters
from canlian.benefits.tests.test_services import apply, d, decide
from canlian.benefits.tests.test_views_applications import english, take_application
from canlian.conftest import client_for, opened
from canlian.lib import workdays
from canlian.lib.receipts import QR_ERROR, qr_for
from canlian.places.models import Place

pytestmark = pytest.mark.django_db

PUBLIC = "https://canlian.example.org"
ADDRESS = f"{PUBLIC}/portal/subsidies/"


@pytest.fixture(autouse=True)
def public_url(settings: Any) -> None:
    settings.PUBLIC_URL = PUBLIC


def _page(client: Client, application: Any) -> str:
    response = client.get(reverse("benefits:receipt", args=[application.pk]))
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_the_receipt_carries_the_code_the_address_and_its_qr(
    make_person: Any, township_officer: Any
) -> None:
    Place.objects.filter(code="410825001000").update(phone="0391-0250010")
    person = make_person()
    application = take_application(township_officer, person)
    text = _page(english(township_officer), application)
    assert application.receipt_display in text
    assert ADDRESS in text
    assert "0391-0250010" in text
    assert person.name in text and person.id_number_masked in text
    # The QR code on the page encodes exactly the printed address, nothing else.
    assert qr_for(ADDRESS, label="x").svg.split(">", 1)[1] in text
    assert qr_for(ADDRESS, label="x").payload == ADDRESS


def test_the_qr_code_encodes_the_address() -> None:
    # segno draws the matrix; an SVG of another payload differs from this one.
    ours = qr_for(ADDRESS, label="x").svg
    theirs = segno.make(ADDRESS, error=QR_ERROR, micro=False).svg_inline(
        scale=4, border=4, omitsize=True, dark="#000", light="#fff"
    )
    assert ours.split(">", 1)[1] == theirs.split(">", 1)[1]
    other = segno.make(ADDRESS + "x", error=QR_ERROR, micro=False).svg_inline(
        scale=4, border=4, omitsize=True, dark="#000", light="#fff"
    )
    assert ours.split(">", 1)[1] != other.split(">", 1)[1]


def test_no_full_id_number_on_the_receipt(make_person: Any, township_officer: Any) -> None:
    person = make_person()
    application = take_application(township_officer, person)
    number = opened(person, "id_number")
    text = _page(english(township_officer), application)
    assert len(number) == 18 and number not in text
    assert person.id_number_masked in text
    pdf = client_for(township_officer).get(reverse("benefits:receipt_pdf", args=[application.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    printed = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    printed = printed.replace(" ", "").replace("\n", "")
    assert application.receipt_display in printed and ADDRESS in printed
    assert number not in printed


def test_another_officer_gets_a_masked_code(
    make_person: Any, township_officer: Any, county_clerk: Any
) -> None:
    application = take_application(township_officer, make_person())
    text = _page(english(county_clerk), application)
    assert application.receipt_display not in text
    assert application.receipt not in text
    assert f"*****-***{application.receipt[-2:]}" in text


def test_out_of_scope_is_404_and_prints_are_logged(
    make_person: Any, township_officer: Any, other_county_clerk: Any
) -> None:
    application = take_application(township_officer, make_person())
    other = client_for(other_county_clerk)
    assert other.get(reverse("benefits:receipt", args=[application.pk])).status_code == 404
    assert other.get(reverse("benefits:receipt_pdf", args=[application.pk])).status_code == 404
    assert not Entry.objects.filter(action__startswith="subsidy.receipt").exists()
    client_for(township_officer).get(reverse("benefits:receipt_pdf", args=[application.pk]))
    entry = Entry.objects.get(action="subsidy.receipt.pdf")
    assert entry.detail == {"format": "pdf"}


def test_the_application_page_links_the_receipt(make_person: Any, township_officer: Any) -> None:
    application = take_application(township_officer, make_person())
    response = client_for(township_officer).get(reverse("benefits:detail", args=[application.pk]))
    text = response.content.decode()
    assert reverse("benefits:receipt", args=[application.pk]) in text
    assert ADDRESS in text


# --- Time limits of the steps -----------------------------------------------------------------


def last_day(limit: str, started: datetime.date, region: str) -> tuple[int, datetime.date]:
    """A step's time limit (working days, as in force for the county on the day it began)
    and its last day, counted from the fixture's dates on the holiday calendar."""
    days = int(load_parameters().value(limit, on=started, region=region[:6]).value)
    return days, workdays.add_working_days(started, days).day


def on_day(monkeypatch: pytest.MonkeyPatch, day: datetime.date) -> None:
    """The pages see `day` as today."""
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)


def _receipt_steps(client: Client, application: Any) -> str:
    return _page(client, application).split("</h1>", 1)[1]


def test_the_receipt_gives_each_steps_limit_and_the_last_day_of_the_township_check(
    make_person: Any, township_officer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    application = apply(make_person(), township_officer)  # taken on 2026-08-10
    days, due = last_day(deadlines.TOWNSHIP_CHECK_DAYS, application.applied_on, application.region)
    review, _later = last_day(deadlines.COUNTY_REVIEW_DAYS, due, application.region)
    client = english(township_officer)
    on_day(monkeypatch, due)
    text = _receipt_steps(client, application)
    assert (
        f"The township federation checks the application and the documents within {days} "
        f"working days. Your application is at this step: its last day is {due:%Y-%m-%d}."
    ) in text
    assert f"The county federation reviews the application within {review} working days." in text
    assert "overdue" not in text
    on_day(monkeypatch, due + datetime.timedelta(days=1))
    late = _receipt_steps(client, application)
    assert f"its last day was {due:%Y-%m-%d} (overdue)." in late


def test_the_receipt_counts_the_county_review_from_the_township_check(
    make_person: Any, township_officer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    application = apply(make_person(), township_officer)
    checked_on = d(8, 20)
    decide(application, township_officer, checked_on)
    days, due = last_day(deadlines.COUNTY_REVIEW_DAYS, checked_on, application.region)
    client = english(township_officer)
    on_day(monkeypatch, due)
    text = _receipt_steps(client, application)
    # The township's check is done: the list starts from the county's review.
    assert "The township federation checks" not in text
    assert (
        f"The county federation reviews the application within {days} working days. "
        f"Your application is at this step: its last day is {due:%Y-%m-%d}."
    ) in text
    on_day(monkeypatch, due + datetime.timedelta(days=1))
    assert f"its last day was {due:%Y-%m-%d} (overdue)." in _receipt_steps(client, application)
    # In Chinese, the overdue mark in words.
    chinese = _page(client_for(township_officer), application)
    assert f"办理期限为 {due:%Y-%m-%d}（已逾期）" in chinese
