"""Every page, for every role, in a real browser: no WCAG 2.2 A/AA violation found by axe-core.

For each role the crawler signs in through the login form and visits every URL the URL
configuration exposes, with concrete arguments from PAGES below (a page shown in several
states, such as an application at each step, is opened once per Variant). Pages the role may
not see (403, 404, 405) are recorded and must match EXPECTED_DENIED; the first 403 and 404
page of each pass is checked too. Each visible page is checked, then each of its POST forms is
submitted empty and the error page is checked, then the reveal button is pressed where there is
one. All of that is done twice: in the standard display, and with the largest text and high contrast
(the age-friendly modes, POST /ui/).

"Checked" means: axe-core with the WCAG 2.0/2.1/2.2 A and AA rules (conftest.Axe, which adds
duplicate ids, one main, one h1, html lang and named landmarks), and no sideways scrolling when
the viewport is narrowed to 320 CSS px (WCAG 1.4.10). Any finding fails the test; the message
lists all of them.
"""

from __future__ import annotations

import base64
import datetime
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from canlian.accounts import approvals
from canlian.accounts.choices import places_in_scope
from canlian.accounts.models import AccountRequest, User
from canlian.accounts.roles import Perm, Role
from canlian.benefits.models import Enrolment, SubsidyApplication
from canlian.certificates import grading, supervision, tours
from canlian.certificates import services as certificates
from canlian.certificates.models import (
    Application,
    AppliedBy,
    CheckItem,
    CheckResult,
    Document,
    Institution,
    Kind,
    Objection,
    SupervisionCheck,
    Tour,
)
from canlian.certificates.views.steps import STEP_TITLES
from canlian.conftest import opened
from canlian.holidays import services as holidays
from canlian.levy.models import Declaration, Employer
from canlian.lib import idcard, workdays
from canlian.payroll.models import Reconciliation, Recovery, Roll
from canlian.people import services as people
from canlian.people.exchange import jobs
from canlian.people.models import Person, StatusKind, StatusPeriod
from canlian.people.tests.exchange.helpers import row, write_csv
from canlian.places.models import Level, Place
from canlian.spreadsheets.models import ExportJob, ImportJob
from canlian.spreadsheets.writing import XLSX

pytestmark = pytest.mark.browser
# Transactional: the live server must see the data (see conftest.py).
browser_db = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ROLES = (
    "county_clerk",
    "other_county_clerk",
    "township_officer",
    "city_staff",
    "auditor",
    "security_admin",
    "audit_admin",
    "system_admin",
    "finance",
)

MENG = "410883"  # 孟州市; everything else of the world is in 温县 (410825)


def in_meng(user: User) -> bool:
    return bool(user.place and user.place.code.startswith(MENG))


@dataclass
class World:
    """What the crawl needs to build concrete URLs: a person in each county, a status
    period of each, an account to edit, a request for an auditor account that a second
    security administrator made (the crawled one may approve or reject it), an import of 温县
    whose check found problems, and the certificate workflow's data (see certificate_world)."""

    person_wen: Person
    person_meng: Person
    period_wen: StatusPeriod
    period_meng: StatusPeriod
    account: User
    account_request: AccountRequest
    # A locked sign-in pair (an unknown user name from another address), for the unlock page.
    locked_pair: int
    import_job: ImportJob
    institution: Institution
    # Applications of 温县 by state (see certificate_world for each).
    applications: dict[str, Application]
    objection: Objection
    holder: Person  # the first applicant whose certificate was issued
    tour_wen: Tour
    tour_meng: Tour
    check: SupervisionCheck
    check_item: CheckItem
    # Years of the calendar pages: one entered by staff, one of the package, one weekends-only.
    calendar_years: dict[str, int]
    # The employment security fund (conftest.levy_world): an employer in each county; the one
    # of 温县 has a verified declaration for this year and a notified one for last year.
    employer_wen: Employer
    employer_meng: Employer
    levy_declarations: dict[str, Declaration]
    # Subsidies and payment rolls (conftest.subsidy_world), all of 温县: applications awaiting
    # the township's check and the county's review, an enrolment, the approved care roll of
    # 2026-10 with its lines, the reading of the bank's result file for it, a recovery item.
    subsidy_applications: dict[str, SubsidyApplication]
    enrolment: Enrolment
    roll: Roll
    draft_roll: Roll
    reconciliation: Reconciliation
    recovery: Recovery

    def person_for(self, user: User) -> Person:
        return self.person_meng if in_meng(user) else self.person_wen

    def period_for(self, user: User) -> StatusPeriod:
        return self.period_meng if self.person_for(user) == self.person_meng else self.period_wen

    def tour_for(self, user: User) -> Tour:
        return self.tour_meng if in_meng(user) else self.tour_wen

    def employer_for(self, user: User) -> Employer:
        return self.employer_meng if in_meng(user) else self.employer_wen

    def holders_for(self, user: User) -> list[Person]:
        """Holders whose certificate pages the user opens: the registry's person of the
        user's county and, in 温县, the holder the workflow made."""
        return [self.person_for(user)] + ([] if in_meng(user) else [self.holder])


@dataclass(frozen=True)
class Variant:
    """One URL of a page that the crawl opens in several states: its label (for the report),
    its URL arguments and a query string. A role is refused all variants of a page or none
    (Crawl.visit reports a mix)."""

    label: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    query: str = ""


# (state of a world application, step): every step form the world's states allow. The
# steps of STEP_TITLES must all be here (test_every_url_name_is_covered).
STEPS = (
    ("submitted", "book"),
    ("submitted", "refuse"),
    ("submitted", "withdraw"),
    ("booked", "assess"),
    ("assessed", "publicity"),
    ("publicity_ended", "review"),
    ("publicity_ended", "objection"),
    ("replacement", "issue"),
    ("transfer", "transfer"),
)
HOLDER_KINDS = (Kind.RENEWAL, Kind.CHANGE, Kind.REPLACEMENT, Kind.TRANSFER)


def application_create_variants(w: World, u: User) -> list[Variant]:
    """The first application; each holder's application for the holder; and the person
    picker before a holder is chosen: the search, then the holders found."""
    holder = w.person_for(u)
    return [
        Variant("first"),
        *(Variant(str(kind), query=f"kind={kind}&person={holder.pk}") for kind in HOLDER_KINDS),
        Variant("renewal: find the holder", query="kind=renewal"),
        Variant("renewal: holders found", query=f"kind=renewal&who={quote(holder.name)}"),
        Variant("renewal: none found", query=f"kind=renewal&who={quote('无此人')}"),
    ]


def apply_variants(w: World, u: User) -> list[Variant]:
    """The person picker before the applicant is chosen (the search, the persons found, a
    choice sent without a person), then the application form for the person."""
    person = w.person_for(u)
    found = f"who={quote(person.name)}"
    return [
        Variant("find the applicant"),
        Variant("persons found", query=found),
        Variant("choice sent empty", query=f"{found}&picked=1"),
        Variant("person", query=f"person={person.pk}"),
    ]


def tour_create_variants(w: World, u: User) -> list[Variant]:
    """With several counties the page first asks for one (a GET form), then shows the form
    of the county chosen (?county=)."""
    if places_in_scope(u, levels={Level.COUNTY}).count() < 2:
        return [Variant("form")]
    county = w.tour_for(u).county_id
    return [Variant("choose county"), Variant("form", query=f"county={county}")]


def stats_period() -> str:
    today = timezone.localdate()
    return f"start={today - 400 * DAY}&end={today}"


