"""The subsidy pages: an application goes through its four steps by POSTs and ends in an
enrolment; a rejection needs its reason (the error summary links to the field); other counties
see nothing (404), roles without the permission get 403; the lists' filters narrow; bad input
is a form error, never a 500.

Pages render in Simplified Chinese by default; the strings this app adds are checked in English
(the language cookie), so the tests hold whether or not their translations are compiled yet."""

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

from canlian.audit.models import Entry
from canlian.benefits.models import (
    ApplicationStatus,
    Enrolment,
    EnrolmentStatus,
    Programme,
    SubsidyApplication,
)
from canlian.conftest import client_for, opened

pytestmark = pytest.mark.django_db

ACCOUNT = "6228480012345678901"


def english(user: Any) -> Client:
    client = client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def text_of(response: Any) -> str:
    return html.unescape(response.content.decode())


def today() -> datetime.date:
    return timezone.localdate()


def apply_post(**overrides: str) -> dict[str, str]:
    data = {
        "programme": Programme.CARE,
        "applied_on": today().isoformat(),
        "channel": "in_person",
        "proxy_name": "",
        "proxy_relation": "",
        "bank_name": "中国农业银行温县支行",
        "account": ACCOUNT,
        "long_term_care_months": "12",
        "note": "",
    }
    data.update(overrides)
    return data


def decide_post(decision: str = "pass", reason: str = "", on: str = "") -> dict[str, str]:
    return {"decision": decision, "acted_on": on or today().isoformat(), "reason": reason}


def apply_url(person: Any) -> str:
    return f"{reverse('benefits:apply')}?person={person.pk}"


def take_application(user: Any, person: Any, **overrides: str) -> SubsidyApplication:
    response = client_for(user).post(apply_url(person), apply_post(**overrides))
    assert response.status_code == 302, text_of(response)
    return SubsidyApplication.objects.get(
        person=person, programme=overrides.get("programme", "care")
    )


def decide(user: Any, application: SubsidyApplication, **kwargs: str) -> Any:
    return client_for(user).post(
        reverse("benefits:decide", args=[application.pk]), decide_post(**kwargs)
    )


# --- The whole workflow --------------------------------------------------------------------


def test_an_application_goes_through_four_steps_to_an_enrolment(
    make_person: Any, township_officer: Any, county_clerk: Any, civil_affairs: Any
) -> None:
    person = make_person(grade=2, bank_name="中国农业银行温县支行")
    form = english(township_officer).get(apply_url(person))
    assert form.status_code == 200
    page = text_of(form)
    # The bank is taken from the registry; the account number is never filled in.
    assert 'value="中国农业银行温县支行"' in page
    assert 'name="account"' in page and f'value="{ACCOUNT}"' not in page
    # This month's rules beside the form, each condition in words.
    assert "What the rules say for" in page
    assert "Care subsidy for severely disabled persons: eligible, 60.00 yuan a month" in page
    assert "Met:" in page

    response = client_for(township_officer).post(apply_url(person), apply_post())
    application = SubsidyApplication.objects.get(person=person)
    assert response.status_code == 302
    assert response["Location"] == reverse("benefits:detail", args=[application.pk])
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.account_masked == "***************8901"

    detail = text_of(english(township_officer).get(response["Location"]))
    assert application.number in detail
    assert "***************8901" in detail and ACCOUNT not in detail
    assert "Township first check" in detail
    assert 'action="/subsidies/applications/' in detail  # the officer may take the next step
    assert "What the rules say for" in detail and "the first month paid" in detail

    # The county clerk may not make the township's check: no form, and a POST is refused.
    assert 'name="decision"' not in text_of(english(county_clerk).get(response["Location"]))
    assert decide(county_clerk, application).status_code == 403

    for user, status in (
        (township_officer, ApplicationStatus.TOWNSHIP_CHECKED),
        (county_clerk, ApplicationStatus.COUNTY_REVIEWED),
        (civil_affairs, ApplicationStatus.APPROVED),
    ):
        answer = decide(user, application)
        assert answer.status_code == 302, text_of(answer)
        application.refresh_from_db()
        assert application.status == status

    enrolment = Enrolment.objects.get(application=application)
    assert enrolment.status == EnrolmentStatus.ACTIVE
    assert enrolment.start_month == today().replace(day=1)
    assert list(application.steps.values_list("step", "decision")) == [
        ("apply", "submitted"),
        ("township_check", "passed"),
        ("county_review", "passed"),
        ("approval", "passed"),
    ]
    detail = text_of(english(civil_affairs).get(reverse("benefits:detail", args=[application.pk])))
    assert reverse("benefits:enrolment", args=[enrolment.pk]) in detail
    assert 'name="decision"' not in detail
    assert Entry.objects.filter(action="subsidy.decide").count() == 3


