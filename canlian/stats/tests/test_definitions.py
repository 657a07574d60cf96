"""The figures' names and definitions are read by staff: no command line, code or parameter
name in them, in either language."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from canlian.stats import catalogue

INTERNAL = re.compile(r"`|\bcanlian\b|--[a-z]|\b[a-z]+_[a-z_]+\b|\b[a-z]+\.[a-z_]+\b")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_no_figure_definition_names_a_command_or_an_internal_name(language: str) -> None:
    found = {}
    with translation.override(language):
        for figure in catalogue.figures():
            for text in (str(figure.name), str(figure.definition)):
                if match := INTERNAL.search(text):
                    found[figure.id] = match.group(0)
    assert len(catalogue.figures()) > 20
    assert found == {}


def test_the_check_sees_a_command_and_a_code() -> None:
    assert INTERNAL.search("按 `canlian subsidy compute` 的方法")
    assert INTERNAL.search("see levy.ratio")
    assert not INTERNAL.search("残疾人证在当月某日有效，0.85即85%。")