def stats_records_variants(u: User) -> list[Variant]:
    """The drill-down of each kind of record the world holds, for the roles whose figures
    count it (the persons' for every role: refused together where the registry is)."""
    today = timezone.localdate()
    variants = [Variant("persons", {"figure_id": "persons.certified"}, query="as_of=2026-01-01")]
    for perm, label, figure_id, query in (
        (Perm.VIEW_CERTIFICATE, "applications", "certificates.applications_open",
         f"as_of={today}"),
        (Perm.VIEW_CERTIFICATE, "objections", "certificates.objections_received",
         stats_period()),
        (Perm.VIEW_LEVY, "declarations", "levy.amount_determined", stats_period()),
        (Perm.VIEW_SUBSIDY, "recoveries", "subsidies.recoveries", stats_period()),
        (Perm.CHANGE_PERSON, "imports", "imports.jobs", stats_period()),
    ):  # fmt: skip
        if u.can(perm):
            variants.append(Variant(label, {"figure_id": figure_id}, query=query))
    return variants


def stats_ratio_variants(u: User) -> list[Variant]:
    """A ratio's table (percentages, no links), for the roles that see the subsidies."""
    if not u.can(Perm.VIEW_SUBSIDY):
        return []
    query = f"{stats_period()}&by=county&by=programme"
    return [Variant("ratio", {"figure_id": "subsidies.coverage"}, query=query)]


# URL name -> keyword arguments for the signed-in user, or a list of Variants. A new URL
# without an entry here (or in NOT_CRAWLED) fails test_every_url_name_is_covered.
PageSpec = Callable[[World, User], "dict[str, Any] | list[Variant]"]
STATS_TABLE = "as_of=2026-01-01&by=county&by=grade"
STATS_PUBLISHED = "as_of=2026-01-01&by=category&by=sex&publish=on"
PAGES: dict[str, PageSpec] = {
    # The to-do list of every role that takes a step (the world's applications, objections
    # and declarations waiting on it); the others are sent on to their first page.
    "home": lambda w, u: {},
    "people:list": lambda w, u: {},
    "people:create": lambda w, u: {},
    "people:detail": lambda w, u: {"person_id": w.person_for(u).pk},
    "people:edit": lambda w, u: {"person_id": w.person_for(u).pk},
    "people:history": lambda w, u: {"person_id": w.person_for(u).pk},
    "people:status_create": lambda w, u: {"person_id": w.person_for(u).pk},
    "people:status_end": lambda w, u: {
        "person_id": w.person_for(u).pk,
        "period_id": w.period_for(u).pk,
    },
    "audit:list": lambda w, u: {},
    "accounts:list": lambda w, u: {},
    "accounts:create": lambda w, u: {},
    "accounts:edit": lambda w, u: {"user_id": w.account.pk},
    "accounts:profile": lambda w, u: {},
    "accounts:reset_password": lambda w, u: {"user_id": w.account.pk},
    "accounts:requests": lambda w, u: {},
    "accounts:request": lambda w, u: {"request_id": w.account_request.pk},
    "accounts:request_approve": lambda w, u: {"request_id": w.account_request.pk},
    "accounts:request_reject": lambda w, u: {"request_id": w.account_request.pk},
    # Empty here: a code is shown once after an action (test_approval_views shows one).
    "accounts:activation_code": lambda w, u: {},
    # Public (the holder has no password yet); the same page signed in.
    "activate": lambda w, u: {},
    "accounts:password": lambda w, u: {},
    "accounts:second_factor": lambda w, u: {},
    "accounts:recovery_codes": lambda w, u: {},
    "accounts:lockouts": lambda w, u: {},
    "accounts:unlock": lambda w, u: {"pair_id": w.locked_pair},
    "places:list": lambda w, u: {},
    "places:import": lambda w, u: {},
    "people:imports:upload": lambda w, u: {},
    "people:imports:detail": lambda w, u: {"job_id": w.import_job.pk},
    # Certificates. The applications are in 温县 (the other county's clerk is refused them).
    "certificates:worklist": lambda w, u: {},
    "certificates:application_list": lambda w, u: {},
    "certificates:application_create": application_create_variants,
    "certificates:application_detail": lambda w, u: [
        Variant(state, {"pk": application.pk}) for state, application in w.applications.items()
    ],
    "certificates:receipt": lambda w, u: {"pk": next(iter(w.applications.values())).pk},
    "certificates:application_step": lambda w, u: [
        Variant(f"{step} ({state})", {"pk": w.applications[state].pk, "step": step})
        for state, step in STEPS
    ],
    "certificates:person": lambda w, u: [
        Variant(person.name, {"person_id": person.pk}) for person in w.holders_for(u)
    ],
    "certificates:cancel": lambda w, u: {"person_id": w.person_for(u).pk},
    "certificates:objection_decide": lambda w, u: {"pk": w.objection.pk},
    "certificates:tour_list": lambda w, u: {},
    "certificates:tour_create": tour_create_variants,
    "certificates:tour_detail": lambda w, u: {"tour_id": w.tour_for(u).pk},
    "certificates:tour_register": lambda w, u: {"tour_id": w.tour_for(u).pk},
    "certificates:tour_book": lambda w, u: {"tour_id": w.tour_for(u).pk},
    "certificates:tour_publish": lambda w, u: {"tour_id": w.tour_for(u).pk},
    "certificates:supervision_list": lambda w, u: {},
    "certificates:card_check": lambda w, u: {},
    "certificates:supervision_create": lambda w, u: {},
    "certificates:supervision_detail": lambda w, u: {"check_id": w.check.pk},
    "certificates:supervision_item": lambda w, u: {
        "check_id": w.check.pk,
        "item_id": w.check_item.pk,
    },
    "certificates:institution_list": lambda w, u: {},
    "certificates:institution_create": lambda w, u: {},
    "certificates:institution_edit": lambda w, u: {"institution_id": w.institution.pk},
    # The official calendar.
    "holidays:list": lambda w, u: {},
    "holidays:year": lambda w, u: [
        Variant(source, {"year": year}) for source, year in w.calendar_years.items()
    ],
    "holidays:enter": lambda w, u: [
        Variant("blank"),
        Variant("entered year", query=f"year={w.calendar_years['entered']}"),
    ],
    # The employment security fund. The declarations are in 温县 (the other county's clerk is
    # refused them); a declaration form is opened blank and to change this year's.
    "levy:list": lambda w, u: {},
    "levy:employer_create": lambda w, u: {},
    "levy:employer_detail": lambda w, u: {"employer_id": w.employer_for(u).pk},
    "levy:employer_edit": lambda w, u: {"employer_id": w.employer_for(u).pk},
    "levy:declaration_create": lambda w, u: [
        Variant("blank", {"employer_id": w.employer_for(u).pk}),
        Variant(
            "change this year's",
            {"employer_id": w.employer_for(u).pk},
            query=f"year={w.levy_declarations['verified'].year}",
        ),
    ],
    "levy:declaration_detail": lambda w, u: [
        Variant(state, {"declaration_id": d.pk}) for state, d in w.levy_declarations.items()
    ],
    "levy:collection_list": lambda w, u: {},
    # Subsidies and payment rolls. The records are in 温县 (the other county's clerk is refused
    # them); the roll is the county's, above the township officer's subtree.
    "benefits:list": lambda w, u: {},
    "benefits:apply": apply_variants,
    "benefits:detail": lambda w, u: [
        Variant(state, {"pk": a.pk}) for state, a in w.subsidy_applications.items()
    ],
    "benefits:receipt": lambda w, u: {"pk": next(iter(w.subsidy_applications.values())).pk},
    "benefits:enrolments": lambda w, u: {},
    "benefits:enrolment": lambda w, u: {"pk": w.enrolment.pk},
    "benefits:enrolment_end": lambda w, u: {"pk": w.enrolment.pk},
    "payroll:list": lambda w, u: [
        Variant("this month"),
        Variant("the roll's month", query=f"month={w.roll.month:%Y-%m}"),
    ],
    "payroll:roll": lambda w, u: [
        Variant("approved", {"roll_id": w.roll.pk}),
        Variant("draft", {"roll_id": w.draft_roll.pk}),
        # The adjustment's person picker after a search (finance prepares adjustments).
        Variant("draft, person found", {"roll_id": w.draft_roll.pk}, query=f"who={quote('李护')}"),
    ],
    "payroll:approve": lambda w, u: {"roll_id": w.draft_roll.pk},
    "payroll:discard": lambda w, u: {"roll_id": w.draft_roll.pk},
    "payroll:reconciliation": lambda w, u: {"reconciliation_id": w.reconciliation.pk},
    "payroll:recoveries": lambda w, u: {},
    "payroll:recovery": lambda w, u: {"recovery_id": w.recovery.pk},
    # Statistics: the dashboard of the user's level, the catalogue, a figure before and after
    # counting (a two-way table, and as published with small counts hidden) and a drill-down.
    "stats:dashboard": lambda w, u: {},
    "stats:figures": lambda w, u: {},
    "stats:figure": lambda w, u: [
        Variant("form", {"figure_id": "persons.certified"}),
        Variant("table", {"figure_id": "persons.certified"}, query=STATS_TABLE),
        Variant("published", {"figure_id": "persons.certified"}, query=STATS_PUBLISHED),
        *stats_ratio_variants(u),
    ],
    "stats:records": lambda w, u: stats_records_variants(u),
    # The report over a period: the last five years, and as published.
    "stats:report": lambda w, u: [
        Variant("five years"),
        Variant("published", query="publish=on"),
    ],
    # Background exports: each user's own, one ready to download.
    "people:exports:list": lambda w, u: {},
    "people:exports:detail": lambda w, u: {"job_id": export_for(u).pk},
}


