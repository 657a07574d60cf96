"""Employers, their yearly declarations for the employment security fund and the disabled
employees they declare, with the outcome of verifying each against the registry."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from canlian.accounts.roles import Perm
from canlian.accounts.scoping import scoped
from canlian.levy.counting import CertificateKind, Employment, RetirementTrack
from canlian.levy.formula import EmployerKind
from canlian.lib.sealed import Kind, Sealed
from canlian.people.models import Person

# The context of a veteran's certificate number: its ciphertext and its blind index.
VETERAN_NUMBER_CONTEXT = "levy.veteran_number"

if TYPE_CHECKING:
    from canlian.accounts.actors import Actor

__all__ = [
    "Declaration",
    "DeclarationStatus",
    "DeclaredEmployee",
    "Employer",
    "EmployerKind",
    "Ineligibility",
]


def _visible(qs: models.QuerySet[Any], user: Actor, field: str) -> models.QuerySet[Any]:
    """Rows whose region code (`field`) lies in `user`'s subtree (accounts.scoping)."""
    return scoped(qs, user, perm=Perm.VIEW_LEVY, field=field)


class EmployerQuerySet(models.QuerySet["Employer"]):
    def visible_to(self, user: Actor) -> EmployerQuerySet:
        return _visible(self, user, "place__code")  # type: ignore[return-value]


