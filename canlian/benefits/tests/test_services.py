"""Subsidy applications (window → township check → county review → civil-affairs approval),
enrolments carried over, account changes and endings: who may act, what is refused, and what
each step records."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from canlian.accounts import services as accounts
from canlian.accounts.roles import Role
from canlian.audit.models import Entry
from canlian.benefits import services
from canlian.benefits.models import (
    ACCOUNT_CONTEXT,
    ApplicationStatus,
    ApplicationStep,
    Channel,
    Decision,
    Enrolment,
    EnrolmentStatus,
    PaymentAccount,
    Programme,
    Step,
    SubsidyApplication,
)
from canlian.lib import crypto
from canlian.places.models import Place

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 20)
ACCOUNT = "6222021234567890123"
OTHER_ACCOUNT = "6217000099998888777"


def d(month: int, day: int, year: int = 2026) -> datetime.date:
    return datetime.date(year, month, day)


def apply(person: Any, user: Any, **overrides: Any) -> SubsidyApplication:
    data: dict[str, Any] = {
        "person_id": person.pk,
        "programme": Programme.CARE,
        "applied_on": d(8, 10),
        "channel": Channel.IN_PERSON,
        "bank_name": "中国农业银行温县支行",
        "account": ACCOUNT,
        "long_term_care_months": 12,
        "acting_user": user,
        "today": TODAY,
    }
    data.update(overrides)
    return services.apply(**data)


def decide(
    application: SubsidyApplication, user: Any, acted_on: datetime.date, **kw: Any
) -> SubsidyApplication:
    return services.decide(
        application_id=application.pk,
        passed=kw.pop("passed", True),
        reason=kw.pop("reason", ""),
        acted_on=acted_on,
        acting_user=user,
        today=kw.pop("today", TODAY),
    )


def errors_of(raised: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return raised.value.message_dict


def make_user(username: str, role: str, code: str) -> Any:
    return accounts.create_account(
        username=username,
        password="not-a-real-password",
        role=role,
        place=Place.objects.get(code=code),
        acting_user=None,
        check_password=False,
    )


@pytest.fixture
def person(make_person: Any) -> Any:
    return make_person(grade=2)


@pytest.fixture
def submitted(person: Any, township_officer: Any) -> SubsidyApplication:
    return apply(person, township_officer)


@pytest.fixture
def checked(submitted: SubsidyApplication, township_officer: Any) -> SubsidyApplication:
    return decide(submitted, township_officer, d(8, 20))


@pytest.fixture
def reviewed(checked: SubsidyApplication, county_clerk: Any) -> SubsidyApplication:
    return decide(checked, county_clerk, d(9, 15))


# --- The four steps --------------------------------------------------------------------------


def test_an_application_passes_four_steps_in_order_each_taken_by_its_role(
    person: Any, township_officer: Any, county_clerk: Any, civil_affairs: Any
) -> None:
    application = apply(person, township_officer)
    assert application.status == ApplicationStatus.SUBMITTED
    assert decide(application, township_officer, d(8, 20)).status == (
        ApplicationStatus.TOWNSHIP_CHECKED
    )
    assert decide(application, county_clerk, d(9, 15)).status == ApplicationStatus.COUNTY_REVIEWED
    assert decide(application, civil_affairs, d(11, 5)).status == ApplicationStatus.APPROVED
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    steps = list(
        application.steps.order_by("id").values_list("step", "decision", "actor", "acted_on")
    )
    assert steps == [
        (Step.APPLY, Decision.SUBMITTED, township_officer.pk, d(8, 10)),
        (Step.TOWNSHIP_CHECK, Decision.PASSED, township_officer.pk, d(8, 20)),
        (Step.COUNTY_REVIEW, Decision.PASSED, county_clerk.pk, d(9, 15)),
        (Step.APPROVAL, Decision.PASSED, civil_affairs.pk, d(11, 5)),
    ]


def test_the_application_records_the_month_it_pays_from_and_masks_the_account(
    submitted: SubsidyApplication,
) -> None:
    submitted.refresh_from_db()
    assert submitted.start_month == d(8, 1)
    assert submitted.region == "410825001001"
    assert submitted.account_masked == "***************0123"
    assert ACCOUNT not in submitted.account_masked
    assert crypto.decrypt(bytes(submitted.account_cipher), context=ACCOUNT_CONTEXT) == ACCOUNT


def test_the_audit_entry_of_an_application_never_holds_the_full_account(
    submitted: SubsidyApplication,
) -> None:
    entry = Entry.objects.get(action="subsidy.apply")
    assert entry.target_id == str(submitted.pk)
    assert ACCOUNT not in str(entry.detail)
    assert entry.detail["account"] == "***************0123"


def test_approval_enrols_from_the_first_day_of_the_month_of_application(
    reviewed: SubsidyApplication, civil_affairs: Any, person: Any
) -> None:
    decide(reviewed, civil_affairs, d(11, 5))
    enrolment = Enrolment.objects.get(person=person)
    assert enrolment.application_id == reviewed.pk
    assert enrolment.programme == Programme.CARE
    assert enrolment.start_month == d(8, 1)
    assert enrolment.approved_on == d(11, 5)
    assert enrolment.status == EnrolmentStatus.ACTIVE
    assert enrolment.back_pay_settled is False  # paid back by the first roll
    assert enrolment.region == "410825001001"
    account = enrolment.account
    assert (account.person_id, account.bank_name) == (person.pk, "中国农业银行温县支行")
    assert crypto.decrypt(bytes(account.account_cipher), context=ACCOUNT_CONTEXT) == ACCOUNT
    latest = Entry.objects.filter(action="subsidy.decide").order_by("-id").first()
    assert latest is not None and latest.detail["enrolment"] == enrolment.pk


def test_passing_the_township_check_or_the_review_enrols_nobody(
    checked: SubsidyApplication, county_clerk: Any
) -> None:
    decide(checked, county_clerk, d(9, 15))
    assert not Enrolment.objects.exists()
    assert not PaymentAccount.objects.exists()


@pytest.mark.parametrize(
    ("stage", "wrong"),
    [
        ("submitted", "county_clerk"),  # the county may not make the township's check
        ("submitted", "civil_affairs"),
        ("submitted", "finance"),
        ("checked", "township_officer"),  # the township may not review for the county
        ("checked", "civil_affairs"),
        ("reviewed", "county_clerk"),  # the federation may not approve for civil affairs
        ("reviewed", "township_officer"),
        ("reviewed", "auditor"),
    ],
)
def test_a_step_taken_by_the_wrong_role_is_refused_and_changes_nothing(
    request: pytest.FixtureRequest, stage: str, wrong: str
) -> None:
    application: SubsidyApplication = request.getfixturevalue(stage)
    user = request.getfixturevalue(wrong)
    before = (application.status, application.steps.count())
    with pytest.raises(PermissionDenied):
        decide(application, user, d(11, 5))
    application.refresh_from_db()
    assert (application.status, application.steps.count()) == before
    assert not Enrolment.objects.exists()


def test_a_county_officer_of_another_county_may_not_review(
    checked: SubsidyApplication, other_county_clerk: Any
) -> None:
    with pytest.raises(PermissionDenied):
        decide(checked, other_county_clerk, d(9, 15))
    checked.refresh_from_db()
    assert checked.status == ApplicationStatus.TOWNSHIP_CHECKED


def test_civil_affairs_of_another_county_may_not_approve(reviewed: SubsidyApplication) -> None:
    mengzhou = make_user("civil-meng", Role.CIVIL_AFFAIRS, "410883000000")
    with pytest.raises(PermissionDenied):
        decide(reviewed, mengzhou, d(11, 5))
    assert not Enrolment.objects.exists()


def test_a_township_officer_may_not_check_another_townships_application(
    make_person: Any, county_clerk: Any, township_officer: Any
) -> None:
    elsewhere = make_person(place_code="410825002000")
    application = apply(elsewhere, county_clerk)
    with pytest.raises(PermissionDenied):
        decide(application, township_officer, d(8, 20))


def test_a_township_officer_may_not_take_an_application_from_another_township(
    make_person: Any, township_officer: Any
) -> None:
    elsewhere = make_person(place_code="410825002000")
    with pytest.raises(PermissionDenied):
        apply(elsewhere, township_officer)
    assert not SubsidyApplication.objects.exists()


def test_roles_without_the_window_permission_may_not_take_applications(
    person: Any, civil_affairs: Any, finance: Any
) -> None:
    for user in (civil_affairs, finance):
        with pytest.raises(PermissionDenied):
            apply(person, user)
    assert not SubsidyApplication.objects.exists()


# --- Rejections ----------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_rejection_without_a_reason_is_refused(
    checked: SubsidyApplication, county_clerk: Any, reason: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        decide(checked, county_clerk, d(9, 15), passed=False, reason=reason)
    assert "reason" in errors_of(raised)
    checked.refresh_from_db()
    assert checked.status == ApplicationStatus.TOWNSHIP_CHECKED


def test_a_rejection_ends_the_application_with_its_reason_actor_and_date(
    checked: SubsidyApplication, county_clerk: Any, civil_affairs: Any
) -> None:
    decide(checked, county_clerk, d(9, 15), passed=False, reason="  户籍不在本县  ")
    checked.refresh_from_db()
    assert checked.status == ApplicationStatus.REJECTED
    assert not checked.is_open
    step = checked.steps.get(step=Step.COUNTY_REVIEW)
    assert (step.decision, step.reason, step.actor_id, step.acted_on) == (
        Decision.REJECTED,
        "户籍不在本县",
        county_clerk.pk,
        d(9, 15),
    )
    # Nothing follows a rejection.
    with pytest.raises(ValidationError):
        decide(checked, civil_affairs, d(11, 5))
    assert checked.steps.count() == 3
    assert not Enrolment.objects.exists()


def test_a_rejection_at_the_approval_enrols_nobody(
    reviewed: SubsidyApplication, civil_affairs: Any
) -> None:
    decide(reviewed, civil_affairs, d(11, 5), passed=False, reason="不符合重度残疾条件")
    reviewed.refresh_from_db()
    assert reviewed.status == ApplicationStatus.REJECTED
    assert not Enrolment.objects.exists()


def test_after_a_rejection_the_person_may_apply_again(
    submitted: SubsidyApplication, township_officer: Any, person: Any
) -> None:
    decide(submitted, township_officer, d(8, 20), passed=False, reason="材料不全")
    again = apply(person, township_officer, applied_on=d(10, 3))
    assert again.status == ApplicationStatus.SUBMITTED
    assert again.start_month == d(10, 1)


# --- Dates ---------------------------------------------------------------------------------


def test_a_step_dated_before_the_previous_step_is_refused(
    checked: SubsidyApplication, county_clerk: Any
) -> None:
    with pytest.raises(ValidationError) as raised:
        decide(checked, county_clerk, d(8, 19))  # checked on 08-20
    assert "acted_on" in errors_of(raised)
    assert checked.steps.count() == 2


def test_a_step_may_be_dated_the_same_day_as_the_previous_one(
    checked: SubsidyApplication, county_clerk: Any
) -> None:
    assert decide(checked, county_clerk, d(8, 20)).status == ApplicationStatus.COUNTY_REVIEWED


def test_a_step_dated_in_the_future_is_refused(
    submitted: SubsidyApplication, township_officer: Any
) -> None:
    with pytest.raises(ValidationError) as raised:
        decide(submitted, township_officer, d(11, 21))
    assert "acted_on" in errors_of(raised)
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.SUBMITTED


def test_an_application_dated_in_the_future_is_refused(person: Any, township_officer: Any) -> None:
    with pytest.raises(ValidationError) as raised:
        apply(person, township_officer, applied_on=d(11, 21))
    assert "applied_on" in errors_of(raised)
    assert not SubsidyApplication.objects.exists()


# --- What an application must give --------------------------------------------------------


def test_a_second_open_application_for_the_same_programme_is_refused(
    submitted: SubsidyApplication, person: Any, township_officer: Any
) -> None:
    with pytest.raises(ValidationError) as raised:
        apply(person, township_officer, applied_on=d(9, 1))
    assert "programme" in errors_of(raised)
    assert SubsidyApplication.objects.count() == 1
    # The other programme is another application.
    living = apply(person, township_officer, programme=Programme.LIVING)
    assert living.programme == Programme.LIVING


def test_an_application_for_a_subsidy_already_received_is_refused(
    reviewed: SubsidyApplication, civil_affairs: Any, person: Any, township_officer: Any
) -> None:
    decide(reviewed, civil_affairs, d(11, 5))
    with pytest.raises(ValidationError) as raised:
        apply(person, township_officer, applied_on=d(11, 10))
    assert "programme" in errors_of(raised)


def test_approval_is_refused_when_the_person_was_enrolled_meanwhile(
    reviewed: SubsidyApplication, civil_affairs: Any, county_clerk: Any, person: Any
) -> None:
    services.enrol_existing(
        person_id=person.pk,
        programme=Programme.CARE,
        start_month=d(1, 1),
        approved_on=d(12, 20, 2025),
        bank_name="银行",
        account=OTHER_ACCOUNT,
        long_term_care_months=12,
        acting_user=county_clerk,
    )
    with pytest.raises(ValidationError):
        decide(reviewed, civil_affairs, d(11, 5))
    reviewed.refresh_from_db()
    assert reviewed.status == ApplicationStatus.COUNTY_REVIEWED  # the whole step rolled back
    assert Enrolment.objects.count() == 1
    assert not reviewed.steps.filter(step=Step.APPROVAL).exists()


def test_a_proxy_must_be_named_with_their_relation(person: Any, township_officer: Any) -> None:
    with pytest.raises(ValidationError) as raised:
        apply(person, township_officer, channel=Channel.PROXY)
    assert set(errors_of(raised)) == {"proxy_name", "proxy_relation"}
    application = apply(
        person, township_officer, channel=Channel.PROXY, proxy_name=" 王小明 ", proxy_relation="子"
    )
    assert (application.proxy_name, application.proxy_relation) == ("王小明", "子")


def test_a_proxy_name_given_for_an_application_in_person_is_not_kept(
    person: Any, township_officer: Any
) -> None:
    application = apply(person, township_officer, proxy_name="王小明", proxy_relation="子")
    assert (application.proxy_name, application.proxy_relation) == ("", "")


@pytest.mark.parametrize(
    "account",
    ["", "12345678901", "1" * 31, "6222abc1234567890", "6222.0212.3456.7890"],
)
def test_a_bad_account_number_is_refused(person: Any, township_officer: Any, account: str) -> None:
    with pytest.raises(ValidationError) as raised:
        apply(person, township_officer, account=account)
    assert "account" in errors_of(raised)
    assert not SubsidyApplication.objects.exists()


@pytest.mark.parametrize(
    "account",
    [
        "６２２２０２１２３４５６７８９０１２３",  # full-width digits (a Chinese input method)
        "٦٢٢٢٠٢١٢٣٤٥٦٧٨٩٠١٢٣",  # Arabic-Indic digits
    ],
)
def test_an_account_number_in_non_ascii_digits_is_never_stored_as_such(
    person: Any, township_officer: Any, account: str
) -> None:
    # Regression: ACCOUNT_PATTERN was r"\d{12,30}", and `\d` matches every Unicode digit, so
    # full-width or Arabic-Indic digits were stored and written to the bank file as such.
    try:
        application = apply(person, township_officer, account=account)
    except ValidationError as refused:
        assert "account" in refused.message_dict
        return
    stored = crypto.decrypt(bytes(application.account_cipher), context=ACCOUNT_CONTEXT)
    assert stored == ACCOUNT


def test_spaces_and_dashes_in_an_account_number_are_dropped(
    person: Any, township_officer: Any
) -> None:
    application = apply(person, township_officer, account="6222 0212-3456 7890 123")
    assert crypto.decrypt(bytes(application.account_cipher), context=ACCOUNT_CONTEXT) == ACCOUNT


def test_every_problem_of_an_application_is_reported_at_once(
    person: Any, township_officer: Any
) -> None:
    with pytest.raises(ValidationError) as raised:
        apply(
            person,
            township_officer,
            programme="pension",
            applied_on=d(12, 1),
            channel=Channel.PROXY,
            bank_name="  ",
            account="123",
        )
    assert set(errors_of(raised)) == {
        "programme",
        "applied_on",
        "proxy_name",
        "proxy_relation",
        "bank_name",
        "account",
    }
    assert not SubsidyApplication.objects.exists()
    assert not ApplicationStep.objects.exists()


def test_a_bank_name_longer_than_64_characters_is_refused(
    person: Any, township_officer: Any
) -> None:
    with pytest.raises(ValidationError) as raised:
        apply(person, township_officer, bank_name="银" * 65)
    assert set(errors_of(raised)) == {"bank_name"}


def test_an_unknown_channel_is_refused(person: Any, township_officer: Any) -> None:
    with pytest.raises(ValidationError) as raised:
        apply(person, township_officer, channel="post")
    assert "channel" in errors_of(raised)


# --- Enrolments carried over ---------------------------------------------------------------


def enrol_existing(person: Any, user: Any, **overrides: Any) -> Enrolment:
    data: dict[str, Any] = {
        "person_id": person.pk,
        "programme": Programme.CARE,
        "start_month": d(1, 1),
        "approved_on": d(12, 20, 2025),
        "bank_name": "中国农业银行温县支行",
        "account": ACCOUNT,
        "long_term_care_months": 12,
        "acting_user": user,
    }
    data.update(overrides)
    return services.enrol_existing(**data)


def test_an_enrolment_carried_over_is_recorded_settled_without_an_application(
    person: Any, county_clerk: Any
) -> None:
    enrolment = enrol_existing(person, county_clerk)
    assert enrolment.back_pay_settled is True
    assert enrolment.application is None
    assert (enrolment.start_month, enrolment.status) == (d(1, 1), EnrolmentStatus.ACTIVE)
    assert enrolment.account.account_masked == "***************0123"
    assert Entry.objects.filter(action="subsidy.enrol_existing").count() == 1


def test_an_enrolment_carried_over_starts_on_the_first_of_a_month(
    person: Any, county_clerk: Any
) -> None:
    with pytest.raises(ValidationError) as raised:
        enrol_existing(person, county_clerk, start_month=d(1, 15), account="1")
    assert set(errors_of(raised)) == {"start_month", "account"}
    assert not Enrolment.objects.exists()
    assert not PaymentAccount.objects.exists()


def test_an_enrolment_carried_over_needs_a_county_role_of_the_persons_county(
    person: Any, township_officer: Any, other_county_clerk: Any, finance: Any
) -> None:
    for user in (township_officer, other_county_clerk, finance):
        with pytest.raises(PermissionDenied):
            enrol_existing(person, user)
    assert not Enrolment.objects.exists()


def test_a_second_active_enrolment_in_a_programme_is_refused(
    person: Any, county_clerk: Any, civil_affairs: Any
) -> None:
    enrol_existing(person, county_clerk)
    with pytest.raises(ValidationError):
        enrol_existing(person, civil_affairs)
    assert Enrolment.objects.count() == 1
    assert enrol_existing(person, county_clerk, programme=Programme.LIVING).programme == "living"


# --- Accounts and endings ------------------------------------------------------------------


def test_a_new_account_is_a_new_row_and_the_old_one_is_kept_unchanged(
    person: Any, county_clerk: Any
) -> None:
    enrolment = enrol_existing(person, county_clerk)
    old = enrolment.account
    old_values = (old.bank_name, bytes(old.account_cipher), old.account_masked)
    services.change_account(
        enrolment_id=enrolment.pk,
        bank_name="中国邮政储蓄银行",
        account=OTHER_ACCOUNT,
        acting_user=county_clerk,
    )
    enrolment.refresh_from_db()
    old.refresh_from_db()
    assert enrolment.account_id != old.pk
    assert (old.bank_name, bytes(old.account_cipher), old.account_masked) == old_values
    new = enrolment.account
    assert crypto.decrypt(bytes(new.account_cipher), context=ACCOUNT_CONTEXT) == OTHER_ACCOUNT
    assert new.bank_name == "中国邮政储蓄银行"
    assert PaymentAccount.objects.filter(person=person).count() == 2
    assert OTHER_ACCOUNT not in str(Entry.objects.get(action="subsidy.change_account").detail)


def test_an_account_change_is_checked_and_refused_to_other_roles(
    person: Any, county_clerk: Any, township_officer: Any, other_county_clerk: Any
) -> None:
    enrolment = enrol_existing(person, county_clerk)
    with pytest.raises(ValidationError) as raised:
        services.change_account(
            enrolment_id=enrolment.pk, bank_name="", account="12", acting_user=county_clerk
        )
    assert set(errors_of(raised)) == {"bank_name", "account"}
    for user in (township_officer, other_county_clerk):
        with pytest.raises(PermissionDenied):
            services.change_account(
                enrolment_id=enrolment.pk,
                bank_name="银行",
                account=OTHER_ACCOUNT,
                acting_user=user,
            )
    enrolment.refresh_from_db()
    assert PaymentAccount.objects.count() == 1


def test_ending_an_enrolment_records_the_last_month_and_reason(
    person: Any, county_clerk: Any
) -> None:
    enrolment = enrol_existing(person, county_clerk)
    services.end_enrolment(
        enrolment_id=enrolment.pk,
        last_month=d(10, 17),
        reason=" 本人申请停发 ",
        acting_user=county_clerk,
    )
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.ENDED
    assert enrolment.end_month == d(10, 1)
    assert enrolment.end_reason == "本人申请停发"
    # Ended: neither ended again nor given another account.
    with pytest.raises(ValidationError) as raised:
        services.end_enrolment(
            enrolment_id=enrolment.pk, last_month=d(11, 1), reason="x", acting_user=county_clerk
        )
    assert "last_month" in errors_of(raised)
    with pytest.raises(ValidationError) as raised:
        services.change_account(
            enrolment_id=enrolment.pk,
            bank_name="银行",
            account=OTHER_ACCOUNT,
            acting_user=county_clerk,
        )
    assert "account" in errors_of(raised)


def test_ending_an_enrolment_needs_a_reason_and_a_month_not_before_the_start(
    person: Any, county_clerk: Any
) -> None:
    enrolment = enrol_existing(person, county_clerk, start_month=d(6, 1))
    with pytest.raises(ValidationError) as raised:
        services.end_enrolment(
            enrolment_id=enrolment.pk, last_month=d(4, 1), reason=" ", acting_user=county_clerk
        )
    assert set(errors_of(raised)) == {"last_month", "reason"}
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.ACTIVE


def test_ending_an_enrolment_is_refused_to_a_township_officer(
    person: Any, county_clerk: Any, township_officer: Any
) -> None:
    enrolment = enrol_existing(person, county_clerk)
    with pytest.raises(PermissionDenied):
        services.end_enrolment(
            enrolment_id=enrolment.pk, last_month=d(10, 1), reason="x", acting_user=township_officer
        )


def test_after_an_ending_the_person_may_apply_again(
    person: Any, county_clerk: Any, township_officer: Any
) -> None:
    enrolment = enrol_existing(person, county_clerk)
    services.end_enrolment(
        enrolment_id=enrolment.pk, last_month=d(9, 1), reason="迁出后迁回", acting_user=county_clerk
    )
    assert apply(person, township_officer, applied_on=d(11, 2)).status == "submitted"
