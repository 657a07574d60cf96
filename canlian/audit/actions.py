"""The audit log's actions and details in words: one registry, as data.

Every action string an entry is recorded with has a display name here
(`canlian/audit/tests/test_actions.py` checks the code against it). Apps above the log name
the vocabularies of their details (a reason's choices) with `register_values`, and the fields
a before/after detail holds with `register_fields`, when they load; the pages show
`action_name(...)` and `detail_items(...)`, never the codes.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from typing import Any

from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ACTION_NAMES: dict[str, Promise] = {
    "account.activate": _("Account activated"),
    "account.activate_refused": _("Account activation refused"),
    "account.approve": _("Account request approved"),
    "account.create": _("Account created"),
    "account.reject": _("Account request rejected"),
    "account.request": _("Account requested"),
    "account.reset_password": _("Password reset"),
    "account.update": _("Account changed"),
    "audit.chain_sealed": _("Audit log sealed with the audit key"),
    "audit.chain_unsealed": _("Audit log seal removed"),
    "benefits.explain": _("Subsidy decision explained"),
    "certificate.application.print": _("Application form printed"),
    "certificate.apply": _("Application accepted"),
    "certificate.assess": _("Assessment recorded"),
    "certificate.book": _("Assessment booked"),
    "certificate.cancel": _("Certificate cancelled"),
    "certificate.card_cancel": _("Card cancelled"),
    "certificate.card_check": _("Card checked"),
    "certificate.deadlines": _("Deadlines counted again on the official schedule"),
    "certificate.institution.create": _("Assessment institution added"),
    "certificate.institution.update": _("Assessment institution changed"),
    "certificate.issue": _("Certificate issued"),
    # The applicant's sealed values opened to be sealed again onto the registry on issue.
    "certificate.issue.copy": _("Application values moved onto the registry (issue)"),
    "certificate.objection": _("Objection recorded"),
    "certificate.objection.change": _("Certificate changed after the objection"),
    "certificate.objection.decide": _("Objection decided"),
    "certificate.print": _("Certificate printed"),
    # Before 2026-12 opening the page and downloading the PDF were both recorded so.
    "certificate.receipt.print": _("Receipt opened or downloaded"),
    "certificate.receipt.view": _("Receipt opened"),
    "certificate.receipt.pdf": _("Receipt downloaded as PDF to print"),
    "certificate.progress_viewed": _("Progress viewed by the applicant"),
    "certificate.publicity": _("Publicity posted"),
    "certificate.publicity.minor": _("A minor's conclusion posted, with the reason"),
    "certificate.refuse": _("Refused"),
    "certificate.reject": _("Rejected at county review"),
    "certificate.restore": _("Certificate restored"),
    "certificate.review.cancel": _("Conclusion confirmed at county review: certificate cancelled"),
    "certificate.supervision.draw": _("Cases drawn for supervision"),
    "certificate.supervision.resolve": _("Supervision finding resolved"),
    "certificate.supervision.result": _("Supervision result recorded"),
    "certificate.tour.book_all": _("Home assessments booked"),
    "certificate.tour.create": _("Home assessment tour planned"),
    "certificate.tour.publish_all": _("Home assessment results posted"),
    "certificate.transfer": _("Record transferred"),
    "certificate.withdraw": _("Withdrawn"),
    "demo.levy_declarations": _("Demonstration levy declarations created"),
    "demo.load": _("Demonstration data loaded"),
    "demo.progress_sample": _("Demonstration progress sample created"),
    "demo.reset": _("Demonstration data reset"),
    "files.prune": _("Old files deleted"),
    "holidays.schedule.enter": _("Holiday schedule entered"),
    "holidays.schedule.replace": _("Holiday schedule replaced"),
    "imports.prune": _("Old imports deleted"),
    "levy.collection.export": _("Collection list exported"),
    "levy.declaration.create": _("Levy declaration entered"),
    "levy.declaration.edit_open": _("Levy declaration opened for editing"),
    "levy.declaration.notify": _("Verification notice issued"),
    "levy.declaration.replace": _("Levy declaration replaced"),
    "levy.declaration.verify": _("Employment of disabled persons verified"),
    "levy.employer.create": _("Employer added"),
    "levy.employer.update": _("Employer changed"),
    "levy.verification.print": _("Verification result printed"),
    "otp.confirm": _("Second factor confirmed"),
    "otp.enrol": _("Second factor set up"),
    "otp.recovery_codes": _("Recovery codes issued"),
    "otp.replace_refused": _("Second factor replacement refused"),
    "otp.reset": _("Second factor reset"),
    "password.change": _("Password changed"),
    "password.change_failure": _("Password change failed"),
    "password.change_locked": _("Password change locked"),
    "payroll.adjust": _("Roll adjusted"),
    "payroll.approve": _("Roll approved"),
    "payroll.discard": _("Roll discarded"),
    "payroll.export": _("Bank file exported"),
    "payroll.export.open": _("Bank file opened"),
    "payroll.generate": _("Roll generated"),
    "payroll.reconcile": _("Bank results reconciled"),
    "payroll.recovery_opened": _("Recovery of an overpayment opened"),
    "payroll.recovery_resolved": _("Recovery of an overpayment closed"),
    "payroll.roll_book": _("Roll book printed"),
    "person.create": _("Added to the registry"),
    "person.export": _("Registry exported"),
    "person.export.download": _("Registry export downloaded"),
    "person.export.full": _("Registry exported with full values"),
    "person.import": _("Registry imported"),
    "person.import.matched": _("Imported row matched to a person"),
    "person.reveal": _("Full value shown"),
    "person.status.add": _("Status added"),
    "person.status.end": _("Status ended"),
    "person.update": _("Record changed"),
    "person.view": _("Full record opened"),
    "places.load": _("Administrative divisions loaded"),
    "reveal.refused": _("Showing a full value refused"),
    "search.by_number": _("Searched by ID number"),
    "signin": _("Signed in"),
    "signin.expired": _("Session expired"),
    "signin.failure": _("Sign-in failed"),
    "signin.locked": _("Sign-in refused: account locked"),
    "signin.lockout": _("Account locked after failed sign-ins"),
    "signin.second_factor": _("Second factor checked"),
    "signin.second_factor_failure": _("Second factor failed"),
    "signin.second_factor.recovery_code": _("Signed in with a recovery code"),
    "signin.unlock": _("Account unlocked"),
    # Before 2026-12 opening the page and downloading the PDF were both recorded so.
    "subsidy.receipt.print": _("Receipt opened or downloaded"),
    "subsidy.receipt.view": _("Receipt opened"),
    "subsidy.receipt.pdf": _("Receipt downloaded as PDF to print"),
    "subsidy.apply": _("Subsidy application accepted"),
    "subsidy.care_facts": _("Care facts recorded"),
    "subsidy.change_account": _("Bank account changed"),
    "subsidy.decide": _("Subsidy step decided"),
    "subsidy.end": _("Subsidy ended"),
    "subsidy.enrol_existing": _("Existing recipient enrolled"),
    "subsidy.progress_viewed": _("Progress viewed by the applicant"),
    "subsidy.publicity": _("Subsidy publicity posted"),
    "system.event": _("System event"),
}

# The parts of an action before its last dot, named for an action the registry lacks.
GROUP_NAMES: dict[str, Promise] = {
    "account": _("Account"),
    "certificate": _("Disability certificate"),
    "levy": _("Employment security fund"),
    "payroll": _("Payment roll"),
    "person": _("Registry"),
    "subsidy": _("Subsidy"),
}

DETAIL_LABELS: dict[str, Promise] = {
    "after": _("After"),
    "before": _("Before"),
    "applied_on": _("Date of application"),
    "category": _("Category"),
    "channel": _("Channel"),
    "count": _("Quantity"),
    "decision": _("Decision"),
    "end": _("End date"),
    "grade": _("Grade"),
    "kind": _("Kind"),
    "last_month": _("Last month paid"),
    "locked_until": _("No new application until"),
    "month": _("Month"),
    "note": _("Note"),
    "on": _("Date"),
    "place": _("Place"),
    "programme": _("Programme"),
    "reason": _("Reason"),
    "region": _("Area"),
    "start": _("Start date"),
    "step": _("Step"),
    "username": _("User name typed"),
    "year": _("Year"),
}

# Detail keys whose values are place codes or region prefixes, shown by the place's name
# (canlian.accounts.display looks them up): a number under any other key is a number.
PLACE_KEYS = frozenset({"county", "place", "region", "township"})

# Where an entry came from, when not a client's IP address (canlian.audit.records.source).
SOURCE_NAMES: dict[str, Promise] = {
    "cli": _("Command line on the server"),
    "web": _("Web page"),
    "task": _("Background task"),
    "worker": _("Background task"),
}


def source_name(source: str) -> str:
    """An entry's source in words; an IP address as it is."""
    return str(SOURCE_NAMES[source]) if source in SOURCE_NAMES else source