def export_for(user: User) -> ExportJob:
    """A written export of the user's own (the page of a ready file)."""
    job, created = ExportJob.objects.get_or_create(
        created_by=user,
        defaults={"region": user.scope_prefix or "", "format": "csv", "rows_total": 1,
                  "rows_done": 1, "status": ExportJob.Status.DONE,
                  "description": "登记库 1 人，CSV 格式"},
    )  # fmt: skip
    if created:
        job.file.save(f"{job.pk}.csv", ContentFile("姓名\n王建国\n".encode()), save=True)
    return job


def urls_of(name: str, spec: PageSpec, world: World, user: User) -> list[tuple[str, str]]:
    """(label for the report, URL) of each variant of the page `name`."""
    made = spec(world, user)
    variants = made if isinstance(made, list) else [Variant("", made)]
    return [
        (
            f"{name} [{v.label}]" if v.label else name,
            reverse(name, kwargs=v.kwargs) + (f"?{v.query}" if v.query else ""),
        )
        for v in variants
    ]


# URL names the GET crawl leaves out, and where each is covered instead.
NOT_CRAWLED = {
    "login": "test_login_page_signed_out (signed out, and submitted empty); its lockout and "
    "expiry messages in test_second_factor_and_refusal_pages",
    "login_verify": "the second step of signing in: login_as passes it for every role with a "
    "second factor; test_second_factor_and_refusal_pages checks it, empty and with a wrong "
    "code",
    "portal:subsidy_progress": "test_progress_page_signed_out (public: signed out, submitted "
    "empty, then with a receipt code, in the three modes)",
    "portal:certificate_progress": "test_certificate_progress_page_signed_out (public: signed "
    "out, submitted empty, then with a receipt code, in the three modes)",
    "logout": "POST only; the sign-out button is in the header of every page crawled",
    "set_language": "POST only; the language buttons are in the header of every page crawled",
    "ui_preferences": "POST only; used by the crawl to switch to large text and high contrast",
    "calendar_moved": "a redirect from the old /calendar/ addresses to holidays:*, tested in "
    "canlian/holidays/tests/test_views.py",
    "people:reveal": "POST only; the crawl presses the reveal button on the detail page",
    "people:export": "a CSV download; the crawl checks its status and content type",
    "people:export_xlsx": "an .xlsx download; the crawl checks its status and content type",
    "payroll:roll_book": "an .xlsx download (a GET form on the roll page, crawled there); "
    "test_views_payroll reads the book it sends",
    "people:imports:status": "JSON polled by the script of a running import's page (canlian.js)",
    "people:imports:confirm": "POST only; test_import_a_spreadsheet_with_the_keyboard presses the "
    "confirm button (the crawl's import is rejected: its page has no confirm form)",
    "people:imports:report": "an .xlsx download; test_import_a_spreadsheet_with_the_keyboard "
    "downloads it from the job page",
    "people:exports:status": "JSON polled by the script of a running export's page (canlian.js)",
    "people:exports:download": "a file download; its content, who may fetch it and its audit are "
    "tested in canlian/people/tests/exchange/test_exportjobs.py",
    "people:imports:template": "an .xlsx download; test_import_a_spreadsheet_with_the_keyboard "
    "downloads it from the upload page",
    "certificates:application_pdf": "a PDF, not HTML: its content, access and audit are "
    "tested in canlian/certificates/tests/test_views.py",
    "certificates:receipt_pdf": "a PDF, not HTML: the receipt page's content (crawled as "
    "certificates:receipt); access and audit tested in canlian/certificates/tests/test_receipts.py",
    "benefits:receipt_pdf": "a PDF, not HTML: the receipt page's content (crawled as "
    "benefits:receipt); access and audit tested in canlian/benefits/tests/test_receipts.py",
    "certificates:certificate_pdf": "a PDF, not HTML: its content, the reveal permission it "
    "needs and its audit are tested in canlian/certificates/tests/test_views.py",
    "levy:declaration_verify": "POST only; the crawl submits its form (empty) from the "
    "verified declaration's page",
    "levy:notice_issue": "POST only; the crawl submits its form (empty) from the verified "
    "declaration's page",
    "levy:notice_pdf": "a PDF, not HTML: its content (amount in capitals), the issuing that "
    "comes first and its audit are tested in canlian/levy/tests/test_views.py",
    "levy:collection_csv": "a CSV download; its content and audit are tested in "
    "canlian/levy/tests/test_views.py",
    "stats:report_xlsx": "an .xlsx download of the report page (crawled); its numbers are "
    "tested in canlian/stats/tests/test_report.py",
    "stats:report_pdf": "a PDF, not HTML: the report page's content (crawled), printed; tested "
    "in canlian/stats/tests/test_report.py",
    "levy:collection_xlsx": "an .xlsx download; its content is tested in "
    "canlian/levy/tests/test_views.py",
    "benefits:decide": "POST only; the crawl submits its form (empty) from the application "
    "pages (the township officer's check, the county clerk's review); the steps are tested in "
    "canlian/benefits/tests/test_views_applications.py",
    "benefits:enrolment_account": "POST only; the crawl submits its form (empty) from the "
    "enrolment's page; tested in canlian/benefits/tests/test_views_applications.py",
    "benefits:enrolment_care_facts": "POST only; its form is on the enrolment's page (crawled); "
    "tested in canlian/benefits/tests/test_views_applications.py",
    "benefits:publicity": "POST only; its form is on the application's page where the county "
    "requires publicity; tested in canlian/benefits/tests/test_publicity.py",
    "payroll:generate": "POST only, for finance (not a crawled role); its form on the list "
    "page and its errors are tested in canlian/payroll/tests/test_views.py",
    "payroll:adjust": "POST only, for finance on a draft roll; tested in "
    "canlian/payroll/tests/test_views.py",
    "payroll:export": "POST only, a bank file download (.xlsx or .csv) for finance; its "
    "content, masking and audit are tested in canlian/payroll/tests/test_views.py",
    "payroll:reconcile": "POST only (a multipart upload of the bank's result file), for "
    "finance; tested in canlian/payroll/tests/test_views.py (the crawl opens the "
    "reconciliation it leads to)",
}

