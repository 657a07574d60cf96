"""Browser test harness: a live server, Debian's Chromium through Playwright, axe-core.

One browser per test session; every test gets fresh browser contexts (cookies, storage), one
per signed-in user. Run with `.venv/bin/pytest -m browser`; see docs/accessibility.md.

Needs: /usr/bin/chromium (Debian packages chromium and fonts-noto-cjk), the Python package
playwright (its own browser download is never used) and canlian/static/build/axe.min.js from
`bash scripts/build-assets.sh --with-axe`.
"""

from __future__ import annotations

import importlib
import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, connections

from canlian.conftest import opened
from canlian.lib import chromium

AXE_JS = Path(settings.BASE_DIR) / "canlian" / "static" / "build" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
# canlian/conftest.py gives every role fixture this password.
PASSWORD = "not-a-real-password"

# Every browser test talks to the live server, so every one is transactional and marked
# @pytest.mark.django_db(transaction=True, serialized_rollback=True): on PostgreSQL the
# server has its own connection and sees only committed data. Each test flushes the database
# afterwards; serialized_rollback puts back what the migrations loaded (the Jiaozuo
# jurisdiction tree) before the next one.


# ---------------------------------------------------------------------------
# The audit log is append-only in the database itself (audit migration 0002: triggers that
# refuse UPDATE, DELETE and TRUNCATE). A transactional test ends with a flush that deletes
# every row, so the triggers are taken away just for that flush and put back before the next
# test and at the end of the session. They stay in force while the pages are exercised.
# The same goes for the triggers that keep approved payment rolls and their lines immutable
# (benefits migration 0002): the crawl's world has an approved roll.
# ---------------------------------------------------------------------------

_append_only = importlib.import_module("canlian.audit.migrations.0002_append_only_trigger")
_immutable_rolls = importlib.import_module("canlian.benefits.migrations.0002_immutable_rolls")
_GUARDS = (_append_only, _immutable_rolls)
_guard = {"down": False}


def _guard_up() -> None:
    if _guard["down"]:
        with connection.schema_editor() as editor:
            for guard in _GUARDS:
                guard.forbid(None, editor)
        _guard["down"] = False


def _guard_off() -> None:
    if not _guard["down"]:
        with connection.schema_editor() as editor:
            for guard in _GUARDS:
                guard.allow(None, editor)
        _guard["down"] = True


