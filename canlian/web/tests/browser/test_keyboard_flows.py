"""The main tasks with the keyboard alone, in a real browser.

No mouse events: only Tab, Shift+Tab, typing, Enter and Space (page.keyboard). Every element
that Tab reaches must show a visible focus indicator: an outline that is not transparent, or
a box-shadow (GOV.UK's focus style for links and buttons).
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from canlian.accounts import otp
from canlian.accounts.models import User
from canlian.certificates.models import Application, Institution, Status
from canlian.certificates.services import PUBLICITY_WORKING_DAYS
from canlian.conftest import TEST_TOTP_KEY, opened
from canlian.lib import crypto, idcard, workdays
from canlian.people import services as people
from canlian.people.models import ID_CONTEXT, Person, StatusKind
from canlian.people.tests.exchange.helpers import id_for, row, write_csv
from canlian.spreadsheets.models import ImportJob

from .conftest import PASSWORD

pytestmark = [
    pytest.mark.browser,
    # Transactional: the live server must see the data (see conftest.py).
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  // GOV.UK radios and checkboxes hide the native control (opacity 0) and draw the focus
  // ring on the box or circle of its label (::before): check that one.
  const custom = el.matches('.govuk-radios__input, .govuk-checkboxes__input') && el.labels[0];
  const cs = custom ? getComputedStyle(el.labels[0], '::before') : getComputedStyle(el);
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
    if "/login/verify/" in page.url:  # a role with an authenticator app: its code next
        TOTPDevice.objects.filter(user=user).update(last_t=-1)  # as submit_code does
        keys.tab_to("#id_code")
        page.keyboard.type(otp.current_code(TEST_TOTP_KEY))
        keys.press_and_wait("Enter")
    assert "/login/" not in page.url, "signing in with the keyboard failed"


def open_registry(page: Any, keys: Keys) -> None:
    """From the page shown, Tab to the menu's registry link and follow it with Enter."""
    keys.tab_to(".cl-nav a[href='/people/']")
    keys.press_and_wait("Enter")
    assert page.url.endswith("/people/")


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

    # Sign in: Tab to the user name, type, Tab to the password, type, Enter. The clerk lands
    # on the to-do list; the menu's registry link is reached with the keyboard.
    sign_in(page, keys, county_clerk)
    assert page.url.endswith("/")
    open_registry(page, keys)

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


def download_with_enter(page: Any) -> Any:
    """Press Enter on the focused download link; return the download."""
    with page.expect_download() as download_info:
        page.keyboard.press("Enter")
    return download_info.value


def upload_with_the_keyboard(page: Any, keys: Keys, path: Path) -> None:
    """On the upload page: Tab to the file field, open the file chooser with Space (a keyboard
    user's way to pick a file), choose `path`, Tab to the upload button, press Enter."""
    keys.tab_to("#id_file")
    chooser = None
    # Space and Enter both open a file field's chooser. Under load Chromium now and then
    # drops the first press (the chooser needs a fresh user activation), so a second key
    # is tried before giving up; either is what a keyboard user would press.
    for key in ("Space", "Enter", "Space"):
        try:
            with page.expect_file_chooser(timeout=5_000) as chooser_info:
                page.keyboard.press(key)
        except PlaywrightTimeoutError:
            assert keys.is_focused("#id_file"), keys.focused()
            continue
        chooser = chooser_info.value
        break
    assert chooser is not None, "no key opened the file chooser"
    chooser.set_files(str(path))
    assert page.evaluate("() => document.querySelector('#id_file').files[0].name") == path.name
    button = keys.tab_to("main form[enctype='multipart/form-data'] button[type=submit]")
    assert button["text"] == "上传并检查", button
    keys.press_and_wait("Enter")
    assert re.search(r"/people/import/[0-9a-f-]{36}/$", page.url), f"not a job page: {page.url}"