# What each role may not open (status code), given the World above. Everything else in PAGES
# must answer 200 and pass axe.
PERSON_PAGES = {
    "people:list", "people:create", "people:detail", "people:edit", "people:history",
    "people:status_create", "people:status_end",
    # The statistics: a user without the registry has no figures.
    "stats:dashboard", "stats:figures", "stats:figure", "stats:records", "stats:report",
}  # fmt: skip
ACCOUNT_PAGES = {
    "accounts:list", "accounts:create", "accounts:edit", "accounts:reset_password",
    "accounts:requests", "accounts:request", "accounts:request_approve",
    "accounts:request_reject", "accounts:activation_code", "accounts:lockouts", "accounts:unlock",
}  # fmt: skip
PLACE_PAGES = {"places:list", "places:import"}
CHANGE_PAGES = {"people:create", "people:edit", "people:status_create", "people:status_end"}
# Imports need the permission to change persons (403 without it); a job is seen only within
# its uploader's subtree (404 elsewhere: the other county, and the township below the county).
IMPORT_PAGES = {"people:imports:upload", "people:imports:detail"}
# Certificates. Views that look the record up first answer 404 where it is out of sight (or the
# role has no certificate rights at all); the others check the permission first (403).
C = "certificates:"
CERT_VIEW = {
    C + "worklist", C + "application_list", C + "person", C + "tour_list",
    C + "supervision_list", C + "card_check",
}  # fmt: skip
CERT_PROCESS = {C + "application_create", C + "application_step", C + "cancel", C + "tour_create"}
TOUR_STEPS = {C + "tour_register", C + "tour_book", C + "tour_publish"}
INSTITUTION_ADMIN = {C + "institution_create", C + "institution_edit"}
# Only the system administrator enters schedules and designates institutions; only the city
# decides objections and draws supervision samples.
NOT_ADMIN = INSTITUTION_ADMIN | {"holidays:enter"}
NOT_CITY = {C + "objection_decide", C + "supervision_create"}
# A role without any certificate right (the three administrators).
NO_CERTIFICATES = (
    CERT_VIEW | CERT_PROCESS | NOT_CITY
    | {C + "application_detail", C + "receipt"}  # 403: the view right is checked first
    | {C + "tour_detail", C + "supervision_detail", C + "supervision_item"}  # 404
    | TOUR_STEPS  # 404: the tour is looked up first
)  # fmt: skip
# The records of 温县 out of sight: the other county's clerk (applications, the supervision
# check) and the township officer (the tour and the check belong to the county).
WEN_RECORDS = {C + "application_detail", C + "application_step", C + "supervision_detail",
               C + "supervision_item", C + "receipt"}  # fmt: skip
# The employment security fund: the view right, then the right to change (403 without them);
# the declarations of 温县 are out of the other county's sight (404).
LEVY_PAGES = {
    "levy:list", "levy:employer_create", "levy:employer_detail", "levy:employer_edit",
    "levy:declaration_create", "levy:declaration_detail", "levy:collection_list",
}  # fmt: skip
LEVY_CHANGE = {"levy:employer_create", "levy:employer_edit", "levy:declaration_create"}
# Subsidies and payment rolls: the view right first (403 without it), then the record in the
# user's scope (404 elsewhere). Approving and discarding a roll need the finance rights, which
# no crawled role holds (403); ending an enrolment needs the county's review right (403).
SUBSIDY_PAGES = {
    "benefits:list", "benefits:apply", "benefits:detail", "benefits:receipt",
    "benefits:enrolments", "benefits:enrolment", "benefits:enrolment_end", "payroll:list",
    "payroll:roll",
    "payroll:approve", "payroll:discard", "payroll:reconciliation", "payroll:recoveries",
    "payroll:recovery",
}  # fmt: skip
PAYROLL_FINANCE = {"payroll:approve", "payroll:discard"}
# Background exports: the roles that may export see their own (403 without the right).
EXPORT_PAGES = {"people:exports:list", "people:exports:detail"}
# The county's roll and what hangs on it (404 below or beside the county).
ROLL_RECORDS = {"payroll:roll", "payroll:reconciliation", "payroll:recovery"}
EXPECTED_DENIED: dict[str, set[str]] = {
    "county_clerk": {"audit:list"}
    | ACCOUNT_PAGES
    | PLACE_PAGES
    | NOT_CITY
    | NOT_ADMIN
    | PAYROLL_FINANCE,
    "other_county_clerk": {"audit:list", "people:imports:detail"}
    | ACCOUNT_PAGES
    | PLACE_PAGES
    | NOT_CITY
    | NOT_ADMIN
    | WEN_RECORDS
    | {"levy:declaration_detail"}
    | PAYROLL_FINANCE
    | ROLL_RECORDS
    | {"benefits:detail", "benefits:receipt", "benefits:enrolment", "benefits:enrolment_end"},
    "township_officer": {"audit:list", "people:imports:detail"}
    | ACCOUNT_PAGES
    | PLACE_PAGES
    | NOT_CITY
    | NOT_ADMIN
    | CERT_PROCESS
    | {C + "objection_decide", C + "tour_detail", C + "supervision_detail"}
    | {C + "supervision_item"}
    | TOUR_STEPS
    | LEVY_PAGES
    | PAYROLL_FINANCE
    | ROLL_RECORDS
    | EXPORT_PAGES
    | {"benefits:enrolment_end"},
    "city_staff": {"audit:list"}
    | ACCOUNT_PAGES
    | PLACE_PAGES
    | NOT_ADMIN
    | PAYROLL_FINANCE
    | {"benefits:apply"},
    "auditor": CHANGE_PAGES
    | ACCOUNT_PAGES
    | PLACE_PAGES
    | IMPORT_PAGES
    | CERT_PROCESS
    | NOT_CITY
    | NOT_ADMIN
    | TOUR_STEPS
    | LEVY_CHANGE
    | PAYROLL_FINANCE
    | {"benefits:apply", "benefits:enrolment_end"},
    "security_admin": PERSON_PAGES
    | {"audit:list"}
    | PLACE_PAGES
    | IMPORT_PAGES
    | NO_CERTIFICATES
    | {C + "institution_list"}
    | NOT_ADMIN
    | LEVY_PAGES
    | SUBSIDY_PAGES
    | EXPORT_PAGES,
    "audit_admin": PERSON_PAGES
    | ACCOUNT_PAGES
    | PLACE_PAGES
    | IMPORT_PAGES
    | NO_CERTIFICATES
    | {C + "institution_list"}
    | NOT_ADMIN
    | LEVY_PAGES
    | SUBSIDY_PAGES
    | EXPORT_PAGES,
    "system_admin": PERSON_PAGES
    | {"audit:list"}
    | ACCOUNT_PAGES
    | IMPORT_PAGES
    | NO_CERTIFICATES
    | LEVY_PAGES
    | SUBSIDY_PAGES
    | EXPORT_PAGES,
    # Finance reads the registry and the levy and keeps the payment rolls; it changes no
    # person, handles no certificate and takes no application.
    "finance": CHANGE_PAGES
    | {"audit:list"}
    | ACCOUNT_PAGES
    | PLACE_PAGES
    | IMPORT_PAGES
    | NO_CERTIFICATES
    | {C + "institution_list"}
    | NOT_ADMIN
    | LEVY_CHANGE
    | {"benefits:apply", "benefits:enrolment_end"},
}
# The larger text and high contrast change the stylesheet, not what a page holds: they are
# crawled for the roles whose pages, together, are every page and form of PAGES (city staff:
# the registry, certificates, levy and applications; finance: the payment rolls' forms; the
# township officer: the township's step and its narrower lists); the other roles in the
# standard display only, which halves the crawl's time.
BOTH_MODES = ("standard", "larger-text-high-contrast")
MODES_OF = dict.fromkeys(("city_staff", "finance", "township_officer"), BOTH_MODES)
# Roles that press a reveal button on the person page: the ID number and account, or (the
# township officer) the phone numbers only.
CAN_REVEAL = {
    "county_clerk", "other_county_clerk", "city_staff", "auditor", "finance", "township_officer",
}  # fmt: skip
CAN_EXPORT = {"county_clerk", "other_county_clerk", "city_staff", "auditor", "finance"}
# The registry's downloads, fetched by Crawl.export: URL name -> content type.
EXPORTS = {
    "people:export": "text/csv",
    "people:export_xlsx": XLSX,
}

# Header forms that are not part of a page's own task.
FURNITURE_FORMS = ("logout", "set_language", "ui_preferences")