@pytest.fixture(scope="session")
def _audit_guard_at_session_end(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    yield
    with django_db_blocker.unblock():
        _guard_up()


@pytest.fixture
def flushable_audit_log(_audit_guard_at_session_end: None, transactional_db: Any) -> Iterator[None]:
    _guard_up()
    yield
    _guard_off()


# ---------------------------------------------------------------------------
# Browser
# ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, started once for the session."""
    if not chromium.available():
        pytest.fail(
            f"{chromium.EXECUTABLE} not found: install Debian's chromium and fonts-noto-cjk "
            "(apt-get install chromium fonts-noto-cjk) or set CANLIAN_CHROMIUM",
            pytrace=False,
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is not installed: .venv/bin/pip install -e '.[dev]'", pytrace=False)
    # Playwright's sync API marks its event loop as running in the main thread between calls
    # (playwright/_impl/_greenlets.py). Two consequences for Django in the test body:
    # - the ORM refuses to run ("You cannot call this from an async context"); the test body
    #   never runs concurrently with that loop, so the check is switched off;
    # - `connections` is thread-critical asgiref Local storage, which switches to a context
    #   variable while a loop runs, so the test body would get new connection objects: not
    #   the one shared with the live server (in-memory SQLite) and without the serialized
    #   contents that serialized_rollback restores. The thread's own connections are put
    #   into that storage too, so the test body keeps using them.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    originals = {alias: connections[alias] for alias in connections}
    try:
        with sync_playwright() as pw:
            for alias, wrapper in originals.items():
                connections[alias] = wrapper
            launched = pw.chromium.launch(
                executable_path=chromium.EXECUTABLE, args=chromium.ARGS, headless=True
            )
            yield launched
            launched.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def server(live_server: Any, flushable_audit_log: None) -> Iterator[str]:
    """The live server's base URL. It serves static files (pytest-django uses Django's
    StaticFilesHandler when django.contrib.staticfiles is installed)."""
    # The crawl is refused pages on purpose; keep the log for real errors (500s).
    request_log = logging.getLogger("django.request")
    level = request_log.level
    request_log.setLevel(logging.ERROR)
    yield str(live_server.url)
    request_log.setLevel(level)


def csp_violation(message: Any) -> bool:
    """Chromium reports what the Content-Security-Policy refused as a console error."""
    return message.type == "error" and "Content Security Policy" in message.text


@pytest.fixture
def new_page(browser: Any, server: str) -> Iterator[Callable[..., Any]]:
    """Open a page in a fresh browser context (own cookies), Simplified Chinese first.

    The test fails afterwards if any page it opened had something refused by the
    Content-Security-Policy (an inline script or style, a handler, a foreign source)."""
    contexts: list[Any] = []
    refused: list[str] = []

    def open_page(**options: Any) -> Any:
        options.setdefault("viewport", chromium.VIEWPORT)
        options.setdefault("locale", "zh-CN")
        options.setdefault("accept_downloads", True)
        context = browser.new_context(base_url=server, **options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.on(
            "console",
            lambda m: refused.append(f"{page.url}: {m.text}") if csp_violation(m) else None,
        )
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not refused, "refused by the Content-Security-Policy:\n" + "\n".join(refused)


def submit_login(page: Any, username: str, password: str) -> Any:
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    return page


def submit_code(page: Any, user: Any) -> Any:
    """On the second step of signing in, enter the current code of the user's authenticator
    (canlian/conftest.py gives every fixture user that needs one TEST_TOTP_KEY)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from canlian.accounts import otp
    from canlian.conftest import TEST_TOTP_KEY

    # A real app shows each code once per 30 seconds; a test signing one user in twice
    # within that time forgets the step used instead of waiting.
    TOTPDevice.objects.filter(user=user).update(last_t=-1)
    page.fill("#id_code", otp.current_code(TEST_TOTP_KEY))
    with page.expect_navigation():
        page.click("main button[type=submit]")
    return page


@pytest.fixture
def login_as(new_page: Callable[..., Any]) -> Callable[..., Any]:
    """Sign `user` in through the real login form (and the code from their authenticator app
    when they have one); return the page it lands on."""

    def login(user: Any, password: str = PASSWORD, **options: Any) -> Any:
        page = new_page(**options)
        page.goto("/login/")
        submit_login(page, user.username, password)
        if "/login/verify/" in page.url:
            submit_code(page, user)
        assert "/login/" not in page.url, f"{user.username} could not sign in"
        return page

    return login


# ---------------------------------------------------------------------------
# axe-core
# ---------------------------------------------------------------------------


def format_violation(violation: dict[str, Any], where: str) -> str:
    lines = [
        f"[{where}] {violation['id']} ({violation.get('impact') or 'n/a'}): "
        f"{violation['help']}  <{violation['helpUrl']}>"
    ]
    for node in violation["nodes"]:
        target = " ".join(
            t if isinstance(t, str) else " >> ".join(t) for t in node.get("target", [])
        )
        html = " ".join(node.get("html", "").split())
        if len(html) > 300:
            html = html[:297] + "..."
        lines.append(f"    at {target}\n       {html}")
        summary = " ".join((node.get("failureSummary") or "").split())
        if summary:
            lines.append(f"       {summary}")
    return "\n".join(lines)


# Checks axe-core does not make (its duplicate-id rules are retired) or makes only as a best
# practice, run on every page beside it. Each returns a list of problems.
PAGE_CHECKS_JS = """() => {
  const problems = [];
  const counts = {};
  for (const el of document.querySelectorAll('[id]')) counts[el.id] = (counts[el.id] || 0) + 1;
  for (const [id, n] of Object.entries(counts)) {
    if (n > 1) problems.push(`duplicate id "${id}" on ${n} elements`);
  }
  const lang = document.documentElement.getAttribute('lang');
  if (!['zh-Hans', 'en'].includes(lang)) problems.push(`<html lang="${lang}">: not zh-Hans or en`);
  if (document.querySelectorAll('main').length !== 1) problems.push('not exactly one <main>');
  if (document.querySelectorAll('h1').length !== 1) problems.push('not exactly one <h1>');
  if (!document.title.trim()) problems.push('empty <title>');
  // Landmarks of one kind need distinct names (axe: landmark-unique, a best practice).
  const names = {};
  const landmarks = [
    'nav', 'aside', '[role=region]', '[role=search]', 'form[aria-label]', 'form[aria-labelledby]',
  ].join(',');
  const text = id => document.getElementById(id)?.textContent || '';
  for (const el of document.querySelectorAll(landmarks)) {
    const by = el.getAttribute('aria-labelledby');
    const labelled = by ? by.split(/\\s+/).map(text).join(' ') : '';
    const name = (el.getAttribute('aria-label') || labelled).trim();
    const role = el.getAttribute('role') || el.tagName.toLowerCase();
    if (!name && role !== 'form') problems.push(`a ${role} landmark has no accessible name`);
    const key = role + '|' + name;
    if (names[key]) problems.push(`two ${role} landmarks named "${name}"`);
    names[key] = true;
  }
  for (const nav of document.querySelectorAll('nav')) {
    if (nav.querySelectorAll('[aria-current=page]').length > 1) {
      problems.push(`${nav.getAttribute('aria-label')}: more than one aria-current=page`);
    }
  }
  return problems;
}"""


class Axe:
    """Run axe-core on the current document for the WCAG 2.0/2.1/2.2 A and AA rules.

    axe.min.js is loaded from the live server (/static/build/axe.min.js), so the browser
    caches it. Stylesheets are not preloaded into axe's CSSOM: only css-orientation-lock needs
    that, and it is replaced by test_stylesheet_does_not_lock_orientation (a static check of
    the compiled CSS), which saves about a third of each run.
    """

    options = {
        "runOnly": {"type": "tag", "values": AXE_TAGS},
        "rules": {"css-orientation-lock": {"enabled": False}},
        "preload": False,
        "resultTypes": ["violations", "incomplete"],
    }
    # Incomplete results are what axe could not decide. For colour contrast that means text
    # over something axe cannot resolve (an overlapping element, a pseudo-element); such a
    # case hid near-black text on black in high contrast, so it fails too: fix the overlap
    # or the colour until axe can decide.
    strict_incomplete = frozenset({"color-contrast"})
    # The text ECharts draws in a chart's SVG (axis labels, legend, tooltip): axe cannot find
    # the background behind SVG text and leaves its contrast undecided. The drawing is
    # aria-hidden (the table beside it is the accessible version) and its colours are fixed
    # in charts.js; test_charts.py checks their contrast against the page instead.
    context = {"exclude": [[".cl-chart__drawing text"]]}

    def __init__(self) -> None:
        if not AXE_JS.exists():
            pytest.fail(
                f"{AXE_JS.relative_to(settings.BASE_DIR)} is missing: "
                "run `bash scripts/build-assets.sh --with-axe` first",
                pytrace=False,
            )
        self.pages_checked = 0

    def violations(self, page: Any, where: str = "") -> list[str]:
        """Readable violations of the page as it is now (empty when it passes)."""
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.add_script_tag(url=f"/{settings.STATIC_URL.strip('/')}/build/axe.min.js")
        # Selectors for the report cost time on every node; most pages pass, so they are
        # only worked out when there is something to report.
        run = "([context, options]) => window.axe.run(context, options)"
        result = page.evaluate(run, [self.context, {**self.options, "selectors": False}])
        if result["violations"] or any(
            v["id"] in self.strict_incomplete for v in result["incomplete"]
        ):
            result = page.evaluate(run, [self.context, self.options])
        self.pages_checked += 1
        where = where or page.url
        found = [format_violation(v, where) for v in result["violations"]]
        found += [
            format_violation(v, f"{where}, axe could not decide")
            for v in result["incomplete"]
            if v["id"] in self.strict_incomplete
        ]
        found += [f"[{where}] page-check: {p}" for p in page.evaluate(PAGE_CHECKS_JS)]
        return found

    def assert_clean(self, page: Any, where: str = "") -> None:
        found = self.violations(page, where)
        assert not found, "axe found accessibility violations:\n" + "\n".join(found)


@pytest.fixture(scope="session")
def axe() -> Axe:
    return Axe()


# ---------------------------------------------------------------------------
# Certificate data shared by the crawl and the keyboard flows (built through the services)
# ---------------------------------------------------------------------------


@pytest.fixture
def designated_institution(system_admin: Any) -> Any:
    """A hospital designated by the system administrator for the whole city (焦作市), for
    every category, home visits too: it serves both counties of the fixtures."""
    from canlian.certificates import institutions
    from canlian.places.models import Place

    return institutions.save_institution(
        name="市第一人民医院（示例）",
        place=Place.objects.get(code="410800000000"),
        categories=[1, 2, 3, 4, 5, 6, 7],
        home_visits=True,
        address="焦作市解放中路1号",
        active=True,
        acting_user=system_admin,
    )


# ---------------------------------------------------------------------------
# Employment security fund data for the crawl (built through the services)
# ---------------------------------------------------------------------------


@pytest.fixture
def levy_world(make_person: Any, county_clerk: Any, other_county_clerk: Any) -> dict[str, Any]:
    """An employer in each county; the one of 温县 has a verified declaration for this year
    (one employee who does not count, so its reason is shown) and a notified one for last
    year."""
    import dataclasses
    import datetime
    from decimal import Decimal

    from django.utils import timezone
    from stdnum.cn import uscc

    from canlian.levy import services as levy

    def code(region: str, serial: int) -> str:
        body = f"91{region}MA{serial:07d}"
        return body + uscc.calc_check_digit(body)

    def employer(name: str, place: str, clerk: Any, serial: int) -> Any:
        return levy.save_employer(
            data=levy.EmployerData(
                name=name, uscc=code(place[:6], serial), kind="enterprise", place_code=place,
                address="示例路1号", contact_name="李会计", contact_phone="0391-6123456",
            ),
            acting_user=clerk,
        )  # fmt: skip

    def employee(person: Any, *, insured: bool = True) -> levy.EmployeeLine:
        return levy.EmployeeLine(
            id_number=opened(person), name=person.name, contract_months=12,
            annual_wage=Decimal("36000.00"), social_insurance=insured,
        )  # fmt: skip

    wen = employer("温县示例机械有限公司", "410825000000", county_clerk, 801)
    meng = employer("孟州市示例皮革厂", "410883001000", other_county_clerk, 802)
    severe, counted, uninsured = (
        make_person(name="韩保障", grade=1),
        make_person(name="郑保障", grade=3),
        make_person(name="冯保障", grade=4),
    )
    today = timezone.localdate()

    def declared(year: int, employees: list[levy.EmployeeLine]) -> Any:
        declaration = levy.declare(
            employer=wen, year=year, staff=Decimal("200"), total_wages=Decimal("12000000.00"),
            local_average_wage=Decimal("50000.00"), minimum_annual_wage=Decimal("25200.00"),
            declared_on=min(today, datetime.date(year, 3, 2)), employees=employees,
            acting_user=county_clerk,
        )  # fmt: skip
        return levy.verify(declaration=declaration, acting_user=county_clerk)

    notified = declared(today.year - 1, [employee(severe), employee(counted)])
    notified = levy.mark_notified(declaration=notified, notified_on=today, acting_user=county_clerk)
    veteran = make_person(name="卫军人", grade=2)
    veteran_line = dataclasses.replace(
        employee(veteran), certificate_kind="veteran", veteran_number="豫A135790", veteran_grade=2
    )
    verified = declared(
        today.year,
        [employee(severe), employee(counted), employee(uninsured, insured=False), veteran_line],
    )
    return {
        "employer_wen": wen,
        "employer_meng": meng,
        "levy_declarations": {"verified": verified, "notified": notified},
    }


# ---------------------------------------------------------------------------
# Subsidy and payment roll data for the crawl (built through the services)
# ---------------------------------------------------------------------------


@pytest.fixture
def subsidy_world(
    make_person: Any,
    county_clerk: Any,
    township_officer: Any,
    finance: Any,
    finance_reviewer: Any,
    tmp_path: Path,
) -> dict[str, Any]:
    """In 温县: an application awaiting the township's first check and one awaiting the county
    federation's review (so that a decision form shows for the township officer and for the
    county clerk); two persons enrolled for the care subsidy (carried over); the care roll of
    2026-10 generated by one finance officer and approved by another, with its bank file
    exported and the bank's result file read (one line paid, one failed, a row of another
    roll); a recovery item opened on the paid line; and November's care roll, a draft
    prepared by the second finance officer."""
    import datetime

    from canlian.benefits import services as subsidies
    from canlian.benefits.eligibility import Month
    from canlian.payroll import bankfiles, rolls
    from canlian.payroll.models import Recovery, Roll

    account = "6228480012345678901"
    today = datetime.date(2026, 11, 20)

    def application(name: str) -> Any:
        person = make_person(name=name, grade=2)
        return subsidies.apply(
            person_id=person.pk, programme="living", applied_on=today, channel="in_person",
            bank_name="农业银行", account=account, acting_user=township_officer, today=today,
        )  # fmt: skip

    submitted = application("赵申请")
    checked = application("钱申请")
    checked = subsidies.decide(
        application_id=checked.pk, passed=True, reason="", acted_on=today,
        acting_user=township_officer, today=today,
    )  # fmt: skip

    def enrolled(name: str) -> Any:
        person = make_person(name=name, grade=2)
        return subsidies.enrol_existing(
            person_id=person.pk, programme="care", start_month=datetime.date(2026, 1, 1),
            approved_on=datetime.date(2025, 12, 20), bank_name="农业银行", account=account,
            long_term_care_months=12, acting_user=county_clerk,
        )  # fmt: skip

    enrolment = enrolled("李护理")
    enrolled("周护理")
    month = Month(2026, 10)
    rolls.generate(month=month, county="410825", acting_user=finance, today=today)
    roll = Roll.objects.get(county="410825", programme="care", month=month.first)
    roll = rolls.approve(roll_id=roll.pk, acting_user=finance_reviewer)
    bankfiles.export_roll(
        roll_id=roll.pk, path=tmp_path / "bank-file.csv", full=False, acting_user=finance
    )
    paid, failed = roll.lines.order_by("id")
    result = tmp_path / "bank-result.csv"
    result.write_text(
        "支付参考号,金额,结果,原因\n"
        f"{paid.reference},{paid.amount:.2f},成功,\n"
        f"{failed.reference},{failed.amount:.2f},失败,账户已销户\n"
        "C999999999999999,60.00,成功,\n",
        encoding="utf-8",
    )
    outcome = bankfiles.reconcile(
        roll_id=roll.pk, path=result, filename="回盘.csv", acting_user=finance
    )
    assert outcome.record is not None
    recovery = Recovery.objects.create(line=paid, reason="paid for 2026-10 after death")
    # November's care roll of 温县, a draft prepared by the second finance officer: the first
    # sees its approve, discard and adjustment forms.
    rolls.generate(month=Month(2026, 11), county="410825", acting_user=finance_reviewer)
    draft = Roll.objects.get(county="410825", programme="care", month=Month(2026, 11).first)
    return {
        "draft_roll": draft,
        "subsidy_applications": {"submitted": submitted, "township_checked": checked},
        "enrolment": enrolment,
        "roll": roll,
        "reconciliation": outcome.record,
        "recovery": recovery,
    }