def test_import_a_spreadsheet_with_the_keyboard(
    new_page: Any, county_clerk: User, axe: Any, tmp_path: Path
) -> None:
    page = new_page()
    keys = Keys(page)
    sign_in(page, keys, county_clerk)
    open_registry(page, keys)

    # From the registry to the import page.
    link = keys.tab_to("main a[href='/people/import/']")
    assert link["text"] == "从表格导入", link
    keys.press_and_wait("Enter")
    assert page.url.endswith("/people/import/")
    axe.assert_clean(page, "import: upload page")

    # The template, downloaded with Enter.
    keys.tab_to("main a[href='/people/import/template.xlsx']")
    template = download_with_enter(page)
    assert template.suggested_filename.endswith(".xlsx"), template.suggested_filename
    assert Path(template.path()).read_bytes().startswith(b"PK")

    # A file whose first row has a grade that does not exist: checked, refused, nothing written.
    bad = write_csv(tmp_path / "persons-bad.csv", [row(1, 残疾等级="9"), row(2)])
    upload_with_the_keyboard(page, keys, bad)
    assert page.locator(".cl-progress").count() == 0, "the check runs at once in tests"
    alert = page.locator("main [role=alert]")
    assert alert.count() == 1
    assert "1 行有问题：未写入任何数据" in alert.inner_text()
    problems = page.locator("table:has(caption#problems) tbody tr")
    assert problems.count() == 1
    cells = problems.first.locator("td").all_inner_texts()
    assert cells[0] == "2" and "残疾等级" in cells[1], cells  # the first row under the header
    assert "残疾等级请填写代码1–4或名称" in cells[3], cells
    assert page.locator("main form[action$='/confirm/']").count() == 0
    assert page.get_by_role("button", name="确认导入").count() == 0
    assert not Person.objects.exists()
    axe.assert_clean(page, "import: rejected check")
    # The error summary takes focus when the page loads (GOV.UK Frontend's ErrorSummary), so
    # a screen reader announces the problem at once; its link leads to the problems table.
    keys.wait_for_focus(".govuk-error-summary")
    keys.tab()
    assert keys.is_focused(".govuk-error-summary a[href='#problems']"), keys.focused()

    # Back to the upload page with the keyboard (the link is above the summary), and a
    # corrected file.
    keys.tab_to("main a[href='/people/import/']", key="Shift+Tab")
    keys.press_and_wait("Enter")
    assert page.url.endswith("/people/import/")
    assert "persons-bad.csv" in page.inner_text("main table")  # listed under recent imports
    good = write_csv(tmp_path / "persons-good.csv", [row(1), row(2)])
    upload_with_the_keyboard(page, keys, good)
    job = ImportJob.objects.get(filename="persons-good.csv")
    assert job.status == ImportJob.Status.CHECKED, job.summary
    assert page.url.endswith(f"/people/import/{job.pk}/")
    assert page.locator("main [role=alert]").count() == 0
    assert page.locator("table:has(caption#problems)").count() == 0
    assert not Person.objects.exists(), "a check writes nothing"
    axe.assert_clean(page, "import: clean check, before confirming")

    # The report, downloaded with Enter.
    keys.tab_to(f"main a[href='/people/import/{job.pk}/report.xlsx']")
    report = download_with_enter(page)
    assert report.suggested_filename.endswith(".xlsx"), report.suggested_filename
    assert Path(report.path()).read_bytes().startswith(b"PK")

    # Confirm: the import runs (at once in tests) and the page says it is done.
    button = keys.tab_to("main form[action$='/confirm/'] button[type=submit]")
    assert button["text"] == "确认导入", button
    keys.press_and_wait("Enter")
    assert page.url.endswith(f"/people/import/{job.pk}/")
    panel = page.locator(".govuk-panel--confirmation")
    assert panel.count() == 1
    assert "已导入" in panel.inner_text()
    assert page.locator("main form[action$='/confirm/']").count() == 0
    job.refresh_from_db()
    assert job.status == ImportJob.Status.APPLIED
    imported = Person.objects.get(name="测试1")
    assert opened(imported) == id_for(1)
    assert Person.objects.count() == 2
    axe.assert_clean(page, "import: applied")


# ---------------------------------------------------------------------------
# A certificate from the county window to the registry
# ---------------------------------------------------------------------------