def url_names(patterns: list[Any] | None = None, namespace: str = "") -> Iterator[str]:
    """Every URL name in the resolver, with its namespace (people:detail)."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name}" if pattern.name else f"<unnamed {pattern.pattern}>"


def test_every_url_name_is_covered() -> None:
    names = set(url_names())
    missing = sorted(names - set(PAGES) - set(NOT_CRAWLED))
    assert not missing, (
        "URL names the accessibility crawl does not visit: "
        + ", ".join(missing)
        + ". Add each to PAGES in canlian/web/tests/browser/test_accessibility_crawl.py "
        "(with its arguments), or to NOT_CRAWLED saying where it is covered."
    )
    stale = sorted((set(PAGES) | set(NOT_CRAWLED)) - names)
    assert not stale, f"PAGES/NOT_CRAWLED name URLs that no longer exist: {stale}"
    steps = {step for _state, step in STEPS}
    assert steps == set(STEP_TITLES), (
        f"application steps the crawl does not open: {sorted(set(STEP_TITLES) - steps)}; "
        "add each to STEPS with an application of the world in a state that allows it"
    )


def test_stylesheet_does_not_lock_orientation() -> None:
    """WCAG 1.3.4, checked on the compiled CSS instead of by axe's css-orientation-lock
    (which needs every stylesheet parsed into axe on every page; see conftest.Axe)."""
    css_path = Path(settings.BASE_DIR) / "canlian" / "static" / "build" / "canlian.css"
    assert css_path.exists(), "run `bash scripts/build-assets.sh --with-axe` first"
    css = css_path.read_text(encoding="utf-8")
    media = re.findall(r"@media[^{]*", css)
    assert media, "no media query found: is this the compiled stylesheet?"
    locked = [m for m in media if "orientation" in m]
    assert not locked, f"media queries on orientation: {locked}"


@browser_db
def test_the_live_server_serves_the_built_css_and_scripts(new_page: Any) -> None:
    """Without the stylesheet every contrast result would be about browser defaults."""
    page = new_page()
    loaded: dict[str, tuple[int, str]] = {}
    page.on(
        "response",
        lambda r: loaded.setdefault(
            r.url.split("/static/", 1)[-1], (r.status, r.headers.get("content-type", ""))
        ),
    )
    page.goto(reverse("login"))
    page.wait_for_selector("[data-govuk-skip-link-init]", state="attached")
    assert loaded["build/canlian.css"][0] == 200
    assert loaded["build/canlian.css"][1].startswith("text/css")
    assert loaded["build/govuk-frontend.min.js"][0] == 200
    header = page.evaluate("getComputedStyle(document.querySelector('.cl-header')).backgroundColor")
    assert header == "rgb(0, 98, 94)"  # $cl-brand from canlian.scss


def rejected_import(tmp_path: Path, clerk: User, existing: Person) -> ImportJob:
    """An import checked with problems, so its page shows both the problems and the changes
    it would have made: a new person, a new phone number for `existing`, and a bad row.
    Rejected, it has no confirm form: the crawl's empty submissions cannot apply it."""
    rows = [
        row(101),
        row(
            102,
            姓名=existing.name,
            公民身份号码=opened(existing),
            联系电话="13912345678",
            **{"户籍所在村（社区）": "测试一村"},  # the village it has, so only the phone changes
        ),
        row(103, 残疾等级="9"),
    ]
    path = write_csv(tmp_path / "crawl-import.csv", rows)
    job = jobs.submit(filename=path.name, content=path.read_bytes(), acting_user=clerk)
    jobs.run_check(str(job.pk))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.REJECTED, job.summary
    assert [p["row"] for p in job.problems] == [4], job.problems
    # Row 2 is a new person; row 3 changes the phone of `existing`, nothing else.
    assert [c["row"] for c in job.changes] == [2, 3], job.changes
    return job


DAY = datetime.timedelta(days=1)
VILLAGE_WEN = "410825001001"  # 测试一村, under the township officer's 测试一镇
VILLAGE_MENG = "410883001001"  # 测试三村


def applicant(sequence: int, name: str, place_code: str = VILLAGE_WEN) -> certificates.Applicant:
    return certificates.Applicant(
        id_number=idcard.build(
            region_code=place_code[:6], birth_date=datetime.date(1984, 6, 9), sequence=sequence
        ),
        name=name,
        ethnicity="01",
        place_code=place_code,
        address="测试一村3组",
        phone="13900000010",
    )


BASIC = [Document.ID_CARD, Document.HOUSEHOLD_BOOK, Document.PHOTOS]


@dataclass
class CertificateData:
    applications: dict[str, Application]
    objection: Objection
    holder: Person
    tour_wen: Tour
    tour_meng: Tour
    check: SupervisionCheck
    check_item: CheckItem
    calendar_years: dict[str, int]


