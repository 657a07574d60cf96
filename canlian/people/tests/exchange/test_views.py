"""The import pages: upload, check in the background, confirm, report; the template."""

from __future__ import annotations

import datetime
import io

import python_calamine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone, translation

from canlian.audit.models import Entry
from canlian.conftest import client_for
from canlian.people.exchange import jobs
from canlian.people.models import Person
from canlian.people.tests.exchange.helpers import row, write_csv
from canlian.spreadsheets.models import ImportJob


def upload(client, tmp_path, rows, name="persons.csv"):
    path = write_csv(tmp_path / name, rows)
    file = SimpleUploadedFile(name, path.read_bytes(), content_type="text/csv")
    return client.post("/people/import/", {"file": file})


def sheet_rows(content: bytes, sheet: str) -> list[list[object]]:
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
    return book.get_sheet_by_name(sheet).to_python()


def test_an_upload_is_checked_then_imported_only_after_confirmation(tmp_path, county_clerk):
    client = client_for(county_clerk)
    response = upload(client, tmp_path, [row(1), row(2)])
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == f"/people/import/{job.pk}/"
    assert job.status == ImportJob.Status.CHECKED
    assert not Person.objects.exists()
    page = client.get(response.url).content.decode()
    assert "确认导入" in page and "/confirm/" in page
    assert '<dt class="govuk-summary-list__key">状态</dt>' in page
    assert "检查通过，尚未导入" in page

    confirmed = client.post(f"/people/import/{job.pk}/confirm/")
    assert confirmed.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.APPLIED
    assert Person.objects.count() == 2
    assert job.summary["created"] == 2


def test_a_file_with_problems_shows_them_and_cannot_be_confirmed(tmp_path, county_clerk):
    client = client_for(county_clerk)
    upload(client, tmp_path, [row(1), row(2, 残疾等级="9")])
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.REJECTED
    page = client.get(f"/people/import/{job.pk}/").content.decode()
    assert "残疾等级" in page and "/confirm/" not in page
    client.post(f"/people/import/{job.pk}/confirm/")
    job.refresh_from_db()
    assert job.status == ImportJob.Status.REJECTED
    assert not Person.objects.exists()
    report = client.get(f"/people/import/{job.pk}/report.xlsx")
    problems = sheet_rows(report.content, "问题")
    assert problems[1][0] == 3.0 and "F 残疾等级" in str(problems[1][1])


def test_only_the_uploader_can_confirm_and_other_counties_cannot_see_the_job(
    tmp_path, county_clerk, city_staff, other_county_clerk
):
    upload(client_for(county_clerk), tmp_path, [row(1)])
    job = ImportJob.objects.get()
    assert client_for(other_county_clerk).get(f"/people/import/{job.pk}/").status_code == 404
    client_for(city_staff).post(f"/people/import/{job.pk}/confirm/")
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CHECKED
    assert not Person.objects.exists()


def test_a_refused_file_says_why(tmp_path, county_clerk):
    client = client_for(county_clerk)
    fake = SimpleUploadedFile("persons.xlsx", b"%PDF-1.4 not a sheet", content_type="text/csv")
    client.post("/people/import/", {"file": fake})
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.REJECTED
    page = client.get(f"/people/import/{job.pk}/").content.decode()
    assert job.summary["refused"] in page and "PDF" in job.summary["refused"]


def test_the_upload_form_refuses_other_file_types_with_a_linked_error(county_clerk):
    client = client_for(county_clerk)
    fake = SimpleUploadedFile("persons.exe", b"MZ...", content_type="application/octet-stream")
    response = client.post("/people/import/", {"file": fake})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'href="#id_file"' in page and ".xlsx" in page
    assert not ImportJob.objects.exists()


def test_the_status_endpoint_reports_progress(tmp_path, county_clerk):
    client = client_for(county_clerk)
    upload(client, tmp_path, [row(n) for n in range(1, 6)])
    job = ImportJob.objects.get()
    status = client.get(f"/people/import/{job.pk}/status.json").json()
    assert status == {
        "status": "checked",
        "label": job.get_status_display(),
        "running": False,
        "rows_done": 5,
        "rows_total": 5,
        "ahead": None,
        "waiting": "",
    }


