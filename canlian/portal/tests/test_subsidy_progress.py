"""The public progress page: an applicant, signed out, follows their application with its
receipt code and the last six characters of their ID number. Wrong answers get one message
whatever was wrong; guessing is cut off per client and per receipt; the page shows the steps
and a rejection's reason, and nothing else of the person.

Checked in English (the language cookie), so the tests hold whether or not the translations
are compiled; one test checks the Chinese default."""

from __future__ import annotations

import datetime
import html
import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from canlian.accounts import public_lookups as limits
from canlian.accounts.models import PublicLookup
from canlian.audit.models import Entry
from canlian.benefits import deadlines
from canlian.benefits.models import ApplicationStatus, SubsidyApplication
from canlian.benefits.tests.test_receipts import last_day, on_day
from canlian.benefits.tests.test_services import apply, d, decide
from canlian.conftest import opened
from canlian.lib.receipt_codes import ALPHABET

pytestmark = pytest.mark.django_db

URL = "/portal/subsidies/"
NOT_FOUND = "No application matches this receipt code and these ID number characters"
TOO_MANY = "Too many codes that did not match were tried"


def visitor(address: str = "198.51.100.7", language: str = "en") -> Client:
    client = Client(REMOTE_ADDR=address)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def text_of(response: Any) -> str:
    return html.unescape(response.content.decode())


def ask(client: Client, receipt: str, tail: str) -> Any:
    return client.post(URL, {"receipt": receipt, "id_tail": tail})


@pytest.fixture
def application(make_person: Any, township_officer: Any) -> SubsidyApplication:
    person = make_person(grade=2, name="张护理")
    return apply(person, township_officer)


def tail_of(application: SubsidyApplication) -> str:
    return opened(application.person)[-6:]


def test_the_page_is_open_signed_out_and_reached_from_the_login_page() -> None:
    page = visitor().get(URL)
    assert page.status_code == 200  # not the redirect to the login page every other page gives
    text = text_of(page)
    assert 'name="receipt"' in text and 'name="id_tail"' in text
    assert "/login/" in visitor().get(reverse("benefits:list"))["Location"]
    assert URL in text_of(visitor().get(reverse("login")))


def test_applications_get_a_code_of_the_receipt_alphabet(application: SubsidyApplication) -> None:
    assert len(application.receipt) == 10 and set(application.receipt) <= set(ALPHABET)
    assert application.receipt_display == f"{application.receipt[:5]}-{application.receipt[5:]}"


def test_the_right_code_and_id_characters_show_the_steps_and_nothing_more(
    application: SubsidyApplication, township_officer: Any
) -> None:
    decide(application, township_officer, d(8, 20))
    # As printed, in lower case with the hyphen, and the tail in full-width characters.
    tail = tail_of(application).translate({c: c + 0xFEE0 for c in range(0x30, 0x3A)})
    response = ask(visitor(), application.receipt_display.lower(), tail)
    text = text_of(response)
    assert response.status_code == 200, text
    assert "Your application" in text and "张*理" in text
    assert "张护理" not in text  # the name only masked
    person = application.person
    assert opened(person) not in text and person.id_number_masked not in text
    assert application.account_masked not in text and "中国农业银行" not in text
    assert township_officer.username not in text  # no officer's name
    assert "2026-08-10" in text and "2026-08-20" in text  # the two steps taken
    assert "Next step: County federation review." in text
    entry = Entry.objects.get(action="subsidy.progress_viewed")
    assert (entry.kind, entry.target_id, entry.actor) == (
        Entry.Kind.ACCESS,
        str(application.pk),
        None,
    )
    assert PublicLookup.objects.get().found is True


def test_a_rejection_shows_its_step_date_and_reason(
    application: SubsidyApplication, township_officer: Any
) -> None:
    decide(application, township_officer, d(8, 20), passed=False, reason="户籍不在本乡镇")
    text = text_of(ask(visitor(), application.receipt, tail_of(application)))
    assert "Rejected at the Township first check on 2026-08-20." in text
    assert "户籍不在本乡镇" in text
    assert "Next step" not in text


def test_an_approved_application_says_from_which_month_it_is_paid(
    application: SubsidyApplication, township_officer: Any, county_clerk: Any, civil_affairs: Any
) -> None:
    decide(application, township_officer, d(8, 20))
    decide(application, county_clerk, d(9, 15))
    decide(application, civil_affairs, d(11, 5))
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    text = text_of(ask(visitor(), application.receipt, tail_of(application)))
    assert "Approved: the subsidy is paid from 2026-08" in text