def certificate_world(
    *,
    make_person: Any,
    clerk: User,
    other_clerk: User,
    city: User,
    admin: User,
    institution: Institution,
) -> CertificateData:
    """The certificate workflow in each state the pages show, all through the services.

    First applications of 温县 (physical disability) received 40 days ago, booked, assessed
    35 days ago, published 30 days ago (so the publicity has ended), with an objection filed
    the next day, or reviewed and issued after the publicity; a replacement and a transfer of
    registry holders; a tour in each county with one applicant registered on it; a supervision
    check by the city of what 温县 issued lately (one certificate, a discrepancy found); a
    holiday schedule entered for a year after the package's data; a holder whose certificate
    expires within 90 days (the worklist's renewals)."""
    today = timezone.localdate()
    received = today - 40 * DAY
    sequence = iter(range(601, 700))
    applications: dict[str, Application] = {}

    def first(state: str, name: str) -> Application:
        application = certificates.submit_application(
            kind=Kind.FIRST,
            acting_user=clerk,
            received_on=received,
            applied_by=AppliedBy.SELF,
            documents=BASIC,
            category=4,
            applicant=applicant(next(sequence), name),
        )
        applications[state] = application
        return application

    def booked(state: str, name: str) -> Application:
        application = first(state, name)
        certificates.book_assessment(
            application=application,
            institution=institution,
            booked_for=received + 4 * DAY,
            at_home=False,
            acting_user=clerk,
        )
        return application

    def assessed(state: str, name: str) -> Application:
        application = booked(state, name)
        certificates.record_assessment(
            application=application,
            assessed_on=today - 35 * DAY,
            assessor="钱医生",
            category=4,
            measures=grading.Measures(independence=grading.Independence.MOSTLY_UNABLE),
            assessor_grade=2,
            acting_user=clerk,
        )
        return application

    def published(state: str, name: str) -> Application:
        application = assessed(state, name)
        certificates.start_publicity(
            application=application,
            starts_on=today - 30 * DAY,
            location="测试一村村委会公示栏",
            acting_user=clerk,
        )
        application.refresh_from_db()
        assert application.publicity_ends_on and application.publicity_ends_on < today
        return application

    first("submitted", "孙受理")
    booked("booked", "周预约")
    assessed("assessed", "吴评定")
    published("publicity_ended", "郑公示")
    objected = published("objection", "冯异议")
    objection = certificates.file_objection(
        application=objected,
        filed_on=today - 29 * DAY,
        grounds="申请人认为评定等级偏轻",
        acting_user=clerk,
        recorded_on=today - 29 * DAY,
    )
    issued = published("issued", "陈发证")
    assert issued.publicity_ends_on is not None
    certificates.review(
        application=issued,
        approve=True,
        on=issued.publicity_ends_on + DAY,
        reason="",
        acting_user=clerk,
    )
    # Holders of the registry: a replacement (issued without assessment) and a transfer.
    applications["replacement"] = certificates.submit_application(
        kind=Kind.REPLACEMENT,
        acting_user=clerk,
        received_on=today - 3 * DAY,
        applied_by=AppliedBy.SELF,
        documents=[Document.ID_CARD, Document.PHOTOS, Document.LOSS_STATEMENT],
        person=make_person(name="褚补证"),
        reason="证件遗失",
        replacement_reason="lost",
    )
    applications["transfer"] = certificates.submit_application(
        kind=Kind.TRANSFER,
        acting_user=clerk,
        received_on=today - 3 * DAY,
        applied_by=AppliedBy.SELF,
        documents=[
            Document.ID_CARD,
            Document.HOUSEHOLD_BOOK,
            Document.MOVE_PROOF,
            Document.OLD_CERTIFICATE,
        ],
        person=make_person(name="卫迁出"),
        target_place_code=VILLAGE_MENG,
    )
    # The worklist's renewals due: a certificate that expires in 30 days.
    make_person(
        name="蒋续证",
        certificate_issued_on=datetime.date(2017, 1, 5),
        certificate_expires_on=today + 30 * DAY,
    )
    for application in applications.values():
        application.refresh_from_db()

    def tour(county: str, village: str, user: User, name: str, applicant_name: str) -> Tour:
        planned = tours.create_tour(
            county=Place.objects.get(code=county + "000000"),
            name=name,
            starts_on=today - 10 * DAY,
            ends_on=today + 20 * DAY,
            institution=institution,
            team="李医生\n王干事",
            villages=Place.objects.filter(code__in=[village[:9] + "000", village]),
            acting_user=user,
        )
        tours.register_applicant(
            tour=planned,
            applicant=applicant(next(sequence), applicant_name, place_code=village),
            category=4,
            applied_by=AppliedBy.SELF,
            documents=BASIC,
            received_on=today - 5 * DAY,
            acting_user=user,
        )
        return planned

    tour_wen = tour("410825", VILLAGE_WEN, clerk, "温县秋季巡回办证", "杨巡回")
    tour_meng = tour(MENG, VILLAGE_MENG, other_clerk, "孟州秋季巡回办证", "朱巡回")

    check = supervision.draw_sample(
        county=Place.objects.get(code="410825000000"),
        period_start=today - 60 * DAY,
        period_end=today,
        sample_size=5,
        seed="20261129",
        acting_user=city,
    )
    item = check.items.get()
    supervision.record_result(
        item=item,
        result=CheckResult.DISCREPANCY,
        finding="证件照片与本人不符",
        checked_on=today,
        acting_user=city,
    )

    package = max(workdays.PACKAGE_YEARS)
    entered = package + 3
    week = [datetime.date(entered, 1, 1) + n * DAY for n in range(7)]
    new_year = next(day for day in week if day.weekday() < 5)  # a weekday off
    worked = next(day for day in week if day.weekday() == 5) + 35 * DAY  # a Saturday worked
    holidays.enter_schedule(
        year=entered,
        reference=f"国办发明电〔{entered - 1}〕9号",
        days=[
            holidays.DayEntry(day=new_year, is_working_day=False, name="元旦"),
            holidays.DayEntry(day=worked, is_working_day=True, name="春节调休"),
        ],
        acting_user=admin,
    )
    holder = applications["issued"].person
    assert holder is not None, "the issued first application put the person on the registry"
    return CertificateData(
        applications=applications,
        objection=objection,
        holder=holder,
        tour_wen=tour_wen,
        tour_meng=tour_meng,
        check=check,
        check_item=item,
        calendar_years={
            "entered": entered,
            "package": package,
            "weekends": package + 1,
        },
    )


def auditor_request(clerk: User, maker: User) -> AccountRequest:
    """A pending request for an auditor account of the clerk's county."""
    asked = approvals.create_account(
        username="auditor-2", full_name="", role=Role.AUDITOR,
        place=Place.objects.get(code="410800000000"), is_active=True, acting_user=maker,
    ).request  # fmt: skip
    assert asked is not None
    return asked


LOCKED_ADDRESS = "198.51.100.7"


def locked_pair(username: str = "no-such-user") -> int:
    """Lock signing in as `username` from LOCKED_ADDRESS with wrong passwords on the login
    page (in this process; the crawl's own address stays open); the pair's id."""
    from axes.models import AccessAttempt
    from django.test import Client

    client = Client(REMOTE_ADDR=LOCKED_ADDRESS)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": username, "password": "wrong"})
    return AccessAttempt.objects.get(username=username, ip_address=LOCKED_ADDRESS).pk


@pytest.fixture
def world(
    make_person: Any,
    county_clerk: User,
    other_county_clerk: User,
    city_staff: User,
    system_admin: User,
    designated_institution: Institution,
    tmp_path: Path,
    request: Any,
) -> World:
    wen = make_person(name="王建国")
    meng = make_person(name="李秀英", place_code="410883001001")

    def period(person: Person, clerk: User) -> StatusPeriod:
        return people.add_status_period(
            person=person,
            kind=StatusKind.DIBAO,
            start=datetime.date(2020, 1, 1),
            end=None,
            acting_user=clerk,
        )

    return World(
        person_wen=wen,
        person_meng=meng,
        period_wen=period(wen, county_clerk),
        period_meng=period(meng, other_county_clerk),
        account=county_clerk,
        account_request=auditor_request(county_clerk, request.getfixturevalue("security_admin_2")),
        locked_pair=locked_pair(),
        import_job=rejected_import(tmp_path, county_clerk, wen),
        institution=designated_institution,
        **vars(
            certificate_world(
                make_person=make_person,
                clerk=county_clerk,
                other_clerk=other_county_clerk,
                city=city_staff,
                admin=system_admin,
                institution=designated_institution,
            )
        ),
        # Made last, so that the persons above keep their ID numbers.
        **request.getfixturevalue("levy_world"),
        **request.getfixturevalue("subsidy_world"),
    )


# ---------------------------------------------------------------------------
# The crawler
# ---------------------------------------------------------------------------