def test_the_approval_form_says_it_enrols(
    make_person: Any, township_officer: Any, county_clerk: Any, civil_affairs: Any
) -> None:
    application = take_application(township_officer, make_person())
    decide(township_officer, application)
    decide(county_clerk, application)
    page = text_of(english(civil_affairs).get(reverse("benefits:detail", args=[application.pk])))
    assert "Approve: the person is enrolled" in page
    assert "County civil-affairs approval" in page


def test_a_proxy_application_needs_the_proxy(make_person: Any, township_officer: Any) -> None:
    person = make_person()
    response = english(township_officer).post(apply_url(person), apply_post(channel="proxy"))
    page = text_of(response)
    assert response.status_code == 200
    assert 'href="#id_proxy_name"' in page and 'href="#id_proxy_relation"' in page
    assert not SubsidyApplication.objects.exists()
    take_application(
        township_officer, person, channel="proxy", proxy_name="王芳", proxy_relation="女儿"
    )
    application = SubsidyApplication.objects.get(person=person)
    detail = text_of(
        english(township_officer).get(reverse("benefits:detail", args=[application.pk]))
    )
    assert "王芳 (女儿), the proxy" in detail


def summary_links(page: str) -> list[str]:
    """The fields the error summary links to, in its order."""
    summary = page.split("govuk-error-summary__list")[1].split("</ul>")[0]
    return re.findall(r'<a href="#id_([a-z_]+)">', summary)


def label_of(page: str, name: str) -> str:
    return page.split(f'for="id_{name}">')[1].split("</label>")[0]


def test_the_proxy_fields_are_not_said_optional_and_errors_come_in_form_order(
    make_person: Any, township_officer: Any
) -> None:
    """The proxy's name and relation are needed when the application is made by proxy: not
    marked "（选填）" beside "请填写代办人姓名。"; the rules' problems (the proxy's) are listed
    where their fields are, before the bank's own."""
    person = make_person()
    response = client_for(township_officer).post(
        apply_url(person), apply_post(channel="proxy", bank_name="")
    )
    page = text_of(response)
    assert not SubsidyApplication.objects.exists()
    assert summary_links(page) == ["proxy_name", "proxy_relation", "bank_name"]
    assert "代办人姓名：请填写代办人姓名。" in page
    assert label_of(page, "proxy_name") == "代办人姓名"
    assert label_of(page, "proxy_relation") == "代办人与本人关系"
    assert "（选填）" in label_of(page, "note")  # a field that is truly optional still says so


def test_too_long_a_value_is_refused_with_a_message_for_its_field(
    make_person: Any, township_officer: Any
) -> None:
    person = make_person()
    page = text_of(
        client_for(township_officer).post(
            apply_url(person),
            apply_post(channel="proxy", proxy_name="王" * 500, proxy_relation="女儿"),
        )
    )
    assert not SubsidyApplication.objects.exists()
    assert "代办人姓名：代办人姓名最多64个字。" in page
    assert "确保" not in page and "目前字符数" not in page


def test_a_second_open_application_is_refused_on_the_field(
    make_person: Any, township_officer: Any
) -> None:
    person = make_person()
    take_application(township_officer, person)
    response = english(township_officer).post(apply_url(person), apply_post())
    page = text_of(response)
    assert response.status_code == 200
    assert "already has an open application" in page
    assert 'href="#id_programme"' in page
    assert SubsidyApplication.objects.count() == 1


