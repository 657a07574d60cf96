"""The certificate figures: each rule of their definitions on crafted data, on both sides of
its boundary; a county clerk's count without the other county; the drill-down's records equal
to the number; overdue applications on today equal to the worklists' overdue counts."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from canlian.certificates import selectors
from canlian.certificates.models import (
    Application,
    Assessment,
    CancelledCard,
    CancelReason,
    CertificateStatus,
    Issue,
    Level,
    ObjectionOutcome,
    ReplacementReason,
    Status,
)
from canlian.people.models import Person
from canlian.stats import catalogue
from canlian.stats.catalogue import Query
from canlian.stats.tests.helpers import certificate, first_application, objection

pytestmark = pytest.mark.django_db

D = datetime.date
START, END = D(2025, 1, 1), D(2025, 6, 30)
BEFORE, AFTER = D(2024, 12, 31), D(2025, 7, 1)
DAY = D(2025, 6, 30)
DAY_BEFORE, DAY_AFTER = D(2025, 6, 29), D(2025, 7, 1)
RECEIVED_ON = D(2025, 6, 2)
WEN, MENG = "410825", "410883"


def compute(figure_id: str, region: str = "4108", by: tuple[str, ...] = (), **dates: Any) -> Any:
    figure = catalogue.figure(figure_id)
    if figure.timing == catalogue.AS_OF:
        query = Query(region=region, as_of=dates.get("as_of", DAY), by=by)
    else:
        query = Query(region=region, start=START, end=END, by=by)
    return catalogue.compute(figure, query)


def records(figure_id: str, region: str = "4108", **cell: Any) -> set[int]:
    figure = catalogue.figure(figure_id)
    assert figure.records is not None
    if figure.timing == catalogue.AS_OF:
        query = Query(region=region, as_of=DAY, cell=cell)
    else:
        query = Query(region=region, start=START, end=END, cell=cell)
    return set(figure.records(query).values_list("pk", flat=True))


def by(result: Any, *dimensions: str) -> dict[Any, Any]:
    key = result.figure.key
    return {
        tuple(row[d] for d in dimensions) if len(dimensions) > 1 else row[dimensions[0]]: row[key]
        for row in result.rows
    }


# --- Certificates issued and cancelled -----------------------------------------------------------


@pytest.fixture
def holders(make_person: Any) -> dict[str, Person]:
    return {
        "wen": make_person(certificate_issued_on=D(2019, 3, 1)),
        "wen2": make_person(certificate_issued_on=D(2019, 3, 1), category=1, grade=1),
        "meng": make_person(certificate_issued_on=D(2019, 3, 1), place_code="410883001001"),
    }


@pytest.mark.parametrize(
    ("figure_id", "issue"),
    [
        ("certificates.issued_first", Issue.FIRST),
        ("certificates.renewed", Issue.RENEWAL),
        ("certificates.changed", Issue.CHANGE),
        ("certificates.replaced", Issue.REPLACEMENT),
    ],
)
def test_certificates_issued_count_their_kind_issued_in_the_period(
    holders: dict[str, Person], figure_id: str, issue: str
) -> None:
    wen, wen2, meng = holders["wen"], holders["wen2"], holders["meng"]
    inside = {
        certificate(wen, START, issue).pk,
        certificate(wen2, END, issue, card_suffix=2 if issue == Issue.REPLACEMENT else 0).pk,
        certificate(meng, D(2025, 3, 3), issue).pk,
    }
    certificate(wen, BEFORE, issue, card_suffix=3 if issue == Issue.REPLACEMENT else 0)
    certificate(wen, AFTER, issue, card_suffix=4 if issue == Issue.REPLACEMENT else 0)
    other = Issue.RENEWAL if issue != Issue.RENEWAL else Issue.FIRST
    certificate(wen2, D(2025, 3, 3), other)  # another kind of issue in the period

    assert compute(figure_id).total == 3
    assert records(figure_id) == inside
    assert by(compute(figure_id, by=("county",)), "county") == {WEN: 2, MENG: 1}
    assert by(compute(figure_id, by=("category", "grade")), "category", "grade") == {
        (4, 2): 2,
        (1, 1): 1,
    }
    # A county clerk's region: the other county's certificate is not counted nor listed.
    assert compute(figure_id, region=WEN).total == 2
    assert records(figure_id, region=WEN) == inside - {c.pk for c in meng.certificates.all()}
    assert records(figure_id, county=WEN, grade=1) == {wen2.certificates.get(issued_on=END).pk}


def test_certificates_cancelled_count_cancellations_in_the_period_by_reason(
    holders: dict[str, Person],
) -> None:
    wen, wen2, meng = holders["wen"], holders["wen2"], holders["meng"]
    cancelled = CertificateStatus.CANCELLED
    death = certificate(wen, D(2015, 1, 1), Issue.FIRST, status=cancelled, ended_on=START,
                        cancel_reason=CancelReason.DEATH)  # fmt: skip
    request = certificate(wen2, D(2016, 1, 1), Issue.FIRST, status=cancelled, ended_on=END,
                          cancel_reason=CancelReason.REQUEST)  # fmt: skip
    elsewhere = certificate(meng, D(2016, 1, 1), Issue.FIRST, status=cancelled,
                            ended_on=D(2025, 2, 2),
                            cancel_reason=CancelReason.NOT_MEETING)  # fmt: skip
    certificate(wen, D(2014, 1, 1), Issue.RECORDED, status=cancelled, ended_on=BEFORE,
                cancel_reason=CancelReason.REQUEST)  # fmt: skip
    certificate(wen2, D(2014, 1, 1), Issue.RECORDED, status=cancelled, ended_on=AFTER,
                cancel_reason=CancelReason.REQUEST)  # fmt: skip
    # Superseded by a renewal in the period: ended, not cancelled.
    certificate(meng, D(2015, 1, 1), Issue.FIRST, ended_on=D(2025, 3, 1))

    assert records("certificates.cancelled") == {death.pk, request.pk, elsewhere.pk}
    assert by(compute("certificates.cancelled", by=("cancel_reason",)), "cancel_reason") == {
        CancelReason.DEATH: 1,
        CancelReason.REQUEST: 1,
        CancelReason.NOT_MEETING: 1,
    }
    assert compute("certificates.cancelled", region=WEN).total == 2
    assert records("certificates.cancelled", cancel_reason=CancelReason.DEATH) == {death.pk}


def test_card_numbers_cancelled_count_replacements_in_the_period_by_reason(
    holders: dict[str, Person],
) -> None:
    wen, meng = holders["wen"], holders["meng"]
    old = certificate(wen, D(2019, 3, 1), Issue.FIRST)
    new = certificate(wen, START, Issue.REPLACEMENT)

    def card(person: Person, on: datetime.date, suffix: int, reason: str) -> CancelledCard:
        return CancelledCard.objects.create(
            person=person, category=4, grade=2, suffix=suffix, certificate=old, replaced_by=new,
            reason=reason, cancelled_on=on,
        )  # fmt: skip

    lost = card(wen, START, 0, ReplacementReason.LOST)
    damaged = card(wen, END, 1, ReplacementReason.DAMAGED)
    card(wen, BEFORE, 2, ReplacementReason.LOST)
    card(wen, AFTER, 3, ReplacementReason.LOST)
    assert records("certificates.cards_cancelled") == {lost.pk, damaged.pk}
    assert by(compute("certificates.cards_cancelled", by=("card_reason",)), "card_reason") == {
        ReplacementReason.LOST: 1,
        ReplacementReason.DAMAGED: 1,
    }
    # The replaced certificate was issued by 温县: 孟州市's clerk counts none.
    assert compute("certificates.cards_cancelled", region=MENG).total == 0
    assert meng.pk not in {c.person_id for c in CancelledCard.objects.all()}


def test_a_township_counts_the_certificates_of_its_holders(holders: dict[str, Person]) -> None:
    """Below a county the holder's household today decides (a certificate row keeps only
    its issuing county)."""
    certificate(holders["wen"], START, Issue.FIRST)
    certificate(holders["meng"], START, Issue.FIRST)
    assert compute("certificates.issued_first", region="410825001").total == 1
    assert compute("certificates.issued_first", region="410825002").total == 0


# --- Applications open and overdue ---------------------------------------------------------------


@pytest.fixture
def apply(county_clerk: Any, other_county_clerk: Any) -> Any:
    """A first application received on `received_on`, then set to the state given (status,
    dates) as the steps would have left it."""

    def make(received_on: datetime.date = RECEIVED_ON, place: str = "410825001001",
             **state: Any) -> Application:  # fmt: skip
        clerk = county_clerk if place.startswith(WEN) else other_county_clerk
        return first_application(clerk, place, received_on, **state)

    return make


def test_an_application_is_open_from_its_receipt_until_its_decision(apply: Any) -> None:
    received_on_the_day = apply(received_on=DAY)
    received_the_day_after = apply(received_on=DAY_AFTER)
    decided_the_day_after = apply(status=Status.ISSUED, decided_on=DAY_AFTER)
    decided_on_the_day = apply(status=Status.ISSUED, decided_on=DAY)
    withdrawn_before = apply(status=Status.WITHDRAWN, decided_on=DAY_BEFORE)
    still_open = apply(status=Status.BOOKED)
    open_ids = records("certificates.applications_open")
    assert received_on_the_day.pk in open_ids
    assert decided_the_day_after.pk in open_ids and still_open.pk in open_ids
    assert received_the_day_after.pk not in open_ids
    assert decided_on_the_day.pk not in open_ids and withdrawn_before.pk not in open_ids
    assert compute("certificates.applications_open").total == len(open_ids) == 3


def test_an_objection_keeps_or_makes_an_application_open(apply: Any) -> None:
    """Issued before the day, then under an objection on the day: open. An objection decided
    the day before (the conclusion stands): closed again. A changed conclusion reopens the
    application from the objection's decision until it is decided again."""
    objected = apply(status=Status.OBJECTION, decided_on=D(2025, 6, 10))
    objection(objected, DAY, previous_status=Status.ISSUED)
    upheld = apply(status=Status.ISSUED, decided_on=D(2025, 6, 10))
    objection(upheld, D(2025, 6, 12), previous_status=Status.ISSUED, decided_on=DAY_BEFORE,
              outcome=ObjectionOutcome.UPHELD)  # fmt: skip
    objected_after = apply(status=Status.OBJECTION, decided_on=D(2025, 6, 10))
    objection(objected_after, DAY_AFTER, previous_status=Status.ISSUED)
    changed = apply(status=Status.PUBLICITY, decided_on=D(2025, 6, 10))
    objection(changed, D(2025, 6, 12), previous_status=Status.ISSUED, decided_on=DAY,
              outcome=ObjectionOutcome.CHANGED, grade=3)  # fmt: skip
    changed_after = apply(status=Status.PUBLICITY, decided_on=D(2025, 6, 10))
    objection(changed_after, D(2025, 6, 12), previous_status=Status.ISSUED,
              decided_on=DAY_AFTER, outcome=ObjectionOutcome.CHANGED, grade=3)  # fmt: skip
    open_ids = records("certificates.applications_open")
    assert objected.pk in open_ids and changed.pk in open_ids
    # Under the objection from 06-12 to the day after: open on the day.
    assert changed_after.pk in open_ids
    assert upheld.pk not in open_ids and objected_after.pk not in open_ids


