"""The checks a new application must pass at the window, each a named rule over a Submission:
what every application is checked for, then a first application's particulars and a holder's
certificate. A check yields the problems it finds (rules.py); the lists at the end give the
order in which they are read.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from canlian.accounts.scoping import covers, outside_refusal
from canlian.certificates import dated, grading
from canlian.certificates.models import (
    OPEN_STATUSES,
    Application,
    AppliedBy,
    Certificate,
    Document,
    Kind,
    ReplacementReason,
)
from canlian.certificates.services.common import day_text
from canlian.certificates.services.registry import lock_ends
from canlian.lib import idcard, rules
from canlian.lib.rules import Problem, not_future
from canlian.people import services as people
from canlian.people.models import ADULT_AGE, GUARDIAN_CATEGORIES, LifeStatus, Person
from canlian.places.models import Level as PlaceLevel
from canlian.places.models import Place

if TYPE_CHECKING:
    from canlian.accounts.actors import Actor

REASON_LIMIT = 200

BASE_DOCUMENTS: dict[str, tuple[str, ...]] = {
    Kind.FIRST: (Document.ID_CARD, Document.HOUSEHOLD_BOOK, Document.PHOTOS),
    Kind.RENEWAL: (Document.ID_CARD, Document.PHOTOS, Document.OLD_CERTIFICATE),
    Kind.CHANGE: (Document.ID_CARD, Document.PHOTOS, Document.OLD_CERTIFICATE),
    Kind.REPLACEMENT: (Document.ID_CARD, Document.PHOTOS, Document.LOSS_STATEMENT),
    Kind.TRANSFER: (
        Document.ID_CARD, Document.HOUSEHOLD_BOOK, Document.MOVE_PROOF, Document.OLD_CERTIFICATE,
    ),
}  # fmt: skip


def id_card_age(on: datetime.date, region: str) -> int:
    """The age from which an applicant proves identity with the ID card; a younger one may
    use the household registration book instead (dated parameter certificates.id_card_age,
    《居民身份证法》第二条: 16). Where no value is in force (before the law), 0: the ID card."""
    return dated.count(dated.ID_CARD_AGE, on=on, region=region)


def required_documents(*, kind: str, category: int, age: int, id_card_from: int) -> tuple[str, ...]:
    """The documents an application of `kind` needs: a guardian's proof for intellectual or
    mental disability and for minors. An applicant under `id_card_from` (id_card_age) proves
    identity with the household registration book: it takes the ID card's place."""
    needed = BASE_DOCUMENTS[kind]
    if age < id_card_from:
        needed = tuple(
            Document.HOUSEHOLD_BOOK if code == Document.ID_CARD else code for code in needed
        )
        needed = tuple(dict.fromkeys(needed))  # a first application lists the book already
    if kind == Kind.FIRST and _needs_guardian(category, age):
        needed = (*needed, Document.GUARDIAN_PROOF)
    return needed


def _needs_guardian(category: int, age: int) -> bool:
    return category in GUARDIAN_CATEGORIES or age < ADULT_AGE


@dataclasses.dataclass
class Applicant:
    """The particulars a first application gives about a person not yet certified."""

    id_number: str
    name: str
    ethnicity: str
    place_code: str
    address: str = ""
    phone: str = ""
    guardian_name: str = ""
    guardian_relation: str = ""
    guardian_phone: str = ""


@dataclasses.dataclass
class Submission:
    """An application at the window: the application built from what was brought, the input
    as given, and what the checks need to know of the registry."""

    application: Application
    acting_user: Actor
    documents: Sequence[str]
    reason: str  # as typed: its length is checked before it is trimmed
    category: int | None  # as chosen: the category applied for (first) or changed to
    target_place_code: str = ""
    applicant: Applicant | None = None
    id_check: idcard.IdCheck | None = None
    place: Place | None = None  # the applicant's household registration, if it exists
    known: Person | None = None  # the registry's record of the applicant's ID number
    holder: Person | None = None
    current: Certificate | None = None  # the holder's valid certificate
    errors: rules.Errors = dataclasses.field(default_factory=dict)

    @property
    def kind(self) -> str:
        return self.application.kind

    @property
    def received_on(self) -> datetime.date:
        return self.application.received_on


# --- What every application is checked for ---------------------------------------------------


def _received_on_not_future(s: Submission) -> Iterator[Problem]:
    yield from not_future(s.received_on, "received_on")


def _who_brings_it(s: Submission) -> Iterator[Problem]:
    if s.application.applied_by not in AppliedBy.values:
        yield "applied_by", _("Choose who brings the application.")
    elif s.application.applied_by == AppliedBy.PROXY and not s.application.proxy_name:
        yield "proxy_name", _("Enter the proxy's name.")


def _reason_short(s: Submission) -> Iterator[Problem]:
    if len(s.reason) > REASON_LIMIT:
        yield "reason", _("This is longer than %(limit)s characters.") % {"limit": REASON_LIMIT}


