"""Imports and exports through the real task queue: queued by the pages on django-tasks'
database backend and run by `canlian worker` (one pass, --batch), as deployed.

The other tests run tasks at once (ImmediateBackend, canlian/conftest.py); these keep the
database worker honest. They are transactional: the worker commits, as it does in production."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from canlian.conftest import client_for, opened
from canlian.people.models import Person
from canlian.people.tests.exchange.helpers import id_for, row, write_csv
from canlian.spreadsheets.models import ExportJob, ImportJob

# The URL names these tests use (kept together: namespaces are being renamed).
UPLOAD = "people:imports:upload"
CONFIRM = "people:imports:confirm"
EXPORT = "people:export"
DOWNLOAD = "people:exports:download"

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("flushable_db"),
]
SIGNALS = [signal.SIGINT, signal.SIGTERM, signal.SIGQUIT]


@pytest.fixture(autouse=True)
def _database_queue(settings: Any) -> None:
    """The production queue (config/settings.py) instead of the tests' immediate one."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.HOUSEKEEPING_MINUTES = 0  # no sweeper thread beside the worker


@pytest.fixture
def run_worker() -> Iterator[Any]:
    """`canlian worker --batch`: run every queued task, then exit. The worker takes over the
    process's signals (Ctrl-C stops it gracefully); pytest gets them back afterwards."""
    saved = {number: signal.getsignal(number) for number in SIGNALS}

    def run() -> None:
        call_command(
            "worker", batch=True, startup_delay=False, interval=0, reload=False, verbosity=0
        )

    yield run
    for number, handler in saved.items():
        signal.signal(number, handler)


def queued() -> list[str]:
    return sorted(DBTaskResult.objects.ready().values_list("task_path", flat=True))


def test_an_upload_is_checked_and_imported_by_the_database_worker(
    tmp_path: Path, county_clerk: Any, run_worker: Any
) -> None:
    client = client_for(county_clerk)
    path = write_csv(tmp_path / "persons.csv", [row(1), row(2)])
    file = SimpleUploadedFile("persons.csv", path.read_bytes(), content_type="text/csv")
    assert client.post(reverse(UPLOAD), {"file": file}).status_code == 302
    job = ImportJob.objects.get()
    # Queued, not run: the page only hands the job to the queue.
    assert job.status == ImportJob.Status.QUEUED
    assert queued() == ["canlian.people.exchange.tasks.check_import"]

    run_worker()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CHECKED
    assert job.summary["rows"] == 2 and not Person.objects.exists()

    assert client.post(reverse(CONFIRM, args=[job.pk])).status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.APPLYING
    assert queued() == ["canlian.people.exchange.tasks.apply_import"]

    run_worker()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.APPLIED
    assert job.summary["created"] == 2
    assert sorted(opened(p) for p in Person.objects.all()) == sorted([id_for(1), id_for(2)])
    assert not queued()
    outcomes = DBTaskResult.objects.values_list("status", flat=True)
    assert list(outcomes) == ["SUCCESSFUL", "SUCCESSFUL"]


def test_a_large_export_is_written_by_the_database_worker(
    make_person: Any, county_clerk: Any, run_worker: Any, settings: Any
) -> None:
    settings.EXPORT_DIRECT_ROWS = 2  # three persons make a "large" export
    persons = [make_person(name=f"导出{n}") for n in range(3)]
    client = client_for(county_clerk)
    assert client.post(reverse(EXPORT)).status_code == 302
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.QUEUED
    assert queued() == ["canlian.people.exchange.tasks.write_export"]

    run_worker()
    job.refresh_from_db()
    assert (job.status, job.rows_done) == (ExportJob.Status.DONE, 3)
    response = client.get(reverse(DOWNLOAD, args=[job.pk]))
    body = b"".join(response.streaming_content if response.streaming else [response.content])
    text = body.decode("utf-8-sig")
    assert text.count("\n") == 4  # the header and three rows
    assert all(person.id_number_masked in text for person in persons)
    assert list(DBTaskResult.objects.values_list("status", flat=True)) == ["SUCCESSFUL"]
