"""Background tasks of the registry's imports and exports (run by `canlian worker`)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django_tasks import task

from canlian.people.exchange import exportjobs, jobs

logger = logging.getLogger(__name__)


def _run(step: Callable[[str], None], job_id: str) -> None:
    """Run a step; a crash marks the job failed (nothing was written: one transaction)."""
    try:
        step(job_id)
    except Exception as exc:
        logger.exception("import job %s failed", job_id)
        jobs.fail(job_id, repr(exc))
        raise


@task()
def check_import(job_id: str) -> None:
    _run(jobs.run_check, job_id)


@task()
def apply_import(job_id: str) -> None:
    _run(jobs.run_apply, job_id)


@task()
def write_export(job_id: str) -> None:
    try:
        exportjobs.run(job_id)
    except Exception as exc:
        logger.exception("export job %s failed", job_id)
        exportjobs.fail(job_id, repr(exc))
        raise
