"""Registry exports too large for a web request: asked for on the page, written by the worker
with the asker's rights, downloaded by the asker only (canlian.spreadsheets.exportjobs keeps
the jobs and their files).

The access record is written when the worker opens the values (canlian.accounts.reveal for a
full export), and each download is recorded too.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from canlian.accounts.access import require
from canlian.accounts.models import User
from canlian.accounts.roles import Perm
from canlian.accounts.scoping import reaches
from canlian.audit import records as audit
from canlian.people.exchange import exporting
from canlian.people.exchange.columns import COLUMNS, TEMPLATE_SHEET
from canlian.people.selectors import PersonFilters, split_tail
from canlian.spreadsheets import exportjobs
from canlian.spreadsheets.exportjobs import Download, fail, needs_job, running_for
from canlian.spreadsheets.models import ExportJob

__all__ = ["Download", "download", "fail", "needs_job", "run", "running_for", "start"]


def start(
    *, user: User, filters: PersonFilters, full: bool, fmt: str, rows: int, description: str
) -> ExportJob:
    """Queue an export of what the list shows; refused while the user has one running."""
    require(user, Perm.EXPORT_PERSON)
    if full:
        require(user, Perm.EXPORT_REVEAL)
    if filters.by_number or split_tail(filters.q)[0]:
        # A search by number, or by a number's last characters, is kept masked in the job:
        # run again from the mask it would find no one.
        raise ValidationError(_("This export cannot be written in the background."))
    return exportjobs.queue(
        user=user, filters=filters.as_dict(), full=full, fmt=fmt, rows=rows,
        description=description,
    )  # fmt: skip


def run(job_id: str) -> None:
    """Write a queued export with its asker's rights (checked again now) and keep the file,
    encrypted, for its asker."""
    job = exportjobs.claim(job_id)
    if job is None:
        return  # already handled (a task delivered twice)
    with audit.source(job.source or "task"):
        made = exporting.prepared(
            user=job.created_by, filters=PersonFilters(**job.filters), full=job.full,
            fmt=job.format, limit=settings.EXPORT_MAX_ROWS,
        )  # fmt: skip
        exportjobs.store(
            job, made, sheet=TEMPLATE_SHEET, headers=exporting.headers(),
            widths=[c.width for c in COLUMNS],
        )  # fmt: skip


def download(*, job: ExportJob, acting_user: User) -> Download:
    """The written file, for its asker only; each download is an access record."""
    exportjobs.check_asker(job, acting_user)
    # The asker's rights now, not when it was asked for: a role or a jurisdiction taken away
    # since takes the file away too.
    still = acting_user.can(Perm.EXPORT_PERSON) and (
        not job.full or acting_user.can(Perm.EXPORT_REVEAL)
    )
    if not still or not reaches(acting_user, job.region):
        raise PermissionDenied(_("You may no longer download this export."))
    exportjobs.check_ready(job)
    with transaction.atomic():
        audit.record_access(
            acting_user=acting_user, action="person.export.download", target=None,
            region=job.region, detail={"export": str(job.pk), "full": job.full},
        )  # fmt: skip
    return exportjobs.download_of(job, stem="registry")
