"""Background tasks of imports (run by `canlian worker`)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django_tasks import task

from canlian.spreadsheets import jobs

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