def type_into(page: Any, keys: Keys, selector: str, text: str) -> None:
    """Tab to a text field, clear what it holds, type `text`."""
    keys.tab_to(selector)
    page.keyboard.press("Control+A")
    page.keyboard.press("Backspace")
    page.keyboard.type(text)


def choose(page: Any, keys: Keys, selector: str, value: str, limit: int = 40) -> None:
    """Tab to a <select> and press the down arrow until the option `value` is chosen (a
    closed select changes its choice with the arrow keys, without opening)."""
    keys.tab_to(selector)
    for _ in range(limit):
        if page.evaluate("() => document.activeElement.value") == value:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"the arrow keys did not reach {value!r} in {selector}")


def tick(page: Any, keys: Keys, selector: str) -> None:
    """Tab to a radio or checkbox and press Space: it must then be checked."""
    keys.tab_to(selector)
    page.keyboard.press("Space")
    assert page.evaluate("s => document.querySelector(s).checked", selector), selector


def submit(page: Any, keys: Keys) -> None:
    """Tab to the form's submit button and press Enter."""
    keys.tab_to("main form[method=post] button[type=submit]")
    keys.press_and_wait("Enter")


def open_step(page: Any, keys: Keys, application: Application, step: str) -> None:
    """From the application page, Tab to the step's link and press Enter."""
    keys.tab_to(f"main a[href='/certificates/applications/{application.pk}/{step}/']")
    keys.press_and_wait("Enter")
    assert page.url.endswith(f"/{application.pk}/{step}/"), page.url


def saved(page: Any, keys: Keys, application: Application, status: str) -> None:
    """Back on the application page: the success banner is focused, the status changed."""
    assert page.url.endswith(f"/certificates/applications/{application.pk}/"), page.url
    keys.wait_for_focus(".govuk-notification-banner--success")
    application.refresh_from_db()
    assert application.status == status, (application.status, page.inner_text("main"))