# (action, detail key) -> {stored value: words}; registered by the apps that record them.
_VALUES: dict[tuple[str, str], dict[str, Any]] = {}
# detail key -> {stored value: words}, for a key that means the same in every action.
_KEY_VALUES: dict[str, dict[str, Any]] = {}
# field name -> label, for the keys of a before/after detail (a model's fields).
_FIELD_LABELS: dict[str, Any] = {}


def register_values(
    key: str, choices: Iterable[tuple[Any, Any]], *, actions: Iterable[str] = ()
) -> None:
    """Name the stored values of detail `key` (of `actions`, or of every action)."""
    words = {str(value): label for value, label in choices}
    if actions:
        for action in actions:
            _VALUES[(action, key)] = words
    else:
        _KEY_VALUES[key] = words


def register_fields(model: Any) -> None:
    """Name the keys of a before/after detail that holds `model`'s fields by the fields'
    labels, and their stored values by the fields' choices (a name registered first stays)."""
    for model_field in model._meta.concrete_fields:
        _FIELD_LABELS.setdefault(model_field.name, model_field.verbose_name)
        if model_field.choices:
            _KEY_VALUES.setdefault(
                model_field.name, {str(v): label for v, label in model_field.flatchoices}
            )


def _key_label(key: str) -> str | None:
    label = DETAIL_LABELS.get(key) or _FIELD_LABELS.get(key)
    return str(label) if label is not None else None


