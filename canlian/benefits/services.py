"""Every write of subsidy applications and enrolments, each checked, written and audited in
one transaction.

An application is made at the township window, by the person or a proxy, for one programme,
with the account to be paid into; payment starts from the month of application. Then:

1. the township's first check (乡镇初审): a township officer of the person's township, or above;
2. the county federation's review (县级残联审核);
3. the county civil-affairs approval (县民政审批), which enrols the person.

Each step records its actor, date, decision and reason; a rejection at any step ends the
application and must give its reason. The rules' explanation for the month of application is
shown beside each step; a step does not depend on it (the officers decide, the rules explain).
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from canlian.accounts.actors import Actor
from canlian.accounts.models import User
from canlian.accounts.roles import Perm
from canlian.accounts.scoping import covers
from canlian.audit import records as audit
from canlian.benefits import publicity
from canlian.benefits.models import (
    ACCOUNT_CONTEXT,
    OPEN_APPLICATION,
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
from canlian.lib import crypto, masks
from canlian.people.models import Person

__all__ = [
    "ACCOUNT_PATTERN",
    "apply",
    "change_account",
    "decide",
    "end_enrolment",
    "enrol_existing",
    "may_record_publicity",
    "record_care_facts",
    "record_publicity",
]

ACCOUNT_PATTERN = re.compile(r"[0-9]{12,30}")

# The step that may be taken in each open status, its permission and the status it leads to.
NEXT_STEP: dict[str, tuple[str, str, str]] = {
    ApplicationStatus.SUBMITTED: (
        Step.TOWNSHIP_CHECK,
        Perm.CHECK_SUBSIDY,
        ApplicationStatus.TOWNSHIP_CHECKED,
    ),
    ApplicationStatus.TOWNSHIP_CHECKED: (
        Step.COUNTY_REVIEW,
        Perm.REVIEW_SUBSIDY,
        ApplicationStatus.COUNTY_REVIEWED,
    ),
    ApplicationStatus.COUNTY_REVIEWED: (
        Step.APPROVAL,
        Perm.APPROVE_SUBSIDY,
        ApplicationStatus.APPROVED,
    ),
}


def _month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _clean_account(account: str) -> str:
    return re.sub(r"[\s-]", "", account or "")


def _account_errors(bank_name: str, account: str, errors: dict[str, list[str]]) -> None:
    if not bank_name.strip():
        errors["bank_name"].append(_("Give the bank the subsidy is paid through."))
    elif len(bank_name.strip()) > 64:
        errors["bank_name"].append(_("The bank's name is at most 64 characters."))
    if not ACCOUNT_PATTERN.fullmatch(account):
        errors["account"].append(_("The account number is 12 to 30 digits."))


def _allowance_errors(amount: Decimal | None, errors: dict[str, list[str]]) -> None:
    if amount is None:
        return
    if (
        not amount.is_finite()
        or amount < 0
        or amount >= 10**6
        or amount != amount.quantize(Decimal("0.01"))
    ):
        errors["equivalent_allowance"].append(
            _("The allowance is an amount in yuan a month, at least 0, with at most two decimals.")
        )


MAX_CARE_MONTHS = 1200  # a hundred years: anything more is a typing error


def _months_errors(months: int | None, errors: dict[str, list[str]]) -> None:
    if months is not None and not 0 <= months <= MAX_CARE_MONTHS:
        errors["long_term_care_months"].append(
            _("The months the need for care lasts are a whole number from 0 to %(max)s.")
            % {"max": MAX_CARE_MONTHS}
        )


def _care_months_missing(programme: str, months: int | None, errors: dict[str, list[str]]) -> None:
    """The care subsidy is taken and enrolled only with the long-term care need recorded."""
    if programme == Programme.CARE and months is None:
        errors["long_term_care_months"].append(
            _(
                "Give the months the need for care lasts: the care subsidy is for "
                "persons needing long-term care."
            )
        )


def rejection(steps: Iterable[ApplicationStep]) -> ApplicationStep | None:
    """The step that rejected the application, among its ``steps`` (None while it stands)."""
    return next((s for s in steps if s.decision == Decision.REJECTED), None)


def apply(
    *,
    person_id: int,
    programme: str,
    applied_on: datetime.date,
    channel: str,
    bank_name: str,
    account: str,
    proxy_name: str = "",
    proxy_relation: str = "",
    note: str = "",
    equivalent_allowance: Decimal | None = None,
    orphan: bool = False,
    work_injury_care: bool = False,
    long_term_care_months: int | None = None,
    acting_user: User,
    today: datetime.date | None = None,
) -> SubsidyApplication:
    """Take an application at the township window."""
    today = today or timezone.localdate()
    account = _clean_account(account)
    proxy_name, proxy_relation = proxy_name.strip(), proxy_relation.strip()
    with transaction.atomic():
        person = _locked_person(person_id)
        if not acting_user.can(Perm.APPLY_SUBSIDY):
            raise PermissionDenied(_("You may not take subsidy applications."))
        if not covers(acting_user, person.place_id):
            raise PermissionDenied(_("This person's household is outside your jurisdiction."))
        errors = application_problems(
            programme=programme,
            applied_on=applied_on,
            today=today,
            channel=channel,
            proxy_name=proxy_name,
            proxy_relation=proxy_relation,
            bank_name=bank_name,
            account=account,
            equivalent_allowance=equivalent_allowance,
            long_term_care_months=long_term_care_months,
            person=person,
        )
        if errors:
            raise ValidationError(dict(errors))
        application = SubsidyApplication.objects.create(
            person=person,
            programme=programme,
            region=person.place_id,
            applied_on=applied_on,
            start_month=_month_start(applied_on),
            channel=channel,
            proxy_name=proxy_name if channel == Channel.PROXY else "",
            proxy_relation=proxy_relation if channel == Channel.PROXY else "",
            bank_name=bank_name.strip(),
            account_cipher=crypto.encrypt(account, context=ACCOUNT_CONTEXT),
            account_masked=masks.bank_account(account),
            note=note.strip(),
            equivalent_allowance=equivalent_allowance,
            orphan=orphan,
            work_injury_care=work_injury_care,
            long_term_care_months=long_term_care_months if programme == Programme.CARE else None,
            created_by=acting_user,
        )
        _submitted(application, acting_user)
    return application


def _locked_person(person_id: int) -> Person:
    person = Person.objects.select_for_update().filter(pk=person_id).first()
    if person is None:
        raise ValidationError(_("No such person."))
    return person


def application_problems(
    *,
    programme: str,
    applied_on: datetime.date | None,
    today: datetime.date,
    channel: str,
    proxy_name: str,
    proxy_relation: str,
    bank_name: str,
    account: str,
    equivalent_allowance: Decimal | None,
    long_term_care_months: int | None,
    person: Person | None = None,
) -> dict[str, list[str]]:
    """The rules' problems with an application as taken at the window, by field, saving
    nothing: apply refuses them, and the form lists them with its own fields' problems in one
    round (a date of application not given is None). With the ``person``, their open
    application or active enrolment in the programme is among them."""
    errors = window_errors(programme, applied_on, today, channel, proxy_name, proxy_relation)
    _account_errors(bank_name, account, errors)
    _allowance_errors(equivalent_allowance, errors)
    _months_errors(long_term_care_months, errors)
    _care_months_missing(programme, long_term_care_months, errors)
    if person is not None:
        _open_errors(person, programme, errors)
    return errors


def window_errors(
    programme: str,
    applied_on: datetime.date | None,
    today: datetime.date,
    channel: str,
    proxy_name: str,
    proxy_relation: str,
) -> dict[str, list[str]]:
    """What is wrong with the application as taken at the window, by field."""
    errors: dict[str, list[str]] = defaultdict(list)
    if programme not in Programme.values:
        errors["programme"].append(_("Choose the subsidy applied for."))
    if applied_on is not None and applied_on > today:
        errors["applied_on"].append(_("The date of application cannot be in the future."))
    if channel not in Channel.values:
        errors["channel"].append(_("Say whether the person applied in person or by proxy."))
    if channel == Channel.PROXY and not proxy_name:
        errors["proxy_name"].append(_("Give the proxy's name."))
    if channel == Channel.PROXY and not proxy_relation:
        errors["proxy_relation"].append(_("Give the proxy's relation to the person."))
    return errors


def _open_errors(person: Person, programme: str, errors: dict[str, list[str]]) -> None:
    """An open application or an active enrolment in the same programme refuses another."""
    if programme not in Programme.values:
        return
    if SubsidyApplication.objects.filter(
        person=person, programme=programme, status__in=OPEN_APPLICATION
    ).exists():
        errors["programme"].append(
            _("This person already has an open application for this subsidy.")
        )
    if Enrolment.objects.filter(
        person=person, programme=programme, status=EnrolmentStatus.ACTIVE
    ).exists():
        errors["programme"].append(_("This person already receives this subsidy."))


def _submitted(application: SubsidyApplication, acting_user: User) -> None:
    """The application's first step (submitted at the window) and its audit entry."""
    ApplicationStep.objects.create(
        application=application,
        step=Step.APPLY,
        decision=Decision.SUBMITTED,
        reason="",
        acted_on=application.applied_on,
        actor=acting_user,
    )
    audit.record(
        acting_user=acting_user,
        action="subsidy.apply",
        target=application,
        detail={
            "person": application.person.pk,
            "programme": application.programme,
            "applied_on": application.applied_on.isoformat(),
            "channel": application.channel,
            "account": application.account_masked,
        },
        region=application.region,
    )


