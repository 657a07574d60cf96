"""The two subsidies (两项补贴): applications and their four steps, enrolments, the accounts
payments go to, the monthly payment rolls and their lines, bank exports, reconciliations and
recoveries.

A roll is one county's payments of one programme for one month. Its lines are immutable (the
database refuses to change them, and to delete them once the roll is approved): a correction is
an adjustment line in a later roll, an overpayment a recovery item. One payment line per
(person, programme, month) is a database constraint, so generating a month twice, or again after
being killed half-way, can never pay anyone twice.
"""

from __future__ import annotations

import datetime
import re
import secrets
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from canlian.accounts.roles import Perm
from canlian.accounts.scoping import scoped
from canlian.lib.sealed import Kind, Sealed
from canlian.people.models import BANK_CONTEXT as ACCOUNT_CONTEXT

# A subsidy account is sealed with the registry's bank-account context.
ACCOUNT = Sealed("account_cipher", "account_masked", ACCOUNT_CONTEXT, Kind.BANK_ACCOUNT)

__all__ = [
    "ACCOUNT",
    "ACCOUNT_CONTEXT",
    "PROGRAMME_LETTER",
    "ApplicationStatus",
    "ApplicationStep",
    "BankExport",
    "Channel",
    "Decision",
    "Enrolment",
    "EnrolmentStatus",
    "Line",
    "LineKind",
    "PaymentAccount",
    "PaymentResult",
    "PaymentStatus",
    "Programme",
    "ProgressLookup",
    "Reconciliation",
    "Recovery",
    "RecoveryStatus",
    "Roll",
    "RollStatus",
    "RuleSet",
    "Step",
    "Stop",
    "SubsidyApplication",
    "line_reference",
    "new_receipt",
    "reference_filter",
    "reference_keys",
]


class Programme(models.TextChoices):
    LIVING = "living", _("Living subsidy for disabled persons in difficulty")
    CARE = "care", _("Care subsidy for severely disabled persons")


def _visible(qs: models.QuerySet[Any], user: Any, field: str) -> models.QuerySet[Any]:
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
    def visible_to(self, user: Any) -> SubsidyApplicationQuerySet:
        return _visible(self, user, "region")  # type: ignore[return-value]


RECEIPT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L to misread
RECEIPT_LENGTH = 10  # 49 random bits: not guessed; read out over the phone in two fives


def new_receipt() -> str:
    """A receipt code for an application: random, given to the applicant at the window, with
    which (and the last six characters of their ID number) they follow it without an account."""
    return "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))


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
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.SUBMITTED,
    )
    receipt = models.CharField(
        _("receipt code"), max_length=RECEIPT_LENGTH, unique=True, default=new_receipt
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
        return f"{self.receipt[:5]}-{self.receipt[5:]}"

    def receipt_shown_to(self, user: Any, today: Any) -> str:
        """The receipt code for a staff page: whole for the one who took the application, on
        the day they took it (to give it to the applicant); otherwise its first and last two
        characters. With the code and the ID number's last six characters anyone may follow
        the application, and staff who know a person's birth date could use the public page
        to test candidate numbers: the code stays with the applicant."""
        if self.created_by_id == getattr(user, "pk", None) and (
            timezone.localtime(self.created_at).date() == today
        ):
            return self.receipt_display
        return f"{self.receipt[:2]}***-***{self.receipt[-2:]}"

    @property
    def region_prefix(self) -> str:
        return self.region

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_APPLICATION


class ProgressLookup(models.Model):
    """One attempt to follow an application with its receipt code, from the public page:
    what the attempts of a client (a digest of its address) and on a receipt are limited by."""

    client = models.CharField(max_length=64)
    receipt = models.CharField(max_length=RECEIPT_LENGTH)
    found = models.BooleanField()
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["client", "at"]),
            models.Index(fields=["receipt", "at"]),
        ]

    def __str__(self) -> str:
        return f"{self.receipt} {'found' if self.found else 'not found'} {self.at:%Y-%m-%d %H:%M}"


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
    def visible_to(self, user: Any) -> EnrolmentQuerySet:
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
    # False until the first roll that includes the enrolment has paid the months between
    # start_month and that roll's month (back pay, 补发). Enrolments carried over from before
    # the system are recorded settled.
    back_pay_settled = models.BooleanField(default=False)
    # The roll that settled it: discarding that draft unsettles it again.
    settled_by = models.ForeignKey(
        "Roll", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
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


# --- Rolls ---------------------------------------------------------------------------------


class RuleSet(models.Model):
    """The parameter values (with their dates and notices) and the rules version that decided
    a region's payments for a month. Lines point here rather than repeating the values."""

    digest = models.CharField(max_length=64, unique=True)
    month = models.DateField()
    region = models.CharField(max_length=12)
    rules_version = models.CharField(max_length=32)
    values = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.region} {self.month:%Y-%m} {self.rules_version}"


