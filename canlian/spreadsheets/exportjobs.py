"""Exports too large for a web request: queued on the page, written by the worker, kept
encrypted for their asker only, deleted after EXPORT_KEEP_HOURS (canlian.spreadsheets.housekeeping).

One export runs per person at a time (a database constraint). The caller supplies what is
exported and checks who may ask for it and download it (for the registry:
people.exchange.exportjobs).
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from canlian.audit import records as audit
from canlian.lib.sealedfiles import sealed_storage
from canlian.spreadsheets import writing
from canlian.spreadsheets.models import ExportJob

if TYPE_CHECKING:
    from canlian.accounts.actors import Actor
    from canlian.accounts.models import User

S = ExportJob.Status
PROGRESS_EVERY = 2000  # rows between two updates of the progress bar
FORMATS = ("csv", "xlsx")


def needs_job(rows: int) -> bool:
    """Whether an export of `rows` rows is written in the background."""
    return rows > settings.EXPORT_DIRECT_ROWS


def queue(
    *, user: User, filters: dict[str, Any], full: bool, fmt: str, rows: int, description: str
) -> ExportJob:
    """Queue an export (its asker's rights checked by the caller); refused while the user has
    one running."""
    if fmt not in FORMATS:
        raise ValidationError(_("This export cannot be written in the background."))
    try:
        with transaction.atomic():
            return ExportJob.objects.create(
                created_by=user, region=user.scope_prefix or "",
                source=audit.current_source.get(), filters=filters,
                description=description[:300], full=full, format=fmt,
                rows_total=min(rows, settings.EXPORT_MAX_ROWS),
            )  # fmt: skip
    except IntegrityError as exc:
        raise ValidationError(
            _("An export of yours is still being written: wait until it is ready.")
        ) from exc


def running_for(user: Actor) -> ExportJob | None:
    return ExportJob.objects.visible_to(user).filter(status__in=ExportJob.RUNNING).first()


class _Counted:
    """The rows, counted, with the job's progress updated every PROGRESS_EVERY rows."""

    def __init__(self, rows: Iterable[Sequence[Any]], job: ExportJob) -> None:
        self.rows, self.job, self.done = rows, job, 0

    def __iter__(self) -> Iterator[Sequence[Any]]:
        for row in self.rows:
            self.done += 1
            if self.done % PROGRESS_EVERY == 0:
                ExportJob.objects.filter(pk=self.job.pk).update(rows_done=self.done)
            yield row


def claim(job_id: str) -> ExportJob | None:
    """A queued job, now marked as being written; None when it was handled already (a task
    delivered twice)."""
    updated = ExportJob.objects.filter(pk=job_id, status=S.QUEUED).update(status=S.WRITING)
    if not updated:
        return None
    return ExportJob.objects.select_related("created_by").get(pk=job_id)


def store(
    job: ExportJob,
    rows: Iterable[Sequence[Any]],
    *,
    sheet: str,
    headers: Sequence[str],
    widths: Sequence[int],
) -> None:
    """Write the rows in the job's format and keep the file, encrypted, for its asker."""
    counted = _Counted(rows, job)
    # Written in memory and stored encrypted: the values never lie on disk in clear.
    if job.format == "xlsx":
        book = io.BytesIO()
        writing.write_table(
            counted, book, sheet=sheet, headers=headers, widths=widths, in_memory=True
        )
        content = book.getvalue()
    else:
        content = "".join(writing.csv_lines(headers, counted)).encode("utf-8")
    job.file.save(f"{job.pk}.{job.format}", ContentFile(content), save=False)
    job.status = S.DONE
    job.rows_done = job.rows_total = counted.done
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


def check_asker(job: ExportJob, user: User) -> None:
    if job.created_by_id != user.pk:
        raise PermissionDenied(_("Only the person who asked for this export can download it."))


def check_ready(job: ExportJob) -> None:
    if job.status != S.DONE or not job.file:
        raise ValidationError(_("The export is not ready yet."))


def download_of(job: ExportJob, *, stem: str) -> Download:
    """The written file, named `stem` and the time it was asked for."""
    stamp = timezone.localtime(job.created_at).strftime("%Y%m%d-%H%M")
    content_type = writing.XLSX if job.format == "xlsx" else writing.CSV
    return Download(
        sealed_storage.read(job.file.name), f"{stem}-{stamp}.{job.format}", content_type
    )
