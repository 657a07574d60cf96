"""The receipt of a certificate application: the receipt code (whole only for the clerk who
took the application, that day), its number, the masked ID number only, the county office
and its phone, the public progress page's absolute address and a QR code of exactly that
address, the time limits of the next steps; out of scope is 404; prints logged."""

from __future__ import annotations

import html
import io
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse
from pypdf import PdfReader

from canlian.audit.models import Entry
from canlian.conftest import client_for, opened
from canlian.lib.receipts import qr_for
from canlian.places.models import Place

pytestmark = pytest.mark.django_db

PUBLIC = "https://canlian.example.org"
ADDRESS = f"{PUBLIC}/portal/certificates/"


@pytest.fixture(autouse=True)
def public_url(settings: Any) -> None:
    settings.PUBLIC_URL = PUBLIC


def _english(user: Any) -> Any:
    client = client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_receipt_carries_the_number_office_phone_and_time_limits(
    apply_first: Any, county_clerk: Any
) -> None:
    Place.objects.filter(code="410825000000").update(phone="0391-0250000")
    application = apply_first()
    response = _english(county_clerk).get(reverse("certificates:receipt", args=[application.pk]))
    assert response.status_code == 200
    text = html.unescape(response.content.decode())
    assert application.number in text and application.number.startswith("ZS")
    assert "0391-0250000" in text
    assert application.name in text and application.id_number_masked in text
    assert opened(application, "id_number") not in text
    assert "for 5 working days" in text and "within 10 working days" in text
    pdf = client_for(county_clerk).get(reverse("certificates:receipt_pdf", args=[application.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    entries = Entry.objects.filter(action__startswith="certificate.receipt")
    assert sorted((e.action, e.detail["format"]) for e in entries) == [
        ("certificate.receipt.pdf", "pdf"),
        ("certificate.receipt.view", "page"),
    ]


def test_another_county_gets_404_and_nothing_logged(
    apply_first: Any, other_county_clerk: Any
) -> None:
    application = apply_first()
    client = client_for(other_county_clerk)
    assert client.get(reverse("certificates:receipt", args=[application.pk])).status_code == 404
    assert client.get(reverse("certificates:receipt_pdf", args=[application.pk])).status_code == 404
    assert not Entry.objects.filter(action__startswith="certificate.receipt").exists()


def test_the_application_page_links_the_receipt(apply_first: Any, county_clerk: Any) -> None:
    application = apply_first()
    text = (
        client_for(county_clerk)
        .get(reverse("certificates:application_detail", args=[application.pk]))
        .content.decode()
    )
    assert reverse("certificates:receipt", args=[application.pk]) in text
    assert ADDRESS in text


def test_the_receipt_carries_the_whole_code_the_address_and_its_qr_for_the_taker(
    apply_first: Any, county_clerk: Any
) -> None:
    application = apply_first()
    client = _english(county_clerk)
    text = html.unescape(
        client.get(reverse("certificates:receipt", args=[application.pk])).content.decode()
    )
    assert application.receipt_display in text
    assert ADDRESS in text
    # The QR code on the page encodes exactly the printed address, nothing else.
    assert qr_for(ADDRESS, label="x").svg.split(">", 1)[1] in text
    assert qr_for(ADDRESS + "x", label="x").svg.split(">", 1)[1] not in text
    pdf = client.get(reverse("certificates:receipt_pdf", args=[application.pk]))
    printed = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    printed = printed.replace(" ", "").replace("\n", "")
    assert application.receipt_display in printed and ADDRESS in printed
    assert opened(application, "id_number") not in printed


def test_another_officer_prints_the_code_masked(apply_first: Any, city_staff: Any) -> None:
    application = apply_first()
    text = html.unescape(
        _english(city_staff)
        .get(reverse("certificates:receipt", args=[application.pk]))
        .content.decode()
    )
    assert application.receipt_display not in text and application.receipt[:8] not in text
    assert f"*****-***{application.receipt[-2:]}" in text
    assert "The code is shown in full only to the officer who took the application" in text
    assert ADDRESS in text  # the address is no secret


def test_opening_the_receipt_is_not_recorded_as_printing_it(
    apply_first: Any, county_clerk: Any
) -> None:
    application = apply_first()
    client = client_for(county_clerk)
    assert client.get(reverse("certificates:receipt", args=[application.pk])).status_code == 200
    detail = reverse("certificates:application_detail", args=[application.pk])
    text = client.get(detail).content.decode()
    assert "：打开受理回执" in text
    assert "：打印受理回执" not in text  # the link "为申请人打印受理回执" stays
    client.get(reverse("certificates:receipt_pdf", args=[application.pk]))
    assert "：下载受理回执PDF以便打印" in client.get(detail).content.decode()
