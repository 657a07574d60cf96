"""Uploads, reports and exports are encrypted on disk, never in the database, and purged."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.core.files.base import ContentFile
from django.utils import timezone

from canlian.audit.models import Entry
from canlian.lib.sealedfiles import sealed_storage
from canlian.people.exchange import jobs
from canlian.people.tests.exchange.helpers import id_for, row, write_csv
from canlian.spreadsheets import housekeeping
from canlian.spreadsheets.models import ExportJob, ImportJob

pytestmark = pytest.mark.django_db


def _on_disk(name: str) -> bytes:
    return (Path(settings.MEDIA_ROOT) / name).read_bytes()


@pytest.fixture
def checked_job(tmp_path, county_clerk):
    content = write_csv(tmp_path / "p.csv", [row(1), row(2, 残疾等级="9")]).read_bytes()
    job = jobs.submit(filename="p.csv", content=content, acting_user=county_clerk)
    jobs.run_check(str(job.pk))
    job.refresh_from_db()
    return job, content


def test_an_upload_and_its_report_lie_on_disk_encrypted_and_read_back_whole(checked_job):
    job, content = checked_job
    assert job.status == ImportJob.Status.REJECTED and job.report
    for name in (job.upload.name, job.report.name):
        raw = _on_disk(name)
        assert id_for(1).encode() not in raw and id_for(1)[-6:].encode() not in raw
        assert "测试1".encode() not in raw
        assert oct(Path(settings.MEDIA_ROOT, name).stat().st_mode & 0o777) == "0o600"
    assert sealed_storage.read(job.upload.name) == content
    # The stored name says nothing of the uploaded file's.
    assert "p.csv" not in job.upload.name


def test_an_altered_file_is_refused_rather_than_read(checked_job):
    job, _content = checked_job
    path = Path(settings.MEDIA_ROOT) / job.upload.name
    raw = bytearray(path.read_bytes())
    raw[-1] ^= 1
    path.write_bytes(bytes(raw))
    with pytest.raises(InvalidTag):
        sealed_storage.read(job.upload.name)


def test_old_imports_go_with_their_files_on_schedule(checked_job):
    job, _content = checked_job
    names = [job.upload.name, job.report.name]
    later = timezone.now() + datetime.timedelta(days=settings.IMPORT_KEEP_DAYS + 1)
    swept = housekeeping.sweep(now=later)
    assert swept.imports == 1
    assert not ImportJob.objects.exists()
    assert not any((Path(settings.MEDIA_ROOT) / n).exists() for n in names)
    assert Entry.objects.filter(action="files.prune").get().detail["imports"] == 1
    # The sweep ends with a signed checkpoint of the audit chain, covering its own entry.
    assert swept.checkpoint == Entry.objects.order_by("-id").values_list("id", flat=True)[0]


def test_recent_imports_and_running_ones_are_kept(checked_job, county_clerk):
    _job, content = checked_job
    running = jobs.submit(filename="q.csv", content=content, acting_user=county_clerk)
    assert housekeeping.sweep().imports == 0
    later = timezone.now() + datetime.timedelta(days=settings.IMPORT_KEEP_DAYS + 1)
    housekeeping.sweep(now=later)
    assert list(ImportJob.objects.all()) == [running]  # still queued: kept


def test_exports_are_deleted_after_their_hours_and_expired_sessions_too(county_clerk):
    job = ExportJob.objects.create(
        created_by=county_clerk, region="410825", format="csv", status=ExportJob.Status.DONE
    )
    job.file.save(f"{job.pk}.csv", ContentFile(b"x"), save=True)
    session = SessionStore()
    session.set_expiry(1)
    session.create()
    later = timezone.now() + datetime.timedelta(hours=settings.EXPORT_KEEP_HOURS + 1)
    swept = housekeeping.sweep(now=later)
    assert (swept.exports, swept.sessions) == (1, 1)
    assert not (Path(settings.MEDIA_ROOT) / job.file.name).exists()
