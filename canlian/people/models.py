"""Persons on the registry, their socio-economic status periods and life status."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from canlian.accounts.roles import Perm
from canlian.accounts.scoping import scoped
from canlian.lib import crypto, idcard
from canlian.lib.sealed import Kind, Sealed
from canlian.people.ethnicity import Ethnicity
from canlian.people.terms import CATEGORY, GRADE, LIFE_STATUS, SEX

if TYPE_CHECKING:
    from canlian.accounts.access import Reader

ID_CONTEXT = "person.id_number"
# The blind index of an ID number's last six characters (day of birth, sequence code and
# check character): a search by the last 4-6 characters beside a name or an area, without
# storing any of the number in the clear. A context of its own: equal tails, unequal numbers.
TAIL_CONTEXT = "person.id_number.tail6"
TAIL_LENGTH = crypto.TAIL_LENGTH


def tail_index(id_number: str) -> str:
    """The blind index of the last six characters of `id_number` ("" for a shorter value)."""
    return crypto.tail_blind_index(id_number, context=TAIL_CONTEXT)


BANK_CONTEXT = "person.bank_account"
PHONE_CONTEXT = "person.phone"
GUARDIAN_PHONE_CONTEXT = "person.guardian_phone"


# The labels are the vocabularies' names (canlian/people/terms.py), data rather than
# translations: shown in the active language, read and written by the exchange from the data.
class Sex(models.TextChoices):
    """GB/T 2261.1-2003; stored as M and F."""

    MALE = "M", SEX.label("M")
    FEMALE = "F", SEX.label("F")


class Category(models.IntegerChoices):
    """National disability category codes (GB/T 26341-2010)."""

    VISUAL = 1, CATEGORY.label(1)
    HEARING = 2, CATEGORY.label(2)
    SPEECH = 3, CATEGORY.label(3)
    PHYSICAL = 4, CATEGORY.label(4)
    INTELLECTUAL = 5, CATEGORY.label(5)
    MENTAL = 6, CATEGORY.label(6)
    MULTIPLE = 7, CATEGORY.label(7)


class Grade(models.IntegerChoices):
    """Disability grade, 1 the most severe (GB/T 26341-2010)."""

    ONE = 1, GRADE.label(1)
    TWO = 2, GRADE.label(2)
    THREE = 3, GRADE.label(3)
    FOUR = 4, GRADE.label(4)


class LifeStatus(models.TextChoices):
    ACTIVE = "active", LIFE_STATUS.label("active")
    DECEASED = "deceased", LIFE_STATUS.label("deceased")
    MOVED_OUT = "moved_out", LIFE_STATUS.label("moved_out")
    CANCELLED = "cancelled", LIFE_STATUS.label("cancelled")


class StatusKind(models.TextChoices):
    DIBAO = "dibao", _("Minimum living allowance (dibao)")
    DIBAO_EDGE = "dibao_edge", _("Low income, near dibao")
    TEKUN = "tekun", _("Extreme-poverty support (tekun)")
    # 建档立卡 until 2020; from 2021 the policy names 脱贫人口 and 防止返贫监测对象 (the
    # subsidies' county rules count them by dated parameters, benefits.poor.*).
    REGISTERED_POOR = "registered_poor", _("Registered poor household")
    POVERTY_ALLEVIATED = "poverty_alleviated", _("Lifted out of poverty (from 2021)")
    MONITORED = "monitored", _("Monitored against relapse into poverty (from 2021)")


GUARDIAN_CATEGORIES = frozenset({Category.INTELLECTUAL, Category.MENTAL})
ADULT_AGE = 18


class PersonQuerySet(models.QuerySet["Person"]):
    def visible_to(self, user: Reader) -> PersonQuerySet:
        """The persons `user` may see: their subtree only; nothing without the permission."""
        return scoped(self, user, perm=Perm.VIEW_PERSON, field="place__code")

    def with_status(self, kind: str, on: datetime.date) -> PersonQuerySet:
        """The persons holding a status of `kind` on `on`: for today, read from the columns
        the database keeps (people/held.py); otherwise, or when those cannot be brought to
        today, from the periods."""
        from canlian.people import held

        if kind in held.KINDS and on == timezone.localdate() and held.current(on):
            return self.filter(**{held.column(kind): True})
        return self.filter(
            Exists(
                StatusPeriod.objects.filter(person=OuterRef("pk"), kind=kind, start__lte=on).filter(
                    Q(end__isnull=True) | Q(end__gte=on)
                )
            )
        )


class Person(models.Model):
    id_number_cipher = models.BinaryField()
    id_number_index = models.CharField(max_length=64, unique=True)
    id_number_masked = models.CharField(_("ID number"), max_length=18)
    id_tail_index = models.CharField(max_length=64, blank=True, db_index=True)
    name = models.CharField(_("name"), max_length=64)
    name_initials = models.CharField(max_length=64, db_index=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("date of birth"))
    ethnicity = models.CharField(_("ethnicity"), max_length=2, choices=Ethnicity.choices)
    # No index of its own: (place, name) below serves equality, and on PostgreSQL the
    # pattern index of migration 0002 serves the jurisdiction's prefix (LIKE '4108%').
    place = models.ForeignKey(
        "places.Place",
        verbose_name=_("household registration"),
        on_delete=models.PROTECT,
        db_index=False,
    )
    address = models.CharField(_("household address"), max_length=200, blank=True)
    phone_cipher = models.BinaryField(null=True, blank=True)
    phone_masked = models.CharField(_("phone"), max_length=20, blank=True)
    guardian_name = models.CharField(_("guardian's name"), max_length=64, blank=True)
    guardian_relation = models.CharField(_("guardian's relation"), max_length=32, blank=True)
    guardian_phone_cipher = models.BinaryField(null=True, blank=True)
    guardian_phone_masked = models.CharField(_("guardian's phone"), max_length=20, blank=True)
    category = models.PositiveSmallIntegerField(_("disability category"), choices=Category.choices)
    grade = models.PositiveSmallIntegerField(_("disability grade"), choices=Grade.choices)
    certificate_issued_on = models.DateField(_("certificate issued on"))
    certificate_expires_on = models.DateField(_("certificate expires on"))
    # The suffix of the current card number (1 for B1, 2 for B2, …; 0 for none): a replaced
    # card gets the next one and the old number is cancelled (certificates.CancelledCard).
    card_suffix = models.PositiveSmallIntegerField(_("card number suffix"), default=0)
    life_status = models.CharField(
        _("life status"), max_length=16, choices=LifeStatus.choices, default=LifeStatus.ACTIVE
    )
    life_status_date = models.DateField(_("date of status change"), null=True, blank=True)
    bank_name = models.CharField(_("bank"), max_length=64, blank=True)
    bank_account_cipher = models.BinaryField(null=True, blank=True)
    bank_account_masked = models.CharField(_("bank account"), max_length=40, blank=True)
    # The statuses held on `StatusDay.day` (today), kept by the database from the periods
    # (people/held.py): what the registry list's "current status" filter reads.
    held_dibao = models.BooleanField(default=False, db_default=False, editable=False)
    held_dibao_edge = models.BooleanField(default=False, db_default=False, editable=False)
    held_tekun = models.BooleanField(default=False, db_default=False, editable=False)
    held_registered_poor = models.BooleanField(default=False, db_default=False, editable=False)
    held_poverty_alleviated = models.BooleanField(default=False, db_default=False, editable=False)
    held_monitored = models.BooleanField(default=False, db_default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonQuerySet.as_manager()

    # Opened only through canlian.accounts.reveal.
    SEALED = {
        "id_number": Sealed("id_number_cipher", "id_number_masked", ID_CONTEXT, Kind.ID_NUMBER),
        "bank_account": Sealed(
            "bank_account_cipher", "bank_account_masked", BANK_CONTEXT, Kind.BANK_ACCOUNT
        ),
        "phone": Sealed("phone_cipher", "phone_masked", PHONE_CONTEXT, Kind.PHONE),
        "guardian_phone": Sealed(
            "guardian_phone_cipher", "guardian_phone_masked", GUARDIAN_PHONE_CONTEXT, Kind.PHONE
        ),
    }

    class Meta:
        verbose_name = _("person")
        constraints = [
            models.CheckConstraint(
                condition=Q(category__gte=1, category__lte=7), name="person_category_1_7"
            ),
            models.CheckConstraint(
                condition=Q(grade__gte=1, grade__lte=4), name="person_grade_1_4"
            ),
            models.CheckConstraint(
                condition=Q(life_status=LifeStatus.ACTIVE) | Q(life_status_date__isnull=False),
                name="person_status_change_has_date",
            ),
        ]
        # One index per sort order of the registry list (selectors.SORTS), so a page is read
        # in index order instead of sorting every matching row.
        indexes = [
            models.Index(fields=["place", "name"]),
            models.Index(fields=["category", "grade", "id"]),
            models.Index(fields=["grade", "category", "id"]),
            models.Index(fields=["life_status"]),
            models.Index(fields=["name", "id"]),
            models.Index(fields=["birth_date", "id"]),
            models.Index(fields=["updated_at", "id"]),
            # The renewal worklist: certificates expiring soonest first.
            models.Index(fields=["certificate_expires_on", "id"]),
            # The data-quality figures (stats/figures/quality.py): the few persons without a
            # phone, and the persons who have a guardian, read without reading the registry.
            models.Index(
                fields=["id"], condition=Q(phone_masked=""), name="people_person_no_phone"
            ),
            models.Index(
                fields=["id"], condition=~Q(guardian_name=""), name="people_person_guardian"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.id_number_masked})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Saved without the `held_*` columns: the database keeps them, and a value read
        before a status period changed must not be written back over it; a new row starts
        without any. An explicit `update_fields` and a deferred field are left as Django
        handles them."""
        inserting = self._state.adding or self.pk is None or kwargs.get("force_insert")
        if inserting:
            # A new row has no periods yet (a copy of another person's included).
            for field in self._meta.concrete_fields:
                if field.name.startswith("held_"):
                    setattr(self, field.attname, False)
        elif kwargs.get("update_fields") is None:
            deferred = self.get_deferred_fields()
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key
                and not field.name.startswith("held_")
                and field.attname not in deferred
            ]
        super().save(*args, **kwargs)

    @property
    def region_prefix(self) -> str:
        return str(self.place_id)

    @property
    def county_code(self) -> str:
        return str(self.place_id)[:6]

    @property
    def certificate_number_masked(self) -> str:
        return idcard.certificate_number(
            self.id_number_masked, self.category, self.grade, self.card_suffix
        )