def test_a_waiting_check_shows_the_jobs_ahead_of_it(
    tmp_path, county_clerk, other_county_clerk, settings
):
    """Other users' jobs uploaded earlier and still waiting, and the one being worked on,
    are ahead; a job uploaded later is not. Only the count is shown."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    other = client_for(other_county_clerk)
    mine = client_for(county_clerk)
    start = timezone.now() - datetime.timedelta(minutes=10)
    for minute, (client, name) in enumerate(
        [(other, "first.csv"), (other, "second.csv"), (mine, "mine.csv"), (other, "later.csv")]
    ):
        upload(client, tmp_path, [row(minute + 1)], name=name)
        ImportJob.objects.filter(filename=name).update(
            created_at=start + datetime.timedelta(minutes=minute)
        )
    ImportJob.objects.filter(filename="first.csv").update(status=ImportJob.Status.CHECKING)
    job = ImportJob.objects.get(filename="mine.csv")
    status = mine.get(f"/people/import/{job.pk}/status.json").json()
    assert (status["status"], status["ahead"]) == ("queued", 2)
    with translation.override("zh-hans"):
        page = mine.get(f"/people/import/{job.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = page.content.decode()
    assert "前面还有2个任务" in text
    assert "first.csv" not in text and "second.csv" not in text
    jobs.run_check(str(ImportJob.objects.get(filename="second.csv").pk))
    ImportJob.objects.filter(filename="first.csv").update(status=ImportJob.Status.CHECKED)
    status = mine.get(f"/people/import/{job.pk}/status.json").json()
    assert status["ahead"] == 0 and status["waiting"] == ImportJob.objects.get(pk=job.pk).waiting()
    jobs.run_check(str(job.pk))
    assert mine.get(f"/people/import/{job.pk}/status.json").json()["ahead"] is None


def test_the_template_has_the_header_row_and_an_instructions_sheet(county_clerk):
    response = client_for(county_clerk).get("/people/import/template.xlsx")
    content = b"".join(response.streaming_content)
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
    assert book.sheet_names == ["残疾人信息", "填写说明"]
    header = book.get_sheet_by_name("残疾人信息").to_python()[0]
    assert header[:2] == ["姓名*", "公民身份号码*"]
    assert "是否低保" in header


def test_the_import_pages_need_the_change_permission(auditor):
    assert client_for(auditor).get("/people/import/").status_code == 403
    assert client_for(auditor).get("/people/import/template.xlsx").status_code == 403


def test_prune_imports_deletes_old_finished_jobs_only(tmp_path, county_clerk):
    client = client_for(county_clerk)
    upload(client, tmp_path, [row(1)])
    upload(client, tmp_path, [row(2)], name="second.csv")
    old, recent = ImportJob.objects.order_by("created_at")
    ImportJob.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=100)
    )
    call_command("prune_imports", "--days", "90")
    assert list(ImportJob.objects.values_list("pk", flat=True)) == [recent.pk]
    assert Entry.objects.get(action="imports.prune").detail == {"days": 90, "deleted": 1}


def test_a_crash_in_the_background_marks_the_job_failed_and_writes_nothing(
    tmp_path, county_clerk, monkeypatch
):
    def crash(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("canlian.people.exchange.jobs.import_persons", crash)
    client = client_for(county_clerk)
    response = upload(client, tmp_path, [row(1)])
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED and "disk full" in job.error
    page = client.get(response.url).content.decode()
    assert "导入失败：未写入任何数据" in page
    assert not Person.objects.exists()


def test_entries_written_in_the_background_carry_the_address_that_confirmed(
    tmp_path, county_clerk, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    client = client_for(county_clerk)
    path = write_csv(tmp_path / "a.csv", [row(1)])
    file = SimpleUploadedFile("a.csv", path.read_bytes(), content_type="text/csv")
    client.post("/people/import/", {"file": file}, REMOTE_ADDR="10.1.2.3")
    job = ImportJob.objects.get()
    jobs.run_check(str(job.pk))  # as the worker would: outside any request
    client.post(f"/people/import/{job.pk}/confirm/", REMOTE_ADDR="10.9.9.9")
    jobs.run_apply(str(job.pk))
    assert Entry.objects.get(action="person.import").source == "10.9.9.9"
    assert Entry.objects.get(action="person.create").source == "10.9.9.9"
