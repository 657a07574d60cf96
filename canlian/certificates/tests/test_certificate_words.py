"""How a certificate reads on the pages staff use: its status and its period of validity in
the words Chinese staff expect, the disability category by its name (never its code digit)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from canlian.certificates.models import Institution
from canlian.conftest import client_for

pytestmark = pytest.mark.django_db

CODE_AND_NAME = re.compile(r"\d\s*(视力|听力|言语|肢体|智力|精神|多重)残疾")


def _main(page: str) -> str:
    """The page's main content, tags removed."""
    main = page[page.index("<main") : page.index("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def test_a_valid_certificate_is_said_to_be_valid_beside_its_period(
    issued: Any, county_clerk: Any
) -> None:
    application = issued()
    client = client_for(county_clerk)
    detail = _main(
        client.get(
            reverse("certificates:application_detail", args=[application.pk])
        ).content.decode()
    )
    assert "（有效）" in detail and "（有效期）" not in detail
    holder = _main(
        client.get(reverse("certificates:person", args=[application.person_id])).content.decode()
    )
    assert "有效期" in holder  # the heading of the period
    assert re.search(r"有效期 \d{4}-\d{2}-\d{2} – \d{4}-\d{2}-\d{2}", holder)
    assert re.search(r"\d{4}-\d{2}-\d{2} – \d{4}-\d{2}-\d{2} 有效 ", holder)  # the status


def test_the_category_is_shown_by_its_name_without_its_code(
    issued: Any, county_clerk: Any, institution: Institution
) -> None:
    application = issued()
    client = client_for(county_clerk)
    pages = {
        "application": reverse("certificates:application_detail", args=[application.pk]),
        "holder": reverse("certificates:person", args=[application.person_id]),
        "person": reverse("people:detail", args=[application.person_id]),
        "institutions": reverse("certificates:institution_list"),
    }
    for name, url in pages.items():
        text = _main(client.get(url).content.decode())
        assert "肢体残疾" in text, name
        assert not CODE_AND_NAME.search(text), (name, CODE_AND_NAME.findall(text))


def test_the_printed_application_form_names_the_category_and_the_documents(
    apply_first: Any, county_clerk: Any, monkeypatch: Any
) -> None:
    from django.template.loader import render_to_string

    from canlian.lib import pdf

    printed: list[str] = []

    def as_html(template: str, context: dict[str, Any], **kwargs: Any) -> bytes:
        printed.append(render_to_string(template, context, request=kwargs.get("request")))
        return b"%PDF-"

    monkeypatch.setattr(pdf, "render_pdf", as_html)
    application = apply_first()
    client_for(county_clerk).get(reverse("certificates:application_pdf", args=[application.pk]))
    [html] = printed
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "肢体残疾" in text and not CODE_AND_NAME.search(text)
    assert "户口簿" in text and "household_book" not in text  # the documents by their names
