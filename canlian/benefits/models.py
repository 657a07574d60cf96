"""The two subsidies (两项补贴): applications and their four steps, enrolments and the accounts
payments go to. The monthly payment rolls that pay enrolments live in the payroll app.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from canlian.accounts.roles import Perm
from canlian.accounts.scoping import scoped
from canlian.benefits.terms import PROGRAMME
from canlian.lib import receipt_codes
from canlian.lib.sealed import Kind, Sealed
from canlian.people.models import BANK_CONTEXT as ACCOUNT_CONTEXT

if TYPE_CHECKING:
    from canlian.accounts.actors import Actor

# A subsidy account is sealed with the registry's bank-account context.
ACCOUNT = Sealed("account_cipher", "account_masked", ACCOUNT_CONTEXT, Kind.BANK_ACCOUNT)

__all__ = [
    "ACCOUNT",
    "ACCOUNT_CONTEXT",
    "ApplicationStatus",
    "ApplicationStep",
    "Channel",
    "Decision",
    "Enrolment",
    "EnrolmentStatus",
    "PaymentAccount",
    "Programme",
    "Step",
    "SubsidyApplication",
    "new_receipt",
]


class Programme(models.TextChoices):
    """The two subsidies; the labels are data (canlian/benefits/terms.py), not translations."""

    LIVING = "living", PROGRAMME.label("living")
    CARE = "care", PROGRAMME.label("care")


def _visible(qs: models.QuerySet[Any], user: Actor, field: str) -> models.QuerySet[Any]:
    return scoped(qs, user, perm=Perm.VIEW_SUBSIDY, field=field)


# --- Applications ------------------------------------------------------------------------------


class Channel(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PROXY = "proxy", _("By proxy")


class ApplicationStatus(models.TextChoices):
    """At the township window → township first check → county federation review → county
    civil-affairs approval. A rejection at any step ends the application, with its reason."""

    SUBMITTED = "submitted", _("Awaiting the township's first check")
    TOWNSHIP_CHECKED = "township_checked", _("Awaiting the county federation's review")
    COUNTY_REVIEWED = "county_reviewed", _("Awaiting civil-affairs approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


OPEN_APPLICATION = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.TOWNSHIP_CHECKED,
    ApplicationStatus.COUNTY_REVIEWED,
)


class Step(models.TextChoices):
    APPLY = "apply", _("Application at the township window")
    TOWNSHIP_CHECK = "township_check", _("Township first check")
    COUNTY_REVIEW = "county_review", _("County federation review")
    APPROVAL = "approval", _("County civil-affairs approval")


class Decision(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    PASSED = "passed", _("Passed")
    REJECTED = "rejected", pgettext_lazy("decision", "Rejected")


class SubsidyApplicationQuerySet(models.QuerySet["SubsidyApplication"]):
    def visible_to(self, user: Actor) -> SubsidyApplicationQuerySet:
        return _visible(self, user, "region")  # type: ignore[return-value]


# Named by migration 0004: the receipt codes are made in canlian.lib.receipt_codes, for every
# kind of application.
new_receipt = receipt_codes.new_code


class SubsidyApplication(models.Model):
    """An application for one programme, made at the township window by the person or a proxy.
    Payment starts from the month of application (`start_month`)."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="subsidy_applications"
    )
    programme = models.CharField(_("programme"), max_length=8, choices=Programme.choices)
    region = models.CharField(max_length=12, db_index=True)  # the household's place code
    applied_on = models.DateField(_("date of application"))
    start_month = models.DateField(_("paid from (month)"))
    channel = models.CharField(_("made"), max_length=12, choices=Channel.choices)
    proxy_name = models.CharField(_("proxy's name"), max_length=64, blank=True)
    proxy_relation = models.CharField(_("proxy's relation"), max_length=32, blank=True)
    bank_name = models.CharField(_("bank"), max_length=64)
    account_cipher = models.BinaryField()
    account_masked = models.CharField(_("account"), max_length=40)
    SEALED = {"account": ACCOUNT}
    # Declared at the window, for the rules (absent from the registry): an allowance received
    # that stands in for this subsidy (old-age care, work-injury care, retired cadres'
    # nursing), yuan a month, the higher one being kept; and orphans' basic living support,
    # whose recipients receive the care subsidy only.
    equivalent_allowance = models.DecimalField(
        _("equivalent allowance received (yuan a month)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
    )
    orphan = models.BooleanField(_("receives orphans' basic living support"), default=False)
    # Work-injury insurance care allowance (工伤保险生活护理费): excludes both subsidies where
    # benefits.excluded.work_injury_care is in force (Henan); elsewhere its amount is declared
    # as the equivalent allowance.
    work_injury_care = models.BooleanField(_("receives work-injury care allowance"), default=False)
    # The care subsidy: how many months the person's need for care lasts (长期照护, at least
    # benefits.care.long_term_care_months); None when not recorded (living subsidy, records
    # from before the rule).
    long_term_care_months = models.PositiveSmallIntegerField(
        _("months the need for care lasts"), null=True, blank=True
    )
    note = models.TextField(_("note"), blank=True)
    # Publicity in the village where the county requires it (benefits.publicity.*): its first
    # and last day and whether objections were received; None until recorded.
    publicity_start = models.DateField(_("publicity from"), null=True, blank=True)
    publicity_end = models.DateField(_("publicity until"), null=True, blank=True)
    publicity_objections = models.BooleanField(
        _("objections received during the publicity"), null=True, blank=True
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.SUBMITTED,
    )
    # Given to the applicant at the window: with it (and the last six characters of their ID
    # number) they follow the application without an account (portal).
    receipt = models.CharField(
        _("receipt code"), max_length=receipt_codes.LENGTH, unique=True, default=new_receipt
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SubsidyApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("subsidy application")
        ordering = ["-applied_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "programme"],
                condition=Q(status__in=[s.value for s in OPEN_APPLICATION]),
                name="benefits_one_open_application",
            )
        ]
        indexes = [models.Index(fields=["status", "region"])]

    def __str__(self) -> str:
        return f"{self.number} {self.get_programme_display()}"

    @property
    def number(self) -> str:
        return f"BT{self.pk:08d}"

    @property
    def receipt_display(self) -> str:
        """The receipt code in two groups of five, as printed and read out."""
        return receipt_codes.display(self.receipt)

    def receipt_shown_to(self, user: Actor, today: datetime.date) -> str:
        """The receipt code for a staff page: whole for the one who took the application, on
        the day they took it; otherwise masked (lib.receipt_codes.shown_to)."""
        return receipt_codes.shown_to(
            self.receipt,
            taken_by_id=self.created_by_id,
            taken_at=self.created_at,
            user=user,
            today=today,
        )

    @property
    def region_prefix(self) -> str:
        return self.region

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_APPLICATION


class ApplicationStep(models.Model):
    """One step of an application: who, on which day, the decision and its reason."""

    application = models.ForeignKey(
        SubsidyApplication, on_delete=models.CASCADE, related_name="steps"
    )
    step = models.CharField(_("step"), max_length=16, choices=Step.choices)
    decision = models.CharField(_("decision"), max_length=12, choices=Decision.choices)
    reason = models.TextField(_("reason"), blank=True)
    acted_on = models.DateField(_("date"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["application_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["application", "step"], name="benefits_step_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_step_display()}: {self.get_decision_display()}"


# --- Enrolments and accounts ---------------------------------------------------------------


class PaymentAccount(models.Model):
    """The account a subsidy is paid into, as given on a day. Never changed: a new account is a
    new row, so every payment line keeps the account it was made to."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="payment_accounts"
    )
    bank_name = models.CharField(_("bank"), max_length=64)
    account_cipher = models.BinaryField()
    account_masked = models.CharField(_("account"), max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)

    SEALED = {"account": ACCOUNT}

    class Meta:
        ordering = ["person_id", "id"]

    def __str__(self) -> str:
        return f"{self.bank_name} {self.account_masked}"

    @property
    def region_prefix(self) -> str:
        return str(self.person.place_id)


class EnrolmentStatus(models.TextChoices):
    ACTIVE = "active", _("Receiving")
    ENDED = "ended", _("Ended")


class EnrolmentQuerySet(models.QuerySet["Enrolment"]):
    def visible_to(self, user: Actor) -> EnrolmentQuerySet:
        return _visible(self, user, "region")  # type: ignore[return-value]


class Enrolment(models.Model):
    """An approved application: the person is paid the programme every month from
    `start_month` in which the rules find them eligible, until the enrolment ends."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="enrolments")
    programme = models.CharField(_("programme"), max_length=8, choices=Programme.choices)
    region = models.CharField(max_length=12, db_index=True)
    application = models.OneToOneField(
        SubsidyApplication,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enrolment",
    )
    start_month = models.DateField(_("paid from (month)"))
    approved_on = models.DateField(_("approved on"))
    account = models.ForeignKey(PaymentAccount, on_delete=models.PROTECT, related_name="+")
    # As declared in the application (for carried-over enrolments: as recorded), for the
    # rules: an allowance that stands in for this subsidy, and orphans' support.
    equivalent_allowance = models.DecimalField(
        _("equivalent allowance received (yuan a month)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
    )
    orphan = models.BooleanField(_("receives orphans' basic living support"), default=False)
    work_injury_care = models.BooleanField(_("receives work-injury care allowance"), default=False)
    # The care subsidy's long-term care, as the application gave it or as recorded later
    # (services.record_care_facts); None: never recorded, which passes the rule.
    long_term_care_months = models.PositiveSmallIntegerField(
        _("months the need for care lasts"), null=True, blank=True
    )
    # False until the first roll that includes the enrolment has paid the months between
    # start_month and that roll's month (back pay, 补发). Enrolments carried over from before
    # the system are recorded settled.
    back_pay_settled = models.BooleanField(default=False)
    # The roll that settled it: discarding that draft unsettles it again.
    settled_by = models.ForeignKey(
        "payroll.Roll", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=8, choices=EnrolmentStatus.choices, default=EnrolmentStatus.ACTIVE
    )
    end_month = models.DateField(_("last month paid"), null=True, blank=True)
    end_reason = models.CharField(_("reason for ending"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrolment")
        ordering = ["region", "person_id", "programme"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "programme"],
                condition=Q(status="active"),
                name="benefits_one_active_enrolment",
            )
        ]
        indexes = [models.Index(fields=["programme", "status", "region"])]

    def __str__(self) -> str:
        return f"{self.get_programme_display()} {self.start_month:%Y-%m}"

    @property
    def region_prefix(self) -> str:
        return self.region


class EligibilitySnapshot(models.Model):
    """A month's eligibility as the subsidies' conditions decided it for the whole registry
    when the snapshot was taken (`canlian subsidy snapshot`; canlian.benefits.snapshots). The
    statistics read the persons found eligible from EligibleMonth instead of deciding the
    whole registry again for every month of a period."""

    month = models.DateField(_("month"), unique=True)  # its first day
    taken_at = models.DateTimeField(_("taken at"))
    persons = models.PositiveIntegerField(_("persons decided"))
    eligible = models.JSONField(default=dict)  # programme → persons eligible

    class Meta:
        verbose_name = _("eligibility snapshot")
        ordering = ["month"]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class EligibleMonth(models.Model):
    """One person found eligible for one subsidy in one month by that month's snapshot, with
    the place of their household when it was taken."""

    month = models.DateField()  # its first day
    programme = models.CharField(max_length=8, choices=Programme.choices)
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    place = models.CharField(max_length=12)  # the household's place code (to the village)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "programme", "person"], name="benefits_eligible_once_a_month"
            )
        ]
        indexes = [
            models.Index(fields=["month", "place"], name="benefits_eligible_month_place"),
            models.Index(fields=["person"], name="benefits_eligible_person"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.programme}"