def action_name(action: str) -> str:
    """The display name of `action`; a group's name for one the registry does not know."""
    if action in ACTION_NAMES:
        return str(ACTION_NAMES[action])
    group = GROUP_NAMES.get(action.split(".", 1)[0])
    return str(group) if group is not None else str(_("Other action"))


def _date(value: str) -> str | None:
    """An ISO date (2026-08-21), shown as it is like every other page's dates, or a month
    (2026-08) in the locale's words."""
    try:
        if len(value) == 7:
            month = datetime.date.fromisoformat(f"{value}-01")
            return date_format(month, "YEAR_MONTH_FORMAT")
        return datetime.date.fromisoformat(value).isoformat()
    except ValueError:
        return None


def value_words(
    action: str, key: str, value: Any, *, place_name: Callable[[str], str | None] | None = None
) -> str:
    """One detail value in words: a choice's name, a date formatted, a place by name."""
    if value in (None, "", [], {}):
        return "—"
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, list):
        return " → ".join(value_words(action, key, v, place_name=place_name) for v in value)
    if isinstance(value, dict):  # a before/after: its keys by label, unknown ones left out
        named = [(_key_label(k), k, v) for k, v in value.items()]
        return (
            "；".join(
                f"{label}：{value_words(action, k, v, place_name=place_name)}"
                for label, k, v in named
                if label is not None
            )
            or "—"
        )
    text = str(value)
    words = _VALUES.get((action, key)) or _KEY_VALUES.get(key) or {}
    if text in words:
        return str(words[text])
    if len(text) in (7, 10) and (day := _date(text)) is not None:
        return day
    if place_name is not None and key in PLACE_KEYS and text.isdigit():
        name = place_name(text)
        if name:
            return name
    return text


def detail_items(
    action: str, detail: dict[str, Any], *, place_name: Callable[[str], str | None] | None = None
) -> list[tuple[str, str]]:
    """The details of an entry as (label, value) pairs in words; keys the registry does not
    name are left out (they are codes kept for the auditors' export)."""
    return [
        (str(DETAIL_LABELS[key]), value_words(action, key, value, place_name=place_name))
        for key, value in (detail or {}).items()
        if key in DETAIL_LABELS
    ]


def choices() -> list[tuple[str, str]]:
    """The actions as a filter's choices, by name, with "all" first."""
    named = sorted(((code, str(name)) for code, name in ACTION_NAMES.items()), key=lambda c: c[1])
    return [("", str(_("All"))), *named]