def decide(
    *,
    application_id: int,
    passed: bool,
    reason: str,
    acted_on: datetime.date,
    acting_user: User,
    today: datetime.date | None = None,
) -> SubsidyApplication:
    """Take the application's next step: pass it on (approval enrols) or reject it."""
    today = today or timezone.localdate()
    reason = reason.strip()
    with transaction.atomic():
        application = _locked_application(application_id)
        step, perm, next_status = NEXT_STEP[application.status]
        if not acting_user.can(perm):
            raise PermissionDenied(
                _("You may not take this step: %(step)s.") % {"step": Step(step).label}
            )
        if not covers(acting_user, application.region):
            raise PermissionDenied(_("This application is outside your jurisdiction."))
        _check_decision(application, passed, reason, acted_on, today, step)
        ApplicationStep.objects.create(
            application=application,
            step=step,
            decision=Decision.PASSED if passed else Decision.REJECTED,
            reason=reason,
            acted_on=acted_on,
            actor=acting_user,
        )
        application.status = next_status if passed else ApplicationStatus.REJECTED
        application.save(update_fields=["status", "updated_at"])
        detail: dict[str, Any] = {"step": step, "passed": passed, "reason": reason}
        if application.status == ApplicationStatus.APPROVED:
            enrolment = _enrol(application, acted_on)
            detail["enrolment"] = enrolment.pk
        audit.record(
            acting_user=acting_user,
            action="subsidy.decide",
            target=application,
            detail=detail,
            region=application.region,
        )
    return application


