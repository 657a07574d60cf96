"""Scoped reads of the levy: the yearly collection list and its totals per county."""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils.translation import gettext as _

from canlian.accounts.roles import Perm
from canlian.levy.models import Declaration, DeclarationStatus, DeclaredEmployee
from canlian.lib import todo
from canlian.places.models import Place

if TYPE_CHECKING:
    from canlian.accounts.actors import Actor

COMPUTED = (DeclarationStatus.VERIFIED, DeclarationStatus.NOTIFIED)


def collection_list(user: Actor, *, year: int, county: str = "") -> QuerySet[Declaration]:
    """The declarations of collection year `year` that `user` may see, by county then employer
    name; `county` (6 digits) narrows to one county."""
    qs = (
        Declaration.objects.visible_to(user)
        .filter(year=year)
        .select_related("employer", "employer__place")
        .annotate(county_code=Substr("employer__place__code", 1, 6))
    )
    if county:
        qs = qs.filter(employer__place__code__startswith=county)
    return qs.order_by("county_code", "employer__name", "id")


@dataclasses.dataclass
class CountyTotal:
    """One county's line of the collection list (or the grand total, with `code` "")."""

    code: str
    name: str
    employers: int = 0
    computed: int = 0  # declarations verified or notified: those with an amount
    notified: int = 0
    amount: Decimal = Decimal("0.00")
    counted_employees: int = 0  # disabled employees who count (a grade 1–2 holder once)
    counted: int = 0  # the same, weighted: a grade 1–2 holder twice


def county_totals(user: Actor, *, year: int) -> list[CountyTotal]:
    """Totals per county of collection year `year` in `user`'s scope, then the grand total."""
    declarations = Declaration.objects.visible_to(user).filter(year=year)
    by_county = (
        declarations.annotate(county_code=Substr("employer__place__code", 1, 6))
        .values("county_code")
        .annotate(
            employers=Count("id"),
            computed=Count("id", filter=Q(status__in=COMPUTED)),
            notified=Count("id", filter=Q(status=DeclarationStatus.NOTIFIED)),
            amount=Sum("amount", filter=Q(status__in=COMPUTED)),
            counted=Sum("counted", filter=Q(status__in=COMPUTED)),
        )
        .order_by("county_code")
    )
    employees = (
        DeclaredEmployee.objects.filter(
            declaration__in=declarations.filter(status__in=COMPUTED), counts__gt=0
        )
        .annotate(county_code=Substr("declaration__employer__place__code", 1, 6))
        .values("county_code")
        .annotate(n=Count("id"))
    )
    persons = {row["county_code"]: row["n"] for row in employees}
    rows = list(by_county)
    names = dict(
        Place.objects.filter(code__in=[r["county_code"] + "000000" for r in rows]).values_list(
            "code", "name"
        )
    )
    totals: list[CountyTotal] = []
    grand = CountyTotal(code="", name="")
    for row in rows:
        code = row["county_code"]
        line = CountyTotal(
            code=code,
            name=names.get(code + "000000", code),
            employers=row["employers"],
            computed=row["computed"],
            notified=row["notified"],
            amount=row["amount"] or Decimal("0.00"),
            counted_employees=persons.get(code, 0),
            counted=row["counted"] or 0,
        )
        totals.append(line)
        for field in (
            "employers",
            "computed",
            "notified",
            "amount",
            "counted_employees",
            "counted",
        ):
            setattr(grand, field, getattr(grand, field) + getattr(line, field))
    totals.append(grand)
    return totals


def todo_groups(
    user: Actor, today: datetime.date, limit: int = todo.FIRST_ITEMS
) -> list[todo.Group]:
    """The declarations waiting on `user` for the home page: entered and not yet verified, in
    their own jurisdiction, for whoever manages the levy. The rules set no time limit."""
    prefix = user.scope_prefix
    if not user.can(Perm.MANAGE_LEVY) or not prefix:
        return []
    qs = (
        Declaration.objects.visible_to(user)
        .filter(status=DeclarationStatus.DRAFT, employer__place__code__startswith=prefix)
        .select_related("employer", "employer__place")
        .order_by("declared_on", "id")
    )

    def item(declaration: Declaration) -> tuple[str, str, str]:
        url = reverse("levy:declaration_detail", args=[declaration.pk])
        detail = _("%(year)s collection year, declared %(on)s") % {
            "year": declaration.year,
            "on": f"{declaration.declared_on:%Y-%m-%d}",
        }
        return declaration.employer.name, url, detail

    title = str(_("Fund declarations to verify"))
    return [
        todo.group(
            "levy_to_verify",
            title,
            qs,
            list_url=reverse("levy:list"),
            today=today,
            item=item,
            limit=limit,
        )
    ]
