"""Pages of background exports: progress, the download, the asker's recent exports."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render

from canlian.accounts.access import require
from canlian.accounts.actors import signed_in
from canlian.accounts.roles import Perm
from canlian.spreadsheets import exportjobs
from canlian.spreadsheets.models import ExportJob


def _job(request: HttpRequest, job_id: str) -> ExportJob:
    require(request.user, Perm.EXPORT_PERSON)
    return get_object_or_404(ExportJob.objects.visible_to(request.user), pk=job_id)


def export_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.EXPORT_PERSON)
    jobs = ExportJob.objects.visible_to(request.user)
    page = Paginator(jobs, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "spreadsheets/export_list.html",
        {"page": page, "keep_hours": settings.EXPORT_KEEP_HOURS},
    )


def export_detail(request: HttpRequest, job_id: str) -> HttpResponse:
    job = _job(request, job_id)
    return render(
        request,
        "spreadsheets/export_detail.html",
        {"job": job, "S": ExportJob.Status, "keep_hours": settings.EXPORT_KEEP_HOURS},
    )


def export_status(request: HttpRequest, job_id: str) -> JsonResponse:
    job = _job(request, job_id)
    return JsonResponse(job.progress())


def export_download(request: HttpRequest, job_id: str) -> HttpResponse:
    job = _job(request, job_id)
    try:
        made = exportjobs.download(job=job, acting_user=signed_in(request))
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("exports:detail", job_id=job.pk)
    response = HttpResponse(made.content, content_type=made.content_type)
    response["Content-Disposition"] = f'attachment; filename="{made.filename}"'
    return response
