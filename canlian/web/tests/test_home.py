"""The home page: each role lands on what waits on it or its office, and only that. An item of
another county or of another role's step is absent; a step's item is overdue from the day
after its last working day, not on it; the page's queries do not grow with the work."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from canlian.benefits.models import ApplicationStatus, SubsidyApplication
from canlian.benefits.tests.test_views_applications import decide_post, take_application
from canlian.certificates.tests.conftest import (  # noqa: F401 (fixtures)
    applicant,
    apply_first,
    assessed,
    in_publicity,
    institution,
)
from canlian.conftest import client_for
from canlian.lib import todo as worklists
from canlian.payroll.models import Roll
from canlian.web import todo

pytestmark = pytest.mark.django_db

D = datetime.date


def page(user: Any) -> str:
    response = client_for(user).get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def keys(user: Any, today: D) -> dict[str, worklists.Group]:
    return {group.key: group for group in todo.groups(user, today)}


@pytest.fixture
def two_counties(make_person: Any, township_officer: Any, other_county_clerk: Any) -> Any:
    """One application waiting on 温县's township, one on its county federation (checked),
    one in 孟州市 at the township's first check."""
    waiting = take_application(township_officer, make_person(name="甲待初审"))
    checked = take_application(township_officer, make_person(name="乙待审核"))
    response = client_for(township_officer).post(
        reverse("benefits:decide", args=[checked.pk]), decide_post()
    )
    assert response.status_code == 302
    other = take_application(
        other_county_clerk, make_person(name="丙外县", place_code="410883001001")
    )
    return waiting, checked, other


def test_township_officer_sees_its_first_checks_only(
    two_counties: Any, township_officer: Any
) -> None:
    html = page(township_officer)
    assert "待乡镇初审的两项补贴申请" in html
    assert "甲待初审" in html
    assert "乙待审核" not in html  # the county federation's step
    assert "丙外县" not in html  # another county
    assert "待县级残联审核的两项补贴申请" not in html
    assert "残疾人证申请" not in html  # a township officer takes no certificate step


def test_county_clerk_sees_its_reviews_only(
    two_counties: Any, county_clerk: Any, other_county_clerk: Any, civil_affairs: Any
) -> None:
    html = page(county_clerk)
    assert "乙待审核" in html
    assert "甲待初审" not in html and "丙外县" not in html
    other = page(other_county_clerk)
    assert "丙外县" not in other  # 孟州's first check is its township's work
    assert "甲待初审" not in other and "乙待审核" not in other
    assert "今天没有待您或本单位办理的事项" in other
    assert "乙待审核" not in page(civil_affairs)  # not reviewed yet: not civil affairs' step


def test_subsidy_overdue_from_the_day_after_the_last_working_day(
    two_counties: Any, township_officer: Any
) -> None:
    waiting, _checked, _other = two_counties
    # Taken on Friday 2025-09-26: ten working days end on 2025-10-16 (the National Day
    # holiday and its working Sunday and Saturday counted).
    SubsidyApplication.objects.filter(pk=waiting.pk).update(applied_on=D(2025, 9, 26))
    waiting.steps.update(acted_on=D(2025, 9, 26))
    on_due = keys(township_officer, D(2025, 10, 16))["subsidy_submitted"]
    assert (on_due.total, on_due.overdue) == (1, 0)
    assert (on_due.items[0].due, on_due.items[0].overdue) == (D(2025, 10, 16), False)
    after = keys(township_officer, D(2025, 10, 17))["subsidy_submitted"]
    assert (after.total, after.overdue) == (1, 1)
    assert after.items[0].overdue is True


def test_overdue_is_written_not_only_coloured(two_counties: Any, township_officer: Any) -> None:
    waiting, _checked, _other = two_counties
    old = timezone.localdate() - datetime.timedelta(days=60)
    SubsidyApplication.objects.filter(pk=waiting.pk).update(applied_on=old)
    waiting.steps.update(acted_on=old)
    html = page(township_officer)
    assert "（已逾期）" in html
    detail = client_for(township_officer).get(reverse("benefits:detail", args=[waiting.pk]))
    assert "（已逾期）" in detail.content.decode()


def test_certificate_review_due_and_other_county(
    in_publicity: Any,  # noqa: F811
    county_clerk: Any,
    other_county_clerk: Any,
) -> None:
    application = in_publicity()
    due = application.review_due
    assert application.publicity_ends_on < due
    on_due = keys(county_clerk, due)["to_review"]
    assert [(i.label, i.due, i.overdue) for i in on_due.items] == [("赵新民", due, False)]
    assert on_due.overdue == 0
    after = keys(county_clerk, due + datetime.timedelta(days=1))["to_review"]
    assert (after.overdue, after.items[0].overdue) == (1, True)
    # Still in publicity: not the review's turn yet.
    assert "to_review" not in keys(county_clerk, application.publicity_ends_on)
    assert "to_review" not in keys(other_county_clerk, due)


def test_objections_are_the_city_staffs(
    in_publicity: Any,  # noqa: F811
    county_clerk: Any,
    city_staff: Any,
) -> None:
    from canlian.certificates import services

    application = in_publicity()
    objection = services.file_objection(
        application=application,
        filed_on=application.publicity_ends_on,
        recorded_on=application.publicity_ends_on,
        grounds="评定等级偏低",
        acting_user=county_clerk,
    )
    today = objection.decision_due
    group = keys(city_staff, today)["objections"]
    assert [(i.label, i.overdue) for i in group.items] == [("赵新民", False)]
    late = keys(city_staff, today + datetime.timedelta(days=1))["objections"]
    assert (late.overdue, late.items[0].overdue) == (1, True)
    assert "objections" not in keys(county_clerk, today)  # the city federation decides


