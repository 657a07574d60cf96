"""Certificates held and the registry's copy of them: the valid certificate, the lock after a
cancellation, issuing a certificate, and copying its category, grade and dates to the person."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from canlian.accounts import reveal as gate
from canlian.audit import records as audit
from canlian.certificates import cards
from canlian.certificates.models import (
    Application,
    CancelledCard,
    Certificate,
    CertificateStatus,
    Issue,
    Kind,
)
from canlian.people import services as people
from canlian.people import versions
from canlian.people.models import LifeStatus, Person

if TYPE_CHECKING:
    from canlian.accounts.actors import Actor

VALID_YEARS = people.CERTIFICATE_YEARS
LOCK_YEARS = 1


def current_certificate(person: Person) -> Certificate | None:
    """The person's valid certificate. A person registered before the workflow (by the form,
    an import or a migration) gets a row recorded from the registry's values the first time
    the workflow needs it, so that every later step has a document to act on."""
    valid = person.certificates.filter(status=CertificateStatus.VALID).first()
    if valid is not None or person.life_status != LifeStatus.ACTIVE:
        return valid
    if person.certificates.exists():
        return None
    return create_certificate(
        person=person,
        category=person.category,
        grade=person.grade,
        issued_on=person.certificate_issued_on,
        expires_on=person.certificate_expires_on,
        county_id=person.county_code + "000000",
        issue=Issue.RECORDED,
        application=None,
        lowest_suffix=person.card_suffix,
    )


def create_certificate(
    *,
    person: Person,
    category: int,
    grade: int,
    issued_on: datetime.date,
    expires_on: datetime.date,
    county_id: str,
    issue: str,
    application: Application | None,
    lowest_suffix: int = 0,
) -> Certificate:
    """Write a valid certificate: the only way one is created. Its card number takes the suffix
    of certificates.cards (one after the highest cancelled for the category and grade, or
    `lowest_suffix` if higher: a replacement's next suffix, the registry's recorded one), and
    a number once cancelled is refused, so that it is never valid again."""
    suffix = max(cards.suffix_for(person, category, grade), lowest_suffix)
    if CancelledCard.objects.filter(
        person=person, category=category, grade=grade, suffix=suffix
    ).exists():
        raise ValidationError(
            {"grade": [_("This card number was cancelled: it can never be valid again.")]}
        )
    return Certificate.objects.create(
        person=person,
        category=category,
        grade=grade,
        issued_on=issued_on,
        expires_on=expires_on,
        county_id=county_id,
        issue=issue,
        application=application,
        card_suffix=suffix,
        status=CertificateStatus.VALID,
    )


def lock_ends(person: Person) -> datetime.date | None:
    """The first day a new application is accepted after a cancellation, or None."""
    last = (
        person.certificates.filter(status=CertificateStatus.CANCELLED)
        .exclude(locked_until__isnull=True)
        .order_by("-locked_until")
        .values_list("locked_until", flat=True)
        .first()
    )
    if last is None and person.life_status == LifeStatus.CANCELLED and person.life_status_date:
        last = people.add_years(person.life_status_date, LOCK_YEARS)
    return last


def sync_person(person: Person, certificate: Certificate, acting_user: Actor, **extra: Any) -> None:
    """Copy the valid certificate's category, grade and dates to the registry."""
    locked = Person.objects.select_for_update().get(pk=person.pk)
    before = people.snapshot(locked)
    locked.category = certificate.category
    locked.grade = certificate.grade
    locked.certificate_issued_on = certificate.issued_on
    locked.certificate_expires_on = certificate.expires_on
    suffix_before, locked.card_suffix = locked.card_suffix, certificate.card_suffix
    for key, value in extra.items():
        setattr(locked, key, value)
    after = people.snapshot(locked)
    changes = {k: [before[k], after[k]] for k in people.AUDITED_FIELDS if before[k] != after[k]}
    if suffix_before != locked.card_suffix:
        changes["card_suffix"] = [suffix_before, locked.card_suffix]
    if changes:
        locked.save()
        versions.sync([locked.pk], timezone.localdate())
        audit.record(
            acting_user=acting_user,
            action="person.update",
            target=locked,
            detail={"changes": changes, "certificate": certificate.pk},
        )
    person.refresh_from_db()


