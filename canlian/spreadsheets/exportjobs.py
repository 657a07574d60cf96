"""Registry exports too large for a web request: asked for on the page, written by the worker
with the asker's rights, downloaded by the asker only, deleted after EXPORT_KEEP_HOURS.

One export runs per person at a time (a database constraint). The access record is written
when the worker opens the values (canlian.accounts.reveal for a full export), and each download
is recorded too.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from canlian.accounts.models import User
from canlian.accounts.roles import Perm
from canlian.accounts.scoping import reaches
from canlian.audit import records as audit
from canlian.lib.sealedfiles import sealed_storage
from canlian.people.access import require
from canlian.people.selectors import PersonFilters
from canlian.spreadsheets import exports
from canlian.spreadsheets.models import ExportJob
from canlian.spreadsheets.writing import CSV, XLSX

S = ExportJob.Status
PROGRESS_EVERY = 2000  # rows between two updates of the progress bar
FORMATS = ("csv", "xlsx")


def needs_job(rows: int) -> bool:
    """Whether an export of `rows` rows is written in the background."""
    return rows > settings.EXPORT_DIRECT_ROWS


def start(
    *, user: User, filters: PersonFilters, full: bool, fmt: str, rows: int, description: str
) -> ExportJob:
    """Queue an export of what the list shows; refused while the user has one running."""
    require(user, Perm.EXPORT_PERSON)
    if full:
        require(user, Perm.EXPORT_REVEAL)
    if fmt not in FORMATS or filters.by_number:
        raise ValidationError(_("This export cannot be written in the background."))
    try:
        with transaction.atomic():
            return ExportJob.objects.create(
                created_by=user, region=user.scope_prefix or "",
                source=audit.current_source.get(), filters=filters.as_dict(),
                description=description[:300], full=full, format=fmt,
                rows_total=min(rows, settings.EXPORT_MAX_ROWS),
            )  # fmt: skip
    except IntegrityError as exc:
        raise ValidationError(
            _("An export of yours is still being written: wait until it is ready.")
        ) from exc


def running_for(user: Any) -> ExportJob | None:
    return ExportJob.objects.visible_to(user).filter(status__in=ExportJob.RUNNING).first()


class _Counted:
    """The rows, counted, with the job's progress updated every PROGRESS_EVERY rows."""

    def __init__(self, rows: Iterator[list[Any]], job: ExportJob) -> None:
        self.rows, self.job, self.done = rows, job, 0

    def __iter__(self) -> Iterator[list[Any]]:
        for row in self.rows:
            self.done += 1
            if self.done % PROGRESS_EVERY == 0:
                ExportJob.objects.filter(pk=self.job.pk).update(rows_done=self.done)
            yield row


def run(job_id: str) -> None:
    """Write a queued export with its asker's rights (checked again now) and keep the file,
    encrypted, for its asker."""
    updated = ExportJob.objects.filter(pk=job_id, status=S.QUEUED).update(status=S.WRITING)
    if not updated:
        return  # already handled (a task delivered twice)
    job = ExportJob.objects.select_related("created_by").get(pk=job_id)
    user = job.created_by
    filters = PersonFilters(**job.filters)
    with audit.source(job.source or "task"):
        made = exports.prepared(
            user=user, filters=filters, full=job.full, fmt=job.format,
            limit=settings.EXPORT_MAX_ROWS,
        )  # fmt: skip
        rows = _Counted(made, job)
        # Written in memory and stored encrypted: the values never lie on disk in clear.
        if job.format == "xlsx":
            book = io.BytesIO()
            exports.write_xlsx(rows, book, in_memory=True)
            content = book.getvalue()
        else:
            content = "".join(exports.csv_lines(rows)).encode("utf-8")
        job.file.save(f"{job.pk}.{job.format}", ContentFile(content), save=False)
    job.status = S.DONE
    job.rows_done = job.rows_total = rows.done
    job.save(update_fields=["file", "status", "rows_done", "rows_total", "updated_at"])


def fail(job_id: str, message: str) -> None:
    ExportJob.objects.filter(pk=job_id, status__in=ExportJob.RUNNING).update(
        status=S.FAILED, error=message[:2000]
    )


@dataclasses.dataclass(frozen=True)
class Download:
    content: bytes
    filename: str
    content_type: str


def download(*, job: ExportJob, acting_user: User) -> Download:
    """The written file, for its asker only; each download is an access record."""
    if job.created_by_id != acting_user.pk:
        raise PermissionDenied(_("Only the person who asked for this export can download it."))
    # The asker's rights now, not when it was asked for: a role or a jurisdiction taken away
    # since takes the file away too.
    still = acting_user.can(Perm.EXPORT_PERSON) and (
        not job.full or acting_user.can(Perm.EXPORT_REVEAL)
    )
    if not still or not reaches(acting_user, job.region):
        raise PermissionDenied(_("You may no longer download this export."))
    if job.status != S.DONE or not job.file:
        raise ValidationError(_("The export is not ready yet."))
    with transaction.atomic():
        audit.record_access(
            acting_user=acting_user, action="person.export.download", target=None,
            region=job.region, detail={"export": str(job.pk), "full": job.full},
        )  # fmt: skip
    stamp = timezone.localtime(job.created_at).strftime("%Y%m%d-%H%M")
    content_type = XLSX if job.format == "xlsx" else CSV
    return Download(
        sealed_storage.read(job.file.name), f"registry-{stamp}.{job.format}", content_type
    )
