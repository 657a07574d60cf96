"""What the background worker does on a schedule: delete old import and export files (they
hold personal data) and expired sessions, and append a signed checkpoint of the audit chain
(canlian.audit.checkpoints). `canlian housekeeping` runs it once (for cron)."""

from __future__ import annotations

import dataclasses
import datetime
import logging
import threading

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import close_old_connections, transaction
from django.utils import timezone

from canlian.audit import checkpoints
from canlian.audit import records as audit
from canlian.spreadsheets.models import ExportJob, ImportJob

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class Swept:
    imports: int
    exports: int
    sessions: int
    checkpoint: int | None  # the audit entry the checkpoint ends at (None: an empty log)


def _delete_files(jobs: list[ImportJob] | list[ExportJob]) -> None:
    for job in jobs:
        for field in ("upload", "report", "file"):
            stored = getattr(job, field, None)
            if stored:
                stored.delete(save=False)


def prune_imports(*, days: int, now: datetime.datetime | None = None) -> int:
    """Delete finished import jobs older than `days` days, their files first."""
    before = (now or timezone.now()) - datetime.timedelta(days=days)
    old = list(
        ImportJob.objects.filter(created_at__lt=before).exclude(status__in=ImportJob.RUNNING)
    )
    _delete_files(old)
    ImportJob.objects.filter(pk__in=[j.pk for j in old]).delete()
    return len(old)


def prune_exports(*, hours: int, now: datetime.datetime | None = None) -> int:
    """Delete export jobs (and files) asked for more than `hours` hours ago; a job still
    running after twice that time is taken for dead and deleted too."""
    now = now or timezone.now()
    old = list(
        ExportJob.objects.filter(created_at__lt=now - datetime.timedelta(hours=hours)).exclude(
            status__in=ExportJob.RUNNING, created_at__gte=now - datetime.timedelta(hours=2 * hours)
        )
    )
    _delete_files(old)
    ExportJob.objects.filter(pk__in=[j.pk for j in old]).delete()
    return len(old)


def sweep(now: datetime.datetime | None = None) -> Swept:
    """Everything housekeeping deletes, recorded in the audit log when anything went."""
    now = now or timezone.now()
    imports = prune_imports(days=settings.IMPORT_KEEP_DAYS, now=now)
    exports = prune_exports(hours=settings.EXPORT_KEEP_HOURS, now=now)
    sessions, _ = Session.objects.filter(expire_date__lt=now).delete()
    if imports or exports:
        with transaction.atomic(), audit.source("worker"):
            audit.record(
                acting_user=None, action="files.prune", target=None,
                detail={"imports": imports, "exports": exports, "sessions": sessions},
            )  # fmt: skip
    # Last, so that it covers what this sweep recorded.
    checkpoint = checkpoints.write_checkpoint()
    return Swept(imports, exports, sessions, checkpoint.entry if checkpoint else None)


def every(seconds: float, stop: threading.Event) -> None:
    """Sweep now and then every `seconds` until `stop` is set (the worker's thread)."""
    while not stop.is_set():
        try:
            sweep()
        except Exception:
            logger.exception("housekeeping failed; trying again later")
        finally:
            close_old_connections()
        stop.wait(seconds)
