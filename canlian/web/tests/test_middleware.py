"""No response that may carry personal data is stored by a browser or proxy; static files are.

Walks responses of every kind a user gets: pages, the public portal, redirects, refusals,
JSON, CSV, .xlsx and PDF downloads, each from the real views.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from canlian.conftest import client_for
from canlian.people.exchange import jobs
from canlian.people.tests.exchange.helpers import row, write_csv

pytestmark = pytest.mark.django_db


def assert_not_stored(response: Any, what: str) -> None:
    cache_control = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    assert "no-store" in cache_control, f"{what}: Cache-Control {response.get('Cache-Control')!r}"
    assert "private" in cache_control, what
    assert "public" not in cache_control, what


def test_every_kind_of_response_with_personal_data_says_no_store(
    county_clerk: Any, make_person: Any, apply_first: Any, tmp_path: Path
) -> None:
    person = make_person()
    application = apply_first()
    job = jobs.submit(
        filename="a.csv", content=write_csv(tmp_path / "a.csv", [row(1)]).read_bytes(),
        acting_user=county_clerk,
    )  # fmt: skip
    client = client_for(county_clerk)
    responses = {
        "registry list (HTML)": client.get(reverse("people:list")),
        "person page (HTML)": client.get(reverse("people:detail", args=[person.pk])),
        "edit form (HTML)": client.get(reverse("people:edit", args=[person.pk])),
        "saved form (redirect)": client.post(reverse("people:create"), {}, follow=False),
        "CSV export": client.get(reverse("people:export")),
        ".xlsx export": client.get(reverse("people:export_xlsx")),
        ".xlsx template": client.get(reverse("people:imports:template")),
        "PDF": client.get(reverse("certificates:application_pdf", args=[application.pk])),
        "import status (JSON)": client.get(reverse("people:imports:status", args=[job.pk])),
        "unknown page (404)": client.get("/people/no-such-page/"),
        "refused page (403)": client.get(reverse("audit:list")),
    }
    for what, response in responses.items():
        assert response.status_code < 500, what
        assert_not_stored(response, what)
    assert responses["PDF"]["Content-Type"] == "application/pdf"
    assert responses["refused page (403)"].status_code == 403
    assert responses["unknown page (404)"].status_code == 404


def test_the_public_portal_and_the_sign_in_redirect_say_no_store(db: Any) -> None:
    visitor = Client()
    for page in ("portal:subsidy_progress", "portal:certificate_progress"):
        assert_not_stored(visitor.get(reverse(page)), f"{page} page")
        assert_not_stored(
            visitor.post(reverse(page), {"receipt": "X", "id_tail": "1"}), f"{page} answer"
        )
    redirect = visitor.get(reverse("people:list"))
    assert redirect.status_code == 302
    assert_not_stored(redirect, "redirect to sign in")


def test_a_views_own_public_caching_is_overruled(county_clerk: Any, settings: Any) -> None:
    settings.ROOT_URLCONF = "canlian.web.tests.error_urls"
    response = client_for(county_clerk).get("/test-errors/public-cache/")
    assert_not_stored(response, "a view that asked for public caching")


def test_static_files_keep_their_cache_headers(db: Any) -> None:
    response = Client().get("/static/canlian.js")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert "max-age" in response["Cache-Control"]
