"""Background tasks of imports (run by `canlian worker`)."""

from __future__ import annotations

import logging

from django_tasks import task

from canlian.spreadsheets import jobs

logger = logging.getLogger(__name__)


@task()
def check_import(job_id: str) -> None:
    try:
        jobs.run_check(job_id)
    except Exception as exc:
        logger.exception("import check %s failed", job_id)
        jobs.fail(job_id, repr(exc))
        raise


@task()
def apply_import(job_id: str) -> None:
    try:
        jobs.run_apply(job_id)
    except Exception as exc:
        logger.exception("import %s failed", job_id)
        jobs.fail(job_id, repr(exc))
        raise