def _tour_matches(s: Submission) -> Iterator[Problem]:
    """An application taken on a tour: a household of the tour's county, during the tour."""
    app, tour = s.application, s.application.tour
    if tour is None:
        return
    if not app.place_id or not app.region_prefix.startswith(tour.county.prefix):
        yield "tour", _("The applicant's household is not in this tour's county.")
    elif not tour.starts_on <= s.received_on <= tour.ends_on:
        yield (
            "received_on",
            _("The tour runs from %(start)s to %(end)s.")
            % {
                "start": day_text(tour.starts_on),
                "end": day_text(tour.ends_on),
            },
        )


def _no_open_application(s: Submission) -> Iterator[Problem]:
    index = s.application.id_number_index
    if not index:
        return
    open_place = (
        Application.objects.filter(id_number_index=index, status__in=OPEN_STATUSES)
        .values_list("place_id", flat=True)
        .first()
    )
    if open_place is not None:
        yield (
            "id_number" if s.kind == Kind.FIRST else "person",
            _("This person already has an application in progress.")
            if covers(s.acting_user, str(open_place))
            else outside_refusal(),
        )


def _age(s: Submission) -> int:
    # Without a valid ID number the age is unknown: the category alone decides.
    app = s.application
    return people.age_on(app.birth_date, s.received_on) if app.birth_date else ADULT_AGE


def _documents_complete(s: Submission) -> Iterator[Problem]:
    category = s.application.category
    if not category:
        return
    age, app = _age(s), s.application
    id_card_from = id_card_age(s.received_on, app.region_prefix if app.place_id else "")
    needed = required_documents(kind=s.kind, category=category, age=age, id_card_from=id_card_from)
    # A child's household book stands in for the ID card, which a child may still bring; where
    # the kind asks for the book anyway (first application, transfer) the book is required.
    either = age < id_card_from and Document.HOUSEHOLD_BOOK not in BASE_DOCUMENTS[s.kind]
    missing = [_missing_label(code, either) for code in needed if not _has(s, code, either)]
    if missing:
        yield (
            "documents",
            _("Documents missing: %(documents)s.") % {"documents": "、".join(missing)},
        )


def _has(s: Submission, code: str, either: bool) -> bool:
    if either and code == Document.HOUSEHOLD_BOOK:
        return code in s.documents or Document.ID_CARD in s.documents
    return code in s.documents


def _missing_label(code: str, either: bool) -> str:
    if either and code == Document.HOUSEHOLD_BOOK:
        return _("household registration book (or ID card)")
    return str(Document(code).label)


def _guardian_named(s: Submission) -> Iterator[Problem]:
    app = s.application
    if (
        s.kind == Kind.FIRST
        and app.category
        and _needs_guardian(app.category, _age(s))
        and not app.guardian_name
    ):
        yield (
            "guardian_name",
            _(
                "A minor or a person with an intellectual or mental disability needs a "
                "guardian: enter the guardian's name."
            ),
        )


def _category_graded_at_this_age(s: Submission) -> Iterator[Problem]:
    """Speech disability is not graded under 3 (GB/T 26341-2010): an application for it is
    refused at the window, with the day from which it is accepted."""
    app = s.application
    if not app.needs_assessment or not app.category or not app.birth_date:
        return
    refusal = grading.not_graded(app.category, _age(s))
    if refusal:
        opens = _birthday(app.birth_date, grading.SPEECH_MIN_AGE)
        yield (
            "category",
            refusal + _(" An application is accepted from %(date)s.") % {"date": day_text(opens)},
        )


def _birthday(birth: datetime.date, years: int) -> datetime.date:
    """The day a person born on `birth` turns `years` (1 March for 29 February)."""
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:
        return datetime.date(birth.year + years, 3, 1)


def _documents_known(s: Submission) -> Iterator[Problem]:
    if set(s.documents) - set(Document.values):
        yield "documents", _("Unknown document in the checklist.")


# --- A first application: the applicant's particulars and the registry -----------------------


def _applicant(s: Submission) -> Applicant:
    assert s.applicant is not None
    return s.applicant


def _id_number_valid(s: Submission) -> Iterator[Problem]:
    assert s.id_check is not None
    for message in s.id_check.errors:
        yield "id_number", message


def _name_usable(s: Submission) -> Iterator[Problem]:
    problem = people.name_problem(_applicant(s).name)
    if problem:
        yield "name", problem


def _place_usable(s: Submission) -> Iterator[Problem]:
    problem = people.place_problem(s.place, s.acting_user)
    if problem:
        yield "place_code", problem


def _ethnicity_chosen(s: Submission) -> Iterator[Problem]:
    if _applicant(s).ethnicity not in people.ETHNICITIES:
        yield "ethnicity", _("Choose the ethnic group.")


def _phones_valid(s: Submission) -> Iterator[Problem]:
    for field in ("phone", "guardian_phone"):
        _phone, problem = people.phone_problem(getattr(_applicant(s), field))
        if problem:
            yield field, problem


def _texts_short(s: Submission) -> Iterator[Problem]:
    for field, limit in people.TEXT_LIMITS.items():
        if len(getattr(_applicant(s), field, "") or "") > limit:
            yield field, _("This is longer than %(limit)s characters.") % {"limit": limit}