@dataclass
class Crawl:
    axe: Any
    violations: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    visited: set[str] = field(default_factory=set)
    denied: dict[str, int] = field(default_factory=dict)
    forms_submitted: int = 0
    reveals: int = 0
    checked_paths: set[str] = field(default_factory=set)
    mode: str = "standard"

    def check(self, page: Any, what: str) -> None:
        where = f"{self.mode} {what} {page.url}"
        self.violations += self.axe.violations(page, where)
        self.violations += reflow_problems(page, where)

    def page_forms(self, page: Any) -> list[tuple[int, str]]:
        """(index, action) of each POST form that is the page's own (not header furniture)."""
        furniture = [reverse(name) for name in FURNITURE_FORMS]
        forms = page.eval_on_selector_all(
            "form",
            # getAttribute: a field named "action" or "method" shadows the form's property.
            """forms => forms.map(f => [
                (f.getAttribute('method') || 'get').toLowerCase(),
                new URL(f.getAttribute('action') || '', document.baseURI).pathname,
            ])""",
        )
        return [
            (i, action)
            for i, (method, action) in enumerate(forms)
            if method == "post" and action not in furniture
        ]

    def visit(self, page: Any, name: str, url: str, label: str = "") -> None:
        """Open `url` (a variant `label` of the page `name`), check it and its forms."""
        label = label or name
        response = page.goto(url)
        status = response.status if response else 0
        if status in (403, 404, 405):
            if self.denied.get(name, status) != status or name in self.visited:
                self.problems.append(f"{self.mode} {label}: HTTP {status}, unlike its variants")
            self.denied[name] = status
            if f"HTTP {status}" not in self.checked_paths:  # the 403 and 404 pages, once each
                self.checked_paths.add(f"HTTP {status}")
                self.check(page, f"{label} (HTTP {status})")
            return
        if status != 200:
            self.problems.append(f"{self.mode} {label} {url}: HTTP {status}")
            return
        if name in self.denied:
            self.problems.append(f"{self.mode} {label}: HTTP 200, but a variant was refused")
        self.visited.add(name)
        path = page.url
        if path in self.checked_paths:  # e.g. home redirects to a page already checked
            return
        self.checked_paths.add(path)
        self.check(page, label)
        for n, (index, action) in enumerate(self.page_forms(page)):
            if n:
                page.goto(url)
            if action.endswith("/reveal/"):
                self.reveal(page, label, index)
            else:
                self.submit_empty(page, label, index)

    def submit_empty(self, page: Any, name: str, index: int) -> None:
        form = page.locator("form").nth(index)
        form.evaluate(
            """form => {
                for (const el of form.elements) {
                    if (el.disabled || ['hidden', 'submit', 'button'].includes(el.type)) continue;
                    if (el.type === 'checkbox' || el.type === 'radio') el.checked = false;
                    else if (el.tagName === 'SELECT') {
                        el.value = '';
                        if (el.value !== '') el.selectedIndex = -1;
                    } else if (el.type !== 'file') el.value = '';
                }
            }"""
        )
        with page.expect_navigation():
            form.locator("button[type=submit], input[type=submit]").first.click()
        self.forms_submitted += 1
        summary = page.locator(".govuk-error-summary")
        if summary.count() != 1:
            self.problems.append(f"{self.mode} {name}: an empty form gave no error summary")
        self.check(page, f"{name} (submitted empty)")

    def replace_schedule(self, page: Any, year: int) -> None:
        """The page that asks before a year's entered schedule is replaced: reached only by
        posting the entry form (prefilled with that year's schedule) unchanged."""
        page.goto(reverse("holidays:enter") + f"?year={year}")
        with page.expect_navigation():
            page.locator("main form button[type=submit]").first.click()
        label = "holidays:enter (replace an entered schedule?)"
        if page.locator("main button[name=back]").count() != 1:
            self.problems.append(f"{self.mode} {label}: no confirmation page")
        self.check(page, label)

    def replace_declaration(self, page: Any, declaration: Declaration) -> None:
        """The page that asks before a verified declaration is replaced: reached only by
        posting the declaration form (prefilled with that declaration) unchanged."""
        page.goto(
            reverse("levy:declaration_create", args=[declaration.employer_id])
            + f"?year={declaration.year}"
        )
        with page.expect_navigation():
            page.locator("main form button[type=submit]").first.click()
        label = "levy:declaration_create (replace a verified declaration?)"
        if page.locator("main button[name=back]").count() != 1:
            self.problems.append(f"{self.mode} {label}: no confirmation page")
        self.check(page, label)

    def reveal(self, page: Any, name: str, index: int) -> None:
        with page.expect_navigation():
            page.locator("form").nth(index).locator("button[type=submit]").click()
        self.reveals += 1
        if page.locator(".govuk-inset-text[role=status]").count() != 1:
            self.problems.append(f"{self.mode} {name}: the reveal did not show the full values")
        self.check(page, f"{name} (revealed)")

    def export(self, page: Any) -> None:
        for name, expected_type in EXPORTS.items():
            response = page.request.get(reverse(name))
            if response.status in (403, 404):
                self.denied[name] = response.status
                continue
            content_type = response.headers.get("content-type", "")
            if response.status != 200 or not content_type.startswith(expected_type):
                self.problems.append(f"{name}: HTTP {response.status}, {content_type}")
            self.visited.add(name)


# WCAG 1.4.10 Reflow: at 320 CSS px nothing may make the page scroll sideways. Wide tables
# scroll inside their own region (.cl-table-wrap, focusable and named), which is allowed.
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width) return [];
  return [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > width + 1 && !el.closest('.cl-table-wrap'))
    .slice(0, 5)
    .map(el => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')} ends at `
      + `${Math.round(el.getBoundingClientRect().right)} px`);
}"""


NARROW = {"width": 320, "height": 640}


def reflow_problems(page: Any, where: str) -> list[str]:
    """Narrow the viewport to 320 px (no new request), look for sideways scrolling, restore."""
    size = page.viewport_size
    if size != NARROW:
        page.set_viewport_size(NARROW)
    try:
        found = page.evaluate(OVERFLOWING)
    finally:
        if size != NARROW:
            page.set_viewport_size(size)
    return [f"[{where}] reflow at 320 px: the page scrolls sideways: {found}"] if found else []


def larger_text_high_contrast(page: Any, on: str | None = "accounts:profile") -> None:
    """Choose the largest text and high contrast with the header buttons (POST /ui/)."""
    if on:
        page.goto(reverse(on))
    with page.expect_navigation():
        page.click("header button[name=text][value=larger]")
    with page.expect_navigation():
        page.click("header button[name=contrast][value=high]")
    classes = page.get_attribute("html", "class") or ""
    assert "cl-text-larger" in classes and "cl-contrast-high" in classes, classes


def report(crawl: Crawl) -> str:
    parts = []
    if crawl.problems:
        parts.append("Problems:\n" + "\n".join(crawl.problems))
    if crawl.violations:
        parts.append(
            f"{len(crawl.violations)} accessibility findings:\n" + "\n".join(crawl.violations)
        )
    return "\n\n".join(parts)


@browser_db
@pytest.mark.parametrize("role", ROLES)
def test_every_page_passes_axe_for(
    role: str, request: Any, world: World, login_as: Any, axe: Any, record_property: Any
) -> None:
    user: User = request.getfixturevalue(role)
    page = login_as(user)
    crawl = Crawl(axe)
    for mode in MODES_OF.get(role, ("standard",)):
        crawl.mode = mode
        crawl.checked_paths = set()
        if mode != "standard":
            # axe runs at the desktop width in both modes: at 320 px it cannot tell the
            # contrast of table cells scrolled out of their region (.cl-table-wrap), and
            # reports them as undecided. Reflow is checked at 320 px on every page anyway.
            larger_text_high_contrast(page)
        for name, spec in sorted(PAGES.items()):
            for label, url in urls_of(name, spec, world, user):
                crawl.visit(page, name, url, label)
        if user.can(Perm.MANAGE_PLACES):
            crawl.replace_schedule(page, world.calendar_years["entered"])
        if user.can(Perm.MANAGE_LEVY) and not in_meng(user):
            crawl.replace_declaration(page, world.levy_declarations["verified"])
    crawl.export(page)

    record_property("visited", sorted(crawl.visited))
    record_property("denied", crawl.denied)
    print(
        f"\n{role}: visited {sorted(crawl.visited)}; denied {crawl.denied}; "
        f"{crawl.forms_submitted} empty submits, {crawl.reveals} reveals"
    )

    assert not crawl.problems and not crawl.violations, report(crawl)
    expected_denied = EXPECTED_DENIED[role] | (set() if role in CAN_EXPORT else set(EXPORTS))
    assert set(crawl.denied) == expected_denied, (
        f"{role} was refused {sorted(crawl.denied)}, expected {sorted(expected_denied)}"
    )
    assert (crawl.reveals > 0) == (role in CAN_REVEAL)


SIGNED_OUT_MODES = ("standard", "larger-text-high-contrast", "english-larger-text-high-contrast")


def signed_out_mode(page: Any, crawl: Crawl, mode: str, url: str) -> None:
    """Open `url` signed out and switch to `mode` with the header's buttons (the choices
    are kept in the visitor's session, so each mode adds to the one before)."""
    crawl.mode = mode
    crawl.checked_paths = set()
    page.goto(url)
    if mode == "larger-text-high-contrast":
        larger_text_high_contrast(page, on=None)
    elif mode.startswith("english"):
        with page.expect_navigation():
            page.click("header button[name=language][value=en]")
        assert page.get_attribute("html", "lang") == "en"


@browser_db
def test_login_page_signed_out(new_page: Any, axe: Any) -> None:
    """The login page, and it submitted empty: standard, larger text with high contrast (kept
    in the session for a visitor), and once in English too."""
    page = new_page()
    crawl = Crawl(axe)
    for mode in SIGNED_OUT_MODES:
        signed_out_mode(page, crawl, mode, reverse("login"))
        crawl.visit(page, "login", reverse("login"))
        # Every other page sends a signed-out visitor to the login page.
        response = page.goto(reverse("people:list"))
        assert response and response.status == 200 and "/login/" in page.url
    assert crawl.visited == {"login"} and crawl.forms_submitted == 3
    assert not crawl.problems and not crawl.violations, report(crawl)


