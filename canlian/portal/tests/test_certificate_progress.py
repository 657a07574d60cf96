"""The public progress page of certificate applications: an applicant, signed out, follows
their application with its receipt code and the last six characters of their ID number. It
shows the kind, the category, the masked name, the date received, the status in the
applicant's words, the steps with their dates and last days and what happens next; nothing of
the grade, the assessment, the address or the officers. Wrong answers get one message; the
guessing budget is the subsidy page's too (one per client and per code for both pages).

Checked in English (the language cookie), so the tests hold whether or not the translations
are compiled; one test checks the Chinese default."""

from __future__ import annotations

import datetime
import html
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from canlian.accounts import public_lookups as limits
from canlian.accounts.models import PublicLookup
from canlian.audit.models import Entry
from canlian.benefits.models import SubsidyApplication
from canlian.benefits.tests.test_services import apply
from canlian.certificates import services
from canlian.certificates.models import Application, Status
from canlian.certificates.tests.conftest import (  # noqa: F401 (fixtures)
    apply_first,
    assessed,
    in_publicity,
    institution,
)
from canlian.conftest import opened
from canlian.people.models import Grade
from canlian.places.models import Place

pytestmark = pytest.mark.django_db

URL = "/portal/certificates/"
SUBSIDY_URL = "/portal/subsidies/"
NOT_FOUND = "No application matches this receipt code and these ID number characters"
TOO_MANY = "Too many codes that did not match were tried"
D = datetime.date


def visitor(address: str = "198.51.100.7", language: str = "en") -> Client:
    client = Client(REMOTE_ADDR=address)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def text_of(response: Any) -> str:
    return html.unescape(response.content.decode())


def ask(client: Client, receipt: str, tail: str, url: str = URL) -> Any:
    return client.post(url, {"receipt": receipt, "id_tail": tail})


def tail_of(application: Application) -> str:
    return opened(application, "id_number")[-6:]


def wrong_tail(application: Application, n: int = 1) -> str:
    right = tail_of(application)
    return f"{(int(right[:5]) + n) % 100000:05d}{right[5]}"


@pytest.fixture
def posted(in_publicity: Any) -> Application:  # noqa: F811
    """Assessed grade 2 by 钱医生 at the city hospital, posted at 村委会公示栏 from 2025-09-30."""
    Place.objects.filter(code="410825000000").update(phone="0391-0250000")
    return in_publicity(address="温县某镇某村12号", name="赵新民")


def test_the_page_is_open_signed_out_and_linked_with_the_subsidy_page() -> None:
    page = visitor().get(URL)
    assert page.status_code == 200  # not the redirect to the login page every other page gives
    text = text_of(page)
    assert 'name="receipt"' in text and 'name="id_tail"' in text
    assert f'href="{SUBSIDY_URL}"' in text
    assert f'href="{URL}"' in text_of(visitor().get(SUBSIDY_URL))
    assert f'href="{URL}"' in text_of(visitor().get(reverse("login")))


def test_the_right_code_and_id_characters_show_the_progress_and_nothing_more(
    posted: Application, county_clerk: Any
) -> None:
    # As printed, in lower case with the hyphen.
    response = ask(visitor(), posted.receipt_display.lower(), tail_of(posted))
    text = text_of(response)
    assert response.status_code == 200, text
    assert "Your application" in text and "赵*民" in text and "赵新民" not in text
    assert "First application" in text and "Physical" in text
    assert "2025-09-01" in text  # received
    # The publicity's last day has passed: the status says so, in the applicant's words.
    assert "The posting has ended: the county federation is reviewing" in text
    assert "Accepted (Done, on 2025-09-01)" in text
    assert f"due {posted.review_due:%Y-%m-%d}" in text and "(overdue)" in text
    assert "If the certificate is granted, it is issued" in text
    assert "0391-0250000" in text  # the county federation's phone
    # Nothing of the grade, the assessment, the address, the officers or the numbers.
    grade = str(Grade(posted.grade).label)
    for hidden in (
        grade, "Grade 2", "钱医生", "市第一人民医院", "村委会公示栏", "温县某镇某村12号",
        county_clerk.username, county_clerk.get_full_name() or county_clerk.username,
        opened(posted, "id_number"), posted.id_number_masked, posted.number, "13900000001",
        posted.phone_masked,
    ):  # fmt: skip
        assert hidden not in text, hidden
    entry = Entry.objects.get(action="certificate.progress_viewed")
    assert (entry.kind, entry.target_id, entry.actor) == (
        Entry.Kind.ACCESS,
        str(posted.pk),
        None,
    )
    lookup = PublicLookup.objects.get()
    assert (lookup.page, lookup.found, lookup.code) == ("certificate", True, posted.receipt)