def test_an_open_application_is_reported_with_the_field_errors_in_one_round(
    make_person: Any, township_officer: Any
) -> None:
    person = make_person()
    take_application(township_officer, person)
    response = english(township_officer).post(apply_url(person), apply_post(channel="proxy"))
    page = text_of(response)
    assert "already has an open application" in page
    assert 'href="#id_proxy_name"' in page and 'href="#id_proxy_relation"' in page
    assert SubsidyApplication.objects.count() == 1


# --- Rejection -----------------------------------------------------------------------------


def test_a_rejection_lists_the_date_and_the_reason_in_one_round(
    make_person: Any, township_officer: Any
) -> None:
    application = take_application(township_officer, make_person())
    page = text_of(
        english(township_officer).post(
            reverse("benefits:decide", args=[application.pk]),
            {"decision": "reject", "acted_on": "", "reason": ""},
        )
    )
    assert '<a href="#id_acted_on">' in page
    assert "Give the reason for the rejection: the applicant is told." in page
    early = (application.applied_on - datetime.timedelta(days=3)).isoformat()
    page = text_of(
        english(township_officer).post(
            reverse("benefits:decide", args=[application.pk]),
            {"decision": "reject", "acted_on": early, "reason": ""},
        )
    )
    assert "The date cannot be before the previous step" in page
    assert "Give the reason for the rejection: the applicant is told." in page
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_a_rejection_needs_its_reason(make_person: Any, township_officer: Any) -> None:
    application = take_application(township_officer, make_person())
    response = decide(township_officer, application, decision="reject", reason="  ")
    page = text_of(response)
    assert response.status_code == 200
    assert "存在以下问题" in page  # the error summary, in the default language
    assert '<a href="#id_reason">' in page
    assert 'id="id_reason"' in page and 'aria-invalid="true"' in page
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED

    english_page = text_of(
        english(township_officer).post(
            reverse("benefits:decide", args=[application.pk]), decide_post("reject")
        )
    )
    assert "Reason: Give the reason for the rejection: the applicant is told." in english_page
    assert english_page.count("<title>Error:") == 1

    answer = decide(township_officer, application, decision="reject", reason="户籍不在本乡镇")
    assert answer.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REJECTED
    detail = text_of(
        english(township_officer).get(reverse("benefits:detail", args=[application.pk]))
    )
    assert "Rejected at the Township first check on" in detail
    assert "户籍不在本乡镇" in detail
    assert 'name="decision"' not in detail
    assert not Enrolment.objects.exists()


def test_deciding_twice_is_a_form_error_not_a_crash(
    make_person: Any, township_officer: Any
) -> None:
    application = take_application(township_officer, make_person())
    decide(township_officer, application, decision="reject", reason="材料不全")
    response = english(township_officer).post(
        reverse("benefits:decide", args=[application.pk]), decide_post("reject", "again")
    )
    assert response.status_code == 200
    assert "This application has been decided already." in text_of(response)


# --- Access --------------------------------------------------------------------------------


def test_another_county_sees_nothing(
    make_person: Any, township_officer: Any, county_clerk: Any, civil_affairs: Any,
    other_county_clerk: Any,
) -> None:  # fmt: skip
    person = make_person()
    application = take_application(township_officer, person)
    decide(township_officer, application)
    decide(county_clerk, application)
    decide(civil_affairs, application)
    enrolment = Enrolment.objects.get()
    other = client_for(other_county_clerk)
    assert other.get(reverse("benefits:detail", args=[application.pk])).status_code == 404
    assert other.get(apply_url(person)).status_code == 404
    assert other.get(reverse("benefits:enrolment", args=[enrolment.pk])).status_code == 404
    assert other.get(reverse("benefits:enrolment_end", args=[enrolment.pk])).status_code == 404
    assert (
        other.post(
            reverse("benefits:enrolment_account", args=[enrolment.pk]),
            {"account-bank_name": "x", "account-account": ACCOUNT},
        ).status_code
        == 404
    )
    assert person.name not in text_of(other.get(reverse("benefits:list")))
    assert person.name not in text_of(other.get(reverse("benefits:enrolments")))
    assert application.number not in text_of(other.get(reverse("benefits:list")))