def roll(county: str, by: Any) -> Roll:
    return Roll.objects.create(
        county=county,
        programme="care",
        month=D(2026, 8, 1),
        prepared_by=by,
        prepared_by_name="制表人",
        prepared_at=timezone.now(),
    )


def test_finance_approves_the_rolls_another_prepared(finance: Any, finance_reviewer: Any) -> None:
    made = roll("410825", finance)
    html = page(finance_reviewer)
    assert "待您审核的发放花名册" in html
    assert reverse("payroll:roll", args=[made.pk]) in html
    assert reverse("payroll:roll", args=[made.pk]) not in page(finance)


def test_a_roll_to_approve_shows_its_county_by_name_and_its_total_in_figures(
    finance: Any, finance_reviewer: Any
) -> None:
    made = roll("410825", finance)
    Roll.objects.filter(pk=made.pk).update(line_count=3, total=Decimal("69440"))
    with translation.override("zh-hans"):
        (item,) = keys(finance_reviewer, D(2026, 9, 1))["payroll_to_approve"].items
    assert item.label.startswith("温县 ") and "410825" not in item.label
    assert "69,440.00" in item.detail


@pytest.mark.parametrize("who", ["auditor", "security_admin", "system_admin"])
def test_roles_without_steps_keep_their_first_page(who: str, request: Any) -> None:
    user = request.getfixturevalue(who)
    response = client_for(user).get(reverse("home"))
    assert response.status_code == 302
    assert response.url != reverse("home")


def test_home_queries_do_not_grow_with_the_work(make_person: Any, township_officer: Any) -> None:
    client = client_for(township_officer)
    url = reverse("home")

    def add(n: int) -> None:
        for _ in range(n):
            take_application(township_officer, make_person())

    def queries() -> tuple[int, str]:
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        return len(captured), response.content.decode()

    add(1)
    few, _ = queries()
    add(7)  # more than are shown
    many, html = queries()
    assert many == few, f"{few} queries with 1 application, {many} with 8"
    assert many <= 25
    assert SubsidyApplication.objects.filter(status=ApplicationStatus.SUBMITTED).count() == 8
    assert html.count('class="cl-todo__item"') == worklists.FIRST_ITEMS
    assert "查看全部8件" in html


def test_civil_affairs_sees_the_reviewed_applications(
    two_counties: Any, county_clerk: Any, civil_affairs: Any
) -> None:
    _waiting, checked, _other = two_counties
    response = client_for(county_clerk).post(
        reverse("benefits:decide", args=[checked.pk]), decide_post()
    )
    assert response.status_code == 302
    html = page(civil_affairs)
    assert "待县级民政部门审批的两项补贴申请" in html
    assert "乙待审核" in html and "甲待初审" not in html and "丙外县" not in html
    assert "乙待审核" not in page(county_clerk)  # reviewed: no longer the clerk's


def test_finance_sees_the_rolls_to_export_and_to_reconcile(finance: Any) -> None:
    from canlian.payroll.models import BankExport, Reconciliation, RollStatus

    def approved(month: int) -> Roll:
        made = roll("410825", finance)
        Roll.objects.filter(pk=made.pk).update(status=RollStatus.APPROVED, month=D(2026, month, 1))
        return made

    def export(of: Roll) -> None:
        BankExport.objects.create(
            roll=of, file_name="f.csv", lines=1, total=Decimal("1"), full_accounts=True,
            sha256="0" * 64, by=finance, by_name="制表人",
        )  # fmt: skip

    to_export, to_reconcile, done = approved(6), approved(7), approved(8)
    export(to_reconcile)
    export(done)
    Reconciliation.objects.create(
        roll=done, file_name="r.csv", paid=1, paid_total=Decimal("1"), failed=0,
        failed_total=Decimal("0"), agrees=True, differences=[], by=finance, by_name="制表人",
    )  # fmt: skip
    found = keys(finance, D(2026, 9, 1))
    urls = {k: [i.url for i in g.items] for k, g in found.items()}
    assert urls["payroll_to_export"] == [reverse("payroll:roll", args=[to_export.pk])]
    assert urls["payroll_to_reconcile"] == [reverse("payroll:roll", args=[to_reconcile.pk])]
    html = page(finance)
    assert "待导出银行代发文件" in html and "待核对银行回盘" in html


def test_work_without_a_time_limit_says_so(
    apply_first: Any,  # noqa: F811
    county_clerk: Any,
) -> None:
    """An application to book has no last day in the rules: its item and its row in the
    summary say so instead of a day or an overdue count."""
    waiting = apply_first()
    assert not keys(county_clerk, timezone.localdate())["to_book"].timed
    html = page(county_clerk)
    booking = html.split('id="todo-to_book"', 1)[1].split("</section>", 1)[0]
    assert waiting.name in booking and "未规定期限" in booking and "办理期限" not in booking
    summary = html.split('id="todo-summary"', 1)[1].split("</table>", 1)[0]
    row = summary.split('href="#todo-to_book"', 1)[1].split("</tr>", 1)[0]
    assert "未规定期限" in row