class StatusPeriod(models.Model):
    """A socio-economic status held from `start` to `end` (inclusive; open when None)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="status_periods")
    kind = models.CharField(
        pgettext_lazy("socio-economic", "status"), max_length=20, choices=StatusKind.choices
    )
    start = models.DateField(_("from"))
    end = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["kind", "start"]
        indexes = [models.Index(fields=["kind", "person", "start"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="status_period_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start}–{self.end or ''}"

    def holds_on(self, day: datetime.date) -> bool:
        return self.start <= day and (self.end is None or self.end >= day)


class StatusDay(models.Model):
    """The day the persons' `held_*` columns are for (one row, id 1): today, once the first
    request of the day has moved it (people/held.py)."""

    day = models.DateField()

    def __str__(self) -> str:
        return self.day.isoformat()


class Version(models.Model):
    """What the registry said of a person from `valid_from` to `valid_to` (inclusive; open
    when None): the dated facts the statistics count on a date (canlian/people/versions.py
    keeps them; docs/statistics.md). A person counts on a day when a version covers it, the
    certificate it records is valid that day and the person had not died, moved out or had
    the certificate cancelled by then (`gone_on`: the first day they no longer count)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="versions")
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    place = models.CharField(max_length=12)
    county = models.CharField(max_length=6)
    township = models.CharField(max_length=12)
    category = models.PositiveSmallIntegerField()
    grade = models.PositiveSmallIntegerField()
    sex = models.CharField(max_length=1)
    birth_date = models.DateField()
    cert_from = models.DateField()
    cert_to = models.DateField()
    gone_on = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["person", "valid_from"]),
            models.Index(fields=["county", "valid_from"]),
            models.Index(fields=["township", "valid_from"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="version_ends_after_it_starts",
            ),
            # One open version per person: the registry's present.
            models.UniqueConstraint(
                fields=["person"], condition=Q(valid_to__isnull=True), name="one_open_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.valid_from}–{self.valid_to or ''}"
