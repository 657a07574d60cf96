"""The step indicator of a subsidy application: 受理 → 乡镇初审 → 县级残联审核 → 审批, each step's
state at different points, the current step's last day and its overdue mark from the day after
that day (not on it), the steps after a rejection not applicable, and the page's ordered list
with aria-current on exactly one step."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from canlian.benefits.models import ApplicationStep, Decision, SubsidyApplication
from canlian.benefits.models import Step as Kind
from canlian.benefits.step_map import application_steps
from canlian.conftest import client_for

pytestmark = pytest.mark.django_db

D = datetime.date


def application(status: str, *taken: tuple[str, str, D]) -> tuple[SubsidyApplication, list[Any]]:
    app = SubsidyApplication(status=status, applied_on=D(2025, 9, 26), region="410825001001")
    steps = [ApplicationStep(step=k, decision=d, acted_on=on) for k, d, on in taken]
    app.step_started = max((s.acted_on for s in steps), default=app.applied_on)  # type: ignore[attr-defined]
    return app, steps


APPLIED = (Kind.APPLY, Decision.SUBMITTED, D(2025, 9, 26))
CHECKED = (Kind.TOWNSHIP_CHECK, Decision.PASSED, D(2025, 10, 9))

# (status, steps taken, today, states, the current step's due day, overdue). Sample limits:
# 10 working days a step, over the 2025 National Day holiday (see test_deadlines): from the
# check on Thu 10-09, 10-10, Sat 10-11 (worked), 10-13…10-17, 10-20…10-22.
CASES = [
    pytest.param(
        "submitted", [APPLIED], D(2025, 10, 16),
        ["done", "current", "upcoming", "upcoming"], D(2025, 10, 16), False,
        id="first-check-on-its-last-day",
    ),
    pytest.param(
        "submitted", [APPLIED], D(2025, 10, 17),
        ["done", "current", "upcoming", "upcoming"], D(2025, 10, 16), True,
        id="first-check-the-day-after",
    ),
    pytest.param(
        "township_checked", [APPLIED, CHECKED], D(2025, 10, 10),
        ["done", "done", "current", "upcoming"], D(2025, 10, 22), False,
        id="county-review-from-the-check",
    ),
    pytest.param(
        "rejected", [APPLIED, (Kind.TOWNSHIP_CHECK, Decision.REJECTED, D(2025, 10, 9))],
        D(2025, 12, 1), ["done", "done", "skipped", "skipped"], None, False,
        id="rejected-at-the-township",
    ),
    pytest.param(
        "approved",
        [APPLIED, CHECKED, (Kind.COUNTY_REVIEW, Decision.PASSED, D(2025, 10, 10)),
         (Kind.APPROVAL, Decision.PASSED, D(2025, 10, 13))],
        D(2025, 12, 1), ["done", "done", "done", "done"], None, False,
        id="approved",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("status", "taken", "today", "expected", "due", "overdue"), CASES)
def test_step_states(
    status: str, taken: list[Any], today: D, expected: list[str], due: D | None, overdue: bool
) -> None:
    app, steps = application(status, *taken)
    result = application_steps(app, today, steps)
    assert [s.state.value for s in result] == expected
    current = [s for s in result if s.is_current]
    if due is None:
        assert current == []
        return
    assert [(s.due, s.overdue) for s in current] == [(due, overdue)]
    assert all(s.due is None for s in result if not s.is_current)


def test_the_labels_are_the_glossary_terms() -> None:
    app, steps = application("submitted", APPLIED)
    with translation.override("zh-hans"):
        result = application_steps(app, D(2025, 10, 1), steps)
        assert [s.label for s in result] == ["受理", "乡镇初审", "县级残联审核", "县级民政部门审批"]
        assert [s.state_label for s in result] == ["已完成", "当前步骤", "未开始", "未开始"]


def test_the_page_marks_the_overdue_current_step_in_words(
    make_person: Any, township_officer: Any
) -> None:
    from canlian.benefits.tests.test_views_applications import take_application

    late = take_application(township_officer, make_person(name="甲迟办"))
    old = timezone.localdate() - datetime.timedelta(days=60)
    SubsidyApplication.objects.filter(pk=late.pk).update(applied_on=old)
    late.steps.update(acted_on=old)
    page = (
        client_for(township_officer)
        .get(reverse("benefits:detail", args=[late.pk]))
        .content.decode()
    )
    indicator = re.search(r'<ol class="[^"]*cl-step-map.*?</ol>', page, re.S)
    assert indicator is not None
    items = re.findall(r"<li[^>]*>.*?</li>", indicator.group(0), re.S)
    assert len(items) == 4
    assert indicator.group(0).count('aria-current="step"') == 1
    assert 'aria-current="step"' in items[1]
    assert "乡镇初审（当前步骤）" in re.sub(r"<[^>]+>", "", items[1])
    assert "（已逾期）" in items[1] and "已逾期" not in items[2]
    assert "受理（已完成）" in re.sub(r"<[^>]+>", "", items[0])
    # The due date and its overdue mark are said once on the page, in the step map.
    main = page.split('id="main-content"', 1)[1]
    assert main.count("（已逾期）") == 1
    assert len(re.findall(r"办理期限\s*\d{4}-\d{2}-\d{2}", re.sub(r"<[^>]+>", "", main))) == 1


def test_the_approval_step_the_status_and_the_time_limits_use_one_wording() -> None:
    from canlian.benefits.models import ApplicationStatus
    from canlian.benefits.next_steps import _step

    with translation.override("zh-hans"):
        status = str(ApplicationStatus.COUNTY_REVIEWED.label)
        submitted = _step(ApplicationStatus.SUBMITTED, 10)
        reviewed = _step(ApplicationStatus.COUNTY_REVIEWED, 10)
    # The list filter says what the home page and the step map say: 县级民政部门审批.
    assert status == "待县级民政部门审批"
    # A number inside a Chinese sentence has no spaces around it.
    assert submitted == "乡镇（街道）残联在10个工作日内对申请和材料进行初审。"
    assert reviewed == "县级民政部门在10个工作日内审批，不予批准的说明理由。"


def test_no_chinese_message_puts_spaces_around_a_number_of_days() -> None:
    """Every Chinese sentence writes 10个工作日, 30天 as the receipt does, not 10 个工作日."""
    from pathlib import Path

    catalogue = Path(__file__).parents[2] / "locale/zh_Hans/LC_MESSAGES/django.po"
    text = catalogue.read_text("utf-8")
    assert re.findall(r"[^\n]*(?:%\(days\)s|\d) (?:个工作日|天)[^\n]*", text) == []