def test_overdue_applications_by_step_on_both_sides_of_each_last_day(apply: Any) -> None:
    review_due_before = apply(status=Status.PUBLICITY, publicity_ends_on=D(2025, 6, 13),
                              review_due=DAY_BEFORE)  # fmt: skip
    review_due_on_the_day = apply(status=Status.PUBLICITY, publicity_ends_on=D(2025, 6, 13),
                                  review_due=DAY)  # fmt: skip
    minor_due_before = apply(status=Status.AWAITING_REVIEW, review_due=DAY_BEFORE)
    booked_before = apply(status=Status.BOOKED)
    Assessment.objects.create(application=booked_before, level=Level.INITIAL,
                              booked_for=DAY_BEFORE)  # fmt: skip
    booked_on_the_day = apply(status=Status.BOOKED)
    Assessment.objects.create(application=booked_on_the_day, level=Level.INITIAL, booked_for=DAY)
    assessed_the_day_after = apply(status=Status.ASSESSED)
    Assessment.objects.create(application=assessed_the_day_after, level=Level.INITIAL,
                              booked_for=D(2025, 6, 20), assessed_on=DAY_AFTER)  # fmt: skip
    assessed_on_the_day = apply(status=Status.ASSESSED)
    Assessment.objects.create(application=assessed_on_the_day, level=Level.INITIAL,
                              booked_for=D(2025, 6, 20), assessed_on=DAY)  # fmt: skip
    objection_due_before = apply(status=Status.OBJECTION, review_due=D(2025, 6, 1))
    objection(objection_due_before, D(2025, 6, 1), decision_due=DAY_BEFORE)
    objection_due_on_the_day = apply(status=Status.OBJECTION, review_due=D(2025, 6, 1))
    objection(objection_due_on_the_day, D(2025, 6, 1), decision_due=DAY)
    reviewed_late = apply(status=Status.ISSUED, review_due=D(2025, 6, 1), decided_on=DAY)

    overdue = records("certificates.applications_overdue")
    assert overdue == {
        review_due_before.pk, minor_due_before.pk, booked_before.pk, assessed_the_day_after.pk,
        objection_due_before.pk,
    }  # fmt: skip
    assert not overdue & {
        review_due_on_the_day.pk, booked_on_the_day.pk, assessed_on_the_day.pk,
        objection_due_on_the_day.pk, reviewed_late.pk,
    }  # fmt: skip
    # Under an objection not yet due, the review's passed last day does not make it overdue.
    steps = by(compute("certificates.applications_overdue", by=("step",)), "step")
    assert steps == {"review": 2, "assess": 2, "objection": 1}
    assert records("certificates.applications_overdue", step="assess") == {
        booked_before.pk,
        assessed_the_day_after.pk,
    }


