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
from collections.abc import Iterator
from typing import TYPE_CHECKING

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
from canlian.lib import rules
from canlian.lib.rules import Problem, not_future
from canlian.people.fields import clean_text
from canlian.people.models import LifeStatus, Person
from canlian.places.models import Level, Place

if TYPE_CHECKING:
    from canlian.accounts.actors import Actor
    from canlian.accounts.models import User

MAX_SEED_LENGTH = 64
TEXT_LIMIT = 300  # a finding, a follow-up

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


def _require_check(acting_user: Actor, county: Place) -> None:
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
    acting_user: User,
) -> SupervisionCheck:
    """Draw `sample_size` certificates (all of them if fewer) at random with `seed`."""
    require(acting_user, Perm.SUPERVISE_CERTIFICATE)
    seed = seed.strip()
    problems = _draw_problems(county, period_start, period_end, sample_size, seed, acting_user)
    rules.enforce(rules.errors_of(problems))
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


def _draw_problems(
    county: Place | None,
    period_start: datetime.date,
    period_end: datetime.date,
    sample_size: int,
    seed: str,
    acting_user: Actor,
) -> Iterator[Problem]:
    if county is None or county.level != Level.COUNTY:
        yield "county", _("Choose the county to check.")
    elif not covers(acting_user, county.code):
        yield "county", _("This place is outside your jurisdiction.")
    if period_end < period_start:
        yield "period_end", _("The end of the period is before its start.")
    elif period_start > timezone.localdate():
        yield "period_start", _("The period starts in the future.")
    if sample_size < 1:
        yield "sample_size", _("The sample needs at least one certificate.")
    if not seed:
        yield "seed", _("Enter the random seed.")
    elif len(seed) > MAX_SEED_LENGTH:
        yield "seed", _("This is longer than %(limit)s characters.") % {"limit": MAX_SEED_LENGTH}


def _locked_item(item: CheckItem) -> CheckItem:
    return (
        CheckItem.objects.select_for_update()
        .select_related("check_run__county", "certificate")
        .get(pk=item.pk)
    )


@transaction.atomic
def record_result(
    *, item: CheckItem, result: str, finding: str, checked_on: datetime.date, acting_user: Actor
) -> CheckItem:
    """Record whether the certificate matched the holder; a discrepancy needs its finding."""
    require(acting_user, Perm.SUPERVISE_CERTIFICATE)
    locked = _locked_item(item)
    _require_check(acting_user, locked.check_run.county)
    if locked.resolved_on is not None:
        raise ValidationError(
            {"result": [_("This discrepancy is already resolved: its result is final.")]}
        )
    finding = clean_text(finding)
    rules.enforce(rules.errors_of(_result_problems(locked, result, finding, checked_on)))
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


def _result_problems(
    item: CheckItem, result: str, finding: str, checked_on: datetime.date
) -> Iterator[Problem]:
    if result not in (CheckResult.CONSISTENT, CheckResult.DISCREPANCY):
        yield "result", _("Choose the result of the check.")
    if result == CheckResult.DISCREPANCY and not finding:
        yield "finding", _("Describe the discrepancy found.")
    elif len(finding) > TEXT_LIMIT:
        yield "finding", _("This is longer than %(limit)s characters.") % {"limit": TEXT_LIMIT}
    yield from not_future(checked_on, "checked_on")
    if checked_on < item.certificate.issued_on:
        yield "checked_on", _("The date is before the certificate was issued.")


@transaction.atomic
def resolve(
    *, item: CheckItem, follow_up: str, resolved_on: datetime.date, acting_user: Actor
) -> CheckItem:
    """Record how a discrepancy was put right (整改) and when."""
    require(acting_user, Perm.SUPERVISE_CERTIFICATE)
    locked = _locked_item(item)
    _require_check(acting_user, locked.check_run.county)
    if locked.result != CheckResult.DISCREPANCY:
        raise ValidationError({"follow_up": [_("Only a discrepancy found needs a follow-up.")]})
    if locked.resolved_on is not None:
        raise ValidationError({"follow_up": [_("This discrepancy is already resolved.")]})
    follow_up = clean_text(follow_up)
    rules.enforce(rules.errors_of(_resolution_problems(locked, follow_up, resolved_on)))
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


def _resolution_problems(
    item: CheckItem, follow_up: str, resolved_on: datetime.date
) -> Iterator[Problem]:
    if not follow_up:
        yield "follow_up", _("Describe what was done to put it right.")
    elif len(follow_up) > TEXT_LIMIT:
        yield "follow_up", _("This is longer than %(limit)s characters.") % {"limit": TEXT_LIMIT}
    yield from not_future(resolved_on, "resolved_on")
    if item.checked_on is not None and resolved_on < item.checked_on:
        yield "resolved_on", _("The date is before the discrepancy was found.")
