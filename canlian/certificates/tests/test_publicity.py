"""Publicity and county review through the services: the first application from the window to
an issued certificate, publicity counted on the official calendar (National Day 2025, Spring
Festival 2026), and the review that issues or rejects."""

from __future__ import annotations

import datetime
import functools
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from canlian.audit import actions
from canlian.audit.models import Entry
from canlian.audit.records import verify_chain
from canlian.certificates import services
from canlian.certificates.choices import ReplacementReason
from canlian.certificates.models import (
    Certificate,
    Issue,
    Status,
)
from canlian.certificates.tests.conftest import (
    assert_registry_matches_certificate,
    messages_of,
)
from canlian.conftest import certificate_number_of, opened
from canlian.people.models import Person

D = datetime.date
pytestmark = pytest.mark.django_db


# --- The whole first application -------------------------------------------------------------


def test_a_first_application_goes_from_the_window_to_an_issued_certificate(
    in_publicity: Any, county_clerk: Any
) -> None:
    application = in_publicity()
    assert application.status == Status.PUBLICITY
    services.review(
        application=application,
        approve=True,
        on=D(2025, 10, 14),
        reason="",
        acting_user=county_clerk,
    )
    application.refresh_from_db()
    assert application.status == Status.ISSUED
    person = application.person
    assert person is not None
    assert person.name == "赵新民"
    assert (person.category, person.grade) == (4, 2)
    certificate = person.certificates.get()
    assert certificate.issue == Issue.FIRST
    assert certificate.issued_on == D(2025, 10, 14)
    assert certificate.expires_on == D(2035, 10, 14)
    assert certificate_number_of(person) == opened(application) + "42"
    assert_registry_matches_certificate(person)
    actions = list(
        Entry.objects.filter(target_type="certificates.application")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "certificate.apply",
        "certificate.book",
        "certificate.assess",
        "certificate.publicity",
        # The applicant's values opened through the gate to be sealed onto the registry.
        "certificate.issue.copy",
        "certificate.issue",
    ]
    assert verify_chain()[1] is None


def test_publicity_over_national_day_counts_the_adjusted_saturday_and_skips_the_holiday(
    in_publicity: Any,
) -> None:
    # Posted Tue 2025-09-30: 30 Sep, (1–8 Oct holiday), 9, 10, Sat 11 Oct (worked), Mon 13.
    application = in_publicity(starts_on=D(2025, 9, 30))
    assert application.publicity_ends_on == D(2025, 10, 13)
    # Ten working days after the publicity: 14–17, 20–24, 27 October.
    assert application.review_due == D(2025, 10, 27)
    # Objections: ten working days after the conclusion was posted.
    assert application.objection_due == D(2025, 10, 21)
    assert application.estimated_years == []


def test_publicity_over_the_spring_festival_2026(in_publicity: Any) -> None:
    # Thu 12, Fri 13, Sat 14 Feb (worked), (15–23 Feb holiday), Tue 24, Wed 25.
    application = in_publicity(starts_on=D(2026, 2, 12), assessed_on=D(2025, 9, 20))
    assert application.publicity_ends_on == D(2026, 2, 25)
    # Thu 26, Fri 27, Sat 28 Feb (worked), 2–6 and 9, 10 March.
    assert application.review_due == D(2026, 3, 10)


def test_issue_before_the_publicity_ends_is_refused_and_changes_nothing(
    in_publicity: Any, county_clerk: Any
) -> None:
    application = in_publicity()
    with pytest.raises(ValidationError) as exc:
        services.review(
            application=application,
            approve=True,
            on=D(2025, 10, 13),
            reason="",
            acting_user=county_clerk,
        )
    assert "2025-10-13" in messages_of(exc)
    application.refresh_from_db()
    assert application.status == Status.PUBLICITY
    assert not Person.objects.exists()
    assert not Certificate.objects.exists()


def test_a_county_review_may_reject_with_a_reason(in_publicity: Any, county_clerk: Any) -> None:
    application = in_publicity()
    with pytest.raises(ValidationError) as exc:
        services.review(
            application=application,
            approve=False,
            on=D(2025, 10, 20),
            reason=" ",
            acting_user=county_clerk,
        )
    assert "reason" in exc.value.message_dict
    services.review(
        application=application,
        approve=False,
        on=D(2025, 10, 20),
        reason="材料与公示反映情况不符",
        acting_user=county_clerk,
    )
    application.refresh_from_db()
    assert application.status == Status.REJECTED
    assert application.decision_reason == "材料与公示反映情况不符"
    assert not Person.objects.exists()


@pytest.mark.parametrize("days_ahead", [0, 1])
def test_a_publicity_starts_today_at_the_latest(
    assessed: Any, county_clerk: Any, days_ahead: int
) -> None:
    # Posted ahead, the application would show "in publicity" before the notice is up.
    application = assessed()
    starts_on = timezone.localdate() + datetime.timedelta(days=days_ahead)
    post = functools.partial(
        services.start_publicity,
        application=application,
        starts_on=starts_on,
        location="村委会公示栏",
        acting_user=county_clerk,
    )
    if days_ahead == 0:
        post()
        application.refresh_from_db()
        assert application.status == Status.PUBLICITY
        return
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        post()
    assert "公示开始日期不能晚于今天" in messages_of(exc)
    application.refresh_from_db()
    assert application.status == Status.ASSESSED and application.publicity_starts_on is None


def test_the_registry_copy_on_issue_is_not_named_a_replacement() -> None:
    # certificate.issue.copy is the applicant's sealed values moved onto the registry when a
    # certificate is issued: neither a replacement nor a record with a replacement reason.
    with translation.override("zh-hans"):
        assert actions.action_name("certificate.issue.copy") == "申请信息已转入登记库（发证）"
        for value, label in ReplacementReason.choices:
            assert actions.value_words("certificate.issue.copy", "reason", value) != str(label)
            assert actions.value_words("certificate.card_cancel", "reason", value) == str(label)
