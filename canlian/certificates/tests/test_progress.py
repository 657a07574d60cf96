"""What the public progress page says of a certificate application, step by step: the status
in the applicant's words (a posting whose last day has passed says so) and what happens next
with the last days known, the time left to object while there is some."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import translation

from canlian.certificates import progress
from canlian.certificates.models import Status
from canlian.certificates.tests.conftest import POSTED_ON

pytestmark = pytest.mark.django_db

ONE_DAY = datetime.timedelta(days=1)


def said(application: Any, today: datetime.date) -> tuple[str, list[str]]:
    with translation.override("en"):
        return progress.public_status(application, today), progress.what_next(application, today)


def test_assessed_the_posting_comes_next(assessed: Any) -> None:
    application = assessed()
    assert application.status == Status.ASSESSED
    status, steps = said(application, POSTED_ON - ONE_DAY)
    assert status == "Assessed: the conclusion is to be posted"
    assert steps[0] == "The conclusion is posted in your village or community for 5 working days."
    assert steps[1] == "The county federation reviews the conclusion."  # no last day yet


def test_in_publicity_the_last_days_are_given_then_the_posting_has_ended(
    in_publicity: Any,
) -> None:
    application = in_publicity()
    end, review = application.publicity_ends_on, application.review_due
    status, steps = said(application, POSTED_ON)
    assert status == "The conclusion is posted for comment"
    assert steps[:2] == [
        f"The conclusion stays posted until {end:%Y-%m-%d}.",
        f"The county federation reviews the conclusion by {review:%Y-%m-%d}.",
    ]
    assert any(f"you may object until {application.objection_due:%Y-%m-%d}" in s for s in steps)
    status, steps = said(application, end + ONE_DAY)
    assert status == "The posting has ended: the county federation is reviewing"
    assert steps[0] == f"The county federation reviews the conclusion by {review:%Y-%m-%d}."
    # Once the time to object has passed, it is not offered.
    _status, late = said(application, application.objection_due + ONE_DAY)
    assert not any("object" in s for s in late)


def test_issued_the_certificate_is_collected(issued: Any) -> None:
    application = issued()
    status, steps = said(application, application.decided_on)
    assert status == "Certificate issued"
    assert steps[0].startswith("Ask the county federation's office where to collect")