def test_roles_without_the_permission_get_403(
    make_person: Any, township_officer: Any, auditor: Any, security_admin: Any
) -> None:
    person = make_person()
    application = take_application(township_officer, person)
    # The auditor reads everything and writes nothing.
    reader = client_for(auditor)
    assert reader.get(reverse("benefits:list")).status_code == 200
    assert reader.get(reverse("benefits:detail", args=[application.pk])).status_code == 200
    assert reader.get(apply_url(person)).status_code == 403
    assert (
        reader.post(reverse("benefits:decide", args=[application.pk]), decide_post()).status_code
        == 403
    )
    assert reader.get(reverse("benefits:enrolment_end", args=[1])).status_code == 403
    # The security administrator has no subsidy permission at all.
    admin = client_for(security_admin)
    for name in ("benefits:list", "benefits:enrolments"):
        assert admin.get(reverse(name)).status_code == 403
    assert admin.get(reverse("benefits:detail", args=[application.pk])).status_code == 403
    # Changing an enrolment takes the county federation's review permission.
    assert (
        client_for(township_officer).get(reverse("benefits:enrolment_end", args=[1])).status_code
        == 403
    )


def test_changes_are_posts(make_person: Any, township_officer: Any) -> None:
    application = take_application(township_officer, make_person())
    client = client_for(township_officer)
    assert client.get(reverse("benefits:decide", args=[application.pk])).status_code == 405
    assert client.get(reverse("benefits:enrolment_account", args=[1])).status_code == 405


# --- Bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["", "abc", "-1", "0", "99999999999999999999999", "1.5"])
def test_a_bad_person_parameter_is_404(township_officer: Any, value: str) -> None:
    response = client_for(township_officer).get(f"{reverse('benefits:apply')}?person={value}")
    assert response.status_code == 404


def test_a_missing_application_is_404(township_officer: Any) -> None:
    client = client_for(township_officer)
    assert client.get(reverse("benefits:detail", args=[999999])).status_code == 404
    assert client.get("/subsidies/applications/99999999999999999999999/").status_code == 404
    assert client.get(reverse("benefits:enrolment", args=[999999])).status_code == 404


def test_a_bad_date_is_a_form_error(make_person: Any, township_officer: Any) -> None:
    person = make_person()
    response = client_for(township_officer).post(
        apply_url(person), apply_post(applied_on="2026-13-45")
    )
    page = text_of(response)
    assert response.status_code == 200
    assert "请输入有效日期，例如：2020-03-15。" in page
    assert '<a href="#id_applied_on">' in page
    assert not SubsidyApplication.objects.exists()

    future = (today() + datetime.timedelta(days=3)).isoformat()
    page = text_of(english(township_officer).post(apply_url(person), apply_post(applied_on=future)))
    assert "The date of application cannot be in the future." in page

    application = take_application(township_officer, person)
    response = decide(township_officer, application, on="yesterday")
    assert response.status_code == 200
    assert '<a href="#id_acted_on">' in text_of(response)
    earlier = (today() - datetime.timedelta(days=400)).isoformat()
    page = text_of(
        english(township_officer).post(
            reverse("benefits:decide", args=[application.pk]), decide_post(on=earlier)
        )
    )
    assert "cannot be before the previous step" in page


def test_bad_account_and_programme_are_form_errors(make_person: Any, township_officer: Any) -> None:
    person = make_person()
    page = text_of(
        english(township_officer).post(
            apply_url(person), apply_post(account="12ab", programme="nonsense", channel="")
        )
    )
    assert '<a href="#id_programme">' in page
    assert '<a href="#id_channel">' in page
    assert not SubsidyApplication.objects.exists()
    page = text_of(english(township_officer).post(apply_url(person), apply_post(account="1234")))
    assert "The account number is 12 to 30 digits." in page
    assert '<a href="#id_account">' in page


