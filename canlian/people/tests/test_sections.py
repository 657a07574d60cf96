"""The person's page shows the sections the apps above the registry register."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from canlian.conftest import client_for
from canlian.people import sections

pytestmark = pytest.mark.django_db


@pytest.fixture
def restored() -> Iterator[None]:
    before = dict(sections._sections)
    yield
    sections._sections.clear()
    sections._sections.update(before)


@pytest.fixture
def section_template(tmp_path: Path, settings: Any) -> str:
    (tmp_path / "test_section.html").write_text('<p id="test-section">{{ n }}</p>')
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [*templates[0]["DIRS"], tmp_path]
    settings.TEMPLATES = templates
    return "test_section.html"


def test_the_subsidies_section_is_registered_by_benefits() -> None:
    assert [s.template for s in sections.registered()] == ["benefits/_person_section.html"]


def test_a_registered_section_is_shown_after_the_persons_own(
    restored, section_template, make_person, county_clerk
) -> None:
    person = make_person()
    sections.register(
        sections.Section("note", section_template, lambda user, p, today: {"n": p.pk})
    )
    sections.register(sections.Section("hidden", "missing.html", lambda user, p, today: None))
    html = client_for(county_clerk).get(f"/people/{person.pk}/").content.decode()
    assert html.index('id="subsidies"') < html.index(f'id="test-section">{person.pk}<')
    assert "missing.html" not in html
