"""Imports from the web page: the upload is stored, checked in the background, shown, and
applied in the background once its uploader confirms a clean check.

Every state change of an import job goes through this module. The caller supplies the import
(an `Importer`, e.g. people.exchange.importing.import_persons) and checks who may upload; its
tasks only hand job ids to the worker.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from canlian.audit import records as audit
from canlian.lib.sealedfiles import sealed_storage
from canlian.spreadsheets.imports import Progress
from canlian.spreadsheets.models import ImportJob
from canlian.spreadsheets.outcome import Outcome
from canlian.spreadsheets.report import write_report

if TYPE_CHECKING:
    from canlian.accounts.actors import Actor
    from canlian.accounts.models import User

SHOWN = 200  # problems and changes kept on the job for its page; the report has them all
S = ImportJob.Status


class Importer(Protocol):
    """Check (and unless `dry_run`, apply) a file; never raise for bad input."""

    def __call__(
        self,
        path: Path,
        *,
        filename: str,
        acting_user: User,
        dry_run: bool,
        progress: Progress | None = None,
    ) -> Outcome: ...


def submit(*, filename: str, content: bytes, acting_user: User) -> ImportJob:
    """Store an upload as a job waiting to be checked (the caller has checked that
    `acting_user` may import)."""
    job = ImportJob(
        created_by=acting_user,
        region=acting_user.scope_prefix or "",
        source=audit.current_source.get(),
        filename=filename[:255],
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )
    # Encrypted at rest; the stored name says nothing of the uploaded one.
    job.upload.save(f"{job.pk}{job.extension}", ContentFile(content), save=False)
    job.save()
    return job


def can_confirm(job: ImportJob, user: Actor) -> bool:
    """Only the uploader confirms, and only a check without problems."""
    return job.status == S.CHECKED and job.created_by_id == user.pk


def confirm(*, job: ImportJob, acting_user: Actor) -> ImportJob:
    """Ask for a checked job to be applied. Only its uploader, only after a clean check."""
    if job.created_by_id != acting_user.pk:
        raise PermissionDenied(_("Only the person who uploaded the file can import it."))
    updated = ImportJob.objects.filter(pk=job.pk, status=S.CHECKED).update(
        status=S.APPLYING, rows_done=0, source=audit.current_source.get()
    )
    if not updated:
        raise ValidationError(_("Only a file checked without problems can be imported."))
    job.refresh_from_db()
    return job


@contextmanager
def _file(job: ImportJob) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="canlian-import-") as folder:
        path = Path(folder) / f"upload{job.extension}"
        path.write_bytes(sealed_storage.read(job.upload.name))
        yield path


def _store(job: ImportJob, outcome: Outcome, status: str) -> None:
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as report:
        write_report(outcome, Path(report.name), user_label=job.created_by.get_username())
        job.report.save(f"{job.pk}.xlsx", ContentFile(Path(report.name).read_bytes()), save=False)
    job.status = status
    job.summary = outcome.summary() | {"ignored_columns": outcome.ignored_columns}
    job.problems = [p.__dict__ for p in outcome.problems[:SHOWN]]
    job.changes = [c.__dict__ for c in outcome.changes[:SHOWN]]
    job.rows_done = outcome.rows
    job.save()


def run_check(job_id: str, importer: Importer) -> None:
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if job.status != S.QUEUED:
        return  # already handled (a task delivered twice)
    job.status = S.CHECKING
    job.save(update_fields=["status", "updated_at"])
    with _file(job) as path:

        def progress(done: int, total: int) -> None:
            job.rows_total = total
            ImportJob.objects.filter(pk=job.pk).update(rows_done=done, rows_total=total)

        with audit.source(job.source or "task"):
            outcome = importer(
                path,
                filename=job.filename,
                acting_user=job.created_by,
                dry_run=True,
                progress=progress,
            )
    _store(job, outcome, S.CHECKED if outcome.clean else S.REJECTED)


def run_apply(job_id: str, importer: Importer) -> None:
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if job.status != S.APPLYING:
        return
    with _file(job) as path, audit.source(job.source or "task"):
        outcome = importer(path, filename=job.filename, acting_user=job.created_by, dry_run=False)
    _store(job, outcome, S.APPLIED if outcome.applied else S.REJECTED)


def fail(job_id: str, message: str) -> None:
    """Mark a job whose task crashed: nothing was written (the import is one transaction)."""
    ImportJob.objects.filter(pk=job_id).exclude(status__in=[S.APPLIED]).update(
        status=S.FAILED, error=message[:2000]
    )