# --- Lists ---------------------------------------------------------------------------------


def test_the_list_filters_narrow_and_count(
    make_person: Any, township_officer: Any, county_clerk: Any, other_county_clerk: Any,
    auditor: Any,
) -> None:  # fmt: skip
    wang = make_person(name="王建国")
    li = make_person(name="李秀英", place_code="410825002000")
    zhao = make_person(name="赵敏", place_code="410883001001")
    first = take_application(township_officer, wang)
    take_application(county_clerk, li, programme=Programme.LIVING)
    take_application(other_county_clerk, zhao)
    decide(township_officer, first)

    client = english(county_clerk)
    page = text_of(client.get(reverse("benefits:list")))
    assert "王建国" in page and "李秀英" in page and "赵敏" not in page
    assert "2 applications found" in page
    assert "Awaiting the township's first check: 1" in page
    assert "Awaiting the county federation's review: 1" in page

    def names(**query: str) -> set[str]:
        text = text_of(client.get(reverse("benefits:list"), query))
        return {n for n in ("王建国", "李秀英", "赵敏") if n in text}

    assert names(programme="living") == {"李秀英"}
    assert names(status="township_checked") == {"王建国"}
    assert names(q="李") == {"李秀英"}
    assert names(q="lxy") == {"李秀英"}  # pinyin initials
    assert names(q=opened(wang)) == {"王建国"}  # an exact ID number
    assert names(township="410825002") == {"李秀英"}
    assert names(county="410825") == {"王建国", "李秀英"}
    # The auditor sees the city; the county filter narrows to one county.
    text = text_of(english(auditor).get(reverse("benefits:list"), {"county": "410883"}))
    assert "赵敏" in text and "王建国" not in text

    # A bad parameter is an error on the filter, not a crash nor a silent narrowing.
    response = client.get(reverse("benefits:list"), {"status": "bogus", "page": "x"})
    assert response.status_code == 200
    assert '<a href="#id_status">' in text_of(response)
    response = client.get(reverse("benefits:list"), {"county": "410883"})
    assert '<a href="#id_county">' in text_of(response)
    assert "2 applications found" in text_of(response)
    # A township officer has no county to choose, only their township.
    page = text_of(english(township_officer).get(reverse("benefits:list"), {"county": "410883"}))
    assert 'id="id_county"' not in page and 'id="id_township"' in page
    assert "王建国" in page and "李秀英" not in page


def test_the_list_is_paginated(make_person: Any, township_officer: Any, settings: Any) -> None:
    settings.PAGE_SIZE = 2
    for name in ("甲一", "乙二", "丙三"):
        take_application(township_officer, make_person(name=name))
    client = english(township_officer)
    first = text_of(client.get(reverse("benefits:list"), {"programme": "care"}))
    assert "page 1 of 2" in first
    assert (
        "programme=care&amp;page=2"
        in client.get(reverse("benefits:list"), {"programme": "care"}).content.decode()
    )
    second = text_of(client.get(reverse("benefits:list"), {"programme": "care", "page": "2"}))
    assert "page 2 of 2" in second


def test_the_enrolment_list_filters(
    make_person: Any, township_officer: Any, county_clerk: Any, civil_affairs: Any
) -> None:
    people = {name: make_person(name=name) for name in ("王建国", "李秀英")}
    for name, programme in (("王建国", Programme.CARE), ("李秀英", Programme.LIVING)):
        application = take_application(township_officer, people[name], programme=programme)
        decide(township_officer, application)
        decide(county_clerk, application)
        decide(civil_affairs, application)
    client = english(county_clerk)
    page = text_of(client.get(reverse("benefits:enrolments")))
    assert "2 enrolments found" in page and "王建国" in page and "李秀英" in page
    page = text_of(client.get(reverse("benefits:enrolments"), {"programme": "living"}))
    assert "李秀英" in page and "王建国" not in page
    page = text_of(client.get(reverse("benefits:enrolments"), {"status": "ended"}))
    assert "0 enrolments found" in page
    page = text_of(client.get(reverse("benefits:enrolments"), {"q": "王"}))
    assert "王建国" in page and "李秀英" not in page
    assert client.get(reverse("benefits:enrolments"), {"status": "x"}).status_code == 200