def _locked_application(application_id: int) -> SubsidyApplication:
    """The application, locked, if it awaits a step."""
    application = (
        SubsidyApplication.objects.select_for_update()
        .select_related("person")
        .filter(pk=application_id)
        .first()
    )
    if application is None:
        raise ValidationError(_("No such application."))
    if application.status not in NEXT_STEP:
        raise ValidationError(_("This application has been decided already."))
    return application


def _check_decision(
    application: SubsidyApplication,
    passed: bool,
    reason: str,
    acted_on: datetime.date,
    today: datetime.date,
    step: str,
) -> None:
    """Refuse the step for every problem ``decision_problems`` finds."""
    errors = decision_problems(
        application, passed=passed, reason=reason, acted_on=acted_on, today=today, step=step
    )
    if errors:
        raise ValidationError(dict(errors))


def decision_problems(
    application: SubsidyApplication,
    *,
    passed: bool,
    reason: str,
    acted_on: datetime.date | None,
    today: datetime.date,
    step: str | None = None,
) -> dict[str, list[str]]:
    """What is wrong with the application's next step, by field, saving nothing: a step dated
    in the future or before the previous one, a rejection without its reason, or an approval
    that the county's publicity rule holds back (publicity.py). A date not given (None) skips
    the rules on the date, so the form lists the others with its own problems in one round."""
    errors: dict[str, list[str]] = defaultdict(list)
    if step is None:
        if application.status not in NEXT_STEP:
            return errors
        step = NEXT_STEP[application.status][0]
    if passed and step == Step.APPROVAL and acted_on is not None:
        rule = publicity.rule_of(application)
        found = publicity.problems(
            rule,
            start=application.publicity_start,
            end=application.publicity_end,
            objections=application.publicity_objections,
            acted_on=acted_on,
            reason=reason,
        )
        for field, messages in found.items():
            errors[field].extend(messages)
    if acted_on is not None:
        previous = application.steps.order_by("-acted_on", "-id").first()
        if acted_on > today:
            errors["acted_on"].append(_("The date cannot be in the future."))
        elif previous and acted_on < previous.acted_on:
            errors["acted_on"].append(
                _("The date cannot be before the previous step (%(date)s).")
                % {"date": previous.acted_on.isoformat()}
            )
    if not passed and not reason:
        errors["reason"].append(_("Give the reason for the rejection: the applicant is told."))
    return errors


