"""Import pages: upload, progress, the check's result, confirmation, report; the template."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from canlian.accounts.roles import Perm
from canlian.lib.sealedfiles import sealed_storage
from canlian.people.access import require
from canlian.spreadsheets import jobs, tasks
from canlian.spreadsheets.forms import ImportForm
from canlian.spreadsheets.models import ImportJob
from canlian.spreadsheets.report import write_template
from canlian.spreadsheets.writing import XLSX


def _job(request: HttpRequest, job_id: str) -> ImportJob:
    require(request.user, Perm.CHANGE_PERSON)
    return get_object_or_404(ImportJob.objects.visible_to(request.user), pk=job_id)


def upload(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.CHANGE_PERSON)
    form = ImportForm(*((request.POST, request.FILES) if request.method == "POST" else ()))
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = jobs.submit(filename=upload.name, content=upload.read(), acting_user=request.user)
        tasks.check_import.enqueue(str(job.pk))
        return redirect("imports:detail", job_id=job.pk)
    recent = ImportJob.objects.visible_to(request.user).select_related("created_by")
    page = Paginator(recent, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "spreadsheets/upload.html",
        {"form": form, "page": page, "page_has_errors": bool(form.errors)},
    )


def detail(request: HttpRequest, job_id: str) -> HttpResponse:
    job = _job(request, job_id)
    return render(
        request,
        "spreadsheets/detail.html",
        {
            "job": job,
            "S": ImportJob.Status,
            "has_report": bool(job.report),
            "can_confirm": jobs.can_confirm(job, request.user),
            "more_problems": max(job.summary.get("problems", 0) - len(job.problems), 0),
        },
    )


def status(request: HttpRequest, job_id: str) -> JsonResponse:
    job = _job(request, job_id)
    return JsonResponse(job.progress())


@require_POST
def confirm(request: HttpRequest, job_id: str) -> HttpResponse:
    job = _job(request, job_id)
    try:
        jobs.confirm(job=job, acting_user=request.user)
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        tasks.apply_import.enqueue(str(job.pk))
    return redirect("imports:detail", job_id=job.pk)


def report(request: HttpRequest, job_id: str) -> HttpResponse:
    job = _job(request, job_id)
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
