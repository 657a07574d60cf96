"""Every page, for every role, in a real browser: no WCAG 2.2 A/AA violation found by axe-core.

For each role the crawler signs in through the login form and visits every URL the URL
configuration exposes, with concrete arguments from PAGES below. Pages the role may not see
(403, 404, 405) are recorded and must match EXPECTED_DENIED; the first 403 and 404 page of each
pass is checked too. Each visible page is checked, then each of its POST forms is submitted
empty and the error page is checked, then the reveal button is pressed where there is one. All
of that is done twice: in the standard display, and with the largest text and high contrast
(the age-friendly modes, POST /ui/).

"Checked" means: axe-core with the WCAG 2.0/2.1/2.2 A and AA rules (conftest.Axe, which adds
duplicate ids, one main, one h1, html lang and named landmarks), and no sideways scrolling when
the viewport is narrowed to 320 CSS px (WCAG 1.4.10). Any finding fails the test; the message
lists all of them.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from canlian.accounts.models import User
from canlian.people import services as people
from canlian.people.models import Person, StatusKind, StatusPeriod
from canlian.spreadsheets import jobs
from canlian.spreadsheets.exports import XLSX
from canlian.spreadsheets.models import ImportJob
from canlian.spreadsheets.tests.helpers import row, write_csv

pytestmark = pytest.mark.browser
# Transactional: the live server must see the data (see conftest.py).
browser_db = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ROLES = (
    "county_clerk",
    "other_county_clerk",
    "township_officer",
    "city_staff",
    "auditor",
    "security_admin",
    "audit_admin",
    "system_admin",
)


@dataclass
class World:
    """What the crawl needs to build concrete URLs: a person in each county, a status
    period of each, an account to edit, and an import of 温县 whose check found problems."""

    person_wen: Person
    person_meng: Person
    period_wen: StatusPeriod
    period_meng: StatusPeriod
    account: User
    import_job: ImportJob

    def person_for(self, user: User) -> Person:
        return (
            self.person_meng
            if user.place and user.place.code.startswith("410883")
            else self.person_wen
        )

    def period_for(self, user: User) -> StatusPeriod:
        return self.period_meng if self.person_for(user) == self.person_meng else self.period_wen


# URL name -> keyword arguments for the signed-in user. A new URL without an entry here (or in
# NOT_CRAWLED) fails test_every_url_name_is_covered.
PAGES: dict[str, Callable[[World, User], dict[str, Any]]] = {
    "home": lambda w, u: {},
    "people:list": lambda w, u: {},
    "people:create": lambda w, u: {},
    "people:detail": lambda w, u: {"person_id": w.person_for(u).pk},
    "people:edit": lambda w, u: {"person_id": w.person_for(u).pk},
    "people:history": lambda w, u: {"person_id": w.person_for(u).pk},
    "people:status_create": lambda w, u: {"person_id": w.person_for(u).pk},
    "people:status_end": lambda w, u: {
        "person_id": w.person_for(u).pk,
        "period_id": w.period_for(u).pk,
    },
    "audit:list": lambda w, u: {},
    "accounts:list": lambda w, u: {},
    "accounts:create": lambda w, u: {},
    "accounts:edit": lambda w, u: {"user_id": w.account.pk},
    "accounts:profile": lambda w, u: {},
    "places:list": lambda w, u: {},
    "places:import": lambda w, u: {},
    "imports:upload": lambda w, u: {},
    "imports:detail": lambda w, u: {"job_id": w.import_job.pk},
}

# URL names the GET crawl leaves out, and where each is covered instead.
NOT_CRAWLED = {
    "login": "test_login_page_signed_out (signed out, and submitted empty)",
    "logout": "POST only; the sign-out button is in the header of every page crawled",
    "set_language": "POST only; the language buttons are in the header of every page crawled",
    "ui_preferences": "POST only; used by the crawl to switch to large text and high contrast",
    "people:reveal": "POST only; the crawl presses the reveal button on the detail page",
    "people:export": "a CSV download; the crawl checks its status and content type",
    "people:export_xlsx": "an .xlsx download; the crawl checks its status and content type",
    "imports:status": "JSON polled by the script of a running import's page (canlian.js)",
    "imports:confirm": "POST only; test_import_a_spreadsheet_with_the_keyboard presses the "
    "confirm button (the crawl's import is rejected: its page has no confirm form)",
    "imports:report": "an .xlsx download; test_import_a_spreadsheet_with_the_keyboard "
    "downloads it from the job page",
    "imports:template": "an .xlsx download; test_import_a_spreadsheet_with_the_keyboard "
    "downloads it from the upload page",
}

# What each role may not open (status code), given the World above. Everything else in PAGES
# must answer 200 and pass axe.
PERSON_PAGES = {
    "people:list", "people:create", "people:detail", "people:edit", "people:history",
    "people:status_create", "people:status_end",
}  # fmt: skip
ACCOUNT_PAGES = {"accounts:list", "accounts:create", "accounts:edit"}
PLACE_PAGES = {"places:list", "places:import"}
CHANGE_PAGES = {"people:create", "people:edit", "people:status_create", "people:status_end"}
# Imports need the permission to change persons (403 without it); a job is seen only within
# its uploader's subtree (404 elsewhere: the other county, and the township below the county).
IMPORT_PAGES = {"imports:upload", "imports:detail"}
EXPECTED_DENIED: dict[str, set[str]] = {
    "county_clerk": {"audit:list"} | ACCOUNT_PAGES | PLACE_PAGES,
    "other_county_clerk": {"audit:list", "imports:detail"} | ACCOUNT_PAGES | PLACE_PAGES,
    "township_officer": {"audit:list", "imports:detail"} | ACCOUNT_PAGES | PLACE_PAGES,
    "city_staff": {"audit:list"} | ACCOUNT_PAGES | PLACE_PAGES,
    "auditor": CHANGE_PAGES | ACCOUNT_PAGES | PLACE_PAGES | IMPORT_PAGES,
    "security_admin": PERSON_PAGES | {"audit:list"} | PLACE_PAGES | IMPORT_PAGES,
    "audit_admin": PERSON_PAGES | ACCOUNT_PAGES | PLACE_PAGES | IMPORT_PAGES,
    "system_admin": PERSON_PAGES | {"audit:list"} | ACCOUNT_PAGES | IMPORT_PAGES,
}
CAN_REVEAL = {"county_clerk", "other_county_clerk", "city_staff", "auditor"}
CAN_EXPORT = {"county_clerk", "other_county_clerk", "city_staff", "auditor"}
# The registry's downloads, fetched by Crawl.export: URL name -> content type.
EXPORTS = {
    "people:export": "text/csv",
    "people:export_xlsx": XLSX,
}

# Header forms that are not part of a page's own task.
FURNITURE_FORMS = ("logout", "set_language", "ui_preferences")


def url_names(patterns: list[Any] | None = None, namespace: str = "") -> Iterator[str]:
    """Every URL name in the resolver, with its namespace (people:detail)."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name}" if pattern.name else f"<unnamed {pattern.pattern}>"


