"""At 320 px with the largest text the header leaves the first screen to the page, and the
folded controls and menu are still reached by keyboard."""

from __future__ import annotations

from typing import Any

import pytest

from canlian.accounts.models import User

from .test_keyboard_flows import Keys, sign_in

pytestmark = [
    pytest.mark.browser,
    # Transactional: the live server must see the data (see conftest.py).
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

NARROW = {"width": 320, "height": 640}


def _header_height(page: Any) -> float:
    return float(page.evaluate("document.querySelector('header').getBoundingClientRect().height"))


def test_at_320_px_with_the_largest_text_the_header_is_compact(
    new_page: Any, county_clerk: User
) -> None:
    User.objects.filter(pk=county_clerk.pk).update(
        ui_preferences={"text": "larger", "contrast": "high"}
    )
    page = new_page(viewport=NARROW)
    keys = Keys(page)
    sign_in(page, keys, county_clerk)
    page.goto("/people/")
    assert "cl-text-larger" in (page.get_attribute("html", "class") or "")
    folded = _header_height(page)
    assert folded < NARROW["height"] / 3, f"the folded header is {folded}px high"
    assert not page.is_visible("#cl-nav")
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]

    # The skip link first, then the site name, then the button that opens the header.
    assert "govuk-skip-link" in keys.tab()["classes"]
    keys.tab_to("header .cl-header__toggle", limit=3)
    assert page.get_attribute("header .cl-header__toggle", "aria-expanded") == "false"
    page.keyboard.press("Enter")
    assert page.get_attribute("header .cl-header__toggle", "aria-expanded") == "true"
    assert page.is_visible("#cl-nav") and page.is_visible("header button[name=text]")
    # The menu is reached by Tab from the button, past the display controls.
    keys.tab_to("#cl-nav a", limit=20)
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]

    # At desktop width nothing is folded and the button is not shown.
    page.set_viewport_size({"width": 1280, "height": 900})
    assert page.is_visible("#cl-nav") and not page.is_visible("header .cl-header__toggle")


def test_without_javascript_nothing_is_folded(new_page: Any, places: Any) -> None:
    page = new_page(viewport=NARROW, java_script_enabled=False)
    page.goto("/login/")
    assert page.is_visible("header button[name=text]")
    assert not page.is_visible("header .cl-header__toggle")
