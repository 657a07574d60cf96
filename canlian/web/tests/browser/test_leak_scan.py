"""The leak scan: every role fetches every URL of the URL configuration (pages, JSON, CSV,
.xlsx and PDF downloads, the POSTs that answer with values) and no response carries a full
ID number, certificate number, bank account or phone number that the role may not open.

Full values may appear only in the answers listed in MAY_OPEN (a reveal, a full export, a
printed certificate, a bank file...), and only for a role that holds what the purpose needs
(canlian.accounts.reveal). Runs with Django's test client, not a browser: it is no browser
test, and runs on SQLite and PostgreSQL alike. The world is the accessibility crawl's.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pypdf
import pytest
from django.test import Client
from django.urls import reverse

from canlian.accounts import reveal as gate
from canlian.accounts.models import User
from canlian.benefits.models import PaymentAccount, SubsidyApplication
from canlian.certificates.models import Application, Certificate
from canlian.conftest import client_for, opened
from canlian.levy.models import DeclaredEmployee
from canlian.lib.sealed import Kind
from canlian.people.models import Person
from canlian.web.tests.browser.test_accessibility_crawl import (  # noqa: F401 (fixtures)
    PAGES,
    World,
    export_for,
    url_names,
    urls_of,
    world,
)

pytestmark = pytest.mark.django_db

ROLES = (
    "township_officer", "county_clerk", "other_county_clerk", "civil_affairs", "city_staff",
    "finance", "auditor", "security_admin", "audit_admin", "system_admin",
)  # fmt: skip


@dataclass(frozen=True)
class Fetch:
    method: str
    url: str
    data: dict[str, str] | None = None


FetchSpec = Callable[[World, User], list[Fetch]]


def _get(name: str, *, query: str = "", **kwargs: Any) -> Fetch:
    return Fetch("GET", reverse(name, kwargs=kwargs) + (f"?{query}" if query else ""))


def _progress_form(w: World) -> dict[str, str]:
    """The public page's form, filled in by the applicant (receipt code, ID number's end)."""
    application = w.subsidy_applications["township_checked"]
    return {"receipt": application.receipt_display, "id_tail": opened(application.person)[-6:]}


def _certificate_progress_form(w: World) -> dict[str, str]:
    """The certificate page's form, filled in by the applicant."""
    application = w.applications["publicity_ended"]
    return {
        "receipt": application.receipt_display,
        "id_tail": opened(application, "id_number")[-6:],
    }


def _certificate(w: World) -> Certificate:
    return Certificate.objects.filter(person=w.holder).latest("pk")


# URL names that are not pages of PAGES, and what the scan sends to each.
FETCHES: dict[str, FetchSpec] = {
    "login": lambda w, u: [_get("login")],
    "login_verify": lambda w, u: [_get("login_verify")],
    "portal:subsidy_progress": lambda w, u: [
        _get("portal:subsidy_progress"),
        Fetch("POST", reverse("portal:subsidy_progress"), _progress_form(w)),
    ],
    "portal:certificate_progress": lambda w, u: [
        _get("portal:certificate_progress"),
        Fetch("POST", reverse("portal:certificate_progress"), _certificate_progress_form(w)),
    ],
    "people:reveal": lambda w, u: [
        Fetch("POST", reverse("people:reveal", args=[w.person_for(u).pk]), {"what": what})
        for what in ("identity", "contact")
    ],
    "people:export": lambda w, u: [
        _get("people:export"),
        _get("people:export", query="full=1"),
    ],
    "people:export_xlsx": lambda w, u: [
        _get("people:export_xlsx"),
        _get("people:export_xlsx", query="full=1"),
    ],
    "payroll:roll_book": lambda w, u: [_get("payroll:roll_book", roll_id=w.roll.pk)],
    "payroll:export": lambda w, u: [
        Fetch("POST", reverse("payroll:export", args=[w.roll.pk]), {"export-format": "csv"}),
        Fetch(
            "POST",
            reverse("payroll:export", args=[w.roll.pk]),
            {"export-format": "xlsx"},
        ),
    ],
    "people:imports:status": lambda w, u: [_get("people:imports:status", job_id=w.import_job.pk)],
    "people:imports:report": lambda w, u: [_get("people:imports:report", job_id=w.import_job.pk)],
    "people:imports:template": lambda w, u: [_get("people:imports:template")],
    "people:exports:status": lambda w, u: [_get("people:exports:status", job_id=export_for(u).pk)],
    "people:exports:download": lambda w, u: [
        _get("people:exports:download", job_id=export_for(u).pk)
    ],
    "certificates:application_pdf": lambda w, u: [
        _get("certificates:application_pdf", pk=a.pk) for a in w.applications.values()
    ],
    "certificates:certificate_pdf": lambda w, u: [
        _get("certificates:certificate_pdf", pk=_certificate(w).pk)
    ],
    "certificates:receipt_pdf": lambda w, u: [
        _get("certificates:receipt_pdf", pk=a.pk) for a in w.applications.values()
    ],
    "benefits:receipt_pdf": lambda w, u: [
        _get("benefits:receipt_pdf", pk=a.pk) for a in w.subsidy_applications.values()
    ],
    "levy:notice_pdf": lambda w, u: [
        _get("levy:notice_pdf", declaration_id=w.levy_declarations["notified"].pk)
    ],
    "levy:collection_csv": lambda w, u: [_get("levy:collection_csv")],
    "levy:collection_xlsx": lambda w, u: [_get("levy:collection_xlsx")],
    # The report: aggregates only, the last five years (the page itself is in PAGES).
    "stats:report_xlsx": lambda w, u: [_get("stats:report_xlsx")],
    "stats:report_pdf": lambda w, u: [_get("stats:report_pdf")],
}
# Pages of PAGES that also answer a POST with a record's values: what the scan sends to each
# besides the GET. The card check is sent full certificate numbers (the role's own person's
# and the workflow's holder, with a suffix): it answers with masks only.
POSTS: dict[str, FetchSpec] = {
    "certificates:card_check": lambda w, u: (
        [
            Fetch(
                "POST",
                reverse("certificates:card_check"),
                {"number": f"{opened(p)}{p.category}{p.grade}"},
            )
            for p in (w.person_for(u), w.holder)
        ]
        + [
            Fetch(
                "POST",
                reverse("certificates:card_check"),
                {"number": f"{opened(w.holder)}{w.holder.category}{w.holder.grade}B1"},
            )
        ]
    ),
}
# URL names left out, and why: they change state and answer with a redirect or a form's
# errors, never with a record's values.
NOT_FETCHED = {
    "logout": "POST only: signs out",
    "set_language": "POST only: a redirect",
    "ui_preferences": "POST only: a redirect",
    "calendar_moved": "a redirect from the old /calendar/ addresses to the holidays pages",
    "people:imports:confirm": "POST only: queues an import, answers with a redirect",
    "levy:declaration_verify": "POST only: a redirect",
    "levy:notice_issue": "POST only: a redirect",
    "benefits:decide": "POST only: a redirect or the application page (fetched in PAGES)",
    "benefits:enrolment_account": "POST only: a redirect or the enrolment page (in PAGES)",
    "benefits:enrolment_care_facts": "POST only: a redirect or the enrolment page (in PAGES)",
    "benefits:publicity": "POST only: a redirect or the application page (in PAGES)",
    "payroll:generate": "POST only: a redirect or the list page (in PAGES)",
    "payroll:adjust": "POST only: a redirect or the roll page (in PAGES)",
    "payroll:reconcile": "POST only (an upload): the reconciliation page (in PAGES)",
}
# Where full values may be answered, for what purpose (the permission it needs).
MAY_OPEN = {
    "people:reveal": gate.Purpose.SHOW,
    "people:export": gate.Purpose.EXPORT,
    "people:export_xlsx": gate.Purpose.EXPORT,
    "certificates:certificate_pdf": gate.Purpose.PRINT,
    "levy:declaration_create": gate.Purpose.SHOW,  # a declaration's employees, to change it
    "payroll:export": gate.Purpose.BANK_FILE,
}