def _enrol(application: SubsidyApplication, approved_on: datetime.date) -> Enrolment:
    account = PaymentAccount.objects.create(
        person=application.person,
        bank_name=application.bank_name,
        account_cipher=application.account_cipher,
        account_masked=application.account_masked,
    )
    try:
        with transaction.atomic():
            return Enrolment.objects.create(
                person=application.person,
                programme=application.programme,
                region=application.region,
                application=application,
                start_month=application.start_month,
                approved_on=approved_on,
                account=account,
                back_pay_settled=False,
                equivalent_allowance=application.equivalent_allowance,
                orphan=application.orphan,
                work_injury_care=application.work_injury_care,
                long_term_care_months=application.long_term_care_months,
            )
    except IntegrityError:
        raise ValidationError(_("This person already receives this subsidy.")) from None


def enrol_existing(
    *,
    person_id: int,
    programme: str,
    start_month: datetime.date,
    approved_on: datetime.date,
    bank_name: str,
    account: str,
    acting_user: Actor,
    equivalent_allowance: Decimal | None = None,
    orphan: bool = False,
    work_injury_care: bool = False,
    long_term_care_months: int | None = None,
) -> Enrolment:
    """Record an enrolment approved before this system (carried over): its past months are
    settled, so it is paid from the next roll on, without back pay."""
    account = _clean_account(account)
    with transaction.atomic():
        person = _locked_person(person_id)
        if not acting_user.can(Perm.APPROVE_SUBSIDY) and not acting_user.can(Perm.REVIEW_SUBSIDY):
            raise PermissionDenied(_("You may not record enrolments."))
        if not covers(acting_user, person.place_id):
            raise PermissionDenied(_("This person's household is outside your jurisdiction."))
        errors: dict[str, list[str]] = defaultdict(list)
        if programme not in Programme.values:
            errors["programme"].append(_("Choose the subsidy."))
        _account_errors(bank_name, account, errors)
        _allowance_errors(equivalent_allowance, errors)
        _months_errors(long_term_care_months, errors)
        _care_months_missing(programme, long_term_care_months, errors)
        if start_month.day != 1:
            errors["start_month"].append(_("The start is a month: its first day."))
        if approved_on < start_month.replace(day=1) - datetime.timedelta(days=366):
            errors["approved_on"].append(_("The approval is at most a year before the start."))
        if errors:
            raise ValidationError(dict(errors))
        payment_account = _new_account(person.pk, bank_name, account)
        try:
            with transaction.atomic():
                enrolment = Enrolment.objects.create(
                    person=person,
                    programme=programme,
                    region=person.place_id,
                    start_month=start_month,
                    approved_on=approved_on,
                    account=payment_account,
                    back_pay_settled=True,
                    equivalent_allowance=equivalent_allowance,
                    orphan=orphan,
                    work_injury_care=work_injury_care,
                    long_term_care_months=(
                        long_term_care_months if programme == Programme.CARE else None
                    ),
                )
        except IntegrityError:
            raise ValidationError(_("This person already receives this subsidy.")) from None
        _audit_enrolment(enrolment, acting_user)
    return enrolment


