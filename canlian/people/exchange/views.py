"""Pages of the registry's imports (upload, progress, the check's result, confirmation, report,
the template) and of its background exports (progress, the download, the asker's recent ones)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from canlian.accounts.access import require
from canlian.accounts.actors import signed_in
from canlian.accounts.display import with_office
from canlian.accounts.roles import Perm
from canlian.lib.sealedfiles import sealed_storage
from canlian.people.exchange import exportjobs, jobs, tasks
from canlian.people.exchange.forms import ImportForm
from canlian.people.exchange.template import write_template
from canlian.spreadsheets.models import ExportJob, ImportJob
from canlian.spreadsheets.writing import XLSX


def _import_job(request: HttpRequest, job_id: str) -> ImportJob:
    require(request.user, Perm.CHANGE_PERSON)
    return get_object_or_404(ImportJob.objects.visible_to(signed_in(request)), pk=job_id)


def upload(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.CHANGE_PERSON)
    form = ImportForm(*((request.POST, request.FILES) if request.method == "POST" else ()))
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = jobs.submit(
            filename=upload.name, content=upload.read(), acting_user=signed_in(request)
        )
        tasks.check_import.enqueue(str(job.pk))
        return redirect("people:imports:detail", job_id=job.pk)
    recent = ImportJob.objects.visible_to(signed_in(request)).select_related(
        with_office("created_by")
    )
    page = Paginator(recent, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "people/imports/upload.html",
        {"form": form, "page": page, "page_has_errors": bool(form.errors)},
    )


def detail(request: HttpRequest, job_id: str) -> HttpResponse:
    job = _import_job(request, job_id)
    return render(
        request,
        "people/imports/detail.html",
        {
            "job": job,
            "S": ImportJob.Status,
            "has_report": bool(job.report),
            "can_confirm": jobs.can_confirm(job, signed_in(request)),
            "more_problems": max(job.summary.get("problems", 0) - len(job.problems), 0),
        },
    )


def status(request: HttpRequest, job_id: str) -> JsonResponse:
    job = _import_job(request, job_id)
    return JsonResponse(job.progress())


@require_POST
def confirm(request: HttpRequest, job_id: str) -> HttpResponse:
    job = _import_job(request, job_id)
    try:
        jobs.confirm(job=job, acting_user=signed_in(request))
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        tasks.apply_import.enqueue(str(job.pk))
    return redirect("people:imports:detail", job_id=job.pk)


def report(request: HttpRequest, job_id: str) -> HttpResponse:
    job = _import_job(request, job_id)
    if not job.report:
        raise PermissionDenied(_("The report is not ready yet."))
    response = HttpResponse(sealed_storage.read(job.report.name), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="import-report-{job.pk}.xlsx"'
    return response


def template(request: HttpRequest) -> FileResponse:
    require(request.user, Perm.CHANGE_PERSON)
    folder = tempfile.mkdtemp(prefix="canlian-template-")
    path = Path(folder) / "template.xlsx"
    write_template(path)
    stream = path.open("rb")
    path.unlink()
    Path(folder).rmdir()
    return FileResponse(
        stream, as_attachment=True, filename="残疾人信息导入模板.xlsx", content_type=XLSX
    )


def _export_job(request: HttpRequest, job_id: str) -> ExportJob:
    require(request.user, Perm.EXPORT_PERSON)
    return get_object_or_404(ExportJob.objects.visible_to(signed_in(request)), pk=job_id)


def export_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.EXPORT_PERSON)
    asked = ExportJob.objects.visible_to(signed_in(request))
    page = Paginator(asked, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "people/exports/list.html",
        {"page": page, "keep_hours": settings.EXPORT_KEEP_HOURS},
    )


def export_detail(request: HttpRequest, job_id: str) -> HttpResponse:
    job = _export_job(request, job_id)
    return render(
        request,
        "people/exports/detail.html",
        {"job": job, "S": ExportJob.Status, "keep_hours": settings.EXPORT_KEEP_HOURS},
    )


def export_status(request: HttpRequest, job_id: str) -> JsonResponse:
    job = _export_job(request, job_id)
    return JsonResponse(job.progress())


def export_download(request: HttpRequest, job_id: str) -> HttpResponse:
    job = _export_job(request, job_id)
    try:
        made = exportjobs.download(job=job, acting_user=signed_in(request))
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("people:exports:detail", job_id=job.pk)
    response = HttpResponse(made.content, content_type=made.content_type)
    response["Content-Disposition"] = f'attachment; filename="{made.filename}"'
    return response
