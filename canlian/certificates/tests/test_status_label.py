"""A certificate application's status follows the calendar: in publicity up to and on its last
day, "publicity ended, awaiting county review" from the day after, until the review decides."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone, translation

from canlian.certificates.models import Application, Status


def app(status: str, ends: datetime.date | None) -> Application:
    return Application(status=status, publicity_ends_on=ends)


@pytest.mark.parametrize(
    ("status", "days_after_end", "label"),
    [
        (Status.PUBLICITY, -1, "In publicity"),
        (Status.PUBLICITY, 0, "In publicity"),
        (Status.PUBLICITY, 1, "Publicity ended, awaiting county review"),
        (Status.ISSUED, 1, "Certificate issued"),
        (Status.PUBLICITY, None, "In publicity"),
    ],
)
def test_status_label_follows_the_calendar(
    status: str, days_after_end: int | None, label: str
) -> None:
    today = timezone.localdate()
    ends = None if days_after_end is None else today - datetime.timedelta(days=days_after_end)
    with translation.override("en"):
        assert app(status, ends).status_label == label
    assert app(status, ends).publicity_over is (label.startswith("Publicity ended"))


def test_the_chinese_label_says_the_publicity_has_ended() -> None:
    ended = app(Status.PUBLICITY, timezone.localdate() - datetime.timedelta(days=1))
    with translation.override("zh-hans"):
        assert ended.status_label == "公示已结束，待县级残联审核"