def _new_account(person_id: int, bank_name: str, account: str) -> PaymentAccount:
    """An account to pay into, as given (sealed, masked)."""
    return PaymentAccount.objects.create(
        person_id=person_id,
        bank_name=bank_name.strip(),
        account_cipher=crypto.encrypt(account, context=ACCOUNT_CONTEXT),
        account_masked=masks.bank_account(account),
    )


def _audit_enrolment(enrolment: Enrolment, acting_user: Actor) -> None:
    audit.record(
        acting_user=acting_user,
        action="subsidy.enrol_existing",
        target=enrolment,
        detail={
            "person": enrolment.person_id,
            "programme": enrolment.programme,
            "start": f"{enrolment.start_month:%Y-%m}",
        },
        region=enrolment.region,
    )


def _enrolment_to_change(enrolment_id: int, acting_user: Actor) -> Enrolment:
    """The enrolment, locked for the change, that the user may change (a reviewer whose
    jurisdiction covers it); inside the caller's transaction."""
    enrolment = Enrolment.objects.select_for_update().filter(pk=enrolment_id).first()
    if enrolment is None:
        raise ValidationError(_("No such enrolment."))
    if not acting_user.can(Perm.REVIEW_SUBSIDY) or not covers(acting_user, enrolment.region):
        raise PermissionDenied(_("You may not change this enrolment."))
    return enrolment


def change_account(
    *, enrolment_id: int, bank_name: str, account: str, acting_user: Actor
) -> Enrolment:
    """Pay an enrolment into another account from the next roll (lines already made keep
    theirs)."""
    account = _clean_account(account)
    with transaction.atomic():
        enrolment = _enrolment_to_change(enrolment_id, acting_user)
        errors: dict[str, list[str]] = defaultdict(list)
        _account_errors(bank_name, account, errors)
        if enrolment.status != EnrolmentStatus.ACTIVE:
            errors["account"].append(_("This enrolment has ended."))
        if errors:
            raise ValidationError(dict(errors))
        enrolment.account = _new_account(enrolment.person_id, bank_name, account)
        enrolment.save(update_fields=["account"])
        audit.record(
            acting_user=acting_user,
            action="subsidy.change_account",
            target=enrolment,
            detail={"account": enrolment.account.account_masked},
            region=enrolment.region,
        )
    return enrolment


def end_enrolment(
    *, enrolment_id: int, last_month: datetime.date, reason: str, acting_user: Actor
) -> Enrolment:
    """End an enrolment after ``last_month`` (the last month paid), with its reason."""
    reason = reason.strip()
    with transaction.atomic():
        enrolment = _enrolment_to_change(enrolment_id, acting_user)
        errors: dict[str, list[str]] = defaultdict(list)
        if enrolment.status != EnrolmentStatus.ACTIVE:
            errors["last_month"].append(_("This enrolment has ended already."))
        if last_month.replace(day=1) < enrolment.start_month.replace(day=1) - datetime.timedelta(
            days=1
        ):
            errors["last_month"].append(_("The last month cannot be before the start."))
        if not reason:
            errors["reason"].append(_("Give the reason for ending the subsidy."))
        if errors:
            raise ValidationError(dict(errors))
        enrolment.status = EnrolmentStatus.ENDED
        enrolment.end_month = last_month.replace(day=1)
        enrolment.end_reason = reason
        enrolment.save(update_fields=["status", "end_month", "end_reason"])
        audit.record(
            acting_user=acting_user,
            action="subsidy.end",
            target=enrolment,
            detail={"last_month": f"{last_month:%Y-%m}", "reason": reason},
            region=enrolment.region,
        )
    return enrolment


CARE_FACTS = ("work_injury_care", "long_term_care_months")


