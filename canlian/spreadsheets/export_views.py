"""Registry exports: the export of the list as shown (written in the request, or in the
background when large), and the pages of background exports: progress, the download, the
asker's recent exports."""

from __future__ import annotations

import tempfile

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from canlian.accounts.access import require
from canlian.accounts.actors import signed_in
from canlian.accounts.roles import Perm
from canlian.people.forms import PersonFilterForm
from canlian.people.selectors import PersonFilters, search_persons
from canlian.spreadsheets import exportjobs, exports, tasks
from canlian.spreadsheets.models import ExportJob


def registry_export(request: HttpRequest, fmt: str = "csv") -> HttpResponse | StreamingHttpResponse:
    require(request.user, Perm.EXPORT_PERSON)
    full = request.GET.get("full") == "1"
    if full:
        require(request.user, Perm.EXPORT_REVEAL)
    user = signed_in(request)
    form = PersonFilterForm(request.GET, user=user)
    if not form.is_valid():
        return _refused(request, form)
    filters = form.to_filters()
    persons = exports.select(user, filters)
    rows = persons.count()
    if exportjobs.needs_job(rows):
        return _export_in_background(request, filters, full=full, fmt=fmt, rows=rows)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    limit = settings.EXPORT_MAX_ROWS
    if fmt == "xlsx":
        # Closed by the response once sent; the file has no name on disk.
        target = tempfile.TemporaryFile()  # noqa: SIM115
        exports.export_xlsx(
            user=user, filters=filters, full=full, limit=limit, target=target,
            selected=(persons, rows),
        )  # fmt: skip
        target.seek(0)
        return FileResponse(
            target, as_attachment=True, filename=f"registry-{stamp}.xlsx", content_type=exports.XLSX
        )
    lines = exports.export_csv(
        user=user, filters=filters, full=full, limit=limit, selected=(persons, rows)
    )
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="registry-{stamp}.csv"'
    return response


def _export_in_background(
    request: HttpRequest, filters: PersonFilters, *, full: bool, fmt: str, rows: int
) -> HttpResponse:
    """An export too large for the request: asked to confirm (GET), then queued (POST) and
    shown on its page, or the page of the one already running."""
    user = signed_in(request)
    if request.method != "POST":
        return render(
            request,
            "spreadsheets/export_confirm.html",
            {
                "rows": rows,
                "full": full,
                "fmt": fmt.upper(),
                "running": exportjobs.running_for(user),
            },
        )
    description = _("%(rows)s persons of the registry, %(format)s") % {
        "rows": f"{rows:,}", "format": fmt.upper(),
    }  # fmt: skip
    try:
        job = exportjobs.start(
            user=user, filters=filters, full=full, fmt=fmt, rows=rows, description=description
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        running = exportjobs.running_for(user)
        if running is not None:
            return redirect("exports:detail", job_id=running.pk)
        return redirect("people:list")
    tasks.write_export.enqueue(str(job.pk))
    messages.success(
        request, _("The export is being written in the background: download it from this page.")
    )
    return redirect("exports:detail", job_id=job.pk)


def _refused(request: HttpRequest, form: PersonFilterForm) -> HttpResponse:
    """An export never falls back to a wider set than the list showed: with a filter that is
    not valid, the registry's list as it shows the valid ones, with the errors (400)."""
    user = signed_in(request)
    persons = search_persons(user, form.to_filters()).select_related("place", "place__parent")
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": Paginator(persons, settings.PAGE_SIZE).get_page(request.GET.get("page")),
        "query": query.urlencode(),
        "can_create": user.can(Perm.CHANGE_PERSON),
        "can_export": user.can(Perm.EXPORT_PERSON),
        "can_export_full": user.can(Perm.EXPORT_REVEAL),
        "page_has_errors": True,
    }
    return render(request, "people/list.html", context, status=400)


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