def issue_certificate(app: Application, on: datetime.date, acting_user: Actor) -> Certificate:
    """Write the certificate `app` asked for, valid from `on` (or, when an objection changed
    the grade of the certificate `app` issued, the changed certificate, as a change): the
    previous one is superseded (a replacement keeps its category, grade and expiry, and
    cancels the old card's number; a renewal without re-assessment keeps its category and
    grade), the card number takes its suffix (certificates.cards), and the registry copies
    the new one."""
    person = app.person
    # A certificate this application issued before: an objection changed its grade since.
    reissue = app.pk is not None and app.certificates.exists()
    if app.kind == Kind.FIRST and (person is None or person.life_status != LifeStatus.ACTIVE):
        person = register(app, on, acting_user)
        previous = None
    else:
        assert person is not None
        # The holder's row is locked before the valid certificate is read and superseded.
        person = Person.objects.select_for_update().get(pk=person.pk)
        previous = current_certificate(person)
        if previous is None:
            raise ValidationError({"person": [_("This person holds no valid certificate.")]})
        previous.status = CertificateStatus.SUPERSEDED
        previous.ended_on = on
        previous.save()
    category, grade = app.category, app.grade
    expires = people.add_years(on, VALID_YEARS)
    if app.kind == Kind.REPLACEMENT or (app.kind == Kind.RENEWAL and not app.needs_assessment):
        assert previous is not None
        category, grade = previous.category, previous.grade
        if app.kind == Kind.REPLACEMENT:
            expires = previous.expires_on
    assert grade is not None
    replaced = previous.card_suffix + 1 if app.kind == Kind.REPLACEMENT and previous else 0
    certificate = create_certificate(
        person=person,
        category=category,
        grade=grade,
        issued_on=on,
        expires_on=expires,
        county_id=app.place.code[:6] + "000000",
        issue=Issue.CHANGE if reissue else Issue(app.kind),
        application=app,
        lowest_suffix=replaced,
    )
    if app.kind == Kind.REPLACEMENT:
        assert previous is not None
        cards.cancel_card(
            certificate=previous, replaced_by=certificate, reason=app.replacement_reason,
            on=on, acting_user=acting_user,
        )  # fmt: skip
    sync_person(person, certificate, acting_user)
    app.person = person
    if reissue and previous is not None:
        audit.record(
            acting_user=acting_user,
            action="certificate.objection.change",
            target=app,
            detail={
                "on": on.isoformat(), "certificate": certificate.pk, "previous": previous.pk,
                "grade": grade, "previous_grade": previous.grade,
            },
        )  # fmt: skip
    return certificate


def register(app: Application, on: datetime.date, acting_user: Actor) -> Person:
    """Put a first-time holder on the registry, or bring a cancelled holder back. The
    application's sealed values are opened through the gate (purpose: issue) to be checked
    and sealed again on the registry; nobody sees them."""
    sealed = gate.reveal(
        target=app, fields=tuple(Application.SEALED), purpose=gate.Purpose.ISSUE,
        acting_user=acting_user, action="certificate.issue.copy",
    )  # fmt: skip
    data = people.PersonData(
        id_number=sealed["id_number"],
        name=app.name,
        ethnicity=app.ethnicity,
        place_code=app.place.code,
        category=app.category,
        grade=app.grade or 0,
        certificate_issued_on=on,
        sex=app.sex,
        birth_date=app.birth_date,
        address=app.address,
        phone=sealed["phone"],
        guardian_name=app.guardian_name,
        guardian_relation=app.guardian_relation,
        guardian_phone=sealed["guardian_phone"],
    )
    known = Person.objects.filter(id_number_index=app.id_number_index).first()
    if known is None:
        return people.create_person(data=data, acting_user=acting_user)
    if known.life_status == LifeStatus.ACTIVE:
        raise ValidationError({"id_number": [_("This person already holds a certificate.")]})
    data.bank_name = known.bank_name
    data.bank_account = None  # kept as it is on the registry
    people.update_person(person=known, data=data, acting_user=acting_user, workflow=True)
    return known
