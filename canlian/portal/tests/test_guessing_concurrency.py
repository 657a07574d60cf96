"""The progress pages' guessing limits hold when the guesses come all at once: 50 wrong guesses
fired together, each from its own thread and database connection, get exactly the limit
evaluated and the rest refused, on one page or spread over both (one budget).

PostgreSQL only: this is where requests run side by side (SQLite takes one writer at a time,
and its in-memory test database cannot be shared by threads with their own connections). The
PostgreSQL pass of `.ci/run` runs it; on SQLite the marker `postgresql` deselects it
(canlian/conftest.py)."""

from __future__ import annotations

import datetime
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from canlian.accounts import public_lookups as limits
from canlian.accounts.models import PublicLookup
from canlian.benefits.models import SubsidyApplication
from canlian.benefits.tests.test_services import apply
from canlian.certificates.tests.conftest import apply_first  # noqa: F401 (a fixture)
from canlian.lib import idcard

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("flushable_db"),
]

URL = "/portal/subsidies/"
CERTIFICATE_URL = "/portal/certificates/"
GUESSES = 50


ID_NUMBER = idcard.build(region_code="410825", birth_date=datetime.date(1970, 5, 17), sequence=7)


@pytest.fixture
def application(make_person: Any, township_officer: Any) -> SubsidyApplication:
    return apply(make_person(grade=2, id_number=ID_NUMBER), township_officer)


def _wrong_tails() -> list[str]:
    right = ID_NUMBER[-6:]
    return [tail for n in range(GUESSES + 1) if (tail := f"{n:05d}9") != right][:GUESSES]


def _fire(guesses: list[tuple[str, str, str, str]]) -> Counter[int]:
    """Post every (page, address, receipt, ID tail) at once, one thread and connection each;
    count the answers by status (200: looked up, 429: refused)."""
    start = threading.Barrier(len(guesses))

    def post(url: str, address: str, receipt: str, tail: str) -> int:
        try:
            client = Client(REMOTE_ADDR=address)
            start.wait(timeout=60)
            return client.post(url, {"receipt": receipt, "id_tail": tail}).status_code
        finally:
            connection.close()  # this thread's own connection

    with ThreadPoolExecutor(max_workers=len(guesses)) as pool:
        return Counter(pool.map(lambda guess: post(*guess), guesses))


def test_fifty_simultaneous_wrong_guesses_from_one_client_get_exactly_the_limit_evaluated(
    application: SubsidyApplication,
) -> None:
    tails = _wrong_tails()
    answers = _fire([(URL, "203.0.113.9", application.receipt, tail) for tail in tails])
    evaluated = PublicLookup.objects.filter(client=limits.client_of("203.0.113.9"))
    assert evaluated.count() == limits.CLIENT_FAILURES
    assert answers == {200: limits.CLIENT_FAILURES, 429: GUESSES - limits.CLIENT_FAILURES}


def test_fifty_simultaneous_wrong_guesses_on_one_receipt_get_exactly_its_limit_evaluated(
    application: SubsidyApplication,
) -> None:
    tails = _wrong_tails()
    # Every guess from its own address: only the receipt's limit can stop them.
    guesses = [(URL, f"192.0.2.{n + 1}", application.receipt, tail) for n, tail in enumerate(tails)]
    answers = _fire(guesses)
    assert PublicLookup.objects.count() == limits.CODE_FAILURES
    assert answers == {200: limits.CODE_FAILURES, 429: GUESSES - limits.CODE_FAILURES}


def test_fifty_simultaneous_wrong_guesses_over_both_pages_get_one_budget_evaluated(
    application: SubsidyApplication,
    apply_first: Any,  # noqa: F811
) -> None:
    certificate = apply_first()
    tails = _wrong_tails()
    # Every other guess on the certificate page, with the certificate application's code.
    pages = [(URL, application.receipt), (CERTIFICATE_URL, certificate.receipt)]
    guesses = []
    for n, tail in enumerate(tails):
        url, code = pages[n % 2]
        guesses.append((url, "203.0.113.9", code, tail))
    answers = _fire(guesses)
    assert set(PublicLookup.objects.values_list("page", flat=True)) <= {"subsidy", "certificate"}
    evaluated = PublicLookup.objects.filter(client=limits.client_of("203.0.113.9"))
    assert evaluated.count() == limits.CLIENT_FAILURES
    assert answers == {200: limits.CLIENT_FAILURES, 429: GUESSES - limits.CLIENT_FAILURES}
