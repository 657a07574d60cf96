"""Imports of persons from the web page, as jobs of canlian.spreadsheets.jobs: the upload is
stored, checked in the background, shown, and applied once its uploader confirms a clean check."""

from __future__ import annotations

from canlian.accounts.access import require
from canlian.accounts.models import User
from canlian.accounts.roles import Perm
from canlian.people.exchange.importing import import_persons
from canlian.spreadsheets import jobs
from canlian.spreadsheets.jobs import can_confirm, confirm, fail
from canlian.spreadsheets.models import ImportJob

__all__ = ["can_confirm", "confirm", "fail", "run_apply", "run_check", "submit"]


def submit(*, filename: str, content: bytes, acting_user: User) -> ImportJob:
    """Store an upload as a job waiting to be checked."""
    require(acting_user, Perm.CHANGE_PERSON)
    return jobs.submit(filename=filename, content=content, acting_user=acting_user)


def run_check(job_id: str) -> None:
    jobs.run_check(job_id, import_persons)


def run_apply(job_id: str) -> None:
    jobs.run_apply(job_id, import_persons)