def test_a_wrong_code_and_a_wrong_id_get_the_same_answer_and_show_nothing(
    application: SubsidyApplication,
) -> None:
    other = "".join(reversed(application.receipt))
    wrong_tail = f"{(int(tail_of(application)[:5]) + 1) % 100000:05d}{tail_of(application)[5]}"
    answers = [
        ask(visitor(), other, tail_of(application)),
        ask(visitor(), application.receipt, wrong_tail),
    ]
    for response in answers:
        text = text_of(response)
        assert response.status_code == 200 and NOT_FOUND in text
        assert "Your application" not in text and "张" not in text
        # The error summary links to the form; the typed values stay in the fields.
        assert 'class="govuk-error-summary"' in text
    assert not Entry.objects.filter(action="subsidy.progress_viewed").exists()
    assert list(PublicLookup.objects.values_list("found", flat=True)) == [False, False]


def test_malformed_input_is_a_field_error_and_not_a_lookup() -> None:
    response = ask(visitor(), "ABC", "12345Y")
    text = text_of(response)
    assert response.status_code == 200
    assert "A receipt code is ten letters and digits" in text
    assert "Enter six characters: five digits, then a digit or X" in text
    assert re.search(r'href="#id_receipt"', text) and re.search(r'href="#id_id_tail"', text)
    empty = text_of(ask(visitor(), "", ""))
    assert "Enter the receipt code." in empty
    assert "Enter the last six characters of the ID number." in empty
    assert not PublicLookup.objects.exists()


def test_a_client_that_keeps_guessing_is_refused_even_the_right_answer(
    application: SubsidyApplication,
) -> None:
    guesser = visitor("203.0.113.9")
    for n in range(limits.CLIENT_FAILURES):
        response = ask(guesser, application.receipt, f"{n:05d}9")
        assert NOT_FOUND in text_of(response)
    refused = ask(guesser, application.receipt, tail_of(application))
    assert refused.status_code == 429 and TOO_MANY in text_of(refused)
    assert "Your application" not in text_of(refused)
    # Another client is not held up by the limit of this one.
    assert "Your application" in text_of(
        ask(visitor("203.0.113.10"), application.receipt, tail_of(application))
    )
    # The window moves on: failures older than it no longer count, and after a day they are
    # gone from the record.
    PublicLookup.objects.update(at=timezone.now() - limits.WINDOW)
    assert "Your application" in text_of(ask(guesser, application.receipt, tail_of(application)))
    assert PublicLookup.objects.count() == limits.CLIENT_FAILURES + 2
    PublicLookup.objects.update(at=timezone.now() - limits.KEPT - limits.WINDOW)
    ask(guesser, application.receipt, "000009")
    assert PublicLookup.objects.count() == 1


def test_one_receipt_guessed_from_many_clients_is_refused(
    application: SubsidyApplication,
) -> None:
    for n in range(limits.CODE_FAILURES):
        ask(visitor(f"192.0.2.{n + 1}"), application.receipt, f"{n:05d}9")
    refused = ask(visitor("192.0.2.200"), application.receipt, tail_of(application))
    assert refused.status_code == 429 and TOO_MANY in text_of(refused)


def test_the_client_is_kept_as_a_keyed_digest_not_its_address(
    application: SubsidyApplication,
) -> None:
    ask(visitor("198.51.100.23"), application.receipt, "000009")
    client = PublicLookup.objects.get().client
    assert "198.51.100.23" not in client and len(client) == 64
    assert client == limits.client_of("198.51.100.23") != limits.client_of("198.51.100.24")


def test_the_page_speaks_chinese_by_default(application: SubsidyApplication) -> None:
    text = text_of(visitor(language="zh-hans").get(URL))
    assert "回执" in text or "受理" in text
    assert "Follow a subsidy application" not in text


