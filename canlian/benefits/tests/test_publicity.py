"""Publicity of subsidy recipients in the village where the county requires it: the rule's
cases (publicity_cases.yaml), recording it on the application, and approval held back until
it ends."""

from __future__ import annotations

import datetime
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from canlian.audit.models import Entry
from canlian.benefits import publicity, services
from canlian.benefits.eligibility import rules
from canlian.benefits.models import ApplicationStatus, SubsidyApplication
from canlian.conftest import client_for
from canlian.lib.parameters import clear_cache

CASES: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parent / "publicity_cases.yaml").read_text("utf-8")
)
TODAY = datetime.date(2026, 11, 20)
ACCOUNT = "6222021234567890123"


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_publicity_case(case: dict[str, Any]) -> None:
    recorded = case.get("publicity", {})
    with translation.override("en"):
        found = publicity.problems(
            publicity.Rule(**case["rule"]),
            start=recorded.get("start"),
            end=recorded.get("end"),
            objections=recorded.get("objections"),
            acted_on=case["acted_on"],
            reason=case.get("reason", ""),
        )
    assert list(found) == case["expected"]
    assert all(found.values())


def test_the_messages_name_the_days_and_the_end() -> None:
    rule = publicity.Rule(required=True, days=7)
    with translation.override("en"):
        found = publicity.problems(
            rule, start=datetime.date(2026, 3, 1), end=datetime.date(2026, 3, 6),
            objections=False, acted_on=datetime.date(2026, 3, 6), reason="",
        )  # fmt: skip
    assert found["publicity"] == ["The publicity lasted 6 days; the county requires 7."]
    assert found["acted_on"] == [
        "The publicity ends on 2026-03-06: the application is approved from the day after."
    ]


def test_the_shipped_rule_requires_no_publicity() -> None:
    rule = publicity.rule_for("410825001001", TODAY)
    assert rule == publicity.Rule(required=False, days=7)


# --- Through the services, with a county that requires it --------------------------------------


def wen_requires(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, since: str, days: str | None = "5"
) -> None:
    """温县 requires ``days`` days of publicity from ``since`` (a parameter copy); with
    ``days`` None, no number of days is set."""
    directory = tmp_path / "parameters"
    shutil.copytree(rules.PARAMETERS_DIRECTORY, directory)
    changes = [("required", "true")] + ([("days", days)] if days is not None else [])
    for name, value in changes:
        path = directory / f"benefits.publicity.{name}.yaml"
        text = path.read_text("utf-8") + "overrides:\n"
        text += f'  "410825":\n    - from: {since}\n      value: {value}\n'
        text += '      reference: ""\n      sample: true\n'
        path.write_text(text, "utf-8")
    if days is None:  # and no default either
        path = directory / "benefits.publicity.days.yaml"
        path.write_text(path.read_text("utf-8").replace("value: 7", "value: null"), "utf-8")
    monkeypatch.setattr(rules, "PARAMETERS_DIRECTORY", directory)
    clear_cache()


