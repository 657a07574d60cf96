"""Large exports leave the web request: confirmed, written by the worker with the asker's
rights, downloaded by the asker only, one at a time per person."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import python_calamine
from django.conf import settings
from django.core.exceptions import PermissionDenied

from canlian.audit.models import Entry
from canlian.conftest import client_for, opened
from canlian.people.exchange import exportjobs
from canlian.spreadsheets.models import ExportJob

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(make_person, settings):
    settings.EXPORT_DIRECT_ROWS = 2  # three persons make a "large" export
    return [make_person(name=f"导出{i}", bank_account=f"62220202001122334{i}") for i in range(3)]


def _body(response) -> str:
    chunks = response.streaming_content if response.streaming else [response.content]
    return b"".join(chunks).decode("utf-8-sig")


def test_a_small_export_is_still_sent_at_once(make_person, county_clerk):
    make_person()
    response = client_for(county_clerk).get("/people/export.csv")
    assert response.status_code == 200 and "公民身份号码" in _body(response)
    assert not ExportJob.objects.exists()


def test_a_large_export_is_confirmed_then_written_in_the_background(registry, county_clerk):
    client = client_for(county_clerk)
    page = client.get("/people/export.csv?category=4")
    assert page.status_code == 200 and not ExportJob.objects.exists()  # a GET writes nothing
    assert "后台" in page.content.decode()
    response = client.post("/people/export.csv?category=4")
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response.url == f"/people/exports/{job.pk}/"
    # Tests run tasks at once: the job is written by now.
    assert job.status == ExportJob.Status.DONE and job.rows_done == 3
    assert job.filters == {"category": 4, "sort": "-updated"}
    assert "下载" in client.get(response.url).content.decode()
    body = _body(client.get(f"/people/exports/{job.pk}/download/"))
    assert body.count("\n") == 4  # the header and three rows
    for person in registry:
        assert person.id_number_masked in body and opened(person) not in body
    raw = (Path(settings.MEDIA_ROOT) / job.file.name).read_bytes()
    assert "导出0".encode() not in raw  # encrypted at rest
    assert Entry.objects.filter(action="person.export").count() == 1
    assert Entry.objects.filter(action="person.export.download").count() == 1


def test_a_full_export_in_the_background_opens_values_through_the_gate(registry, city_staff):
    client = client_for(city_staff)
    client.post("/people/export.xlsx?full=1")
    job = ExportJob.objects.get()
    assert job.full and job.status == ExportJob.Status.DONE
    entry = Entry.objects.get(action="person.export.full")
    assert entry.actor == city_staff and entry.detail["purpose"] == "export"
    content = client.get(f"/people/exports/{job.pk}/download/").content

    rows = (
        python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
        .get_sheet_by_index(0)
        .to_python()
    )
    assert {r[1] for r in rows[1:]} == {opened(p) for p in registry}


def test_only_the_asker_sees_and_downloads_an_export(registry, county_clerk, city_staff):
    client_for(county_clerk).post("/people/export.csv")
    job = ExportJob.objects.get()
    other = client_for(city_staff)
    assert other.get(f"/people/exports/{job.pk}/").status_code == 404
    assert other.get(f"/people/exports/{job.pk}/download/").status_code == 404
    assert not Entry.objects.filter(action="person.export.download").exists()
    with pytest.raises(PermissionDenied, match="只有申请此导出的人员可以下载"):
        exportjobs.download(job=job, acting_user=city_staff)


def test_one_export_at_a_time_per_person(registry, county_clerk):
    running = ExportJob.objects.create(
        created_by=county_clerk, region="410825", format="csv", status=ExportJob.Status.WRITING
    )
    client = client_for(county_clerk)
    response = client.post("/people/export.csv", follow=True)
    assert ExportJob.objects.count() == 1
    assert response.redirect_chain[-1][0] == f"/people/exports/{running.pk}/"
    assert "仍在生成" in response.content.decode()


def test_a_role_without_full_export_cannot_start_one(registry, county_clerk):
    response = client_for(county_clerk).post("/people/export.csv?full=1")
    assert response.status_code == 403 and not ExportJob.objects.exists()


def test_an_export_is_not_downloaded_once_its_asker_lost_the_right_or_the_place(
    registry, city_staff, other_county_clerk
):
    client = client_for(city_staff)
    client.post("/people/export.csv?full=1")
    job = ExportJob.objects.get()
    city_staff.role, city_staff.place = other_county_clerk.role, other_county_clerk.place
    city_staff.save()
    response = client.get(f"/people/exports/{job.pk}/download/", follow=True)
    assert "不能再下载" in response.content.decode()
    assert not Entry.objects.filter(action="person.export.download").exists()
