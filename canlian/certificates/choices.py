"""The codes of the certificate workflow: kinds of application, statuses, documents, the
levels of assessment and objection, outcomes, how a certificate was issued or ended, and the
results of a supervision check."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Kind(models.TextChoices):
    FIRST = "first", _("First application")
    RENEWAL = "renewal", _("Renewal")
    CHANGE = "change", _("Change of category or grade")
    REPLACEMENT = "replacement", _("Replacement of a lost or damaged certificate")
    TRANSFER = "transfer", _("Transfer to another county")


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Accepted")
    BOOKED = "booked", _("Assessment booked")
    ASSESSED = "assessed", _("Assessed, awaiting publicity")
    PUBLICITY = "publicity", _("In publicity")
    # A minor's conclusion, not posted (办法 第九条): the county reviews it directly.
    AWAITING_REVIEW = "awaiting_review", _("Assessed, not posted (minor): awaiting county review")
    OBJECTION = "objection", _("Objection under consideration")
    ISSUED = "issued", _("Certificate issued")
    COMPLETED = "completed", _("Completed")
    REFUSED = "refused", _("Refused")
    NOT_QUALIFIED = "not_qualified", _("Does not meet the standard")
    REJECTED = "rejected", _("Rejected at county review")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_STATUSES = frozenset(
    {
        Status.SUBMITTED,
        Status.BOOKED,
        Status.ASSESSED,
        Status.PUBLICITY,
        Status.AWAITING_REVIEW,
        Status.OBJECTION,
    }
)


class AppliedBy(models.TextChoices):
    SELF = "self", _("The applicant in person")
    GUARDIAN = "guardian", _("The guardian")
    PROXY = "proxy", _("A proxy")


class Document(models.TextChoices):
    ID_CARD = "id_card", _("ID card")
    HOUSEHOLD_BOOK = "household_book", _("Household registration book")
    PHOTOS = "photos", _("Recent photos")
    GUARDIAN_PROOF = "guardian_proof", _("Proof of guardianship")
    OLD_CERTIFICATE = "old_certificate", _("The old certificate")
    LOSS_STATEMENT = "loss_statement", _("Statement of loss or the damaged certificate")
    MOVE_PROOF = "move_proof", _("Proof of the household move")


class Level(models.TextChoices):
    INITIAL = "initial", _("Designated institution")
    CITY = "city", _("City federation re-assessment")
    PROVINCE = "province", _("Province expert committee")


class ObjectionOutcome(models.TextChoices):
    UPHELD = "upheld", _("The conclusion stands")
    CHANGED = "changed", _("The conclusion is changed")


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    SUPERSEDED = "superseded", _("Superseded by a new certificate")
    CANCELLED = "cancelled", _("Cancelled")


class Issue(models.TextChoices):
    RECORDED = "recorded", _("Recorded in the registry")
    FIRST = "first", _("First issue")
    RENEWAL = "renewal", _("Renewal")
    CHANGE = "change", _("Change of category or grade")
    REPLACEMENT = "replacement", _("Replacement")


class ReplacementReason(models.TextChoices):
    """Why a card is replaced: the only two reasons the rules know (办法: 遗失或者损毁)."""

    LOST = "lost", _("Lost")
    DAMAGED = "damaged", _("Damaged")


class CardStatus(models.TextChoices):
    """The answer of a card check: what a certificate number presented to staff is worth."""

    VALID = "valid", pgettext_lazy("card check", "Valid")
    CANCELLED = "cancelled", _("Cancelled: the card was replaced by a later number")
    NOT_IN_FORCE = "not_in_force", _("Not in force")
    UNKNOWN = "unknown", _("Not on record in your jurisdiction")


class CancelReason(models.TextChoices):
    DEATH = "death", _("Death")
    NOT_MEETING = "not_meeting", _("No longer meets the standard")
    REQUEST = "request", _("At the holder's request")


class CheckResult(models.TextChoices):
    PENDING = "pending", _("Not yet checked")
    CONSISTENT = "consistent", _("Consistent")
    DISCREPANCY = "discrepancy", _("Discrepancy found")