def test_a_wrong_code_and_a_wrong_id_get_the_same_answer_and_show_nothing(
    posted: Application,
) -> None:
    other = "".join(reversed(posted.receipt))
    answers = [
        ask(visitor(), other, tail_of(posted)),
        ask(visitor(), posted.receipt, wrong_tail(posted)),
    ]
    bodies = set()
    for response in answers:
        text = text_of(response)
        assert response.status_code == 200 and NOT_FOUND in text
        assert "Your application" not in text and "赵" not in text
        assert 'class="govuk-error-summary"' in text
        bodies.add(text.split('class="govuk-error-summary"', 1)[1].split("</div>", 1)[0])
    assert len(bodies) == 1  # the same words, whatever was wrong
    assert not Entry.objects.filter(action="certificate.progress_viewed").exists()
    assert not PublicLookup.objects.filter(found=True).exists()
    # The application's number is not its code.
    number = text_of(ask(visitor(), posted.number, tail_of(posted)))
    assert "A receipt code is ten letters and digits" in number and "赵" not in number


def test_malformed_input_is_a_field_error_and_not_a_lookup() -> None:
    text = text_of(ask(visitor(), "ABC", "12345Y"))
    assert "A receipt code is ten letters and digits" in text
    assert "Enter six characters: five digits, then a digit or X" in text
    assert 'href="#id_receipt"' in text and 'href="#id_id_tail"' in text
    assert not PublicLookup.objects.exists()


@pytest.fixture
def subsidy(make_person: Any, township_officer: Any) -> SubsidyApplication:
    return apply(make_person(grade=2, name="张护理"), township_officer)


@pytest.mark.parametrize("first", [SUBSIDY_URL, URL])
def test_one_client_has_one_budget_on_both_pages(
    first: str, posted: Application, subsidy: SubsidyApplication
) -> None:
    """Failures on one page count on the other: with a budget per page the right answer on
    either page would still be shown here."""
    guesser = visitor("203.0.113.9")
    wrong = {URL: (posted.receipt, wrong_tail(posted)), SUBSIDY_URL: (subsidy.receipt, "000009")}
    second = URL if first == SUBSIDY_URL else SUBSIDY_URL
    for n in range(limits.CLIENT_FAILURES):
        url = first if n < limits.CLIENT_FAILURES - 1 else second
        assert NOT_FOUND in text_of(ask(guesser, *wrong[url], url=url))
    subsidy_tail = opened(subsidy.person)[-6:]
    for url, right in (
        (URL, (posted.receipt, tail_of(posted))),
        (SUBSIDY_URL, (subsidy.receipt, subsidy_tail)),
    ):
        refused = ask(guesser, *right, url=url)
        assert refused.status_code == 429 and TOO_MANY in text_of(refused), url
        assert "Your application" not in text_of(refused)
    assert {p for (p,) in PublicLookup.objects.values_list("page")} == {"subsidy", "certificate"}
    # Another client is not held up.
    assert "Your application" in text_of(
        ask(visitor("203.0.113.10"), posted.receipt, tail_of(posted))
    )


def test_one_code_has_one_budget_on_both_pages(posted: Application) -> None:
    for n in range(limits.CODE_FAILURES):
        url = URL if n % 2 else SUBSIDY_URL
        ask(visitor(f"192.0.2.{n + 1}"), posted.receipt, wrong_tail(posted, n + 1), url=url)
    refused = ask(visitor("192.0.2.200"), posted.receipt, tail_of(posted))
    assert refused.status_code == 429 and TOO_MANY in text_of(refused)
    assert "county federation" in text_of(refused)


def test_closed_applications_say_what_follows_without_the_reason(
    apply_first: Any,  # noqa: F811
    county_clerk: Any,
) -> None:
    application = apply_first()
    services.refuse(
        application=application, on=D(2025, 9, 3), reason="材料不全：缺户口簿原件",
        acting_user=county_clerk,
    )  # fmt: skip
    application.refresh_from_db()
    assert application.status == Status.REFUSED
    text = text_of(ask(visitor(), application.receipt, tail_of(application)))
    assert "Not accepted" in text and "The county federation tells you the reason" in text
    assert "材料不全" not in text


def test_the_page_speaks_chinese_by_default(posted: Application) -> None:
    form = text_of(visitor(language="zh-hans").get(URL))
    assert "回执" in form and "Follow a certificate application" not in form
    found = text_of(ask(visitor(language="zh-hans"), posted.receipt, tail_of(posted)))
    assert "肢体残疾" in found and "公示已结束，县级残联正在审核" in found
    assert "受理（已完成，于 2025-09-01）" in found


def test_the_demo_sample_it_prints_finds_its_application(posted: Application) -> None:
    from canlian.demo.progress import certificate_sample

    sample = certificate_sample()
    assert sample["receipt"] == posted.receipt_display
    text = text_of(ask(visitor(), sample["receipt"], sample["id_tail"]))
    assert "Your application" in text and "赵*民" in text
