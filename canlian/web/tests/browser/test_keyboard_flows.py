"""The main tasks with the keyboard alone, in a real browser.

No mouse events: only Tab, Shift+Tab, typing, Enter and Space (page.keyboard). Every element
that Tab reaches must show a visible focus indicator: an outline that is not transparent, or
a box-shadow (GOV.UK's focus style for links and buttons).
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest

from canlian.accounts.models import User
from canlian.people import services as people
from canlian.people.models import Person, StatusKind

from .conftest import PASSWORD

pytestmark = [
    pytest.mark.browser,
    # Transactional: the live server must see the data (see conftest.py).
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const cs = getComputedStyle(el);
  const transparent = c => c === 'transparent' || /rgba\\(.*,\\s*0\\)$/.test(c);
  const outline = cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0
    && !transparent(cs.outlineColor);
  return {
    tag: el.tagName.toLowerCase(),
    id: el.id,
    classes: el.className,
    text: (el.innerText || el.value || '').trim().slice(0, 40),
    href: el.getAttribute('href'),
    outline: `${cs.outlineStyle} ${cs.outlineWidth} ${cs.outlineColor}`,
    boxShadow: cs.boxShadow,
    visible: outline || cs.boxShadow !== 'none',
  };
}"""


class Keys:
    """Drive a page with the keyboard; check the focus indicator at every Tab stop."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.stops: list[dict[str, Any]] = []

    def focused(self) -> dict[str, Any] | None:
        return self.page.evaluate(FOCUSED)

    def is_focused(self, selector: str) -> bool:
        return bool(
            self.page.evaluate(
                "s => !!document.activeElement && document.activeElement.matches(s)", selector
            )
        )

    def tab(self, key: str = "Tab") -> dict[str, Any]:
        self.page.keyboard.press(key)
        info = self.focused()
        assert info is not None, f"{key} moved focus off every element on {self.page.url}"
        assert info["visible"], f"no visible focus indicator: {info} on {self.page.url}"
        self.stops.append(info)
        return info

    def tab_to(self, selector: str, limit: int = 60, key: str = "Tab") -> dict[str, Any]:
        passed = []
        for _ in range(limit):
            info = self.tab(key)
            if self.is_focused(selector):
                return info
            passed.append(f"{info['tag']}#{info['id']} {info['text']!r}")
        raise AssertionError(
            f"{key} did not reach {selector} on {self.page.url} in {limit} presses; it passed: "
            + ", ".join(passed)
        )

    def press_and_wait(self, key: str) -> None:
        with self.page.expect_navigation():
            self.page.keyboard.press(key)

    def wait_for_focus(self, selector: str) -> None:
        self.page.wait_for_function(
            "s => !!document.activeElement && document.activeElement.matches(s)",
            arg=selector,
            timeout=5_000,
        )


def sign_in(page: Any, keys: Keys, user: User) -> None:
    page.goto("/login/")
    keys.tab_to("#id_username")
    page.keyboard.type(user.username)
    keys.tab()
    assert keys.is_focused("#id_password"), "Tab from the user name must reach the password"
    page.keyboard.type(PASSWORD)
    keys.press_and_wait("Enter")
    assert "/login/" not in page.url, "signing in with the keyboard failed"


@pytest.fixture
def person(make_person: Any, county_clerk: User) -> Person:
    person = make_person(name="王建国")
    people.add_status_period(
        person=person,
        kind=StatusKind.DIBAO,
        start=datetime.date(2021, 1, 1),
        end=None,
        acting_user=county_clerk,
    )
    return person


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(
    new_page: Any, county_clerk: User, person: Person
) -> None:
    page = new_page()
    keys = Keys(page)
    sign_in(page, keys, county_clerk)
    for url in ("/login/", "/people/", f"/people/{person.pk}/", f"/people/{person.pk}/edit/"):
        page.goto(url)
        first = keys.tab()
        assert "govuk-skip-link" in first["classes"], f"first Tab on {url} reached {first}"
        page.keyboard.press("Enter")
        keys.wait_for_focus("main#main-content")
        # The next Tab continues inside main, past the header.
        after = keys.tab()
        assert page.evaluate("() => !!document.activeElement.closest('main')"), (
            f"Tab after the skip link on {url} left main: {after}"
        )


def test_find_edit_fix_an_error_and_export_with_the_keyboard(
    new_page: Any, county_clerk: User, person: Person
) -> None:
    page = new_page()
    keys = Keys(page)

    # Sign in: Tab to the user name, type, Tab to the password, type, Enter.
    sign_in(page, keys, county_clerk)
    assert page.url.endswith("/people/")

    # Find the person: Tab into the search field, type the name, Enter.
    keys.tab_to("#id_q")
    page.keyboard.type("王建")
    keys.press_and_wait("Enter")
    assert "q=" in page.url

    # Open the record from the results.
    keys.tab_to(f"main a[href='/people/{person.pk}/']")
    keys.press_and_wait("Enter")
    assert page.inner_text("h1") == "王建国"

    # Open the edit form.
    keys.tab_to(f"main a[href='/people/{person.pk}/edit/']")
    keys.press_and_wait("Enter")
    assert page.url.endswith(f"/people/{person.pk}/edit/")

    # Clear a required field and submit with Enter.
    keys.tab_to("#id_name")
    page.keyboard.press("Control+A")
    page.keyboard.press("Backspace")
    keys.press_and_wait("Enter")

    # The error summary takes focus (GOV.UK Frontend's ErrorSummary) ...
    keys.wait_for_focus(".govuk-error-summary")
    summary = keys.focused()
    assert summary and summary["visible"], f"error summary focus is not visible: {summary}"
    assert page.title().startswith("错误："), page.title()
    # ... and its link, followed with Enter, puts focus in the field.
    keys.tab()
    assert keys.is_focused(".govuk-error-summary a[href='#id_name']"), keys.focused()
    page.keyboard.press("Enter")
    keys.wait_for_focus("#id_name")

    # Fix it and save.
    page.keyboard.type("王建民")
    keys.press_and_wait("Enter")
    assert page.url.endswith(f"/people/{person.pk}/")
    banner = page.locator(".govuk-notification-banner--success")
    assert "修改已保存" in banner.inner_text()
    keys.wait_for_focus(".govuk-notification-banner--success")  # announced and focused
    assert page.inner_text("h1") == "王建民"

    # Back up to the main menu (it is above the focused banner), then export.
    keys.tab_to("nav a[href='/people/']", key="Shift+Tab")
    keys.press_and_wait("Enter")
    keys.tab_to("main a[href^='/people/export.csv']")
    with page.expect_download() as download_info:
        page.keyboard.press("Enter")
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    content = Path(download.path()).read_text(encoding="utf-8-sig")
    assert "王建民" in content

    # Every kind of control met on the way showed its focus.
    kinds = {stop["tag"] for stop in keys.stops}
    assert {"a", "input", "button"} <= kinds, kinds


def test_display_settings_with_the_keyboard(new_page: Any, county_clerk: User) -> None:
    page = new_page()
    keys = Keys(page)
    sign_in(page, keys, county_clerk)

    keys.tab_to("header button[name=text][value=larger]")
    keys.press_and_wait("Space")
    assert "cl-text-larger" in (page.get_attribute("html", "class") or "")

    keys.tab_to("header button[name=contrast][value=high]")
    keys.press_and_wait("Enter")
    assert "cl-contrast-high" in (page.get_attribute("html", "class") or "")
    pressed = page.get_attribute("header button[name=contrast]", "aria-pressed")
    assert pressed == "true"

    # In high contrast every Tab stop still shows focus: walk the whole page once.
    first = keys.tab()
    assert "govuk-skip-link" in first["classes"]
    walked = 1
    while walked < 80:
        page.keyboard.press("Tab")
        info = keys.focused()
        if info is None:  # past the last control
            break
        assert info["visible"], f"no visible focus indicator in high contrast: {info}"
        walked += 1
    assert walked > 10, walked

    # Back to the standard display, still by keyboard.
    page.goto("/people/")
    keys.tab_to("header button[name=text][value=normal]")
    keys.press_and_wait("Enter")
    keys.tab_to("header button[name=contrast][value=normal]")
    keys.press_and_wait("Enter")
    assert page.get_attribute("html", "class") == "govuk-template"
