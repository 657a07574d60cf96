"""Card numbers: a replacement takes the next suffix (B1, B2, …) and cancels the old number for
good; the card check answers valid, cancelled, not in force or unknown, in the user's
jurisdiction only; the registry's search accepts a number with a suffix."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.urls import reverse

from canlian.accounts import lookups
from canlian.audit.models import Entry
from canlian.certificates import cards, services
from canlian.certificates.models import (
    CancelledCard,
    CardStatus,
    Certificate,
    CertificateStatus,
    Issue,
    Kind,
    ObjectionOutcome,
)
from canlian.certificates.services.registry import create_certificate, current_certificate
from canlian.certificates.tests.conftest import holder_application, messages_of, post_and_review
from canlian.conftest import certificate_number_of, client_for, opened
from canlian.people.models import Person
from canlian.people.selectors import PersonFilters, search_persons

D = datetime.date
TODAY = D(2026, 2, 1)
pytestmark = pytest.mark.django_db


def replace(clerk: Any, holder: Person, on: D, reason: str = "lost") -> Certificate:
    application = holder_application(
        clerk, holder, Kind.REPLACEMENT, received_on=on, replacement_reason=reason
    )
    certificate = services.issue_without_assessment(
        application=application, on=on, acting_user=clerk
    )
    holder.refresh_from_db()
    return certificate


def number(holder: Person, suffix: str = "", category: int = 4, grade: int = 2) -> str:
    return f"{opened(holder)}{category}{grade}{suffix}"


@pytest.fixture
def holder(make_person: Any) -> Person:
    return make_person(category=4, grade=2, certificate_issued_on=D(2019, 3, 1))


# --- Suffixes ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("replacements", "current", "cancelled"),
    [
        (0, "42", []),  # never replaced: no suffix, nothing cancelled
        (1, "42B1", ["42"]),  # the first replacement
        (2, "42B2", ["42", "42B1"]),  # the second
    ],
)
def test_each_replacement_takes_the_next_suffix_and_cancels_the_old_number(
    holder: Person, county_clerk: Any, replacements: int, current: str, cancelled: list[str]
) -> None:
    for day in range(replacements):
        replace(county_clerk, holder, D(2026, 1, 5 + day))
    assert holder.certificate_number_masked == "*" * 18 + current
    assert certificate_number_of(holder).startswith(opened(holder))
    got = [c.number_masked[18:] for c in CancelledCard.objects.filter(person=holder)]
    assert got == cancelled
    valid = current_certificate(holder)
    assert valid is not None and valid.number_masked.endswith(current)


def test_a_cancelled_card_records_reason_date_and_clerk(holder: Person, county_clerk: Any) -> None:
    new = replace(county_clerk, holder, D(2026, 1, 6), reason="damaged")
    card = CancelledCard.objects.get(person=holder)
    assert (card.reason, card.cancelled_on, card.cancelled_by_id) == (
        "damaged",
        D(2026, 1, 6),
        county_clerk.pk,
    )
    assert card.replaced_by == new
    assert card.certificate.issue == Issue.RECORDED
    assert Entry.objects.filter(action="certificate.card_cancel", target_id=str(holder.pk)).exists()


def test_a_renewal_keeps_the_suffix_and_a_change_back_never_revives_a_cancelled_number(
    holder: Person, county_clerk: Any
) -> None:
    replace(county_clerk, holder, D(2026, 1, 5))  # …42 cancelled, …42B1 current
    assert cards.suffix_for(holder, 4, 2) == 1  # the renewal of …42B1 keeps B1
    assert cards.suffix_for(holder, 4, 1) == 0  # a change to grade 1: …41, never cancelled
    replace(county_clerk, holder, D(2026, 1, 6))  # …42B1 cancelled
    assert cards.suffix_for(holder, 4, 2) == 2


@pytest.mark.parametrize("reason", ["", "stolen", "遗失"])
def test_a_replacement_is_only_for_a_lost_or_damaged_card(
    holder: Person, county_clerk: Any, reason: str
) -> None:
    with pytest.raises(ValidationError) as exc:
        holder_application(county_clerk, holder, Kind.REPLACEMENT, replacement_reason=reason)
    assert "replacement_reason" in exc.value.message_dict
    assert "遗失" in messages_of(exc) or "lost" in messages_of(exc)


def test_the_database_refuses_a_number_cancelled_twice_or_a_replacement_without_suffix(
    holder: Person, county_clerk: Any
) -> None:
    replace(county_clerk, holder, D(2026, 1, 5))
    card = CancelledCard.objects.get(person=holder)
    with pytest.raises(IntegrityError), transaction.atomic():
        CancelledCard.objects.create(
            person=holder, category=4, grade=2, suffix=0, certificate=card.certificate,
            replaced_by=card.replaced_by, reason="lost", cancelled_on=D(2026, 1, 7),
        )  # fmt: skip
    new = card.replaced_by
    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.filter(pk=new.pk).update(card_suffix=0)
    # A second replacement card with the same suffix: refused.
    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.create(
            person=holder, category=4, grade=2, issued_on=D(2026, 1, 8),
            expires_on=D(2029, 3, 1), county_id="410825000000", issue=Issue.REPLACEMENT,
            status=CertificateStatus.SUPERSEDED, card_suffix=1,
        )  # fmt: skip


# --- The card check ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("asked", "status"),
    [
        ("42", CardStatus.CANCELLED),  # the lost card
        ("42B1", CardStatus.CANCELLED),  # the first replacement, itself replaced
        ("42B2", CardStatus.VALID),  # the current card
        ("42b2", CardStatus.VALID),  # typed in lower case
        ("42B3", CardStatus.UNKNOWN),  # a suffix not yet issued
        ("43", CardStatus.UNKNOWN),  # a grade never held
    ],
)
def test_the_card_check_answers_for_each_number(
    holder: Person, county_clerk: Any, asked: str, status: CardStatus
) -> None:
    replace(county_clerk, holder, D(2026, 1, 5))
    replace(county_clerk, holder, D(2026, 1, 6))
    result = cards.check_card(user=county_clerk, number=number(holder)[:18] + asked, today=TODAY)
    assert result.status == status
    assert result.number_masked == "*" * 18 + asked.upper()
    if status == CardStatus.CANCELLED:
        assert result.current_masked == "*" * 18 + "42B2"
        assert result.cancelled is not None and result.cancelled.reason == "lost"


def test_an_expired_certificate_is_not_in_force(make_person: Any, county_clerk: Any) -> None:
    holder = make_person(certificate_issued_on=D(2016, 1, 31))  # valid until 2026-01-31
    on_last_day = cards.check_card(user=county_clerk, number=number(holder), today=D(2026, 1, 31))
    assert on_last_day.status == CardStatus.VALID
    day_after = cards.check_card(user=county_clerk, number=number(holder), today=D(2026, 2, 1))
    assert day_after.status == CardStatus.NOT_IN_FORCE
    assert "2026-01-31" in day_after.explanation


def test_a_number_of_another_county_is_not_shown(
    make_person: Any, county_clerk: Any, other_county_clerk: Any
) -> None:
    elsewhere = make_person(place_code="410883001001")
    mine = cards.check_card(user=other_county_clerk, number=number(elsewhere), today=TODAY)
    assert mine.status == CardStatus.VALID
    theirs = cards.check_card(user=county_clerk, number=number(elsewhere), today=TODAY)
    assert theirs.status == CardStatus.UNKNOWN
    assert theirs.person is None and theirs.current_masked == ""


@pytest.mark.parametrize(
    "typed", ["4108251970051701", "41082519700517012342", "41082519700517012342B0", "x"]
)
def test_the_card_check_refuses_what_cannot_be_a_number(county_clerk: Any, typed: str) -> None:
    with pytest.raises(ValidationError) as exc:
        cards.check_card(user=county_clerk, number=typed, today=TODAY)
    assert list(exc.value.message_dict) == ["number"]


def test_the_check_page_shows_masks_only_records_and_limits(
    holder: Person, county_clerk: Any
) -> None:
    replace(county_clerk, holder, D(2026, 1, 5))
    client = client_for(county_clerk)
    url = reverse("certificates:card_check")
    assert url == "/certificates/check/"
    response = client.post(url, {"number": number(holder)})
    page = response.content.decode()
    assert str(CardStatus.CANCELLED.label) in page or "注销" in page
    assert opened(holder) not in page
    assert "*" * 18 + "42B1" in page  # the current number, masked
    entry = Entry.objects.filter(action="certificate.card_check").latest("pk")
    assert entry.detail == {"number": "*" * 18 + "42", "status": "cancelled"}
    assert Entry.objects.filter(action=lookups.ACTION, actor_id=county_clerk.pk).count() == 1
    with override_settings(NUMBER_SEARCHES_PER_HOUR=1):
        refused = client.post(url, {"number": number(holder, "B1")})
        message = lookups.too_many()
    assert refused.status_code == 200
    assert message in refused.content.decode()
    # Past the limit nothing is answered: the only answer recorded is the first one.
    assert Entry.objects.filter(action="certificate.card_check").count() == 1


def test_the_registry_search_finds_a_holder_by_a_number_with_suffix_in_scope_only(
    holder: Person, county_clerk: Any, other_county_clerk: Any
) -> None:
    replace(county_clerk, holder, D(2026, 1, 5))
    query = PersonFilters(q=number(holder, "B1"))
    assert query.by_number
    assert list(search_persons(county_clerk, query)) == [holder]
    assert list(search_persons(county_clerk, PersonFilters(q=number(holder, "b1")))) == [holder]
    assert list(search_persons(other_county_clerk, query)) == []
    assert query.as_dict()["q"] == "*" * 18


# --- Every certificate takes its suffix ------------------------------------------------------


def _object(application: Any, clerk: Any, city: Any, filed: D, decided: D, grade: int) -> None:
    objection = services.file_objection(
        application=application, filed_on=filed, grounds="不服评定等级",
        acting_user=clerk, recorded_on=filed,
    )  # fmt: skip
    services.decide_objection(
        objection=objection, decided_on=decided, outcome=ObjectionOutcome.CHANGED,
        grade=grade, note="复评改变等级", acting_user=city,
    )  # fmt: skip


def test_an_objections_change_back_to_a_replaced_grade_never_revives_the_cancelled_number(
    issued: Any, county_clerk: Any, city_staff: Any
) -> None:
    """Issued grade 2 on 2025-10-14, replaced (B1) on 10-15, the city changes the grade to 3, the
    province back to 2 (each change posted and issued at the county review): the card is
    …42B1, never the cancelled …42."""
    application = issued()
    holder = application.person
    replace(county_clerk, holder, D(2025, 10, 15))
    _object(application, county_clerk, city_staff, D(2025, 10, 21), D(2025, 11, 3), 3)
    post_and_review(application, county_clerk, D(2025, 11, 4), D(2025, 11, 11))
    holder.refresh_from_db()
    assert (holder.grade, holder.card_suffix) == (3, 0)
    _object(application, county_clerk, city_staff, D(2025, 11, 12), D(2025, 11, 20), 2)
    post_and_review(application, county_clerk, D(2025, 11, 21), D(2025, 11, 28))
    holder.refresh_from_db()
    assert (holder.grade, holder.card_suffix) == (2, 1)
    valid = holder.certificates.get(status=CertificateStatus.VALID)
    assert valid.number_masked.endswith("42B1")
    checks = {
        suffix: cards.check_card(user=county_clerk, number=number(holder, suffix), today=TODAY)
        for suffix in ("", "B1", "B2")
    }
    assert checks[""].status == CardStatus.CANCELLED
    assert checks["B1"].status == CardStatus.VALID
    assert checks["B2"].status == CardStatus.UNKNOWN


def test_a_certificate_is_never_created_with_a_cancelled_number(
    holder: Person, county_clerk: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    replace(county_clerk, holder, D(2026, 1, 5))  # …42 cancelled, …42B1 valid
    valid = holder.certificates.get(status=CertificateStatus.VALID)
    monkeypatch.setattr(cards, "suffix_for", lambda *args: 0)
    with pytest.raises(ValidationError) as exc:
        create_certificate(
            person=holder, category=4, grade=2, issued_on=D(2026, 1, 6),
            expires_on=D(2036, 1, 6), county_id="410825000000", issue=Issue.CHANGE,
            application=None,
        )  # fmt: skip
    assert "grade" in exc.value.message_dict
    assert list(holder.certificates.filter(status=CertificateStatus.VALID)) == [valid]


def test_the_histories_name_the_kind_and_the_reason_in_words(
    holder: Person, county_clerk: Any
) -> None:
    replace(county_clerk, holder, D(2026, 1, 5), reason="lost")
    application = holder.certificate_applications.get(kind=Kind.REPLACEMENT)
    client = client_for(county_clerk)
    detail = client.get(reverse("certificates:application_detail", args=[application.pk])).text
    history = client.get(reverse("people:history", args=[holder.pk])).text
    assert "类型：遗失或损毁补领" in detail
    assert "原因：遗失" in history
    assert "：replacement" not in detail and "：lost" not in history


def test_the_check_page_ignores_a_number_in_the_address(holder: Person, county_clerk: Any) -> None:
    # The number is sent by POST only: one typed into the address is neither checked, nor
    # recorded, nor shown back on the page (in a field, a link or a form's address).
    full = number(holder)
    url = reverse("certificates:card_check")
    page = client_for(county_clerk).get(url, {"number": full}, follow=True)
    assert page.status_code == 200 and page.redirect_chain == [(url, 302)]
    text = page.content.decode()
    assert full not in text and full[:12] not in text
    assert not Entry.objects.filter(action="certificate.card_check").exists()
