"""Every page forbids framing, referrers to other sites, type sniffing and shared windows, and
carries an enforced Content-Security-Policy without inline script or style; the HTML served
keeps to that policy."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from canlian.conftest import client_for
from canlian.web.tests.test_templates import inline_code

pytestmark = pytest.mark.django_db


def policy(response: Any) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = [part.split() for part in header.split(";") if part.strip()]
    return {name: values for name, *values in directives}


@pytest.fixture
def pages(county_clerk: Any, make_person: Any) -> dict[str, Any]:
    """Responses of several kinds of page: signed in, signed out, public, refused, missing."""
    person = make_person()
    clerk = client_for(county_clerk)
    visitor = Client()
    return {
        "registry list": clerk.get(reverse("people:list")),
        "person page": clerk.get(reverse("people:detail", args=[person.pk])),
        "form with errors": clerk.post(reverse("people:create"), {}),
        "sign-in page": visitor.get(reverse("login")),
        "public portal": visitor.get(reverse("portal:subsidy_progress")),
        "public certificate portal": visitor.get(reverse("portal:certificate_progress")),
        "refused page": clerk.get(reverse("audit:list")),
        "unknown page": clerk.get("/people/no-such-page/"),
    }


def test_every_page_forbids_framing_referrers_sniffing_and_shared_windows(pages: Any) -> None:
    for what, response in pages.items():
        assert response["X-Frame-Options"] == "DENY", what
        assert response["Referrer-Policy"] == "same-origin", what
        assert response["X-Content-Type-Options"] == "nosniff", what
        assert response["Cross-Origin-Opener-Policy"] == "same-origin", what


def test_every_page_enforces_a_policy_of_this_site_only_without_inline_code(pages: Any) -> None:
    for what, response in pages.items():
        assert "Content-Security-Policy" in response, what
        assert "Content-Security-Policy-Report-Only" not in response, what
        header = response["Content-Security-Policy"]
        assert "unsafe-inline" not in header and "unsafe-eval" not in header, what
        directives = policy(response)
        assert directives["default-src"] == ["'none'"], what
        for name in ("script-src", "style-src", "img-src", "font-src", "connect-src"):
            assert directives[name] == ["'self'"], (what, name)
        assert directives["frame-ancestors"] == ["'none'"], what
        assert directives["form-action"] == ["'self'"], what
        assert directives["base-uri"] == ["'none'"], what


def test_the_html_served_has_no_inline_script_style_or_event_handler(pages: Any) -> None:
    for what, response in pages.items():
        html = response.content.decode()
        assert "<script" in html, f"{what}: not a full page?"
        assert inline_code(html) == [], what
        scripts = re.findall(r"<script\b[^>]*>", html)
        assert all("src=" in tag for tag in scripts), (what, scripts)


def test_a_pdf_shown_in_the_browser_has_no_policy_that_would_break_its_viewer(
    county_clerk: Any, apply_first: Any
) -> None:
    application = apply_first()
    response = client_for(county_clerk).get(
        reverse("certificates:application_pdf", args=[application.pk])
    )
    assert response["Content-Type"] == "application/pdf"
    assert "Content-Security-Policy" not in response
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