def test_take_an_applicant_to_an_issued_certificate_with_the_keyboard(
    new_page: Any, county_clerk: User, designated_institution: Institution, axe: Any
) -> None:
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    received = today - 40 * day
    assessed = today - 35 * day
    # The publicity lasts 5 working days; the review comes after it. Posted at least 8
    # working days ago, it has ended by today whatever the holidays.
    publicity = today - 30 * day
    while workdays.count_working_days(publicity, today) < 8:
        publicity -= day
    publicity_ends = workdays.working_days_from(publicity, PUBLICITY_WORKING_DAYS).day
    assert assessed <= publicity and publicity_ends < today
    id_number = idcard.build(
        region_code="410825", birth_date=datetime.date(1978, 2, 14), sequence=777
    )

    page = new_page()
    keys = Keys(page)
    sign_in(page, keys, county_clerk)

    # The certificates' worklist from the main menu, then a new first application.
    keys.tab_to("nav a[href='/certificates/']")
    keys.press_and_wait("Enter")
    assert page.url.endswith("/certificates/"), page.url
    link = keys.tab_to("main a[href='/certificates/applications/new/']")
    assert link["text"] == "新办申请", link
    keys.press_and_wait("Enter")

    # The applicant, the category, who brought it, the documents and the date received.
    type_into(page, keys, "#id_id_number", id_number)
    type_into(page, keys, "#id_name", "韩新民")
    choose(page, keys, "#id_place_code", "410825001001")
    type_into(page, keys, "#id_phone", "13900000077")
    choose(page, keys, "#id_category", "4")  # physical
    tick(page, keys, "#id_applied_by")  # the applicant in person (the first radio)
    for checkbox in ("#id_documents", "#id_documents_1", "#id_documents_2"):
        tick(page, keys, checkbox)  # ID card, household book, photos
    type_into(page, keys, "#id_received_on", received.isoformat())
    submit(page, keys)
    application = Application.objects.get(
        id_number_index=crypto.blind_index(id_number, context=ID_CONTEXT)
    )
    saved(page, keys, application, Status.SUBMITTED)
    assert application.documents == ["household_book", "id_card", "photos"]

    # Book the assessment at the designated institution.
    open_step(page, keys, application, "book")
    choose(page, keys, "#id_institution", str(designated_institution.pk))
    type_into(page, keys, "#id_booked_for", (received + 4 * day).isoformat())
    submit(page, keys)
    saved(page, keys, application, Status.BOOKED)

    # Record the assessment: physical, mostly unable to live independently, grade 2.
    open_step(page, keys, application, "assess")
    type_into(page, keys, "#id_assessed_on", assessed.isoformat())
    type_into(page, keys, "#id_assessor", "钱医生")
    assert page.evaluate("() => document.querySelector('#id_category').value") == "4"
    choose(page, keys, "#id_independence", "mostly_unable")
    choose(page, keys, "#id_assessor_grade", "2")
    submit(page, keys)
    saved(page, keys, application, Status.ASSESSED)
    assert application.grade == 2

    # Post the publicity.
    open_step(page, keys, application, "publicity")
    type_into(page, keys, "#id_starts_on", publicity.isoformat())
    type_into(page, keys, "#id_location", "测试一村村委会公示栏")
    submit(page, keys)
    saved(page, keys, application, Status.PUBLICITY)
    assert application.publicity_ends_on == publicity_ends

    # The review, first dated inside the publicity: refused, with the error summary focused
    # (GOV.UK Frontend's ErrorSummary) and its link leading to the date.
    open_step(page, keys, application, "review")
    tick(page, keys, "#id_decision")  # approve and issue (the first radio)
    type_into(page, keys, "#id_on", publicity.isoformat())
    keys.press_and_wait("Enter")
    keys.wait_for_focus(".govuk-error-summary")
    summary = keys.focused()
    assert summary and summary["visible"], f"error summary focus is not visible: {summary}"
    assert page.title().startswith("错误："), page.title()
    assert publicity_ends.isoformat() in page.inner_text(".govuk-error-summary")
    axe.assert_clean(page, "review dated inside the publicity")
    keys.tab()
    assert keys.is_focused(".govuk-error-summary a[href='#id_on']"), keys.focused()
    page.keyboard.press("Enter")
    keys.wait_for_focus("#id_on")
    application.refresh_from_db()
    assert application.status == Status.PUBLICITY

    # Dated today: approved, the certificate issued.
    page.keyboard.press("Control+A")
    page.keyboard.press("Backspace")
    page.keyboard.type(today.isoformat())
    assert page.evaluate("() => document.querySelector('#id_decision').checked")
    keys.press_and_wait("Enter")
    saved(page, keys, application, Status.ISSUED)
    assert page.inner_text("main .cl-status-tag") == "已发证"
    assert "已发证" in page.inner_text(".govuk-notification-banner--success")

    # The registry now holds the person, with the certificate's category and grade.
    person = Person.objects.get(id_number_index=application.id_number_index)
    assert (person.name, person.category, person.grade) == ("韩新民", 4, 2)
    assert person.certificate_issued_on == today
    assert application.person == person

    # Every kind of control met on the way showed its focus.
    kinds = {stop["tag"] for stop in keys.stops}
    assert {"a", "input", "select", "button"} <= kinds, kinds