def test_every_url_name_is_covered() -> None:
    names = set(url_names())
    missing = sorted(names - set(PAGES) - set(NOT_CRAWLED))
    assert not missing, (
        "URL names the accessibility crawl does not visit: "
        + ", ".join(missing)
        + ". Add each to PAGES in canlian/web/tests/browser/test_accessibility_crawl.py "
        "(with its arguments), or to NOT_CRAWLED saying where it is covered."
    )
    stale = sorted((set(PAGES) | set(NOT_CRAWLED)) - names)
    assert not stale, f"PAGES/NOT_CRAWLED name URLs that no longer exist: {stale}"


def test_stylesheet_does_not_lock_orientation() -> None:
    """WCAG 1.3.4, checked on the compiled CSS instead of by axe's css-orientation-lock
    (which needs every stylesheet parsed into axe on every page; see conftest.Axe)."""
    css_path = Path(settings.BASE_DIR) / "canlian" / "static" / "build" / "canlian.css"
    assert css_path.exists(), "run `bash scripts/build-assets.sh --with-axe` first"
    css = css_path.read_text(encoding="utf-8")
    media = re.findall(r"@media[^{]*", css)
    assert media, "no media query found: is this the compiled stylesheet?"
    locked = [m for m in media if "orientation" in m]
    assert not locked, f"media queries on orientation: {locked}"