def test_the_receipt_is_shown_whole_only_to_the_staff_who_took_the_application_that_day(
    application: SubsidyApplication, county_clerk: Any, township_officer: Any
) -> None:
    """With the code, staff who know a person's birth date could test candidate ID numbers
    on the public page: it is shown whole to the one who gives it to the applicant, that day,
    and shortened to its last two characters for everyone else."""
    from canlian.conftest import client_for

    url = reverse("benefits:detail", args=[application.pk])
    taker = client_for(township_officer)
    taker.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    text = text_of(taker.get(url))
    assert application.receipt_display in text and "Receipt code" in text
    other = text_of(client_for(county_clerk).get(url))
    code = application.receipt
    assert application.receipt_display not in other and code[:8] not in other
    assert f"*****-***{code[-2:]}" in other
    SubsidyApplication.objects.filter(pk=application.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=1)
    )
    assert application.receipt_display not in text_of(taker.get(url))


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_client(
    application: SubsidyApplication, settings: Any
) -> None:
    settings.TRUSTED_PROXIES = 1
    proxy = Client(REMOTE_ADDR="10.0.0.2")
    proxy.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for n in range(limits.CLIENT_FAILURES):
        proxy.post(
            URL,
            {"receipt": application.receipt, "id_tail": f"{n:05d}9"},
            HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.50",  # the first part is the client's say
        )
    clients = set(PublicLookup.objects.values_list("client", flat=True))
    assert clients == {limits.client_of("203.0.113.50")}
    # Another visitor behind the same proxy is not locked out by that one's guesses.
    other = proxy.post(
        URL,
        {"receipt": application.receipt, "id_tail": tail_of(application)},
        HTTP_X_FORWARDED_FOR="203.0.113.51",
    )
    assert "Your application" in text_of(other)
    # Without trusted proxies, X-Forwarded-For is ignored: the proxy's address counts.
    settings.TRUSTED_PROXIES = 0
    proxy.post(
        URL, {"receipt": application.receipt, "id_tail": "000019"}, HTTP_X_FORWARDED_FOR="9.9.9.9"
    )
    assert PublicLookup.objects.filter(client=limits.client_of("10.0.0.2")).exists()


def test_the_demo_sample_it_prints_finds_its_application(
    application: SubsidyApplication, township_officer: Any
) -> None:
    from canlian.demo.benefits import progress_sample

    decide(application, township_officer, d(8, 20), passed=False, reason="不符合条件")
    sample = progress_sample()
    assert sample["receipt"] == application.receipt_display
    text = text_of(ask(visitor(), sample["receipt"], sample["id_tail"]))
    assert "Your application" in text and "不符合条件" in text


def _next_steps(response: Any) -> str:
    text = text_of(response)
    assert 'id="next-steps"' in text
    return text.split('id="next-steps"', 1)[1].split("</ul>", 1)[0]


def test_the_page_gives_the_last_day_of_the_township_check_and_marks_it_overdue(
    application: SubsidyApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    days, due = last_day(deadlines.TOWNSHIP_CHECK_DAYS, application.applied_on, application.region)
    approval, _later = last_day(deadlines.APPROVAL_DAYS, due, application.region)
    on_day(monkeypatch, due)
    steps = _next_steps(ask(visitor(), application.receipt, tail_of(application)))
    assert (
        f"The township federation checks the application and the documents within {days} "
        f"working days. Your application is at this step: its last day is {due:%Y-%m-%d}."
    ) in steps
    assert f"approves or rejects it within {approval} working days" in steps
    assert "overdue" not in steps
    on_day(monkeypatch, due + datetime.timedelta(days=1))
    late = _next_steps(ask(visitor(), application.receipt, tail_of(application)))
    assert f"its last day was {due:%Y-%m-%d} (overdue)." in late


def test_the_page_counts_the_county_review_from_the_township_check(
    application: SubsidyApplication, township_officer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked_on = d(8, 20)
    decide(application, township_officer, checked_on)
    days, due = last_day(deadlines.COUNTY_REVIEW_DAYS, checked_on, application.region)
    on_day(monkeypatch, due)
    steps = _next_steps(ask(visitor(), application.receipt, tail_of(application)))
    assert "The township federation checks" not in steps
    assert (
        f"The county federation reviews the application within {days} working days. "
        f"Your application is at this step: its last day is {due:%Y-%m-%d}."
    ) in steps
    on_day(monkeypatch, due + datetime.timedelta(days=1))
    chinese = _next_steps(
        ask(visitor(language="zh-hans"), application.receipt, tail_of(application))
    )
    assert f"办理期限为 {due:%Y-%m-%d}（已逾期）" in chinese


def test_a_decided_application_has_no_steps_ahead(
    application: SubsidyApplication, township_officer: Any
) -> None:
    decide(application, township_officer, d(8, 20), passed=False, reason="户籍不在本乡镇")
    text = text_of(ask(visitor(), application.receipt, tail_of(application)))
    assert 'id="next-steps"' not in text and "last day" not in text