# --- Enrolments: the account and the end -----------------------------------------------------


@pytest.fixture
def enrolment(
    make_person: Any, township_officer: Any, county_clerk: Any, civil_affairs: Any
) -> Enrolment:
    application = take_application(township_officer, make_person())
    decide(township_officer, application)
    decide(county_clerk, application)
    decide(civil_affairs, application)
    return Enrolment.objects.get(application=application)


def test_the_enrolment_page(enrolment: Enrolment, county_clerk: Any, civil_affairs: Any) -> None:
    page = text_of(english(county_clerk).get(reverse("benefits:enrolment", args=[enrolment.pk])))
    assert "Receiving" in page
    assert "***************8901" in page and ACCOUNT not in page
    assert "Change the account" in page
    assert reverse("benefits:enrolment_end", args=[enrolment.pk]) in page
    # Civil affairs reads it, without the forms.
    page = text_of(english(civil_affairs).get(reverse("benefits:enrolment", args=[enrolment.pk])))
    assert "Receiving" in page and 'name="account-account"' not in page


def test_changing_the_account(enrolment: Enrolment, county_clerk: Any) -> None:
    url = reverse("benefits:enrolment_account", args=[enrolment.pk])
    client = english(county_clerk)
    response = client.post(url, {"account-bank_name": "", "account-account": "12"})
    page = text_of(response)
    assert response.status_code == 200
    assert '<a href="#id_account-bank_name">' in page and '<a href="#id_account-account">' in page
    response = client.post(
        url, {"account-bank_name": "中国邮政储蓄银行", "account-account": "6210 9876 5432 1098 7"}
    )
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.account.bank_name == "中国邮政储蓄银行"
    assert enrolment.account.account_masked == "*************0987"


def test_ending_asks_for_confirmation_and_a_reason(enrolment: Enrolment, county_clerk: Any) -> None:
    url = reverse("benefits:enrolment_end", args=[enrolment.pk])
    client = english(county_clerk)
    page = text_of(client.get(url))
    assert "This cannot be undone" in page
    month = f"{today():%Y-%m}"
    response = client.post(url, {"last_month": month, "reason": "迁出本县"})
    assert response.status_code == 200
    assert '<a href="#id_confirm">' in text_of(response)
    response = client.post(url, {"last_month": "2026-13", "reason": "", "confirm": "on"})
    page = text_of(response)
    assert '<a href="#id_last_month">' in page and '<a href="#id_reason">' in page
    assert "2026-13 is not a month: write it like 2026-06." in page
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.ACTIVE

    response = client.post(url, {"last_month": month, "reason": "迁出本县", "confirm": "on"})
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.ENDED
    assert enrolment.end_month == today().replace(day=1)
    page = text_of(client.get(reverse("benefits:enrolment", args=[enrolment.pk])))
    assert "Ended" in page and "迁出本县" in page and "End the subsidy" not in page
    assert "This enrolment has ended already." in text_of(client.get(url))
    response = client.post(url, {"last_month": month, "reason": "again", "confirm": "on"})
    assert response.status_code == 200
    assert "This enrolment has ended already." in text_of(response)