@browser_db
def test_the_live_server_serves_the_built_css_and_scripts(new_page: Any) -> None:
    """Without the stylesheet every contrast result would be about browser defaults."""
    page = new_page()
    loaded: dict[str, tuple[int, str]] = {}
    page.on(
        "response",
        lambda r: loaded.setdefault(
            r.url.split("/static/", 1)[-1], (r.status, r.headers.get("content-type", ""))
        ),
    )
    page.goto(reverse("login"))
    page.wait_for_selector("[data-govuk-skip-link-init]", state="attached")
    assert loaded["build/canlian.css"][0] == 200
    assert loaded["build/canlian.css"][1].startswith("text/css")
    assert loaded["build/govuk-frontend.min.js"][0] == 200
    header = page.evaluate("getComputedStyle(document.querySelector('.cl-header')).backgroundColor")
    assert header == "rgb(0, 98, 94)"  # $cl-brand from canlian.scss


def rejected_import(tmp_path: Path, clerk: User, existing: Person) -> ImportJob:
    """An import checked with problems, so its page shows both the problems and the changes
    it would have made: a new person, a new phone number for `existing`, and a bad row.
    Rejected, it has no confirm form: the crawl's empty submissions cannot apply it."""
    rows = [
        row(101),
        row(
            102,
            姓名=existing.name,
            公民身份号码=existing.id_number(),
            联系电话="13912345678",
            **{"户籍所在村（社区）": "测试一村"},  # the village it has, so only the phone changes
        ),
        row(103, 残疾等级="9"),
    ]
    path = write_csv(tmp_path / "crawl-import.csv", rows)
    job = jobs.submit(filename=path.name, content=path.read_bytes(), acting_user=clerk)
    jobs.run_check(str(job.pk))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.REJECTED, job.summary
    assert [p["row"] for p in job.problems] == [4], job.problems
    # Row 2 is a new person; row 3 changes the phone of `existing`, nothing else.
    assert [c["row"] for c in job.changes] == [2, 3], job.changes
    return job


@pytest.fixture
def world(make_person: Any, county_clerk: User, other_county_clerk: User, tmp_path: Path) -> World:
    wen = make_person(name="王建国")
    meng = make_person(name="李秀英", place_code="410883001001")

    def period(person: Person, clerk: User) -> StatusPeriod:
        return people.add_status_period(
            person=person,
            kind=StatusKind.DIBAO,
            start=datetime.date(2020, 1, 1),
            end=None,
            acting_user=clerk,
        )

    return World(
        person_wen=wen,
        person_meng=meng,
        period_wen=period(wen, county_clerk),
        period_meng=period(meng, other_county_clerk),
        account=county_clerk,
        import_job=rejected_import(tmp_path, county_clerk, wen),
    )


# ---------------------------------------------------------------------------
# The crawler
# ---------------------------------------------------------------------------


