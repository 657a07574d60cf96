"""Import persons from a spreadsheet: parse → validate every row → report → apply all or nothing.

One engine (canlian.spreadsheets.imports) for the command line (`canlian import-persons`) and
the web page, with the registry's row rules (`people.exchange.rows`). A run checks every row and
collects every problem with its row, column and reason. A dry run stops there. Otherwise the
same pass writes each clean chunk inside one transaction, and rolls the whole transaction back
if any row of the file had a problem: nothing partial lands.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from canlian.accounts.access import require
from canlian.accounts.roles import Perm
from canlian.people import batch
from canlian.people.exchange import matches
from canlian.people.exchange.columns import home_of, registry_for
from canlian.people.exchange.rows import PersonRules
from canlian.spreadsheets.imports import (
    HEADER_SEARCH_ROWS,
    Progress,
    Source,
    open_source,
    refusing,
    run_pass,
)
from canlian.spreadsheets.outcome import Outcome
from canlian.spreadsheets.reading import Limits

if TYPE_CHECKING:
    from canlian.accounts.actors import Actor

__all__ = ["CHUNK_ROWS", "HEADER_SEARCH_ROWS", "Outcome", "import_persons"]

CHUNK_ROWS = 2000


def import_persons(
    path: Path,
    *,
    filename: str,
    acting_user: Actor,
    dry_run: bool,
    progress: Progress | None = None,
    today: datetime.date | None = None,
    limits: Limits | None = None,
) -> Outcome:
    """Check (and unless `dry_run`, apply) a file of persons. Never raises for bad input:
    a file that cannot be read is `refused`; rows with problems are listed. `progress` is
    called with (rows done, rows in the file) before the first chunk and after each."""
    outcome = Outcome(filename=filename, dry_run=dry_run)
    with refusing(outcome):
        require(acting_user, Perm.CHANGE_PERSON)
        source = open_source(
            path,
            filename=filename,
            limits=limits,
            columns=registry_for(home_of(acting_user)),
            outcome=outcome,
        )
        day = today or timezone.localdate()
        if dry_run:
            _pass(outcome, source, acting_user, day, None, progress)
            _spend(outcome, acting_user)
        else:
            _apply(outcome, source, acting_user, day, progress)
            matches.record(
                acting_user, filename=filename, sha256=outcome.sha256, matched=outcome.matched,
                refused=not outcome.applied,
            )  # fmt: skip
    return outcome


def _pass(
    outcome: Outcome,
    source: Source,
    acting_user: Actor,
    today: datetime.date,
    writer: batch.Writer | None,
    progress: Progress | None,
) -> None:
    rules = PersonRules(
        outcome=outcome, source=source, acting_user=acting_user, today=today, writer=writer
    )
    run_pass(outcome, source, rules, progress, chunk_rows=CHUNK_ROWS)


def _withhold(outcome: Outcome) -> None:
    """Refuse a run past the day's matches, saying nothing of its rows."""
    outcome.refused = matches.refusal()
    outcome.problems, outcome.changes = [], []
    outcome.created = outcome.updated = outcome.unchanged = outcome.rejected_rows = 0
    outcome.problem_count = outcome.change_count = 0


def _spend(outcome: Outcome, acting_user: Actor) -> None:
    """A check's matches: counted (and past the day's budget, the check withheld)."""
    refused = matches.over_budget(acting_user, outcome.matched, sha256=outcome.sha256)
    if refused:
        _withhold(outcome)
    matches.record(
        acting_user, filename=outcome.filename, sha256=outcome.sha256, matched=outcome.matched,
        refused=refused,
    )  # fmt: skip


def _apply(
    outcome: Outcome,
    source: Source,
    acting_user: Actor,
    today: datetime.date,
    progress: Progress | None,
) -> None:
    with transaction.atomic():
        writer = batch.Writer(
            acting_user=acting_user,
            today=today,
            detail={"import": {"file": outcome.filename, "sha256": outcome.sha256}},
        )
        _pass(outcome, source, acting_user, today, writer, progress)
        if matches.over_budget(acting_user, outcome.matched, sha256=outcome.sha256):
            _withhold(outcome)
        if not outcome.clean:
            transaction.set_rollback(True)
            return
        writer.audit.add(
            action="person.import",
            target_type="",
            target_id="",
            region=getattr(acting_user, "scope_prefix", "") or "",
            detail={"file": outcome.filename, "sha256": outcome.sha256, **outcome.counts()},
        )
        writer.audit.flush()
        outcome.applied = True