class RollStatus(models.TextChoices):
    DRAFT = "draft", _("Draft, awaiting approval")
    APPROVED = "approved", _("Approved")


class RollQuerySet(models.QuerySet["Roll"]):
    def visible_to(self, user: Any) -> RollQuerySet:
        return _visible(self, user, "county")  # type: ignore[return-value]


class Roll(models.Model):
    """One county's payments of one programme for one month (发放花名册)."""

    county = models.CharField(_("county"), max_length=6)
    programme = models.CharField(_("programme"), max_length=8, choices=Programme.choices)
    month = models.DateField(_("month"))
    status = models.CharField(
        _("status"), max_length=8, choices=RollStatus.choices, default=RollStatus.DRAFT
    )
    line_count = models.PositiveIntegerField(_("lines"), default=0)
    total = models.DecimalField(_("total (yuan)"), max_digits=14, decimal_places=2, default=0)
    stopped_count = models.PositiveIntegerField(_("stopped"), default=0)
    # The account that prepared the roll; none when a command-line operator did, whose name
    # is kept in prepared_by_name. The approver must be another account (four eyes).
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    prepared_by_name = models.CharField(_("prepared by"), max_length=150)
    prepared_at = models.DateTimeField(_("prepared at"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    objects = RollQuerySet.as_manager()

    class Meta:
        verbose_name = _("payment roll")
        ordering = ["-month", "county", "programme"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "programme", "month"], name="benefits_one_roll"
            )
        ]

    def __str__(self) -> str:
        return f"{self.county} {self.get_programme_display()} {self.month:%Y-%m}"

    @property
    def region_prefix(self) -> str:
        return self.county

    @property
    def is_draft(self) -> bool:
        return self.status == RollStatus.DRAFT


class LineKind(models.TextChoices):
    REGULAR = "regular", _("Monthly payment")
    BACK_PAY = "back_pay", _("Back pay")
    ADJUSTMENT = "adjustment", _("Adjustment")


