"""The certificate's lifecycle: applications, assessments, certificates, objections, tours, checks.

An application carries a person from the county window to an issued certificate (or a
refusal); each step stores its date, actor and, where the rules set one, its deadline in
working days. A certificate row is the legal document; the registry's person carries a copy of
the valid certificate's category, grade and dates, which the services keep equal.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from canlian.accounts.roles import Perm
from canlian.accounts.scoping import scoped
from canlian.certificates.choices import (
    OPEN_STATUSES,
    AppliedBy,
    CancelReason,
    CardStatus,
    CertificateStatus,
    CheckResult,
    Document,
    Issue,
    Kind,
    Level,
    ObjectionOutcome,
    ReplacementReason,
    Status,
)
from canlian.lib import idcard, receipt_codes
from canlian.people.ethnicity import Ethnicity
from canlian.people.models import Category, Grade, Person, Sex

if TYPE_CHECKING:
    from canlian.accounts.actors import Actor

# The codes live in choices.py; they are imported from here too, with the models.
__all__ = [
    "OPEN_STATUSES",
    "Application",
    "ApplicationQuerySet",
    "AppliedBy",
    "Assessment",
    "CancelReason",
    "CancelledCard",
    "CardStatus",
    "Certificate",
    "CertificateQuerySet",
    "CertificateStatus",
    "CheckItem",
    "CheckResult",
    "Document",
    "Institution",
    "Issue",
    "Kind",
    "Level",
    "Objection",
    "ObjectionOutcome",
    "ObjectionQuerySet",
    "ReplacementReason",
    "Status",
    "SupervisionCheck",
    "Tour",
]


def _visible(qs: models.QuerySet[Any], user: Actor, field: str) -> models.QuerySet[Any]:
    """Rows whose region code (`field`) lies in `user`'s subtree (accounts.scoping)."""
    return scoped(qs, user, perm=Perm.VIEW_CERTIFICATE, field=field)