def test_the_person_section_fragment(make_person: Any, township_officer: Any) -> None:
    from django.template.loader import render_to_string

    from canlian.benefits.selectors import person_subsidies

    person = make_person()
    application = take_application(township_officer, person)
    records = person_subsidies(township_officer, person)
    assert records is not None and records.can_apply
    text = render_to_string("benefits/_person.html", {"person": person, "subsidy_records": records})
    assert application.number in text
    assert f"{reverse('benefits:apply')}?person={person.pk}" in text


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/subsidies/", {"q": "a\x00b"}),
        ("/subsidies/", {"township": "41\x00", "county": "x" * 500}),
        ("/subsidies/", {"page": "99999999999999999999"}),
        ("/subsidies/", {"q": "410825197005170123"}),
        ("/subsidies/", {"q": "wjg"}),
        ("/subsidies/enrolments/", {"q": "\x00", "status": "\x00", "page": "-1"}),
        ("/subsidies/apply/", {"person": "1\x00"}),
    ],
)
def test_malformed_query_parameters_never_cause_a_server_error(
    township_officer: Any, path: str, params: dict[str, str]
) -> None:
    client = client_for(township_officer)
    client.raise_request_exception = False
    assert client.get(path, params).status_code < 500


def test_nul_characters_in_forms_are_field_errors(make_person: Any, township_officer: Any) -> None:
    person = make_person()
    client = client_for(township_officer)
    client.raise_request_exception = False
    response = client.post(apply_url(person), apply_post(bank_name="农\x00行", note="\x00"))
    assert response.status_code == 200
    assert '<a href="#id_bank_name">' in text_of(response)
    application = take_application(township_officer, person)
    response = client.post(
        reverse("benefits:decide", args=[application.pk]), decide_post("reject", "\x00")
    )
    assert response.status_code == 200
    assert '<a href="#id_reason">' in text_of(response)


def test_full_width_account_digits_are_read_and_other_digits_refused(
    make_person: Any, township_officer: Any
) -> None:
    person = make_person()
    client = english(township_officer)
    page = text_of(client.post(apply_url(person), apply_post(account="٦٢٢٢٠٢١٢٣٤٥٦٧٨٩٠١٢٣")))
    assert '<a href="#id_account">' in page
    assert not SubsidyApplication.objects.exists()
    response = client.post(
        apply_url(person), apply_post(account="６２２２ ０２１２ ３４５６ ７８９０ １２３")
    )
    assert response.status_code == 302
    assert SubsidyApplication.objects.get().account_masked == "***************0123"


# --- Long-term care and work-injury care --------------------------------------------------------


def test_a_care_application_needs_the_months_of_care_a_living_one_does_not(
    make_person: Any, township_officer: Any
) -> None:
    person = make_person(grade=2)
    client = english(township_officer)
    response = client.post(apply_url(person), apply_post(long_term_care_months=""))
    page = text_of(response)
    assert response.status_code == 200
    assert '<a href="#id_long_term_care_months">' in page
    assert "the care subsidy is for persons needing long-term care" in page
    assert not SubsidyApplication.objects.filter(person=person).exists()
    response = client.post(apply_url(person), apply_post(long_term_care_months="-3"))
    assert "The months cannot be negative." in text_of(response)
    living = take_application(
        township_officer, person, programme="living", long_term_care_months=""
    )
    assert living.long_term_care_months is None
    care = take_application(township_officer, person, long_term_care_months="5")
    assert care.long_term_care_months == 5


def test_recording_care_facts_on_the_enrolment_page(
    enrolment: Enrolment, county_clerk: Any
) -> None:
    url = reverse("benefits:enrolment_care_facts", args=[enrolment.pk])
    client = english(county_clerk)
    page = text_of(client.get(reverse("benefits:enrolment", args=[enrolment.pk])))
    assert (
        "Work-injury care and long-term care" in page
        and 'name="care-long_term_care_months"' in page
    )
    response = client.post(url, {"care-long_term_care_months": "many"})
    assert response.status_code == 200
    assert '<a href="#id_care-long_term_care_months">' in text_of(response)
    response = client.post(url, {"care-work_injury_care": "on", "care-long_term_care_months": "5"})
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert (enrolment.work_injury_care, enrolment.long_term_care_months) == (True, 5)
    response = client.post(url, {"care-long_term_care_months": ""})
    assert "a recorded duration is not removed" in text_of(response)
    enrolment.refresh_from_db()
    assert enrolment.long_term_care_months == 5
    assert client.get(url).status_code == 405