def _category_chosen(s: Submission) -> Iterator[Problem]:
    if s.category not in people.CATEGORIES:
        yield "category", _("Choose the category of disability applied for.")


def _new_to_the_registry(s: Submission) -> Iterator[Problem]:
    """No one on the registry holds the ID number, or its holder may apply again."""
    known = s.known
    if known is None:
        return
    if not covers(s.acting_user, known.place_id):
        yield "id_number", outside_refusal()
    elif known.life_status == LifeStatus.ACTIVE:
        yield (
            "id_number",
            _(
                "This person already holds a certificate: apply for a renewal, change or "
                "replacement instead."
            ),
        )
    elif known.life_status == LifeStatus.DECEASED:
        yield "id_number", _("The registry records this person as deceased.")
    else:
        ends = lock_ends(known)
        if ends is not None and s.received_on < ends:
            yield (
                "id_number",
                _(
                    "The certificate was cancelled: a new application is accepted from "
                    "%(date)s, one year after the cancellation."
                )
                % {"date": day_text(ends)},
            )


# --- A holder's application: the certificate it acts on --------------------------------------


def _holder(s: Submission) -> Person:
    assert s.holder is not None
    return s.holder


def _holder_in_force(s: Submission) -> Iterator[Problem]:
    holder = _holder(s)
    if holder.life_status != LifeStatus.ACTIVE:
        yield (
            "person",
            _("This person's certificate is no longer in force (%(status)s).")
            % {"status": holder.get_life_status_display()},
        )


def _holds_valid_certificate(s: Submission) -> Iterator[Problem]:
    # Said only when nothing else is wrong so far: one reason is enough for a holder whose
    # certificate is no longer in force.
    if s.current is None and not s.errors:
        yield "person", _("This person holds no valid certificate.")


def _category_changed_to(s: Submission) -> Iterator[Problem]:
    if s.kind == Kind.CHANGE and s.category is not None and s.category not in people.CATEGORIES:
        yield "category", _("Choose the category of disability applied for.")


def _renewal_in_window(s: Submission) -> Iterator[Problem]:
    """A renewal is accepted in the days before the certificate expires that the holder's
    county sets on the day received (``certificates.renewal.window_days``)."""
    if s.kind != Kind.RENEWAL or s.current is None or s.holder is None:
        return
    days = dated.renewal_window_days(on=s.received_on, region=str(s.holder.place_id))
    opens = s.current.expires_on - datetime.timedelta(days=days)
    if s.received_on < opens:
        yield (
            "kind",
            _(
                "A renewal is accepted in the %(days)s days before the certificate expires "
                "(from %(date)s)."
            )
            % {"days": days, "date": day_text(opens)},
        )


def _replacement_not_expired(s: Submission) -> Iterator[Problem]:
    if (
        s.kind == Kind.REPLACEMENT
        and s.current is not None
        and s.current.expires_on <= s.received_on
    ):
        yield (
            "kind",
            _("The certificate has expired: apply for a renewal instead of a replacement."),
        )


def _replacement_lost_or_damaged(s: Submission) -> Iterator[Problem]:
    """A replacement is issued for a lost or a damaged card only (certificates.cards)."""
    if s.kind == Kind.REPLACEMENT and s.application.replacement_reason not in (
        ReplacementReason.values
    ):
        yield (
            "replacement_reason",
            _("Choose whether the certificate was lost or damaged: only these are replaced."),
        )


def _transfer_to_another_county(s: Submission) -> Iterator[Problem]:
    if s.kind != Kind.TRANSFER:
        return
    code = s.target_place_code
    target = Place.objects.filter(code=code).first() if code else None
    if target is None or target.level < PlaceLevel.TOWNSHIP:
        yield "target_place", _("Choose the township or village of the new household registration.")
    elif target.code[:6] == _holder(s).county_code:
        yield (
            "target_place",
            _("The new household registration is in the same county: edit the address instead."),
        )


WINDOW_CHECKS: tuple[rules.Check[Submission], ...] = (
    _received_on_not_future,
    _who_brings_it,
    _reason_short,
)
COMMON_CHECKS: tuple[rules.Check[Submission], ...] = (
    _tour_matches,
    _no_open_application,
    _documents_complete,
    _guardian_named,
    _category_graded_at_this_age,
    _documents_known,
)
FIRST_CHECKS: tuple[rules.Check[Submission], ...] = (
    *WINDOW_CHECKS,
    _id_number_valid,
    _name_usable,
    _place_usable,
    _ethnicity_chosen,
    _phones_valid,
    _texts_short,
    _category_chosen,
    _new_to_the_registry,
    *COMMON_CHECKS,
)
HOLDER_CHECKS: tuple[rules.Check[Submission], ...] = (
    *WINDOW_CHECKS,
    _holder_in_force,
    _holds_valid_certificate,
    _category_changed_to,
    _renewal_in_window,
    _replacement_not_expired,
    _replacement_lost_or_damaged,
    _transfer_to_another_county,
    *COMMON_CHECKS,
)