def test_follow_a_subsidy_application_signed_out_with_the_keyboard(
    new_page: Any, make_person: Any, township_officer: User
) -> None:
    """From the sign-in page to the application's steps, signed out: the link, a wrong
    answer (the error summary takes the focus and links to the form), then the right one."""
    import datetime as dt

    from canlian.benefits import services as benefits

    person = make_person(grade=2, name="李申请")
    application = benefits.apply(
        person_id=person.pk,
        programme="care",
        applied_on=timezone.localdate() - dt.timedelta(days=3),
        channel="in_person",
        bank_name="中国农业银行温县支行",
        account="6228480012345678901",
        long_term_care_months=12,
        acting_user=township_officer,
    )
    page = new_page()
    keys = Keys(page)
    page.goto("/login/")
    keys.tab_to("a[href='/portal/subsidies/']")
    keys.press_and_wait("Enter")
    assert page.url.endswith("/portal/subsidies/")
    keys.tab_to("#id_receipt")
    page.keyboard.type(application.receipt_display.lower())
    keys.tab()  # the hint is text; Tab goes on to the next field
    assert keys.is_focused("#id_id_tail")
    page.keyboard.type("000000")
    keys.press_and_wait("Enter")
    keys.wait_for_focus(".govuk-error-summary")
    assert "申请" in page.inner_text(".govuk-error-summary")
    keys.tab_to("#id_id_tail")
    page.keyboard.press("Control+A")
    page.keyboard.type(opened(person)[-6:])
    keys.press_and_wait("Enter")
    main = page.inner_text("main")
    assert "李*请" in main and "李申请" not in main
    assert "乡镇初审" in main or "初审" in main  # the next step awaited


def test_print_a_subsidy_receipt_with_the_keyboard(
    new_page: Any, make_person: Any, township_officer: User, settings: Any
) -> None:
    """From the application's page to its receipt and the print button, by Tab and Enter: the
    receipt shows the whole code to the officer who took it and the public page's address."""
    from canlian.benefits import services as benefits

    settings.PUBLIC_URL = "https://canlian.example.org"
    person = make_person(grade=2, name="李回执")
    application = benefits.apply(
        person_id=person.pk,
        programme="care",
        applied_on=timezone.localdate(),
        channel="in_person",
        bank_name="中国农业银行温县支行",
        account="6228480012345678901",
        long_term_care_months=12,
        acting_user=township_officer,
    )
    page = new_page()
    keys = Keys(page)
    sign_in(page, keys, township_officer)
    page.goto(f"/subsidies/applications/{application.pk}/")
    keys.tab_to(f"a[href='/subsidies/applications/{application.pk}/receipt/']")
    keys.press_and_wait("Enter")
    main = page.inner_text("main")
    assert application.receipt_display in main
    assert "https://canlian.example.org/portal/subsidies/" in main
    assert opened(person) not in main
    keys.tab_to("button[data-print-button]")  # shown by canlian.js, reachable by Tab
    keys.tab_to(f"a[href='/subsidies/applications/{application.pk}/receipt.pdf']")


def certificate_application(clerk: User, name: str, sequence: int) -> Application:
    """A first application of 温县 taken today by `clerk`, through the service."""
    from canlian.certificates import services as certificates
    from canlian.certificates.models import AppliedBy, Document, Kind

    return certificates.submit_application(
        kind=Kind.FIRST, acting_user=clerk, received_on=timezone.localdate(),
        applied_by=AppliedBy.SELF, category=4,
        documents=[Document.ID_CARD, Document.HOUSEHOLD_BOOK, Document.PHOTOS],
        applicant=certificates.Applicant(
            id_number=idcard.build(
                region_code="410825", birth_date=datetime.date(1984, 6, 9), sequence=sequence
            ),
            name=name, ethnicity="01", place_code="410825001001", address="测试一村3组",
            phone="13900000010",
        ),
    )  # fmt: skip


def test_follow_a_certificate_application_signed_out_with_the_keyboard(
    new_page: Any, county_clerk: User
) -> None:
    """From the subsidy page to the certificate page and the application's steps, signed
    out: the link between the two pages, a wrong answer (the error summary takes the focus
    and links to the form), then the right one."""
    application = certificate_application(county_clerk, "李证件", 655)
    page = new_page()
    keys = Keys(page)
    page.goto("/portal/subsidies/")
    keys.tab_to("a[href='/portal/certificates/']")
    keys.press_and_wait("Enter")
    assert page.url.endswith("/portal/certificates/")
    keys.tab_to("#id_receipt")
    page.keyboard.type(application.receipt_display.lower())
    keys.tab()  # the hint is text; Tab goes on to the next field
    assert keys.is_focused("#id_id_tail")
    page.keyboard.type("000000")
    keys.press_and_wait("Enter")
    keys.wait_for_focus(".govuk-error-summary")
    assert "申请" in page.inner_text(".govuk-error-summary")
    keys.tab_to("#id_id_tail")
    page.keyboard.press("Control+A")
    page.keyboard.type(opened(application, "id_number")[-6:])
    keys.press_and_wait("Enter")
    main = page.inner_text("main")
    assert "李*件" in main and "李证件" not in main
    assert "预约评定（当前步骤）" in main  # the step awaited, in the step map
    keys.tab_to("a[href='/portal/certificates/']")  # look up another application