@browser_db
def test_progress_page_signed_out(new_page: Any, axe: Any, subsidy_world: dict[str, Any]) -> None:
    """The public progress page of subsidy applications, signed out: the form, it submitted
    empty, and an application found with its receipt code and the ID number's last six
    characters; standard, larger text with high contrast, and in English."""
    application = subsidy_world["subsidy_applications"]["township_checked"]
    tail = opened(application.person)[-6:]
    page = new_page()
    crawl = Crawl(axe)
    url = reverse("portal:subsidy_progress")
    for mode in SIGNED_OUT_MODES:
        signed_out_mode(page, crawl, mode, url)
        crawl.visit(page, "portal:subsidy_progress", url)
        page.goto(url)
        page.fill("#id_receipt", application.receipt_display)
        page.fill("#id_id_tail", tail)
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        assert page.locator("main table").count() == 1, page.content()
        crawl.check(page, "portal:subsidy_progress (an application found)")
    assert crawl.visited == {"portal:subsidy_progress"} and crawl.forms_submitted == 3
    assert not crawl.problems and not crawl.violations, report(crawl)


@browser_db
def test_certificate_progress_page_signed_out(new_page: Any, axe: Any, county_clerk: User) -> None:
    """The public progress page of certificate applications, signed out: the form, it
    submitted empty, and an application found with its receipt code and the ID number's last
    six characters (assessed, its publicity ended, the county review overdue: the step map
    with days done, a last day and its overdue mark); standard, larger text with high
    contrast, and in English."""
    today = timezone.localdate()
    institution = Institution.objects.create(
        name="市第一人民医院（示例）", place=Place.objects.get(code="410800000000"),
        categories=[4], home_visits=False,
    )  # fmt: skip
    application = certificates.submit_application(
        kind=Kind.FIRST, acting_user=county_clerk, received_on=today - 40 * DAY,
        applied_by=AppliedBy.SELF, documents=BASIC, category=4,
        applicant=applicant(651, "郑公示"),
    )  # fmt: skip
    certificates.book_assessment(
        application=application, institution=institution, booked_for=today - 36 * DAY,
        at_home=False, acting_user=county_clerk,
    )  # fmt: skip
    certificates.record_assessment(
        application=application, assessed_on=today - 35 * DAY, assessor="钱医生", category=4,
        measures=grading.Measures(independence=grading.Independence.MOSTLY_UNABLE),
        assessor_grade=2, acting_user=county_clerk,
    )  # fmt: skip
    certificates.start_publicity(
        application=application, starts_on=today - 30 * DAY, location="测试一村村委会公示栏",
        acting_user=county_clerk,
    )  # fmt: skip
    tail = opened(application, "id_number")[-6:]
    page = new_page()
    crawl = Crawl(axe)
    url = reverse("portal:certificate_progress")
    for mode in SIGNED_OUT_MODES:
        signed_out_mode(page, crawl, mode, url)
        crawl.visit(page, "portal:certificate_progress", url)
        page.goto(url)
        page.fill("#id_receipt", application.receipt_display)
        page.fill("#id_id_tail", tail)
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        assert page.locator("main ol.cl-step-map .cl-overdue").count() == 1, page.content()
        crawl.check(page, "portal:certificate_progress (an application found)")
    assert crawl.visited == {"portal:certificate_progress"} and crawl.forms_submitted == 3
    assert not crawl.problems and not crawl.violations, report(crawl)


@browser_db
def test_a_large_export_asked_for_and_written_in_the_background(
    login_as: Any, axe: Any, city_staff: User, make_person: Any, settings: Any
) -> None:
    """The confirmation of an export too large for the request, pressed with the keyboard, and
    the page of the export it queues (written at once: tasks run in the test's process)."""
    make_person(name="王建国")
    settings.EXPORT_DIRECT_ROWS = 0
    page = login_as(city_staff)
    crawl = Crawl(axe)
    page.goto(reverse("people:export"))
    crawl.check(page, "people:export (a large export: confirm)")
    page.locator("main form button[type=submit]").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/people/exports/" in page.url
    assert page.locator("main a[href$='/download/']").count() == 1, page.content()
    crawl.check(page, "people:exports:detail (ready to download)")
    assert not crawl.problems and not crawl.violations, report(crawl)


@browser_db
def test_second_factor_and_refusal_pages(new_page: Any, axe: Any, places: Any) -> None:
    """The sign-in pages of the second factor for an administrator who has none yet: the
    enrolment (QR code and key), it submitted empty, the recovery codes shown once; then,
    signed in again, the code page, empty and with a wrong code, passed with a recovery code.
    Then the login page's refusals: a locked pair and an expired session. Standard display
    and larger text with high contrast."""
    from django.contrib.sessions.backends.db import SessionStore

    from canlian.accounts import otp, sessions
    from canlian.accounts import services as accounts
    from canlian.accounts.roles import Role

    from .conftest import PASSWORD, submit_login

    admin = accounts.create_account(
        username="first-sysadmin", password=PASSWORD, role=Role.SYSTEM_ADMIN,
        place=Place.objects.get(code="410800000000"), acting_user=None, check_password=False,
    )  # fmt: skip
    crawl = Crawl(axe)
    codes: list[str] = []
    for mode in BOTH_MODES:
        crawl.mode = mode
        crawl.checked_paths = set()
        page = new_page()
        page.goto(reverse("login"))
        if mode != "standard":
            larger_text_high_contrast(page, on=None)
        submit_login(page, admin.username, PASSWORD)
        if not codes:  # the first pass enrols; the second is asked for a code
            assert "/accounts/me/second-factor/" in page.url, page.url
            crawl.visit(page, "accounts:second_factor", page.url)
            secret = page.inner_text(".cl-secret").replace(" ", "")
            key = base64.b32decode(secret).hex()
            page.fill("#id_code", otp.current_code(key))
            with page.expect_navigation():
                page.click("main button[type=submit]")
            assert "/accounts/me/recovery-codes/" in page.url, page.url
            codes = [c.replace("-", "") for c in page.locator("main code").all_inner_texts()]
            assert len(codes) == otp.RECOVERY_CODES
            crawl.check(page, "accounts:recovery_codes (new codes, shown once)")
            continue
        assert "/login/verify/" in page.url, page.url
        crawl.visit(page, "login_verify", page.url)
        page.fill("#id_code", "000000")
        with page.expect_navigation():
            page.click("main button[type=submit]")
        assert page.locator(".govuk-error-summary").count() == 1
        crawl.check(page, "login_verify (a wrong code)")
        page.wait_for_timeout(1_100)  # the throttle after a wrong code
        page.fill("#id_code", codes.pop())
        with page.expect_navigation():
            page.click("main button[type=submit]")
        assert "/login/" not in page.url, page.url
        crawl.check(page, f"after a recovery code: {page.url}")
    # The login page refusing a locked pair (the same words for any user name).
    for mode in BOTH_MODES:
        crawl.mode = mode
        page = new_page()
        page.goto(reverse("login"))
        if mode != "standard":
            larger_text_high_contrast(page, on=None)
        for _ in range(settings.AXES_FAILURE_LIMIT + 1):
            submit_login(page, f"locked-{mode}", "wrong-password")
        assert "暂停" in page.inner_text(".govuk-error-summary")
        crawl.check(page, "login (a locked pair)")
        # A session that expired: the login page says why.
        submit_login(page, admin.username, PASSWORD)
        page.fill("#id_code", codes.pop())
        with page.expect_navigation():
            page.click("main button[type=submit]")
        cookie = next(c for c in page.context.cookies() if c["name"] == "sessionid")
        store = SessionStore(session_key=cookie["value"])
        store[sessions.SEEN_AT] -= 31 * 60
        store.save()
        page.goto(reverse("people:list"))
        assert "/login/" in page.url and page.locator(".govuk-notification-banner").count() == 1
        crawl.check(page, "login (the session expired)")
    assert not crawl.problems and not crawl.violations, report(crawl)