def test_applications_count_in_the_county_of_the_household(apply: Any) -> None:
    wen = apply(status=Status.BOOKED)
    meng = apply(status=Status.BOOKED, place="410883001001")
    assert by(compute("certificates.applications_open", by=("county",)), "county") == {
        WEN: 1,
        MENG: 1,
    }
    assert records("certificates.applications_open", region=WEN) == {wen.pk}
    assert records("certificates.applications_open", region=MENG) == {meng.pk}


def test_on_today_open_and_overdue_equal_the_worklists(apply: Any, city_staff: Any) -> None:
    """The worklists count by status on today; the figures by the dates: the same answer."""
    today = timezone.localdate()
    past = today - datetime.timedelta(days=40)
    late, soon = today - datetime.timedelta(days=1), today + datetime.timedelta(days=3)
    apply(received_on=past, status=Status.PUBLICITY, publicity_ends_on=past, review_due=late)
    apply(received_on=past, status=Status.PUBLICITY, publicity_ends_on=past, review_due=today)
    apply(received_on=past, status=Status.AWAITING_REVIEW, review_due=late)
    for booked_for in (late, soon):
        booked = apply(received_on=past, status=Status.BOOKED)
        Assessment.objects.create(application=booked, level=Level.INITIAL, booked_for=booked_for)
    for due in (late, soon):
        objected = apply(received_on=past, status=Status.OBJECTION, decided_on=past)
        objection(objected, past, previous_status=Status.ISSUED, decision_due=due)
    apply(received_on=past, status=Status.SUBMITTED)
    apply(received_on=past, status=Status.REFUSED, decided_on=late)

    worklists = selectors.worklists(city_staff, today)
    overdue = sum(w.overdue for w in worklists)
    figure = catalogue.figure("certificates.applications_overdue")
    counted = catalogue.compute(figure, Query(region="4108", as_of=today)).total
    assert overdue == counted == 4
    is_open = Application.objects.filter(status__in=selectors.OPEN_STATUSES).count()
    opened = catalogue.figure("certificates.applications_open")
    assert catalogue.compute(opened, Query(region="4108", as_of=today)).total == is_open == 8