def record_care_facts(
    *,
    enrolment_id: int,
    work_injury_care: bool,
    long_term_care_months: int | None,
    acting_user: Actor,
) -> Enrolment:
    """Record on an active enrolment, from the next roll, whether the person receives
    work-injury care allowance and (the care subsidy) how many months their need for care
    lasts. A duration once recorded cannot be removed; an enrolment where it was never
    recorded (data from before the system recorded it) passes the long-term care rule without
    it only when approved before the rule's first day."""
    with transaction.atomic():
        enrolment = _enrolment_to_change(enrolment_id, acting_user)
        errors: dict[str, list[str]] = defaultdict(list)
        if enrolment.status != EnrolmentStatus.ACTIVE:
            errors["work_injury_care"].append(_("This enrolment has ended."))
        _months_errors(long_term_care_months, errors)
        if enrolment.programme != Programme.CARE and long_term_care_months is not None:
            errors["long_term_care_months"].append(
                _("Long-term care is recorded for the care subsidy only.")
            )
        if enrolment.long_term_care_months is not None and long_term_care_months is None:
            errors["long_term_care_months"].append(
                _("Give the months the need for care lasts: a recorded duration is not removed.")
            )
        if errors:
            raise ValidationError(dict(errors))
        before = {field: getattr(enrolment, field) for field in CARE_FACTS}
        enrolment.work_injury_care = work_injury_care
        enrolment.long_term_care_months = long_term_care_months
        after = {field: getattr(enrolment, field) for field in CARE_FACTS}
        changed = audit.changes(before, after, CARE_FACTS)
        if changed:
            enrolment.save(update_fields=list(changed))
            audit.record(
                acting_user=acting_user,
                action="subsidy.care_facts",
                target=enrolment,
                detail={"changes": changed},
                region=enrolment.region,
            )
    return enrolment


PUBLICITY = ("publicity_start", "publicity_end", "publicity_objections")


def may_record_publicity(user: Actor, application: SubsidyApplication | None = None) -> bool:
    """Whether `user` may record the publicity of `application`: a checker or reviewer of
    subsidies whose jurisdiction covers it (without an application: of any)."""
    allowed = user.can(Perm.CHECK_SUBSIDY) or user.can(Perm.REVIEW_SUBSIDY)
    return allowed and (application is None or covers(user, application.region))


def record_publicity(
    *,
    application_id: int,
    start: datetime.date,
    end: datetime.date,
    objections: bool,
    acting_user: Actor,
    today: datetime.date | None = None,
) -> SubsidyApplication:
    """Record the publicity of an open application in the person's village: its first and last
    day and whether objections were received (recorded again when it is extended or ends)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        application = SubsidyApplication.objects.select_for_update().filter(pk=application_id)
        found = application.first()
        if found is None:
            raise ValidationError(_("No such application."))
        if not may_record_publicity(acting_user, found):
            raise PermissionDenied(_("You may not record the publicity of this application."))
        errors: dict[str, list[str]] = defaultdict(list)
        if not found.is_open:
            errors["publicity_start"].append(_("This application has been decided already."))
        if start < found.applied_on:
            errors["publicity_start"].append(
                _("The publicity cannot start before the application (%(date)s).")
                % {"date": found.applied_on.isoformat()}
            )
        if start > today:
            errors["publicity_start"].append(
                _("The publicity's first day cannot be in the future.")
            )
        if end < start:
            errors["publicity_end"].append(
                _("The publicity's last day cannot be before its first day.")
            )
        longest = publicity.longest(publicity.rule_of(found))
        if (end - start).days + 1 > longest:
            errors["publicity_end"].append(
                _("The publicity can last at most %(days)s days, both ends included.")
                % {"days": longest}
            )
        if errors:
            raise ValidationError(dict(errors))
        before = {field: getattr(found, field) for field in PUBLICITY}
        found.publicity_start, found.publicity_end = start, end
        found.publicity_objections = objections
        after = {field: getattr(found, field) for field in PUBLICITY}
        changed = audit.changes(before, after, PUBLICITY)
        if changed:
            found.save(update_fields=[*changed, "updated_at"])
            audit.record(
                acting_user=acting_user,
                action="subsidy.publicity",
                target=found,
                detail={"changes": {k: [_iso(v) for v in pair] for k, pair in changed.items()}},
                region=found.region,
            )
    return found


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime.date) else value
