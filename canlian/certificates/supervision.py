"""Supervision checks (督导检查): a reproducible random sample of the certificates one county
issued in a period, each checked against the holder and, where it differs, followed up.

The population is every certificate the county issued in the period: the certificate rows, and
the registry's holders who have no row yet (recorded before the certificate workflow existed).
Those get their row only when drawn. The population is put in a fixed order and sampled with a
seeded generator, so the same seed on the same data draws the same certificates.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from canlian.accounts.access import require
from canlian.accounts.roles import Perm
from canlian.accounts.scoping import covers
from canlian.audit import records as audit
from canlian.certificates import services
from canlian.certificates.models import (
    Certificate,
    CheckItem,
    CheckResult,
    SupervisionCheck,
)
from canlian.people import services as people
from canlian.people.models import LifeStatus, Person
from canlian.places.models import Level, Place

MAX_SEED_LENGTH = 64

# One member of the population: (person id, certificate id or 0 for a holder without a row).
Member = tuple[int, int]


def population(
    *, county: Place, period_start: datetime.date, period_end: datetime.date
) -> list[Member]:
    """The certificates `county` issued from `period_start` to `period_end`, in a fixed order.

    Holders without a certificate row count only while active: only then can their row be
    recorded from the registry (services.current_certificate)."""
    rows = Certificate.objects.filter(
        county=county, issued_on__gte=period_start, issued_on__lte=period_end
    ).values_list("person_id", "id")
    without_rows = (
        Person.objects.filter(
            place__code__startswith=county.prefix,
            certificate_issued_on__gte=period_start,
            certificate_issued_on__lte=period_end,
            life_status=LifeStatus.ACTIVE,
            certificates__isnull=True,
        )
        .values_list("id", flat=True)
        .distinct()
    )
    return sorted([*rows, *((person_id, 0) for person_id in without_rows)])


def _require_check(acting_user: Any, county: Place) -> None:
    require(acting_user, Perm.SUPERVISE_CERTIFICATE)
    if not covers(acting_user, county.code):
        raise PermissionDenied(_("This supervision check is outside your jurisdiction."))


def _certificate(member: Member) -> Certificate:
    person_id, certificate_id = member
    if certificate_id:
        return Certificate.objects.get(pk=certificate_id)
    person = Person.objects.select_for_update().get(pk=person_id)
    certificate = services.current_certificate(person)
    assert certificate is not None, "an active holder always gets a certificate row"
    return certificate


@transaction.atomic
def draw_sample(
    *,
    county: Place | None,
    period_start: datetime.date,
    period_end: datetime.date,
    sample_size: int,
    seed: str,
    acting_user: Any,
) -> SupervisionCheck:
    """Draw `sample_size` certificates (all of them if fewer) at random with `seed`."""
    require(acting_user, Perm.SUPERVISE_CERTIFICATE)
    errors: dict[str, list[str]] = {}
    if county is None or county.level != Level.COUNTY:
        errors["county"] = [_("Choose the county to check.")]
    elif not covers(acting_user, county.code):
        errors["county"] = [_("This place is outside your jurisdiction.")]
    if period_end < period_start:
        errors["period_end"] = [_("The end of the period is before its start.")]
    elif period_start > timezone.localdate():
        errors["period_start"] = [_("The period starts in the future.")]
    if sample_size < 1:
        errors["sample_size"] = [_("The sample needs at least one certificate.")]
    seed = seed.strip()
    if not seed:
        errors["seed"] = [_("Enter the random seed.")]
    elif len(seed) > MAX_SEED_LENGTH:
        errors["seed"] = [
            _("This is longer than %(limit)s characters.") % {"limit": MAX_SEED_LENGTH}
        ]
    if errors:
        raise ValidationError(errors)
    assert county is not None
    members = population(county=county, period_start=period_start, period_end=period_end)
    if not members:
        raise ValidationError(
            {"period_end": [_("The county issued no certificate in this period.")]}
        )
    # Reproducible on purpose: anyone with the seed can redo the draw; nothing here is secret.
    drawn = random.Random(seed).sample(members, min(sample_size, len(members)))  # noqa: S311
    check = SupervisionCheck.objects.create(
        county=county,
        period_start=period_start,
        period_end=period_end,
        sample_size=len(drawn),
        seed=seed,
        population=len(members),
        created_by=acting_user,
    )
    certificates = [_certificate(member) for member in drawn]
    CheckItem.objects.bulk_create(
        CheckItem(check_run=check, certificate=certificate) for certificate in certificates
    )
    audit.record(
        acting_user=acting_user,
        action="certificate.supervision.draw",
        target=check,
        detail={
            "county": county.code,
            "period_start": period_start.isoformat(),
            "period_end": period_end.isoformat(),
            "sample_size_asked": sample_size,
            "seed": seed,
            "population": len(members),
            "certificates": [c.pk for c in certificates],
        },
        region=county.code,
    )
    return check


def _locked_item(item: CheckItem) -> CheckItem:
    return (
        CheckItem.objects.select_for_update()
        .select_related("check_run__county", "certificate")
        .get(pk=item.pk)
    )


def _not_future(day: datetime.date, field: str, errors: dict[str, list[str]]) -> None:
    if day > timezone.localdate():
        errors.setdefault(field, []).append(_("The date is in the future."))


@transaction.atomic
def record_result(
    *, item: CheckItem, result: str, finding: str, checked_on: datetime.date, acting_user: Any
) -> CheckItem:
    """Record whether the certificate matched the holder; a discrepancy needs its finding."""
    require(acting_user, Perm.SUPERVISE_CERTIFICATE)
    locked = _locked_item(item)
    _require_check(acting_user, locked.check_run.county)
    errors: dict[str, list[str]] = {}
    if locked.resolved_on is not None:
        raise ValidationError(
            {"result": [_("This discrepancy is already resolved: its result is final.")]}
        )
    if result not in (CheckResult.CONSISTENT, CheckResult.DISCREPANCY):
        errors["result"] = [_("Choose the result of the check.")]
    finding = people._clean_text(finding)
    if result == CheckResult.DISCREPANCY and not finding:
        errors["finding"] = [_("Describe the discrepancy found.")]
    elif len(finding) > 300:
        errors["finding"] = [_("This is longer than %(limit)s characters.") % {"limit": 300}]
    _not_future(checked_on, "checked_on", errors)
    if checked_on < locked.certificate.issued_on:
        errors.setdefault("checked_on", []).append(
            _("The date is before the certificate was issued.")
        )
    if errors:
        raise ValidationError(errors)
    before = {
        "result": locked.result,
        "finding": locked.finding,
        "checked_on": locked.checked_on.isoformat() if locked.checked_on else None,
    }
    locked.result = result
    locked.finding = finding
    locked.checked_on = checked_on
    locked.save(update_fields=["result", "finding", "checked_on"])
    audit.record(
        acting_user=acting_user,
        action="certificate.supervision.result",
        target=locked,
        detail={
            "check": locked.check_run_id,
            "certificate": locked.certificate_id,
            "before": before,
            "result": result,
            "finding": finding,
            "checked_on": checked_on.isoformat(),
        },
        region=locked.check_run.county_id,
    )
    return locked


@transaction.atomic
def resolve(
    *, item: CheckItem, follow_up: str, resolved_on: datetime.date, acting_user: Any
) -> CheckItem:
    """Record how a discrepancy was put right (整改) and when."""
    require(acting_user, Perm.SUPERVISE_CERTIFICATE)
    locked = _locked_item(item)
    _require_check(acting_user, locked.check_run.county)
    errors: dict[str, list[str]] = {}
    if locked.result != CheckResult.DISCREPANCY:
        raise ValidationError({"follow_up": [_("Only a discrepancy found needs a follow-up.")]})
    if locked.resolved_on is not None:
        raise ValidationError({"follow_up": [_("This discrepancy is already resolved.")]})
    follow_up = people._clean_text(follow_up)
    if not follow_up:
        errors["follow_up"] = [_("Describe what was done to put it right.")]
    elif len(follow_up) > 300:
        errors["follow_up"] = [_("This is longer than %(limit)s characters.") % {"limit": 300}]
    _not_future(resolved_on, "resolved_on", errors)
    if locked.checked_on is not None and resolved_on < locked.checked_on:
        errors.setdefault("resolved_on", []).append(
            _("The date is before the discrepancy was found.")
        )
    if errors:
        raise ValidationError(errors)
    locked.follow_up = follow_up
    locked.resolved_on = resolved_on
    locked.save(update_fields=["follow_up", "resolved_on"])
    audit.record(
        acting_user=acting_user,
        action="certificate.supervision.resolve",
        target=locked,
        detail={
            "check": locked.check_run_id,
            "certificate": locked.certificate_id,
            "follow_up": follow_up,
            "resolved_on": resolved_on.isoformat(),
        },
        region=locked.check_run.county_id,
    )
    return locked