class Institution(models.Model):
    """A hospital or centre designated to assess disability, for a city or a county."""

    name = models.CharField(_("name"), max_length=100)
    place = models.ForeignKey(
        "places.Place", verbose_name=_("designated for"), on_delete=models.PROTECT
    )
    categories = models.JSONField(_("categories assessed"), default=list)
    home_visits = models.BooleanField(_("assesses at home"), default=False)
    address = models.CharField(_("address"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("assessment institution")
        ordering = ["place_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["place", "name"], name="institution_unique_name")
        ]

    def __str__(self) -> str:
        return self.name

    def assesses(self, category: int) -> bool:
        return category in self.categories


class TourQuerySet(models.QuerySet["Tour"]):
    def visible_to(self, user: Actor) -> TourQuerySet:
        return _visible(self, user, "county__code")  # type: ignore[return-value]


class Tour(models.Model):
    """A mobile certification tour (巡回下乡办证) to villages of one county."""

    county = models.ForeignKey(
        "places.Place", verbose_name=_("county"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    institution = models.ForeignKey(
        Institution, verbose_name=_("assessment institution"), on_delete=models.PROTECT
    )
    team = models.TextField(_("team"), max_length=1000)
    villages = models.ManyToManyField("places.Place", verbose_name=_("villages"), related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TourQuerySet.as_manager()

    class Meta:
        verbose_name = _("certification tour")
        ordering = ["-starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="tour_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ApplicationQuerySet(models.QuerySet["Application"]):
    def visible_to(self, user: Actor) -> ApplicationQuerySet:
        return _visible(self, user, "place__code")  # type: ignore[return-value]


class Application(models.Model):
    """One request to the county federation: first certificate, renewal, change, replacement
    or transfer. The applicant's particulars are kept as given on the form."""

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificate_applications",
    )
    id_number_cipher = models.BinaryField()
    id_number_index = models.CharField(max_length=64, db_index=True)
    id_number_masked = models.CharField(_("ID number"), max_length=18)
    name = models.CharField(_("name"), max_length=64)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("date of birth"))
    ethnicity = models.CharField(_("ethnicity"), max_length=2, choices=Ethnicity.choices)
    place = models.ForeignKey(
        "places.Place", verbose_name=_("household registration"), on_delete=models.PROTECT
    )
    address = models.CharField(_("household address"), max_length=200, blank=True)
    phone_cipher = models.BinaryField(null=True, blank=True)
    phone_masked = models.CharField(_("phone"), max_length=20, blank=True)
    guardian_name = models.CharField(_("guardian's name"), max_length=64, blank=True)
    guardian_relation = models.CharField(_("guardian's relation"), max_length=32, blank=True)
    guardian_phone_cipher = models.BinaryField(null=True, blank=True)
    guardian_phone_masked = models.CharField(_("guardian's phone"), max_length=20, blank=True)
    applied_by = models.CharField(_("applied by"), max_length=10, choices=AppliedBy.choices)
    proxy_name = models.CharField(_("proxy's name"), max_length=64, blank=True)
    category = models.PositiveSmallIntegerField(_("disability category"), choices=Category.choices)
    documents = models.JSONField(_("documents provided"), default=list)
    needs_assessment = models.BooleanField(_("needs assessment"), default=True)
    target_place = models.ForeignKey(
        "places.Place",
        verbose_name=_("new household registration"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    # A replacement's reason: lost or damaged, the only two the rules know.
    replacement_reason = models.CharField(
        _("lost or damaged"), max_length=8, choices=ReplacementReason.choices, blank=True
    )
    tour = models.ForeignKey(
        Tour,
        verbose_name=_("certification tour"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
    )
    received_on = models.DateField(_("received on"))
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Given to the applicant at the window: with it (and the last six characters of their ID
    # number) they follow the application without an account (portal). Not the number: the
    # number is sequential, the code random.
    receipt = models.CharField(
        _("receipt code"),
        max_length=receipt_codes.LENGTH,
        unique=True,
        default=receipt_codes.new_code,
    )
    # The conclusion: the grade that the assessment (or an objection) settled.
    grade = models.PositiveSmallIntegerField(
        _("disability grade"), choices=Grade.choices, null=True, blank=True
    )
    concluded_on = models.DateField(_("conclusion made known on"), null=True, blank=True)
    objection_due = models.DateField(_("objections accepted until"), null=True, blank=True)
    publicity_location = models.CharField(_("publicity posted at"), max_length=100, blank=True)
    # Why a minor's conclusion was posted although minors are in principle not (办法 第九条).
    posting_reason = models.CharField(_("reason for posting a minor"), max_length=200, blank=True)
    publicity_starts_on = models.DateField(_("publicity from"), null=True, blank=True)
    publicity_ends_on = models.DateField(_("publicity until"), null=True, blank=True)
    review_due = models.DateField(_("county review due"), null=True, blank=True)
    # Years whose deadlines were counted on weekends only (no official holiday schedule yet).
    estimated_years = models.JSONField(default=list, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision_reason = models.CharField(_("reason for the decision"), max_length=200, blank=True)
    # The certificate this application's re-assessment cancelled (第二十四条), restored if an
    # objection finds a grade after all.
    cancelled_certificate = models.ForeignKey(
        "Certificate", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ApplicationQuerySet.as_manager()

    # Sealed with the registry's contexts, so that values copy between an application and its
    # person as ciphertext. Opened only through canlian.accounts.reveal.
    SEALED = {name: Person.SEALED[name] for name in ("id_number", "phone", "guardian_phone")}

    class Meta:
        verbose_name = _("certificate application")
        ordering = ["-received_on", "-id"]
        indexes = [
            models.Index(fields=["status", "place"]),
            models.Index(fields=["review_due"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(category__gte=1, category__lte=7), name="application_category_1_7"
            ),
            models.CheckConstraint(
                condition=Q(grade__isnull=True) | Q(grade__gte=1, grade__lte=4),
                name="application_grade_1_4",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name} ({self.id_number_masked})"

    @property
    def number(self) -> str:
        """The number an applicant quotes, printed on the receipt."""
        return f"ZS{self.pk:08d}"

    @property
    def receipt_display(self) -> str:
        """The receipt code in two groups of five, as printed and read out."""
        return receipt_codes.display(self.receipt)

    def receipt_shown_to(self, user: Actor, today: datetime.date) -> str:
        """The receipt code for a staff page: whole for the one who took the application, on
        the day they took it; otherwise masked (lib.receipt_codes.shown_to)."""
        return receipt_codes.shown_to(
            self.receipt,
            taken_by_id=self.received_by_id,
            taken_at=self.created_at,
            user=user,
            today=today,
        )

    @property
    def region_prefix(self) -> str:
        """Region of the audit entries: the household registration's code."""
        return str(self.place_id)

    @staticmethod
    def publicity_over_filter(today: datetime.date) -> Q:
        """The applications whose publicity_over_on(today) holds, as a query filter."""
        return Q(status=Status.PUBLICITY, publicity_ends_on__lt=today)

    def publicity_over_on(self, today: datetime.date) -> bool:
        """In publicity by its status, but its last day has passed by `today`: the county's
        review is due (the status follows the calendar; the review itself changes the
        status)."""
        return (
            self.status == Status.PUBLICITY
            and self.publicity_ends_on is not None
            and self.publicity_ends_on < today
        )

    @property
    def publicity_over(self) -> bool:
        """publicity_over_on today."""
        return self.publicity_over_on(timezone.localdate())

    @property
    def status_label(self) -> str:
        """The status as shown: \"publicity ended, awaiting county review\" once the last day of
        a publicity has passed, the status's own label otherwise."""
        if self.publicity_over:
            return str(_("Publicity ended, awaiting county review"))
        return str(self.get_status_display())

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class Assessment(models.Model):
    """A booking and, once recorded, the result of an assessment of one application."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="assessments"
    )
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    institution = models.ForeignKey(
        Institution,
        verbose_name=_("assessment institution"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    booked_for = models.DateField(_("booked for"), null=True, blank=True)
    at_home = models.BooleanField(_("at home"), default=False)
    assessed_on = models.DateField(_("assessed on"), null=True, blank=True)
    assessor = models.CharField(_("assessor"), max_length=64, blank=True)
    category = models.PositiveSmallIntegerField(
        _("disability category"), choices=Category.choices, null=True, blank=True
    )
    # Measured values (GB/T 26341): see grading.Measures. For a multiple disability,
    # `parts` lists each part's category, measures and grades.
    measures = models.JSONField(_("measured values"), default=dict, blank=True)
    parts = models.JSONField(_("parts of a multiple disability"), default=list, blank=True)
    derived_grade = models.PositiveSmallIntegerField(
        _("grade derived from the measures"), null=True, blank=True
    )
    derivation = models.CharField(_("how the grade was derived"), max_length=300, blank=True)
    assessor_grade = models.PositiveSmallIntegerField(
        _("assessor's grade"), choices=Grade.choices, null=True, blank=True
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("assessment")
        ordering = ["application", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(assessor_grade__isnull=True)
                | Q(assessor_grade__gte=1, assessor_grade__lte=4),
                name="assessment_grade_1_4",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} #{self.application_id}"

    @property
    def done(self) -> bool:
        return self.assessed_on is not None

    @property
    def grades_differ(self) -> bool:
        return self.done and self.derived_grade != self.assessor_grade


class ObjectionQuerySet(models.QuerySet["Objection"]):
    def visible_to(self, user: Actor) -> ObjectionQuerySet:
        """The objections to applications of `user`'s subtree (the applicant's household)."""
        return _visible(self, user, "application__place__code")  # type: ignore[return-value]


class Objection(models.Model):
    """An objection to an assessment's conclusion: first to the city federation, then to the
    province expert committee, whose decision is final."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="objections"
    )
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    # The day the objection was received: inside the time for an objection.
    filed_on = models.DateField(_("objection received on"))
    # The day it was entered: up to a few working days after the time, if received in it.
    recorded_on = models.DateField(_("recorded on"), null=True, blank=True)
    grounds = models.CharField(_("grounds"), max_length=300)
    # The application's status when the objection was filed, restored when it is upheld.
    previous_status = models.CharField(max_length=16, choices=Status.choices)
    decision_due = models.DateField(_("decision due"))
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=ObjectionOutcome.choices, blank=True
    )
    grade = models.PositiveSmallIntegerField(
        _("disability grade"), choices=Grade.choices, null=True, blank=True
    )
    decision_note = models.CharField(_("decision note"), max_length=300, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ObjectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("objection")
        ordering = ["application", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "level"], name="objection_once_per_level"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} #{self.application_id}"

    @property
    def open(self) -> bool:
        return self.decided_on is None


class CertificateQuerySet(models.QuerySet["Certificate"]):
    def visible_to(self, user: Actor) -> CertificateQuerySet:
        return _visible(self, user, "person__place__code")  # type: ignore[return-value]


class Certificate(models.Model):
    """One certificate document. Its number is the holder's ID number, category and grade."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="certificates"
    )
    category = models.PositiveSmallIntegerField(_("disability category"), choices=Category.choices)
    grade = models.PositiveSmallIntegerField(_("disability grade"), choices=Grade.choices)
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("valid until"))
    county = models.ForeignKey(
        "places.Place", verbose_name=_("issuing county"), on_delete=models.PROTECT, related_name="+"
    )
    issue = models.CharField(_("issued as"), max_length=12, choices=Issue.choices)
    application = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.PROTECT, related_name="certificates"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=CertificateStatus.choices, default="valid"
    )
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    cancel_reason = models.CharField(
        _("reason for cancellation"), max_length=12, choices=CancelReason.choices, blank=True
    )
    cancel_note = models.CharField(_("note"), max_length=200, blank=True)
    # Re-application is refused until this day (one year after a cancellation).
    locked_until = models.DateField(_("no new application before"), null=True, blank=True)
    # The card number's suffix: n for Bn, 0 for none (certificates.cards).
    card_suffix = models.PositiveSmallIntegerField(_("card number suffix"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("disability certificate")
        ordering = ["person", "-issued_on", "-id"]
        indexes = [
            models.Index(fields=["county", "issued_on"]),
            models.Index(fields=["status", "expires_on"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status="valid"),
                name="certificate_one_valid_per_person",
            ),
            models.CheckConstraint(
                condition=Q(category__gte=1, category__lte=7), name="certificate_category_1_7"
            ),
            models.CheckConstraint(
                condition=Q(grade__gte=1, grade__lte=4), name="certificate_grade_1_4"
            ),
            models.CheckConstraint(
                condition=Q(expires_on__gt=models.F("issued_on")),
                name="certificate_expires_after_issue",
            ),
            # A replacement carries a suffix, and never one its number had before.
            models.CheckConstraint(
                condition=~Q(issue=Issue.REPLACEMENT) | Q(card_suffix__gte=1),
                name="certificate_replacement_has_suffix",
            ),
            models.UniqueConstraint(
                fields=["person", "category", "grade", "card_suffix"],
                condition=Q(issue=Issue.REPLACEMENT),
                name="certificate_replacement_suffix_once",
            ),
        ]

    def __str__(self) -> str:
        return self.number_masked

    @property
    def number_masked(self) -> str:
        return idcard.certificate_number(
            self.person.id_number_masked, self.category, self.grade, self.card_suffix
        )


class CancelledCardQuerySet(models.QuerySet["CancelledCard"]):
    def visible_to(self, user: Actor) -> CancelledCardQuerySet:
        return _visible(self, user, "person__place__code")  # type: ignore[return-value]


class CancelledCard(models.Model):
    """A card number that is never valid again: the card of a certificate replaced because it
    was lost or damaged. The number is the holder's ID number, category, grade and suffix; the
    person stands for the ID number (one person per ID number on the registry), so the number
    is unique as (person, category, grade, suffix) and no copy of the ID number is kept here."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="cancelled_cards"
    )
    category = models.PositiveSmallIntegerField(_("disability category"), choices=Category.choices)
    grade = models.PositiveSmallIntegerField(_("disability grade"), choices=Grade.choices)
    suffix = models.PositiveSmallIntegerField(_("card number suffix"), default=0)
    certificate = models.ForeignKey(
        Certificate, on_delete=models.PROTECT, related_name="cancelled_cards"
    )
    replaced_by = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=8, choices=ReplacementReason.choices)
    cancelled_on = models.DateField(_("cancelled on"))
    # Empty only for cards cancelled before the table existed whose issuer was not recorded.
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CancelledCardQuerySet.as_manager()

    class Meta:
        verbose_name = _("cancelled card number")
        ordering = ["person", "cancelled_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "category", "grade", "suffix"],
                name="cancelled_card_unique_number",
            ),
            models.CheckConstraint(
                condition=Q(category__gte=1, category__lte=7), name="cancelled_card_category_1_7"
            ),
            models.CheckConstraint(
                condition=Q(grade__gte=1, grade__lte=4), name="cancelled_card_grade_1_4"
            ),
        ]

    def __str__(self) -> str:
        return self.number_masked

    @property
    def number_masked(self) -> str:
        return idcard.certificate_number(
            self.person.id_number_masked, self.category, self.grade, self.suffix
        )


class SupervisionCheckQuerySet(models.QuerySet["SupervisionCheck"]):
    def visible_to(self, user: Actor) -> SupervisionCheckQuerySet:
        return _visible(self, user, "county__code")  # type: ignore[return-value]


class SupervisionCheck(models.Model):
    """A supervision check (督导检查): a reproducible random sample of the certificates one
    county issued in a period."""

    county = models.ForeignKey(
        "places.Place", verbose_name=_("county"), on_delete=models.PROTECT, related_name="+"
    )
    period_start = models.DateField(_("issued from"))
    period_end = models.DateField(_("issued until"))
    sample_size = models.PositiveIntegerField(_("sample size"))
    seed = models.CharField(_("random seed"), max_length=64)
    population = models.PositiveIntegerField(_("certificates in the period"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SupervisionCheckQuerySet.as_manager()

    class Meta:
        verbose_name = _("supervision check")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.county_id} {self.period_start}–{self.period_end}"


class CheckItem(models.Model):
    check_run = models.ForeignKey(SupervisionCheck, on_delete=models.CASCADE, related_name="items")
    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="+")
    result = models.CharField(
        _("result"), max_length=12, choices=CheckResult.choices, default="pending"
    )
    finding = models.CharField(_("finding"), max_length=300, blank=True)
    checked_on = models.DateField(_("checked on"), null=True, blank=True)
    follow_up = models.CharField(_("follow-up"), max_length=300, blank=True)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)

    class Meta:
        ordering = ["check_run", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["check_run", "certificate"], name="check_item_once_per_certificate"
            )
        ]

    def __str__(self) -> str:
        return f"{self.check_run_id}/{self.certificate_id}"