@dataclass
class Crawl:
    axe: Any
    violations: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    visited: set[str] = field(default_factory=set)
    denied: dict[str, int] = field(default_factory=dict)
    forms_submitted: int = 0
    reveals: int = 0
    checked_paths: set[str] = field(default_factory=set)
    mode: str = "standard"

    def check(self, page: Any, what: str) -> None:
        where = f"{self.mode} {what} {page.url}"
        self.violations += self.axe.violations(page, where)
        self.violations += reflow_problems(page, where)

    def page_forms(self, page: Any) -> list[tuple[int, str]]:
        """(index, action) of each POST form that is the page's own (not header furniture)."""
        furniture = [reverse(name) for name in FURNITURE_FORMS]
        forms = page.eval_on_selector_all(
            "form",
            # getAttribute: a field named "action" or "method" shadows the form's property.
            """forms => forms.map(f => [
                (f.getAttribute('method') || 'get').toLowerCase(),
                new URL(f.getAttribute('action') || '', document.baseURI).pathname,
            ])""",
        )
        return [
            (i, action)
            for i, (method, action) in enumerate(forms)
            if method == "post" and action not in furniture
        ]

    def visit(self, page: Any, name: str, url: str) -> None:
        response = page.goto(url)
        status = response.status if response else 0
        if status in (403, 404, 405):
            self.denied[name] = status
            if f"HTTP {status}" not in self.checked_paths:  # the 403 and 404 pages, once each
                self.checked_paths.add(f"HTTP {status}")
                self.check(page, f"{name} (HTTP {status})")
            return
        if status != 200:
            self.problems.append(f"{self.mode} {name} {url}: HTTP {status}")
            return
        self.visited.add(name)
        path = page.url
        if path in self.checked_paths:  # e.g. home redirects to a page already checked
            return
        self.checked_paths.add(path)
        self.check(page, name)
        for n, (index, action) in enumerate(self.page_forms(page)):
            if n:
                page.goto(url)
            if action.endswith("/reveal/"):
                self.reveal(page, name, index)
            else:
                self.submit_empty(page, name, index)

    def submit_empty(self, page: Any, name: str, index: int) -> None:
        form = page.locator("form").nth(index)
        form.evaluate(
            """form => {
                for (const el of form.elements) {
                    if (el.disabled || ['hidden', 'submit', 'button'].includes(el.type)) continue;
                    if (el.type === 'checkbox' || el.type === 'radio') el.checked = false;
                    else if (el.tagName === 'SELECT') {
                        el.value = '';
                        if (el.value !== '') el.selectedIndex = -1;
                    } else if (el.type !== 'file') el.value = '';
                }
            }"""
        )
        with page.expect_navigation():
            form.locator("button[type=submit], input[type=submit]").first.click()
        self.forms_submitted += 1
        summary = page.locator(".govuk-error-summary")
        if summary.count() != 1:
            self.problems.append(f"{self.mode} {name}: an empty form gave no error summary")
        self.check(page, f"{name} (submitted empty)")

    def reveal(self, page: Any, name: str, index: int) -> None:
        with page.expect_navigation():
            page.locator("form").nth(index).locator("button[type=submit]").click()
        self.reveals += 1
        if page.locator(".govuk-inset-text[role=status]").count() != 1:
            self.problems.append(f"{self.mode} {name}: the reveal did not show the full values")
        self.check(page, f"{name} (revealed)")

    def export(self, page: Any) -> None:
        for name, expected_type in EXPORTS.items():
            response = page.request.get(reverse(name))
            if response.status in (403, 404):
                self.denied[name] = response.status
                continue
            content_type = response.headers.get("content-type", "")
            if response.status != 200 or not content_type.startswith(expected_type):
                self.problems.append(f"{name}: HTTP {response.status}, {content_type}")
            self.visited.add(name)


