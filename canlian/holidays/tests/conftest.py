"""Fixtures of the calendar tests: messages in English, a clean calendar cache per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation

from canlian.lib import workdays


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fresh_calendar() -> Iterator[None]:
    """Each test's transaction is rolled back, never committed: forget what it entered."""
    workdays.invalidate()
    yield
    workdays.invalidate()
