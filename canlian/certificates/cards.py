"""Card numbers: the suffix of a replaced card, the numbers cancelled, and the check of a
number presented to staff.

A certificate number is the holder's ID number and the category and grade digits
(…42). A card replaced because it was lost or damaged gets the next suffix, B1, then B2, …
(local practice; the national rules say only that a lost card is replaced, 残疾人证管理办法), and
the old number is cancelled for good (`CancelledCard`): a number once cancelled is never valid
again, whatever later happens to the certificate. The one rule: the card of a category and
grade carries the suffix after the highest one cancelled for that category and grade, or none.
A renewal therefore keeps the number, a replacement moves to the next suffix, and a change of
grade back to an earlier one never brings back a cancelled number.
"""

from __future__ import annotations

import dataclasses
import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils.translation import gettext as _

from canlian.accounts import lookups
from canlian.accounts.access import require
from canlian.accounts.roles import Perm
from canlian.accounts.scoping import scoped
from canlian.audit import records as audit
from canlian.certificates.models import (
    CancelledCard,
    CardStatus,
    Certificate,
)
from canlian.lib import crypto, idcard, masks
from canlian.people.models import ID_CONTEXT, LifeStatus, Person

if TYPE_CHECKING:
    from canlian.accounts.actors import Actor


def suffix_for(person: Person, category: int, grade: int) -> int:
    """The suffix of the person's card for `category` and `grade`: one after the highest
    cancelled, 0 (none) when no card of that number was ever cancelled."""
    highest = CancelledCard.objects.filter(person=person, category=category, grade=grade).aggregate(
        highest=Max("suffix")
    )["highest"]
    return 0 if highest is None else highest + 1


def cancel_card(
    *,
    certificate: Certificate,
    replaced_by: Certificate,
    reason: str,
    on: datetime.date,
    acting_user: Actor,
) -> CancelledCard:
    """Record that the card of `certificate` (lost or damaged) is cancelled: its number is
    never valid again. The caller holds the transaction and writes `replaced_by` next."""
    card = CancelledCard.objects.create(
        person=certificate.person,
        category=certificate.category,
        grade=certificate.grade,
        suffix=certificate.card_suffix,
        certificate=certificate,
        replaced_by=replaced_by,
        reason=reason,
        cancelled_on=on,
        cancelled_by_id=acting_user.pk,
    )
    audit.record(
        acting_user=acting_user,
        action="certificate.card_cancel",
        target=certificate.person,
        detail={
            "certificate": certificate.pk,
            "replaced_by": replaced_by.pk,
            "category": card.category,
            "grade": card.grade,
            "suffix": card.suffix,
            "reason": reason,
            "on": on.isoformat(),
        },
    )
    return card


@dataclasses.dataclass(frozen=True)
class CardCheck:
    """What a card check answers: the status, the number asked about (masked) and, for a
    number on record in the user's jurisdiction, its holder and the current number (masked)."""

    status: CardStatus
    number_masked: str
    person: Person | None = None
    cancelled: CancelledCard | None = None
    current_masked: str = ""
    explanation: str = ""


def _masked(id_number: str, category: int, grade: int, suffix: int) -> str:
    return idcard.certificate_number(masks.id_number(id_number), category, grade, suffix)


def parse(number: str) -> tuple[str, int, int, int]:
    """The ID number, category, grade and suffix of a typed card number; ValidationError
    (field "number") when it cannot be one."""
    text = idcard.normalize(number).upper()  # b1 as B1
    parts = idcard.split_card_number(text)
    if parts is None:
        raise ValidationError(
            {
                "number": [
                    _(
                        "Enter the certificate number as printed: the 18-character ID number, "
                        "the category and grade digits, and the suffix (such as B1) if the "
                        "card has one."
                    )
                ]
            }
        )
    check = idcard.check(parts[0])
    if not check.valid:
        raise ValidationError(
            {"number": [_("The ID number in this certificate number is not valid."), *check.errors]}
        )
    return parts


def check_card(*, user: Actor, number: str, today: datetime.date) -> CardCheck:
    """Whether the card number `number` is valid today. A look-up by number: recorded and
    limited like every search by number (accounts.lookups; raises TooManyNumberSearches past
    the limit), and its answer recorded. A number held outside the user's jurisdiction is
    answered like a number not on record, so the check cannot probe other counties."""
    require(user, Perm.VIEW_CERTIFICATE)
    id_number, category, grade, suffix = parse(number)
    full = idcard.certificate_number(id_number, category, grade, suffix)
    lookups.record(user=user, number=full, where="certificates.card_check")
    persons = scoped(Person.objects.all(), user, perm=Perm.VIEW_CERTIFICATE, field="place__code")
    person = persons.filter(
        id_number_index=crypto.blind_index(id_number, context=ID_CONTEXT)
    ).first()
    asked = _masked(id_number, category, grade, suffix)
    result = _answer(person, category, grade, suffix, today, asked)
    audit.record_access(
        acting_user=user,
        action="certificate.card_check",
        target=result.person,
        region=result.person.region_prefix if result.person else (user.scope_prefix or ""),
        detail={"number": result.number_masked, "status": result.status.value},
    )
    return result


def _answer(
    person: Person | None, category: int, grade: int, suffix: int, today: datetime.date, asked: str
) -> CardCheck:
    if person is None:
        return CardCheck(CardStatus.UNKNOWN, asked)
    current = ""
    if person.life_status == LifeStatus.ACTIVE:
        current = person.certificate_number_masked
    cancelled = person.cancelled_cards.filter(category=category, grade=grade, suffix=suffix).first()
    if cancelled is not None:
        return CardCheck(CardStatus.CANCELLED, asked, person, cancelled, current)
    held = (category, grade, suffix) == (person.category, person.grade, person.card_suffix)
    if held and person.life_status == LifeStatus.ACTIVE:
        if person.certificate_expires_on < today:
            return CardCheck(
                CardStatus.NOT_IN_FORCE, asked, person, None, current,
                _("The certificate expired on %(date)s.")
                % {"date": person.certificate_expires_on.isoformat()},
            )  # fmt: skip
        return CardCheck(CardStatus.VALID, asked, person, None, current)
    earlier = person.certificates.filter(category=category, grade=grade, card_suffix=suffix)
    if held or earlier.exists():
        return CardCheck(
            CardStatus.NOT_IN_FORCE, asked, person, None, current, _not_in_force(person, held)
        )
    return CardCheck(CardStatus.UNKNOWN, asked)


def _not_in_force(person: Person, held: bool) -> str:
    if held or person.life_status != LifeStatus.ACTIVE:
        return _("The certificate is no longer in force (%(status)s).") % {
            "status": person.get_life_status_display()
        }
    return _("This number belongs to an earlier certificate of another category or grade.")