# WCAG 1.4.10 Reflow: at 320 CSS px nothing may make the page scroll sideways. Wide tables
# scroll inside their own region (.cl-table-wrap, focusable and named), which is allowed.
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width) return [];
  return [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > width + 1 && !el.closest('.cl-table-wrap'))
    .slice(0, 5)
    .map(el => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')} ends at `
      + `${Math.round(el.getBoundingClientRect().right)} px`);
}"""


NARROW = {"width": 320, "height": 640}


def reflow_problems(page: Any, where: str) -> list[str]:
    """Narrow the viewport to 320 px (no new request), look for sideways scrolling, restore."""
    size = page.viewport_size
    if size != NARROW:
        page.set_viewport_size(NARROW)
    try:
        found = page.evaluate(OVERFLOWING)
    finally:
        if size != NARROW:
            page.set_viewport_size(size)
    return [f"[{where}] reflow at 320 px: the page scrolls sideways: {found}"] if found else []


def larger_text_high_contrast(page: Any, on: str | None = "accounts:profile") -> None:
    """Choose the largest text and high contrast with the header buttons (POST /ui/)."""
    if on:
        page.goto(reverse(on))
    with page.expect_navigation():
        page.click("header button[name=text][value=larger]")
    with page.expect_navigation():
        page.click("header button[name=contrast][value=high]")
    classes = page.get_attribute("html", "class") or ""
    assert "cl-text-larger" in classes and "cl-contrast-high" in classes, classes


def report(crawl: Crawl) -> str:
    parts = []
    if crawl.problems:
        parts.append("Problems:\n" + "\n".join(crawl.problems))
    if crawl.violations:
        parts.append(
            f"{len(crawl.violations)} accessibility findings:\n" + "\n".join(crawl.violations)
        )
    return "\n\n".join(parts)


@browser_db
@pytest.mark.parametrize("role", ROLES)
def test_every_page_passes_axe_for(
    role: str, request: Any, world: World, login_as: Any, axe: Any, record_property: Any
) -> None:
    user: User = request.getfixturevalue(role)
    page = login_as(user)
    crawl = Crawl(axe)
    for mode in ("standard", "larger-text-high-contrast"):
        crawl.mode = mode
        crawl.checked_paths = set()
        if mode != "standard":
            # axe runs at the desktop width in both modes: at 320 px it cannot tell the
            # contrast of table cells scrolled out of their region (.cl-table-wrap), and
            # reports them as undecided. Reflow is checked at 320 px on every page anyway.
            larger_text_high_contrast(page)
        for name, kwargs in sorted(PAGES.items()):
            crawl.visit(page, name, reverse(name, kwargs=kwargs(world, user)))
    crawl.export(page)

    record_property("visited", sorted(crawl.visited))
    record_property("denied", crawl.denied)
    print(
        f"\n{role}: visited {sorted(crawl.visited)}; denied {crawl.denied}; "
        f"{crawl.forms_submitted} empty submits, {crawl.reveals} reveals"
    )

    assert not crawl.problems and not crawl.violations, report(crawl)
    expected_denied = EXPECTED_DENIED[role] | (set() if role in CAN_EXPORT else set(EXPORTS))
    assert set(crawl.denied) == expected_denied, (
        f"{role} was refused {sorted(crawl.denied)}, expected {sorted(expected_denied)}"
    )
    assert (crawl.reveals > 0) == (role in CAN_REVEAL)


@browser_db
def test_login_page_signed_out(new_page: Any, axe: Any) -> None:
    """The login page, and it submitted empty: standard, larger text with high contrast (kept
    in the session for a visitor), and once in English too."""
    page = new_page()
    crawl = Crawl(axe)
    for mode in ("standard", "larger-text-high-contrast", "english-larger-text-high-contrast"):
        crawl.mode = mode
        crawl.checked_paths = set()
        page.goto(reverse("login"))
        if mode == "larger-text-high-contrast":
            larger_text_high_contrast(page, on=None)
        elif mode.startswith("english"):
            with page.expect_navigation():
                page.click("header button[name=language][value=en]")
            assert page.get_attribute("html", "lang") == "en"
        crawl.visit(page, "login", reverse("login"))
        # Every other page sends a signed-out visitor to the login page.
        response = page.goto(reverse("people:list"))
        assert response and response.status == 200 and "/login/" in page.url
    assert crawl.visited == {"login"} and crawl.forms_submitted == 3
    assert not crawl.problems and not crawl.violations, report(crawl)