def test_every_url_name_is_scanned():
    names = set(url_names())
    missing = sorted(names - set(PAGES) - set(FETCHES) - set(NOT_FETCHED))
    assert not missing, f"URL names the leak scan does not fetch: {missing}"


def _text(response: Any) -> str:
    """What a response says, whatever its format."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if body.startswith(b"%PDF"):
        return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(body)).pages)
    if body.startswith(b"PK"):  # .xlsx: every part's XML (shared strings, sheets)
        with zipfile.ZipFile(io.BytesIO(body)) as book:
            return "\n".join(book.read(n).decode("utf-8", "replace") for n in book.namelist())
    assert "text" in kind or "json" in kind or not body, kind
    return body.decode("utf-8-sig", "replace")


def full_values() -> dict[Kind, set[str]]:
    """Every full sensitive value the world holds, by kind."""
    values: dict[Kind, set[str]] = {kind: set() for kind in Kind}
    for model in (Person, Application, DeclaredEmployee, PaymentAccount, SubsidyApplication):
        for record in model.objects.all():
            for name, spec in model.SEALED.items():
                if value := opened(record, name):
                    values[spec.kind].add(value)
    return values


def leaks(text: str, values: dict[Kind, set[str]]) -> set[Kind]:
    return {kind for kind, found in values.items() if any(v in text for v in found)}


@pytest.mark.parametrize("role", ROLES)
def test_no_response_carries_a_full_value_the_role_may_not_open(request, role):
    the_world: World = request.getfixturevalue("world")
    user: User = request.getfixturevalue(role)
    values = full_values()
    assert all(values[kind] for kind in Kind), "the world must hold values of every kind"
    client: Client = client_for(user)
    fetched, problems, opened_somewhere = 0, [], set()
    for name in sorted(set(PAGES) | set(FETCHES)):
        if name in PAGES:
            pages = urls_of(name, PAGES[name], the_world, user)
            fetches = [Fetch("GET", url) for _label, url in pages]
            fetches += POSTS[name](the_world, user) if name in POSTS else []
        else:
            fetches = FETCHES[name](the_world, user)
        for fetch in fetches:
            send = client.post if fetch.method == "POST" else client.get
            response = send(fetch.url, fetch.data or {})
            fetched += 1
            assert response.status_code < 500, f"{fetch.method} {fetch.url}: {response.status_code}"
            for kind in leaks(_text(response), values):
                purpose = MAY_OPEN.get(name)
                if purpose is None or not gate.may_reveal(user, kind, purpose):
                    problems.append(f"{fetch.method} {fetch.url}: a full {kind.value}")
                else:
                    opened_somewhere.add(kind)
    assert fetched > 90
    assert not problems, f"{role} was answered full values it may not open:\n" + "\n".join(problems)
    # The scan can see a value when one is there: a role that may open values did.
    if gate.may_reveal(user, Kind.ID_NUMBER):
        assert Kind.ID_NUMBER in opened_somewhere
    if gate.may_reveal(user, Kind.PHONE):
        assert Kind.PHONE in opened_somewhere