def test_print_a_certificate_receipt_with_the_keyboard(
    new_page: Any, county_clerk: User, settings: Any
) -> None:
    """From the application's page to its receipt and the print button, by Tab and Enter: the
    receipt shows the whole code to the clerk who took it and the public page's address."""
    settings.PUBLIC_URL = "https://canlian.example.org"
    application = certificate_application(county_clerk, "李回执", 657)
    page = new_page()
    keys = Keys(page)
    sign_in(page, keys, county_clerk)
    page.goto(f"/certificates/applications/{application.pk}/")
    keys.tab_to(f"a[href='/certificates/applications/{application.pk}/receipt/']")
    keys.press_and_wait("Enter")
    main = page.inner_text("main")
    assert application.receipt_display in main
    assert "https://canlian.example.org/portal/certificates/" in main
    assert opened(application, "id_number") not in main
    keys.tab_to("button[data-print-button]")  # shown by canlian.js, reachable by Tab
    keys.tab_to(f"a[href='/certificates/applications/{application.pk}/receipt.pdf']")


def test_the_to_do_list_leads_to_the_work_with_the_keyboard(
    new_page: Any, make_person: Any, township_officer: User
) -> None:
    """The township officer signs in on the to-do list, Tabs to the application waiting on
    the township's first check and opens it with Enter; the overdue mark is written out."""
    from canlian.benefits.models import SubsidyApplication
    from canlian.benefits.tests.test_views_applications import take_application

    application = take_application(township_officer, make_person(name="李待办"))
    old = timezone.localdate() - datetime.timedelta(days=60)
    SubsidyApplication.objects.filter(pk=application.pk).update(applied_on=old)
    application.steps.update(acted_on=old)
    page = new_page()
    keys = Keys(page)
    sign_in(page, keys, township_officer)
    assert page.url.endswith("/")
    assert page.inner_text("h1") == "待办事项"
    item = page.inner_text(".cl-todo__item")
    assert "李待办" in item and "逾期" in item
    keys.tab_to(f".cl-todo__item a[href='/subsidies/applications/{application.pk}/']")
    keys.press_and_wait("Enter")
    assert page.url.endswith(f"/subsidies/applications/{application.pk}/")
    assert "逾期" in page.inner_text("main")


def test_find_and_choose_the_applicant_with_the_keyboard(
    new_page: Any, make_person: Any, township_officer: User
) -> None:
    """From the subsidy list to an application form by Tab, typing, Space and Enter: the
    person picker's search, the focus moved to the results' heading, the radio button of the
    person found, and the form opened for them."""
    wang = make_person(name="王建国", grade=2)
    make_person(name="王建国", place_code="410883001001")  # 孟州市: never offered
    page = new_page()
    keys = Keys(page)
    sign_in(page, keys, township_officer)
    page.goto("/subsidies/")
    keys.tab_to("a[href='/subsidies/apply/']")
    keys.press_and_wait("Enter")
    keys.tab_to("#id_who")
    page.keyboard.type("王建")
    keys.press_and_wait("Enter")
    keys.wait_for_focus("#person-results")
    assert page.inner_text("#person-results") == "找到1人，请在下方选择。"
    keys.tab_to("#id_person")
    page.keyboard.press("Space")
    assert page.is_checked("#id_person")
    keys.tab_to("form[aria-labelledby='person-results'] button[type=submit]")
    keys.press_and_wait("Enter")
    assert f"person={wang.pk}" in page.url
    assert page.inner_text("h1") == "申请补贴" and "王建国" in page.inner_text("main")
    keys.tab_to("#id_programme_0, #id_programme")