# --- Objections ----------------------------------------------------------------------------------


def test_objections_received_and_decided_count_by_their_own_day(apply: Any) -> None:
    first = apply(status=Status.ISSUED, decided_on=D(2024, 12, 1))
    second = apply(status=Status.ISSUED, decided_on=D(2024, 12, 1))
    meng = apply(status=Status.ISSUED, decided_on=D(2024, 12, 1), place="410883001001")
    received_on_start = objection(first, START, decided_on=AFTER,
                                  outcome=ObjectionOutcome.UPHELD)  # fmt: skip
    received_before = objection(second, BEFORE, decided_on=END,
                                outcome=ObjectionOutcome.CHANGED, grade=3)  # fmt: skip
    province = objection(second, D(2025, 7, 1), level=Level.PROVINCE)
    in_meng = objection(meng, D(2025, 5, 5), decided_on=D(2025, 5, 20),
                        outcome=ObjectionOutcome.UPHELD)  # fmt: skip

    assert records("certificates.objections_received") == {received_on_start.pk, in_meng.pk}
    assert records("certificates.objections_decided") == {received_before.pk, in_meng.pk}
    outcomes = by(compute("certificates.objections_decided", by=("outcome",)), "outcome")
    assert outcomes == {ObjectionOutcome.CHANGED: 1, ObjectionOutcome.UPHELD: 1}
    assert compute("certificates.objections_decided", region=WEN).total == 1
    assert compute("certificates.objections_received", region=MENG).total == 1
    assert province.pk not in records("certificates.objections_received")
