"""Time limits of the subsidy steps: counted in working days over the official calendar (the
2025 National Day holiday, its working Sunday and Saturday) from the day of the step before;
overdue from the day after the last day, not on it; none once decided."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from canlian.benefits import deadlines
from canlian.benefits.models import ApplicationStatus, SubsidyApplication

pytestmark = pytest.mark.django_db

D = datetime.date


def application(status: str, *, applied_on: D, step_started: D | None) -> SubsidyApplication:
    app = SubsidyApplication(status=status, applied_on=applied_on, region="410825001001")
    app.step_started = step_started  # type: ignore[attr-defined]
    return app


# (status, applied on, latest step, today, due, overdue). Sample limits: 10 working days each.
CASES: list[tuple[str, D, D | None, D, D | None, bool]] = [
    # Taken on Friday 2025-09-26: 9-28 (a working Sunday), 9-29, 9-30, the holiday 10-01…10-08,
    # 10-09, 10-10, 10-11 (a working Saturday), 10-13…10-16.
    ("submitted", D(2025, 9, 26), D(2025, 9, 26), D(2025, 10, 16), D(2025, 10, 16), False),
    ("submitted", D(2025, 9, 26), D(2025, 9, 26), D(2025, 10, 17), D(2025, 10, 16), True),
    # No step row annotated: the application's own date starts the first check.
    ("submitted", D(2025, 9, 26), None, D(2025, 10, 15), D(2025, 10, 16), False),
    # The county's review runs from the township's check, not from the application.
    ("township_checked", D(2025, 9, 1), D(2025, 9, 12), D(2025, 9, 26), D(2025, 9, 26), False),
    ("township_checked", D(2025, 9, 1), D(2025, 9, 12), D(2025, 9, 27), D(2025, 9, 26), True),
    ("county_reviewed", D(2025, 9, 1), D(2025, 9, 12), D(2025, 9, 29), D(2025, 9, 26), True),
    ("approved", D(2025, 9, 1), D(2025, 9, 12), D(2026, 1, 1), None, False),
    ("rejected", D(2025, 9, 1), D(2025, 9, 12), D(2026, 1, 1), None, False),
]


@pytest.mark.parametrize(("status", "applied", "started", "today", "due", "overdue"), CASES)
def test_step_due(
    status: str, applied: D, started: D | None, today: D, due: D | None, overdue: bool
) -> None:
    result = deadlines.step_due(
        application(status, applied_on=applied, step_started=started), today
    )
    if due is None:
        assert result is None
        return
    assert result is not None
    assert (result.due, result.overdue, result.estimated) == (due, overdue, False)


def test_each_open_status_has_its_own_limit() -> None:
    assert set(deadlines.STEP_LIMITS) == {
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.TOWNSHIP_CHECKED,
        ApplicationStatus.COUNTY_REVIEWED,
    }
    assert len(set(deadlines.STEP_LIMITS.values())) == 3


def test_a_county_override_changes_the_limit(monkeypatch: Any) -> None:
    """The limit is read for the application's county on the day its step began."""
    seen: list[tuple[str, D, str]] = []

    class Params:
        def value(self, name: str, *, on: D, region: str) -> Any:
            seen.append((name, on, region))
            return type("V", (), {"value": 3})()

    monkeypatch.setattr(deadlines, "load_parameters", lambda: Params())
    result = deadlines.step_due(
        application("submitted", applied_on=D(2025, 9, 26), step_started=D(2025, 9, 26)),
        D(2025, 10, 1),
    )
    assert seen == [(deadlines.TOWNSHIP_CHECK_DAYS, D(2025, 9, 26), "410825")]
    assert result is not None and result.due == D(2025, 9, 30)


def test_the_list_and_the_page_mark_an_overdue_step_in_words(
    make_person: Any, township_officer: Any
) -> None:
    from django.urls import reverse
    from django.utils import timezone

    from canlian.benefits.tests.test_views_applications import take_application
    from canlian.conftest import client_for

    late = take_application(township_officer, make_person(name="甲迟办"))
    fresh = take_application(township_officer, make_person(name="乙新办"))
    old = timezone.localdate() - datetime.timedelta(days=60)
    SubsidyApplication.objects.filter(pk=late.pk).update(applied_on=old)
    late.steps.update(acted_on=old)
    client = client_for(township_officer)
    rows = client.get(reverse("benefits:list")).content.decode().split('class="govuk-table__row"')
    late_row = next(r for r in rows if "甲迟办" in r)
    fresh_row = next(r for r in rows if "乙新办" in r)
    assert "（已逾期）" in late_row and "办理期限" in late_row
    assert "已逾期" not in fresh_row and "办理期限" in fresh_row
    page = client.get(reverse("benefits:detail", args=[fresh.pk])).content.decode()
    assert "办理期限" in page and "已逾期" not in page
