"""Following a certificate application without an account: the public progress page
(/portal/certificates/).

At the county window the applicant is given the application's receipt code
(canlian.lib.receipt_codes; not the application's number, which is sequential). With it and
the last six characters of their ID number, anyone holding the receipt can see where the
application is: the kind of application and the category, the date received, the status in
words written for the applicant, the steps with the dates they were taken and their last
days, and what happens next. Nothing else: the name masked, no ID number, grade, assessment
(institution, assessor, measures), address, reason or officer.

Guessing is limited by canlian.accounts.public_lookups, one budget shared with the subsidy
page. A lookup that finds an application is an access record in the audit log, written under
the limiter's locks.
"""

from __future__ import annotations

import dataclasses
import datetime

from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from canlian.accounts import public_lookups
from canlian.accounts import reveal as gate
from canlian.audit import records as audit
from canlian.certificates import services, step_map
from canlian.certificates.models import Application, Status
from canlian.lib import masks, steps
from canlian.lib.receipts import Office
from canlian.places.models import Level
from canlian.places.offices import office_of

__all__ = ["PAGE", "PUBLIC_STATUS", "Found", "lookup", "public_status", "what_next"]

PAGE = "certificate"  # in the limiter's record

# The status in the applicant's words (the staff's labels name internal steps).
PUBLIC_STATUS: dict[str, Promise] = {
    Status.SUBMITTED: gettext_lazy("Accepted: an assessment is being arranged"),
    Status.BOOKED: gettext_lazy("An assessment has been booked"),
    Status.ASSESSED: gettext_lazy("Assessed: the conclusion is to be posted"),
    Status.PUBLICITY: gettext_lazy("The conclusion is posted for comment"),
    Status.AWAITING_REVIEW: gettext_lazy("The county federation is reviewing the conclusion"),
    Status.OBJECTION: gettext_lazy("An objection to the conclusion is being considered"),
    Status.ISSUED: gettext_lazy("Certificate issued"),
    Status.COMPLETED: gettext_lazy("Completed"),
    Status.REFUSED: gettext_lazy("Not accepted"),
    Status.NOT_QUALIFIED: gettext_lazy(
        "The assessment found that the standard for a certificate is not met"
    ),
    Status.REJECTED: gettext_lazy("Not granted at the county federation's review"),
    Status.WITHDRAWN: gettext_lazy("Withdrawn"),
}
_DOCUMENTS_CHECKED = gettext_lazy("Accepted: the county federation is checking the documents")
_POSTING_ENDED = gettext_lazy("The posting has ended: the county federation is reviewing")
_CLOSED_WITH_REASON = (Status.REFUSED, Status.NOT_QUALIFIED, Status.REJECTED)


@dataclasses.dataclass(frozen=True)
class Found:
    application: Application
    masked_name: str
    status: str
    steps: list[steps.Step]
    next_steps: list[str]
    office: Office


def _matching(receipt: str, id_tail: str) -> Application | None:
    application = (
        Application.objects.filter(receipt=receipt)
        .select_related("place", "place__parent", "place__parent__parent")
        .first()
    )
    if application is None:
        return None
    if not gate.ends_with(target=application, field="id_number", tail=id_tail):
        return None
    return application


@transaction.atomic
def lookup(*, receipt: str, id_tail: str, client: str) -> Found | None:
    """The application with this receipt code whose ID number ends in ``id_tail`` (both
    normalised), or None. Raises public_lookups.TooManyAttempts past the limits, before
    looking."""
    application = public_lookups.attempt(
        page=PAGE, client=client, code=receipt, find=lambda: _matching(receipt, id_tail)
    )
    if application is None:
        return None
    audit.record_access(
        acting_user=None,
        action="certificate.progress_viewed",
        target=application,
        detail={"by": "receipt code and ID number's last six characters"},
        region=application.region_prefix,
    )
    prefetch_related_objects([application], "objections")
    today = timezone.localdate()
    return Found(
        application=application,
        masked_name=masks.name(application.name),
        status=public_status(application, today),
        steps=step_map.application_steps(application, today),
        next_steps=what_next(application, today),
        office=office_of(application.place, Level.COUNTY),
    )


def public_status(app: Application, today: datetime.date) -> str:
    """The status in the applicant's words on `today` (a posting whose last day has passed
    says so, as the staff's label does)."""
    if app.status == Status.SUBMITTED and not app.needs_assessment:
        return str(_DOCUMENTS_CHECKED)
    if app.publicity_over_on(today):
        return str(_POSTING_ENDED)
    return str(PUBLIC_STATUS[app.status])


def _day(day: datetime.date | None) -> str:
    return date_format(day, "Y-m-d") if day else ""


def _review(app: Application) -> list[str]:
    review = (
        _("The county federation reviews the conclusion by %(day)s.")
        % {"day": _day(app.review_due)}
        if app.review_due
        else _("The county federation reviews the conclusion.")
    )
    return [
        review,
        _("If the certificate is granted, it is issued; otherwise you are told the reason."),
    ]


def _objection(app: Application, today: datetime.date) -> list[str]:
    """The time left to object to the conclusion, while there is some."""
    if app.status not in services.OBJECTABLE or app.concluded_on is None:
        return []
    _level, deadline = services.objection_deadline(app)
    if deadline is None or deadline < today:
        return []
    return [
        _(
            "If you disagree with the conclusion, you may object until %(day)s: the county "
            "federation's office tells you how."
        )
        % {"day": _day(deadline)}
    ]


def what_next(app: Application, today: datetime.date) -> list[str]:
    """What happens next with `app` on `today`, in the applicant's words, with the last days
    known (the office and its phone are given beside)."""
    status = app.status
    if status in (Status.SUBMITTED, Status.BOOKED):
        return services.next_steps(app)
    if status == Status.ASSESSED:
        posted = _(
            "The conclusion is posted in your village or community for %(days)s working days."
        )
        return [
            posted % {"days": services.PUBLICITY_WORKING_DAYS},
            *_review(app),
            *_objection(app, today),
        ]
    if status == Status.PUBLICITY and not app.publicity_over_on(today):
        until = _("The conclusion stays posted until %(day)s.") % {
            "day": _day(app.publicity_ends_on)
        }
        return [until, *_review(app), *_objection(app, today)]
    if status in (Status.PUBLICITY, Status.AWAITING_REVIEW):
        return [*_review(app), *_objection(app, today)]
    if status == Status.OBJECTION:
        due = next((o.decision_due for o in app.objections.all() if o.open), None)
        decided = (
            _("The objection is decided by %(day)s, and you are told the decision.")
            % {"day": _day(due)}
            if due
            else _("You are told the decision on the objection.")
        )
        return [decided]
    if status == Status.ISSUED:
        return [
            _(
                "Ask the county federation's office where to collect the certificate, if you "
                "have not received it."
            ),
            *_objection(app, today),
        ]
    if status in _CLOSED_WITH_REASON:
        return [
            _(
                "The county federation tells you the reason; ask its office if you have not "
                "been told."
            ),
            *_objection(app, today),
        ]
    return [_("Nothing further happens on this application.")]
