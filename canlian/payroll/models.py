"""Monthly payment rolls of the two subsidies (发放花名册) and their lines, the rule sets that
decided them, stops, bank exports, reconciliations, the bank's results and recoveries.

A roll is one county's payments of one programme for one month. Its lines are immutable (the
database refuses to change them, and to delete them once the roll is approved): a correction is
an adjustment line in a later roll, an overpayment a recovery item. One payment line per
(person, programme, month) is a database constraint, so generating a month twice, or again after
being killed half-way, can never pay anyone twice.

These models came from the benefits app with their tables (``benefits_roll``, ``benefits_line``
and so on): ``Meta.db_table`` keeps the names, and the database triggers of benefits migration
0002 still guard them.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from canlian.accounts.roles import Perm
from canlian.accounts.scoping import scoped
from canlian.benefits.models import Programme
from canlian.payroll.terms import LINE_KIND

if TYPE_CHECKING:
    from canlian.accounts.actors import Actor

__all__ = [
    "PROGRAMME_LETTER",
    "BankExport",
    "Line",
    "LineKind",
    "PaymentResult",
    "PaymentStatus",
    "Reconciliation",
    "Recovery",
    "RecoveryStatus",
    "Roll",
    "RollStatus",
    "RuleSet",
    "Stop",
    "line_reference",
    "reference_filter",
    "reference_keys",
]


def _visible(qs: models.QuerySet[Any], user: Actor, field: str) -> models.QuerySet[Any]:
    return scoped(qs, user, perm=Perm.VIEW_SUBSIDY, field=field)


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

    class Meta:
        db_table = "benefits_ruleset"

    def __str__(self) -> str:
        return f"{self.region} {self.month:%Y-%m} {self.rules_version}"


class RollStatus(models.TextChoices):
    DRAFT = "draft", _("Draft, awaiting approval")
    APPROVED = "approved", _("Approved")


class RollQuerySet(models.QuerySet["Roll"]):
    def visible_to(self, user: Actor) -> RollQuerySet:
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
        db_table = "benefits_roll"
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
    """The labels are data (canlian/payroll/terms.py), not translations."""

    REGULAR = "regular", LINE_KIND.label("regular")
    BACK_PAY = "back_pay", LINE_KIND.label("back_pay")
    ADJUSTMENT = "adjustment", LINE_KIND.label("adjustment")


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
        "benefits.PaymentAccount",
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
        db_table = "benefits_line"
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


class StopQuerySet(models.QuerySet["Stop"]):
    def visible_to(self, user: Actor) -> StopQuerySet:
        return _visible(self, user, "roll__county")  # type: ignore[return-value]


class Stop(models.Model):
    """A person enrolled in a roll's programme and not paid in its month, and why (停发)."""

    roll = models.ForeignKey(Roll, on_delete=models.CASCADE, related_name="stops")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    conditions = models.JSONField()  # the keys of the conditions that failed

    objects = StopQuerySet.as_manager()

    class Meta:
        db_table = "benefits_stop"
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
        db_table = "benefits_bankexport"
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
        db_table = "benefits_reconciliation"
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

    class Meta:
        db_table = "benefits_paymentresult"

    def __str__(self) -> str:
        return f"{self.line_id}: {self.status}"


class RecoveryStatus(models.TextChoices):
    OPEN = "open", _("To recover")
    RECOVERED = "recovered", _("Recovered")
    WAIVED = "waived", _("Written off")


class RecoveryQuerySet(models.QuerySet["Recovery"]):
    def visible_to(self, user: Actor) -> RecoveryQuerySet:
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
        db_table = "benefits_recovery"
        verbose_name = _("recovery")
        ordering = ["status", "-created_at", "-id"]

    def __str__(self) -> str:
        return self.reason