class Line(models.Model):
    """One payment: a person, a programme, the month paid for, the amount, the rules and the
    account. Immutable (database triggers). Its payment reference is derived, not stored
    (:func:`line_reference`)."""

    # Written a million a month, so: few indexes (no stored, indexed reference), and no
    # per-row foreign-key checks (on PostgreSQL they cost as much as writing the lines;
    # decision 0008). (roll, person) serves
    # lookups by roll; the unique (person, programme, month) by person (queries by person
    # exclude adjustments, so that the partial index applies). The rows referred to cannot
    # vanish: persons and accounts are held by their enrolments' own constraints, accounts
    # and rule sets are never deleted, and rolls are deleted only with their lines.
    roll = models.ForeignKey(
        Roll, on_delete=models.CASCADE, related_name="lines", db_index=False, db_constraint=False
    )
    person = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    programme = models.CharField(_("programme"), max_length=8, choices=Programme.choices)
    month = models.DateField(_("month paid for"))
    kind = models.CharField(_("kind"), max_length=12, choices=LineKind.choices)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=10, decimal_places=2)
    rule_set = models.ForeignKey(
        RuleSet,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    account = models.ForeignKey(
        PaymentAccount,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    # Who added an adjustment line (none for generated lines): not the roll's approver.
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )

    class Meta:
        verbose_name = _("payment line")
        ordering = ["roll_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "programme", "month"],
                condition=~Q(kind="adjustment"),
                name="benefits_one_payment_a_month",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="benefits_line_positive"),
        ]
        indexes = [
            models.Index(fields=["roll", "person"]),
            # Back pay paid in one roll for the month of another: looked up by month.
            models.Index(
                fields=["month", "programme"],
                condition=Q(kind="back_pay"),
                name="benefits_back_pay_month",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        """The payment reference the bank sees (see :func:`line_reference`)."""
        return line_reference(self.kind, self.pk, self.programme, self.month, self.person_id)


PROGRAMME_LETTER: dict[str, str] = {Programme.LIVING: "L", Programme.CARE: "C"}
_REFERENCE = re.compile(r"([LC])(\d{4})(\d{2})(\d{10})|A(\d{16})")


def line_reference(
    kind: str, pk: int | None, programme: str, month: datetime.date, person_id: int
) -> str:
    """A line's payment reference, derived from what it pays and never stored. A regular or
    back-pay line: the programme's letter, the month paid for and the person (L202611 and ten
    digits), unique because one such line per person, programme and month is a database
    constraint. An adjustment: A and its line's sixteen-digit number, unique as that is. Both
    are 17 characters, ASCII letters and digits only, as banks' files require."""
    if kind == LineKind.ADJUSTMENT:
        return f"A{pk or 0:016d}"
    return f"{PROGRAMME_LETTER[programme]}{month.year:04d}{month.month:02d}{person_id:010d}"


def reference_keys(references: Iterable[str]) -> tuple[set[int], set[int]]:
    """The persons named by regular or back-pay references and the lines named by
    adjustments' references, among ``references`` (what is not a reference is left out)."""
    persons: set[int] = set()
    lines: set[int] = set()
    for reference in references:
        match = _REFERENCE.fullmatch(reference.strip().upper())
        if match is None:
            continue
        person, line = match.group(4), match.group(5)
        if person is not None:
            persons.add(int(person))
        else:
            lines.add(int(line))
    return persons, lines


def reference_filter(reference: str) -> Q | None:
    """The lines a payment reference names (at most one), or None when it is not one."""
    match = _REFERENCE.fullmatch(reference.strip().upper())
    if match is None:
        return None
    letter, year, month, person, line = match.groups()
    if line is not None:
        return Q(pk=int(line), kind=LineKind.ADJUSTMENT)
    if not 1 <= int(month) <= 12 or int(year) < 1:
        return None
    programme = next(p for p, code in PROGRAMME_LETTER.items() if code == letter)
    first = datetime.date(int(year), int(month), 1)
    return Q(programme=programme, month=first, person_id=int(person)) & ~Q(kind=LineKind.ADJUSTMENT)


class Stop(models.Model):
    """A person enrolled in a roll's programme and not paid in its month, and why (停发)."""

    roll = models.ForeignKey(Roll, on_delete=models.CASCADE, related_name="stops")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    conditions = models.JSONField()  # the keys of the conditions that failed

    class Meta:
        ordering = ["roll_id", "person_id"]
        constraints = [
            models.UniqueConstraint(fields=["roll", "person"], name="benefits_one_stop_a_roll")
        ]

    def __str__(self) -> str:
        return f"{self.roll_id}:{self.person_id}"


# --- The bank --------------------------------------------------------------------------------


class BankExport(models.Model):
    roll = models.ForeignKey(Roll, on_delete=models.PROTECT, related_name="exports")
    file_name = models.CharField(max_length=200)
    lines = models.PositiveIntegerField()
    total = models.DecimalField(max_digits=14, decimal_places=2)
    full_accounts = models.BooleanField()
    sha256 = models.CharField(max_length=64)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    by_name = models.CharField(max_length=150)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return self.file_name


class Reconciliation(models.Model):
    """The bank's result file for a roll, read: counts, totals and every difference found."""

    roll = models.ForeignKey(Roll, on_delete=models.PROTECT, related_name="reconciliations")
    file_name = models.CharField(max_length=200)
    paid = models.PositiveIntegerField()
    paid_total = models.DecimalField(max_digits=14, decimal_places=2)
    failed = models.PositiveIntegerField()
    failed_total = models.DecimalField(max_digits=14, decimal_places=2)
    agrees = models.BooleanField()
    differences = models.JSONField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    by_name = models.CharField(max_length=150)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return self.file_name


class PaymentStatus(models.TextChoices):
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")


class PaymentResult(models.Model):
    """What the bank reported for a line (the latest reconciliation that named it)."""

    line = models.OneToOneField(Line, on_delete=models.PROTECT, related_name="result")
    reconciliation = models.ForeignKey(Reconciliation, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("result"), max_length=8, choices=PaymentStatus.choices)
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    def __str__(self) -> str:
        return f"{self.line_id}: {self.status}"


class RecoveryStatus(models.TextChoices):
    OPEN = "open", _("To recover")
    RECOVERED = "recovered", _("Recovered")
    WAIVED = "waived", _("Written off")


class RecoveryQuerySet(models.QuerySet["Recovery"]):
    def visible_to(self, user: Any) -> RecoveryQuerySet:
        return _visible(self, user, "line__roll__county")  # type: ignore[return-value]


class Recovery(models.Model):
    """A payment made for a month the person was not entitled to (paid after death, moving out
    or cancellation): to be recovered (追回)."""

    line = models.OneToOneField(Line, on_delete=models.PROTECT, related_name="recovery")
    reason = models.CharField(_("reason"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=RecoveryStatus.choices, default=RecoveryStatus.OPEN
    )
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = RecoveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("recovery")
        ordering = ["status", "-created_at", "-id"]

    def __str__(self) -> str:
        return self.reason
