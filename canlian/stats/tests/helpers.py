"""Crafted records for the statistics tests: certificates, applications, objections and
payment rolls whose dates sit exactly on the boundaries a figure's rule turns on."""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils import timezone

from canlian.benefits.models import Programme
from canlian.certificates import services
from canlian.certificates.models import (
    Application,
    AppliedBy,
    Certificate,
    CertificateStatus,
    Document,
    Issue,
    Kind,
    Level,
    Objection,
    Status,
)
from canlian.certificates.services.application_checks import Applicant
from canlian.lib import idcard
from canlian.payroll.models import Line, LineKind, Roll, RollStatus, Stop
from canlian.people.models import Person

D = datetime.date
BASIC = [Document.ID_CARD, Document.HOUSEHOLD_BOOK, Document.PHOTOS]
CARE = Programme.CARE.value
SEQUENCE = itertools.count(600)


def certificate(person: Person, issued_on: datetime.date, issue: str, **values: Any) -> Certificate:
    """A certificate of `person` as its issue left it: crafted, so that its dates sit on the
    boundaries (the services date everything today or later)."""
    values.setdefault("status", CertificateStatus.SUPERSEDED)
    values.setdefault("county_id", person.place_id[:6] + "000000")
    return Certificate.objects.create(
        person=person,
        category=values.pop("category", person.category),
        grade=values.pop("grade", person.grade),
        issued_on=issued_on,
        expires_on=issued_on.replace(year=issued_on.year + 10),
        issue=issue,
        card_suffix=values.pop("card_suffix", 1 if issue == Issue.REPLACEMENT else 0),
        **values,
    )


def first_application(
    clerk: Any, place: str, received_on: datetime.date, **state: Any
) -> Application:
    """A first application received on `received_on` through the window's service, then set
    to the state given (status, dates) as the later steps would have left it."""
    application = services.submit_application(
        kind=Kind.FIRST,
        acting_user=clerk,
        received_on=received_on,
        applied_by=AppliedBy.SELF,
        documents=BASIC,
        category=4,
        applicant=Applicant(
            id_number=idcard.build(
                region_code=place[:6], birth_date=D(1980, 4, 2), sequence=next(SEQUENCE)
            ),
            name="赵新民",
            ethnicity="01",
            place_code=place,
        ),
    )
    if state:
        Application.objects.filter(pk=application.pk).update(**state)
    application.refresh_from_db()
    return application


def objection(application: Application, filed_on: datetime.date, **values: Any) -> Objection:
    values.setdefault("level", Level.CITY)
    values.setdefault("decision_due", filed_on + datetime.timedelta(days=30))
    return Objection.objects.create(
        application=application,
        filed_on=filed_on,
        grounds="不服评定结论",
        previous_status=values.pop("previous_status", Status.PUBLICITY),
        filed_by=application.received_by,
        **values,
    )


def roll(county: str, month: datetime.date, lines: Sequence[tuple[Person, str, Decimal]],
         *, programme: str = CARE, approved: bool = True,
         stops: Sequence[tuple[Person, list[str]]] = ()) -> Roll:  # fmt: skip
    """A roll with its lines (person, kind, amount) and stops, approved unless said: crafted,
    so that its month and its lines are exactly those a figure's rule turns on."""
    made = Roll.objects.create(
        county=county,
        programme=programme,
        month=month,
        prepared_by_name="测试",
        prepared_at=timezone.now(),
    )
    for person, kind, amount in lines:
        # Back pay for the month two months earlier.
        paid_for = month if kind == LineKind.REGULAR else month.replace(month=month.month - 2)
        Line.objects.create(
            roll=made, person=person, programme=programme, month=paid_for, kind=kind,
            amount=amount, account_id=1,
        )  # fmt: skip
    for person, conditions in stops:
        Stop.objects.create(roll=made, person=person, conditions=conditions)
    if approved:
        Roll.objects.filter(pk=made.pk).update(status=RollStatus.APPROVED)
    return made