@pytest.fixture
def wen_requires_publicity(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """温县 requires 5 days of publicity from 2026-01-01 (a parameter copy)."""
    wen_requires(tmp_path, monkeypatch, "2026-01-01")
    yield
    clear_cache()


def d(month: int, day: int) -> datetime.date:
    return datetime.date(2026, month, day)


@pytest.fixture
def reviewed(make_person: Any, township_officer: Any, county_clerk: Any) -> SubsidyApplication:
    application = services.apply(
        person_id=make_person(grade=1).pk, programme="care", applied_on=d(8, 10),
        channel="in_person", bank_name="中国农业银行温县支行", account=ACCOUNT,
        long_term_care_months=12, acting_user=township_officer, today=TODAY,
    )  # fmt: skip
    for user, day in ((township_officer, d(8, 20)), (county_clerk, d(9, 1))):
        services.decide(
            application_id=application.pk, passed=True, reason="", acted_on=day,
            acting_user=user, today=TODAY,
        )  # fmt: skip
    return application


def approve(
    application: SubsidyApplication, user: Any, day: datetime.date, reason: str = ""
) -> Any:
    return services.decide(
        application_id=application.pk, passed=True, reason=reason, acted_on=day,
        acting_user=user, today=TODAY,
    )  # fmt: skip


def record(
    application: SubsidyApplication,
    user: Any,
    start: datetime.date,
    end: datetime.date,
    objections: bool = False,
) -> Any:
    return services.record_publicity(
        application_id=application.pk, start=start, end=end, objections=objections,
        acting_user=user, today=TODAY,
    )  # fmt: skip


@pytest.mark.django_db
@pytest.mark.usefixtures("wen_requires_publicity")
def test_approval_waits_for_a_publicity_of_the_days_required(
    reviewed: SubsidyApplication, township_officer: Any, civil_affairs: Any
) -> None:
    with pytest.raises(ValidationError) as raised:
        approve(reviewed, civil_affairs, d(9, 20))
    assert list(raised.value.message_dict) == ["publicity"]
    record(reviewed, township_officer, d(9, 2), d(9, 5))  # 4 days: n-1
    with pytest.raises(ValidationError) as raised:
        approve(reviewed, civil_affairs, d(9, 20))
    assert list(raised.value.message_dict) == ["publicity"]
    record(reviewed, township_officer, d(9, 2), d(9, 6))  # 5 days: n
    with pytest.raises(ValidationError) as raised:
        approve(reviewed, civil_affairs, d(9, 6))  # its last day
    assert list(raised.value.message_dict) == ["acted_on"]
    reviewed.refresh_from_db()
    assert reviewed.status == ApplicationStatus.COUNTY_REVIEWED
    assert approve(reviewed, civil_affairs, d(9, 7)).status == ApplicationStatus.APPROVED
    entries = Entry.objects.filter(action="subsidy.publicity").order_by("pk")
    assert [e.detail["changes"] for e in entries] == [
        {
            "publicity_start": [None, "2026-09-02"],
            "publicity_end": [None, "2026-09-05"],
            "publicity_objections": [None, False],
        },
        {"publicity_end": ["2026-09-05", "2026-09-06"]},
    ]


@pytest.mark.django_db
@pytest.mark.usefixtures("wen_requires_publicity")
def test_objections_received_need_the_approvers_reason(
    reviewed: SubsidyApplication, county_clerk: Any, civil_affairs: Any
) -> None:
    record(reviewed, county_clerk, d(9, 2), d(9, 10), objections=True)
    with pytest.raises(ValidationError) as raised:
        approve(reviewed, civil_affairs, d(9, 11))
    assert list(raised.value.message_dict) == ["reason"]
    approved = approve(reviewed, civil_affairs, d(9, 11), reason="异议经核实不成立")
    assert approved.status == ApplicationStatus.APPROVED


@pytest.mark.django_db
def test_where_not_required_approval_needs_no_publicity(
    reviewed: SubsidyApplication, civil_affairs: Any
) -> None:
    assert approve(reviewed, civil_affairs, d(9, 2)).status == ApplicationStatus.APPROVED


@pytest.mark.django_db
def test_recording_the_publicity_refuses_bad_dates_all_at_once(
    reviewed: SubsidyApplication, township_officer: Any
) -> None:
    with pytest.raises(ValidationError) as raised:
        record(reviewed, township_officer, d(12, 1), d(11, 30))
    assert set(raised.value.message_dict) == {"publicity_start", "publicity_end"}
    with pytest.raises(ValidationError) as raised:
        record(reviewed, township_officer, d(8, 1), d(8, 9))
    assert list(raised.value.message_dict) == ["publicity_start"]
    reviewed.refresh_from_db()
    assert reviewed.publicity_start is None
    assert not Entry.objects.filter(action="subsidy.publicity").exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("wen_requires_publicity")
def test_recording_the_publicity_refuses_an_end_years_away(
    reviewed: SubsidyApplication, township_officer: Any
) -> None:
    with translation.override("zh-hans"), pytest.raises(ValidationError) as raised:
        record(reviewed, township_officer, d(9, 2), datetime.date(9999, 12, 31))
    assert raised.value.message_dict == {"publicity_end": ["公示期最长65天（含首尾两日）。"]}
    assert record(reviewed, township_officer, d(9, 2), d(11, 5)).publicity_end == d(11, 5)


@pytest.mark.django_db
def test_recording_the_publicity_needs_a_step_role_of_the_county(
    reviewed: SubsidyApplication, other_county_clerk: Any, civil_affairs: Any
) -> None:
    for user in (other_county_clerk, civil_affairs):
        with pytest.raises(PermissionDenied):
            record(reviewed, user, d(9, 2), d(9, 6))


@pytest.mark.django_db
@pytest.mark.usefixtures("wen_requires_publicity")
def test_the_publicity_form_on_the_application_page(
    reviewed: SubsidyApplication, county_clerk: Any
) -> None:
    client = client_for(county_clerk)
    client.cookies["django_language"] = "en"
    url = reverse("benefits:detail", args=[reviewed.pk])
    page = client.get(url).content.decode()
    assert "for 5 days before approval" in page and 'name="publicity-publicity_start"' in page
    post = reverse("benefits:publicity", args=[reviewed.pk])
    response = client.post(post, {"publicity-publicity_start": "2026-09-05",
                                  "publicity-publicity_end": "2026-09-01"})  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 200
    assert '<a href="#id_publicity-publicity_objections">' in page
    response = client.post(post, {"publicity-publicity_start": "2026-09-05",
                                  "publicity-publicity_end": "2026-09-01",
                                  "publicity-publicity_objections": "no"})  # fmt: skip
    assert '<a href="#id_publicity-publicity_end">' in response.content.decode()
    response = client.post(post, {"publicity-publicity_start": "2026-09-01",
                                  "publicity-publicity_end": "2026-09-05",
                                  "publicity-publicity_objections": "no"})  # fmt: skip
    assert response.status_code == 302
    reviewed.refresh_from_db()
    assert (reviewed.publicity_start, reviewed.publicity_end) == (d(9, 1), d(9, 5))
    assert reviewed.publicity_objections is False


def reviewed_on(person: Any, applied_on: datetime.date, township: Any, county: Any) -> Any:
    """An application of ``applied_on``, checked and reviewed on 2026-09-01."""
    application = services.apply(
        person_id=person.pk, programme="care", applied_on=applied_on, channel="in_person",
        bank_name="中国农业银行温县支行", account=ACCOUNT, long_term_care_months=12,
        acting_user=township, today=TODAY,
    )  # fmt: skip
    for user in (township, county):
        services.decide(
            application_id=application.pk, passed=True, reason="", acted_on=d(9, 1),
            acting_user=user, today=TODAY,
        )  # fmt: skip
    return application


@pytest.mark.django_db
def test_the_rule_is_that_of_the_date_of_application_not_of_the_approval(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    make_person: Any,
    township_officer: Any,
    county_clerk: Any,
    civil_affairs: Any,
) -> None:
    """温县 requires publicity from 2026-08-20. Applied the day before: not required, whatever
    the approval's date; applied on that day: required, an approval dated back or not."""
    wen_requires(tmp_path, monkeypatch, "2026-08-20")
    try:
        before = reviewed_on(make_person(grade=1), d(8, 19), township_officer, county_clerk)
        on = reviewed_on(make_person(grade=2), d(8, 20), township_officer, county_clerk)
        assert publicity.rule_of(before) == publicity.Rule(required=False, days=7)
        assert publicity.rule_of(on) == publicity.Rule(required=True, days=5)
        for day in (d(9, 1), d(9, 20)):
            with pytest.raises(ValidationError) as raised:
                approve(on, civil_affairs, day)
            assert list(raised.value.message_dict) == ["publicity"]
        assert approve(before, civil_affairs, d(9, 20)).status == ApplicationStatus.APPROVED
    finally:
        clear_cache()


@pytest.mark.django_db
def test_publicity_required_without_a_number_of_days_refuses_approval_saying_so(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    make_person: Any,
    township_officer: Any,
    county_clerk: Any,
    civil_affairs: Any,
) -> None:
    wen_requires(tmp_path, monkeypatch, "2026-01-01", days=None)
    try:
        application = reviewed_on(make_person(grade=1), d(8, 10), township_officer, county_clerk)
        assert publicity.rule_of(application) == publicity.Rule(required=True, days=None)
        record(application, township_officer, d(9, 2), d(9, 10))
        with translation.override("zh-hans"), pytest.raises(ValidationError) as raised:
            approve(application, civil_affairs, d(9, 20))
        assert raised.value.message_dict == {
            "publicity": [
                "本县要求拟享受对象在村（社区）公示，但未规定公示天数：待规则规定天数后方可审批。"
            ]
        }
        application.refresh_from_db()
        assert application.status == ApplicationStatus.COUNTY_REVIEWED
        page = client_for(civil_affairs).get(reverse("benefits:detail", args=[application.pk]))
        assert "未规定公示天数" in page.content.decode()
    finally:
        clear_cache()
