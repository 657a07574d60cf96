"""The step indicator of a certificate application: each step's state at different points
(a minor not posted skips the publicity; the publicity is done once its last day has passed;
an open objection is a step of its own), the review overdue from the day after its last day,
and the page's ordered list with the state in words and aria-current on one step only."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from canlian.certificates import services
from canlian.certificates.step_map import application_steps
from canlian.certificates.tests.test_minors import assessed_born  # noqa: F401
from canlian.conftest import client_for
from canlian.lib.steps import State

pytestmark = pytest.mark.django_db

D = datetime.date
ONE_DAY = datetime.timedelta(days=1)


def states(steps: Any) -> list[tuple[str, str]]:
    return [(s.label, s.state.value) for s in steps]


def test_just_accepted(apply_first: Any) -> None:
    application = apply_first()
    with translation.override("zh-hans"):
        steps = application_steps(application, D(2025, 9, 2))
    assert states(steps) == [
        ("受理", "done"),
        ("预约评定", "current"),
        ("评定", "upcoming"),
        ("公示", "upcoming"),
        ("县级残联审核", "upcoming"),
        ("发证", "upcoming"),
    ]


def test_a_minor_not_posted_skips_the_publicity(assessed_born: Any) -> None:  # noqa: F811
    application = assessed_born(D(2010, 5, 5))
    due = application.review_due
    with translation.override("zh-hans"):
        on_the_day = application_steps(application, due)
        after = application_steps(application, due + ONE_DAY)
    assert states(on_the_day) == [
        ("受理", "done"),
        ("预约评定", "done"),
        ("评定", "done"),
        ("公示", "skipped"),
        ("县级残联审核", "current"),
        ("发证", "upcoming"),
    ]
    review = on_the_day[4]
    assert (review.due, review.overdue) == (due, False)
    assert (after[4].due, after[4].overdue) == (due, True)
    with translation.override("zh-hans"):
        assert on_the_day[3].state_label == "不适用"


def test_an_adult_awaiting_publicity_is_posted(assessed_born: Any) -> None:  # noqa: F811
    application = assessed_born(D(1990, 5, 5))
    assert [s.state for s in application_steps(application, D(2025, 9, 22))][3] == State.CURRENT


def test_the_publicity_is_done_the_day_after_its_last_day(in_publicity: Any) -> None:
    application = in_publicity()
    ends = application.publicity_ends_on
    last_day = application_steps(application, ends)
    after = application_steps(application, ends + ONE_DAY)
    assert [s.state for s in last_day][3:5] == [State.CURRENT, State.UPCOMING]
    assert last_day[3].due == ends and not last_day[3].overdue
    assert [s.state for s in after][3:5] == [State.DONE, State.CURRENT]
    assert after[4].due == application.review_due and not after[4].overdue
    late = application_steps(application, application.review_due + ONE_DAY)
    assert late[4].overdue


def test_issued_is_done_throughout(issued: Any) -> None:
    steps = application_steps(issued(), D(2026, 1, 1))
    assert {s.state for s in steps} == {State.DONE}
    assert not any(s.is_current or s.overdue for s in steps)


def test_an_open_objection_is_a_step_before_the_review(
    assessed_born: Any,  # noqa: F811
    county_clerk: Any,
) -> None:
    application = assessed_born(D(2010, 5, 5))
    services.file_objection(
        application=application,
        filed_on=D(2025, 9, 25),
        grounds="对评定等级有异议",
        acting_user=county_clerk,
        recorded_on=D(2025, 9, 25),
    )
    application.refresh_from_db()
    objection = application.objections.get()
    with translation.override("zh-hans"):
        steps = application_steps(application, objection.decision_due + ONE_DAY)
    assert [label for label, _ in states(steps)][3:6] == ["公示", "异议", "县级残联审核"]
    assert steps[4].is_current and steps[4].due == objection.decision_due and steps[4].overdue
    assert steps[5].state == State.UPCOMING


def test_the_page_shows_the_steps_in_words_with_one_current(
    in_publicity: Any, county_clerk: Any
) -> None:
    application = in_publicity()  # its publicity and review time long past today
    page = (
        client_for(county_clerk)
        .get(reverse("certificates:application_detail", args=[application.pk]))
        .content.decode()
    )
    indicator = re.search(r'<ol class="[^"]*cl-step-map.*?</ol>', page, re.S)
    assert indicator is not None
    items = re.findall(r"<li[^>]*>.*?</li>", indicator.group(0), re.S)
    assert len(items) == 6
    assert indicator.group(0).count('aria-current="step"') == 1
    current = next(item for item in items if 'aria-current="step"' in item)
    assert "县级残联审核" in current and "（当前步骤）" in current and "（已逾期）" in current
    assert "公示" in items[3] and "（已完成，于 " in items[3]
    assert "（未开始）" in items[5]
    # Each day done is inside its own step's brackets, so that read in a line it is not
    # taken for the next step's; the booking, whose day is not kept, has none.
    line = " ".join(re.sub(r"<[^>]+>", "", item).strip() for item in items[:3])
    received, assessed = application.received_on, application.assessments.get().assessed_on
    assert line == (
        f"受理（已完成，于 {received:%Y-%m-%d}） 预约评定（已完成） "
        f"评定（已完成，于 {assessed:%Y-%m-%d}）"
    )
    assert "） 于" not in indicator.group(0)


def test_a_booked_assessment_has_its_booked_day_as_its_date(
    apply_first: Any, institution: Any, county_clerk: Any
) -> None:
    application = apply_first()
    assert application_steps(application, D(2025, 9, 2))[2].due is None  # not booked yet
    booked = D(2025, 9, 15)
    services.book_assessment(
        application=application, institution=institution, booked_for=booked, at_home=False,
        acting_user=county_clerk,
    )  # fmt: skip
    application.refresh_from_db()
    on_the_day = application_steps(application, booked)
    after = application_steps(application, booked + ONE_DAY)
    assess = on_the_day[2]
    assert (assess.state, assess.due, assess.overdue) == (State.CURRENT, booked, False)
    assert (after[2].due, after[2].overdue) == (booked, True)  # not recorded by the next day
    assert not assess.estimated  # a day chosen, not counted


def test_the_page_shows_the_booked_day_on_the_assessment_step(
    apply_first: Any, institution: Any, county_clerk: Any
) -> None:
    application = apply_first()
    services.book_assessment(
        application=application, institution=institution, booked_for=D(2025, 9, 15),
        at_home=False, acting_user=county_clerk,
    )  # fmt: skip
    page = client_for(county_clerk).get(
        reverse("certificates:application_detail", args=[application.pk])
    )
    steps = re.search(r'<ol class="[^"]*cl-step-map.*?</ol>', page.content.decode(), re.S)
    assert steps is not None
    [current] = [
        li for li in re.findall(r"<li.*?</li>", steps.group(0), re.S) if "aria-current" in li
    ]
    assert "<strong>评定</strong>" in current and "2025-09-15" in current