class Employer(models.Model):
    """A body that employs staff (用人单位) and owes the fund when it employs too few disabled
    persons. `place` is the county (or township) where it is registered; it scopes the employer."""

    name = models.CharField(_("name"), max_length=100)
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    kind = models.CharField(_("kind of employer"), max_length=16, choices=EmployerKind.choices)
    place = models.ForeignKey(
        "places.Place", verbose_name=_("registered in"), on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=64, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EmployerQuerySet.as_manager()

    class Meta:
        verbose_name = _("employer")
        ordering = ["place_id", "name", "id"]
        indexes = [models.Index(fields=["place", "name"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.uscc})"

    @property
    def region_prefix(self) -> str:
        return str(self.place_id)

    @property
    def county_code(self) -> str:
        return str(self.place_id)[:6]


class DeclarationStatus(models.TextChoices):
    """Entered by the clerk → disabled employees verified and the amount computed → the
    verification result (审核确认书) issued. A correction before the result re-enters the
    declaration (back to draft); after it, none. In Henan the federation verifies the number of
    disabled employees and the tax office collects: the result is not a payment notice."""

    DRAFT = "draft", _("Entered, not yet verified")
    VERIFIED = "verified", _("Verified, amount computed")
    NOTIFIED = "notified", _("Verification result issued")


class DeclarationQuerySet(models.QuerySet["Declaration"]):
    def visible_to(self, user: Actor) -> DeclarationQuerySet:
        return _visible(self, user, "employer__place__code")  # type: ignore[return-value]


class Declaration(models.Model):
    """One employer's declaration for one collection year. The figures are those of the year
    before (`year - 1`), as the law says; the result of the formula is kept as computed."""

    employer = models.ForeignKey(
        Employer, verbose_name=_("employer"), on_delete=models.PROTECT, related_name="declarations"
    )
    year = models.PositiveSmallIntegerField(_("collection year"))
    staff = models.DecimalField(_("staff (annual average)"), max_digits=10, decimal_places=2)
    total_wages = models.DecimalField(_("total wages"), max_digits=16, decimal_places=2)
    local_average_wage = models.DecimalField(
        _("local average annual wage"), max_digits=12, decimal_places=2
    )
    # Entered by the clerk until the minimum wage is a dated parameter: 12 × the monthly minimum.
    minimum_annual_wage = models.DecimalField(
        _("minimum annual wage"), max_digits=12, decimal_places=2, default=0
    )
    declared_on = models.DateField(_("declared on"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DeclarationStatus.choices,
        default=DeclarationStatus.DRAFT,
    )
    # The snapshot of the last computation (empty while a draft).
    amount = models.DecimalField(
        _("amount due"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    tier = models.CharField(_("tier"), max_length=32, blank=True)
    counted = models.PositiveIntegerField(_("disabled employees counted"), null=True, blank=True)
    shortfall = models.DecimalField(
        _("shortfall"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    result = models.JSONField(_("computation"), default=dict, blank=True)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    notified_on = models.DateField(_("verification result issued on"), null=True, blank=True)
    notified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DeclarationQuerySet.as_manager()

    class Meta:
        verbose_name = _("levy declaration")
        ordering = ["-year", "employer_id"]
        indexes = [models.Index(fields=["year", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["employer", "year"], name="levy_declaration_once_a_year"
            ),
            models.CheckConstraint(condition=Q(staff__gt=0), name="levy_declaration_staff_gt_0"),
            models.CheckConstraint(
                condition=Q(status=DeclarationStatus.DRAFT) | Q(amount__isnull=False),
                name="levy_declaration_verified_has_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employer.name} {self.year}"

    @property
    def region_prefix(self) -> str:
        return str(self.employer.place_id)

    @property
    def figures_year(self) -> int:
        """The year whose staff, wages and disabled employees are declared."""
        return self.year - 1


class Ineligibility(models.TextChoices):
    """Why a declared disabled employee does not count (the first reason found)."""

    NOT_REGISTERED = "not_registered", _("Not on the registry")
    NAME_MISMATCH = "name_mismatch", _("Name does not match the registry")
    NOT_YET_VALID = "not_yet_valid", _("Certificate not yet issued")
    EXPIRED = "expired", _("Certificate expired")
    DECEASED = "deceased", _("Deceased")
    CANCELLED = "cancelled", _("Certificate cancelled")
    MOVED_OUT = "moved_out", _("Moved out of the registry's area")
    SHORT_CONTRACT = "short_contract", _("Contract shorter than one year")
    NO_INSURANCE = "no_insurance", _("No social insurance")
    LOW_WAGE = "low_wage", _("Wage below the minimum")
    COUNTED_ELSEWHERE = "counted_elsewhere", _("Counted by another employer")
    VETERAN_COUNTED_ELSEWHERE = (
        "veteran_elsewhere",
        _("Veteran's certificate counted by another employer"),
    )
    VETERAN_GRADE = "veteran_grade", _("Veteran's grade does not count")
    ORIGINAL_NOT_SEEN = "original_not_seen", _("Original certificate not seen")
    DISPATCH_OTHER_UNIT = "dispatch_other_unit", _("Counted by the other unit of the dispatch")
    DISPATCH_MISMATCH = "dispatch_mismatch", _("Dispatch agreement does not match")
    DISPATCH_UNKNOWN = "dispatch_unknown", _("Other unit of the dispatch not registered")
    UNDER_AGE = "under_age", _("Under working age")
    RETIRED = "retired", _("Past the statutory retirement age")
    OUTSIDE_JURISDICTION = "outside_jurisdiction", _("Not registered in this jurisdiction")


class DeclaredEmployeeQuerySet(models.QuerySet["DeclaredEmployee"]):
    def visible_to(self, user: Actor) -> DeclaredEmployeeQuerySet:
        return _visible(self, user, "declaration__employer__place__code")  # type: ignore[return-value]


class DeclaredEmployee(models.Model):
    """A disabled employee as the employer declares them, and whether they count: `counts` is
    0 (does not count), 1, or 2 for a grade 1–2 holder (weighted by `levy.severe_count`)."""

    declaration = models.ForeignKey(Declaration, on_delete=models.CASCADE, related_name="employees")
    # Copied from the declaration so that the database itself refuses to count one person for
    # two employers in the same year (see the constraint below).
    year = models.PositiveSmallIntegerField()
    line = models.PositiveIntegerField(_("line"))
    id_number_cipher = models.BinaryField()
    # The registry's blind index (people.models.ID_CONTEXT): equal indexes, same person.
    id_number_index = models.CharField(max_length=64, db_index=True)
    id_number_masked = models.CharField(_("ID number"), max_length=18)
    name = models.CharField(_("name"), max_length=64)
    contract_months = models.PositiveSmallIntegerField(_("contract (months)"))
    annual_wage = models.DecimalField(_("annual wage"), max_digits=12, decimal_places=2)
    social_insurance = models.BooleanField(_("social insurance paid"))
    employment = models.CharField(
        _("employment"), max_length=12, choices=Employment.choices, default=Employment.CONTRACT
    )
    # A dispatched worker (劳务派遣): the other unit of the dispatch (the agency, or the unit
    # the worker is sent to) and which of the two counts the worker under their agreement.
    dispatch_partner_uscc = models.CharField(
        _("other unit of the dispatch"), max_length=18, blank=True
    )
    dispatch_counts_here = models.BooleanField(_("counted by this unit"), null=True, blank=True)
    # The certificate that makes the employee disabled: the registry's disability certificate
    # (found by the ID number), or a disabled veteran's certificate entered on the line.
    certificate_kind = models.CharField(
        _("certificate"),
        max_length=12,
        choices=CertificateKind.choices,
        default=CertificateKind.DISABILITY,
    )
    # The veteran's certificate number, sealed as the ID number is: ciphertext, a blind index
    # (one certificate counts once a year) and the mask shown on pages.
    veteran_number_cipher = models.BinaryField(null=True, blank=True)
    veteran_number_index = models.CharField(max_length=64, blank=True, db_index=True)
    veteran_number_masked = models.CharField(
        _("veteran's certificate number"), max_length=20, blank=True
    )
    veteran_grade = models.PositiveSmallIntegerField(_("veteran's grade"), null=True, blank=True)
    # From the ID number (or the line, which must agree): who is of working age.
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    # The ID number's area code, kept at declaration (never shown): whether a number not on
    # the registry may be answered as such to the verifying clerk, without opening the number.
    id_area = models.CharField(max_length=6, blank=True)
    retirement_track = models.CharField(
        _("retirement age"), max_length=16, choices=RetirementTrack.choices, blank=True
    )
    # Set by each verification, line by line: the clerk saw the original veteran's certificate
    # (False withdraws it); who decided, and when.
    original_seen = models.BooleanField(_("original certificate seen"), default=False)
    original_seen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("original seen recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    original_seen_at = models.DateTimeField(_("original seen recorded at"), null=True, blank=True)
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    counts = models.PositiveSmallIntegerField(_("counts as"), default=0)
    reason_code = models.CharField(max_length=20, choices=Ineligibility.choices, blank=True)
    # Every reason found, in the language of whoever verified; empty when the employee counts.
    reason = models.CharField(_("reason"), max_length=500, blank=True)

    objects = DeclaredEmployeeQuerySet.as_manager()

    # Sealed with the registry's context. Opened only through canlian.accounts.reveal.
    SEALED = {
        "id_number": Person.SEALED["id_number"],
        "veteran_number": Sealed(
            "veteran_number_cipher",
            "veteran_number_masked",
            VETERAN_NUMBER_CONTEXT,
            Kind.VETERAN_NUMBER,
        ),
    }

    class Meta:
        verbose_name = _("declared disabled employee")
        ordering = ["declaration", "line"]
        constraints = [
            models.UniqueConstraint(
                fields=["declaration", "id_number_index"], name="levy_employee_once_per_declaration"
            ),
            models.UniqueConstraint(
                fields=["year", "id_number_index"],
                condition=Q(counts__gt=0),
                name="levy_employee_counted_once_a_year",
            ),
            models.UniqueConstraint(
                fields=["declaration", "veteran_number_index"],
                condition=~Q(veteran_number_index=""),
                name="levy_veteran_once_per_declaration",
            ),
            models.UniqueConstraint(
                fields=["year", "veteran_number_index"],
                condition=Q(counts__gt=0) & ~Q(veteran_number_index=""),
                name="levy_veteran_counted_once_a_year",
            ),
            models.CheckConstraint(
                condition=Q(counts__gte=0, counts__lte=2), name="levy_employee_counts_0_2"
            ),
            models.CheckConstraint(
                condition=Q(contract_months__lte=600), name="levy_employee_contract_le_600"
            ),
            models.CheckConstraint(
                condition=(
                    Q(certificate_kind=CertificateKind.DISABILITY, veteran_grade__isnull=True)
                    | Q(
                        certificate_kind=CertificateKind.VETERAN,
                        veteran_grade__gte=1,
                        veteran_grade__lte=10,
                    )
                ),
                name="levy_employee_veteran_grade_1_10",
            ),
            models.CheckConstraint(
                condition=(
                    Q(employment=Employment.DISPATCHED, dispatch_counts_here__isnull=False)
                    & ~Q(dispatch_partner_uscc="")
                )
                | (
                    ~Q(employment=Employment.DISPATCHED)
                    & Q(dispatch_counts_here__isnull=True, dispatch_partner_uscc="")
                ),
                name="levy_employee_dispatch_agreement",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.id_number_masked})"

    @property
    def region_prefix(self) -> str:
        return self.declaration.region_prefix
