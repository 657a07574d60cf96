"""Registry pages: parse input, check access, call the services, render."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from typing import TypedDict

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from canlian.accounts import lookups
from canlian.accounts import reveal as gate
from canlian.accounts.access import get_visible_or_404, require
from canlian.accounts.actors import signed_in
from canlian.accounts.display import PlaceNames, entry_views
from canlian.accounts.roles import Perm
from canlian.audit.models import Entry
from canlian.lib import idcard
from canlian.lib.forms import add_service_errors, service_errors
from canlian.lib.sealed import Kind
from canlian.people import sections, services
from canlian.people.exchange import exporting, exportjobs, tasks
from canlian.people.forms import PersonFilterForm, PersonForm, StatusPeriodForm
from canlian.people.history import changes_of
from canlian.people.models import Person, PersonQuerySet
from canlian.people.selectors import PersonFilters, search_persons
from canlian.people.terms import CATEGORY, GRADE, LIFE_STATUS, SEX
from canlian.places.models import Level
from canlian.spreadsheets.writing import XLSX, csv_response

# What a person's pages show beside the person.
PERSONS = Person.objects.select_related("place", "place__parent")


class ListRow(TypedDict):
    """A row of the registry list as text, its words looked up once per page rather than by a
    template tag per cell, in a dict (the template engine tries a key before an attribute):
    the rows were most of the list's rendering time."""

    url: str
    name: str
    id_number: str
    sex: str
    birth_date: str
    category: str
    grade: str
    place: str
    life_status: str
    life_status_name: str


def list_rows(persons: Iterable[Person]) -> list[ListRow]:
    """The rows of `persons` (their place and its parent loaded)."""
    sex, category, grade = SEX.names(), CATEGORY.names(), GRADE.names()
    life_status = LIFE_STATUS.names()
    # One reverse() for the page: the person's id put into the address of a sample one.
    sample = 987654321
    head, tail = reverse("people:detail", args=[sample]).split(str(sample))
    rows = []
    for person in persons:
        place = person.place
        where = place.name
        if place.level == Level.VILLAGE:
            where = f"{place.parent.name if place.parent else ''} {place.name}"
        row = ListRow(
            url=f"{head}{person.pk}{tail}", name=person.name, id_number=person.id_number_masked,
            sex=sex[person.sex], birth_date=person.birth_date.isoformat(),
            category=category[person.category], grade=grade[person.grade], place=where,
            life_status=person.life_status, life_status_name=life_status[person.life_status],
        )  # fmt: skip
        rows.append(row)
    return rows


# The columns the list shows (list_rows): not the sealed values' ciphertexts.
LIST_COLUMNS = (
    "name", "id_number_masked", "sex", "birth_date", "category", "grade", "life_status",
    "place__code", "place__name", "place__level", "place__parent__code", "place__parent__name",
)  # fmt: skip


def _searched(request: HttpRequest, form: PersonFilterForm) -> PersonQuerySet:
    """The persons the list's search finds; none, with the refusal on the search field, past
    the hourly limit of searches by number (whole or last characters: accounts.lookups)."""
    try:
        return search_persons(request.user, form.to_filters())
    except lookups.TooManyNumberSearches as exc:
        form.add_error("q", str(exc.args[0]))
        return Person.objects.none()


def person_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.VIEW_PERSON)
    form = PersonFilterForm(request.GET or None, user=signed_in(request))
    return _list_page(request, form, _searched(request, form))


def _list_page(
    request: HttpRequest, form: PersonFilterForm, found: PersonQuerySet, *, status: int = 200
) -> HttpResponse:
    qs = found.select_related("place", "place__parent")
    page = Paginator(qs.only(*LIST_COLUMNS), settings.PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "people/list.html",
        {
            "form": form,
            "page": page,
            "rows": list_rows(page.object_list),
            "query": query.urlencode(),
            # After a search, focus moves to this count (the results' heading): the keyboard
            # and the screen reader start at the results, not at the top of the page.
            "searched": bool(request.GET),
            "can_create": request.user.can(Perm.CHANGE_PERSON),  # type: ignore[union-attr]
            "can_export": request.user.can(Perm.EXPORT_PERSON),  # type: ignore[union-attr]
            "can_export_full": request.user.can(Perm.EXPORT_REVEAL),  # type: ignore[union-attr]
            "page_has_errors": bool(form.errors),
        },
        status=status,
    )


def person_export(request: HttpRequest, fmt: str = "csv") -> HttpResponse | StreamingHttpResponse:
    require(request.user, Perm.EXPORT_PERSON)
    full = request.GET.get("full") == "1"
    if full:
        require(request.user, Perm.EXPORT_REVEAL)
    form = PersonFilterForm(request.GET, user=signed_in(request))
    if not form.is_valid():
        # An export never falls back to a wider set than the list showed.
        refused = person_list(request)
        refused.status_code = 400
        return refused
    filters = form.to_filters()
    user = signed_in(request)
    try:
        persons = exporting.select(user, filters)
    except lookups.TooManyNumberSearches as exc:
        form.add_error("q", str(exc.args[0]))
        return _list_page(request, form, Person.objects.none(), status=400)
    rows = persons.count()
    if exportjobs.needs_job(rows):
        return _export_in_background(request, filters, full=full, fmt=fmt, rows=rows)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    limit = settings.EXPORT_MAX_ROWS
    if fmt == "xlsx":
        # Closed by the response once sent; the file has no name on disk.
        target = tempfile.TemporaryFile()  # noqa: SIM115
        exporting.export_xlsx(
            user=user, filters=filters, full=full, limit=limit, target=target,
            selected=(persons, rows),
        )  # fmt: skip
        target.seek(0)
        return FileResponse(
            target, as_attachment=True, filename=f"registry-{stamp}.xlsx", content_type=XLSX
        )
    lines = exporting.export_csv(
        user=user, filters=filters, full=full, limit=limit, selected=(persons, rows)
    )
    return csv_response(lines, f"registry-{stamp}.csv")


def _export_in_background(
    request: HttpRequest, filters: PersonFilters, *, full: bool, fmt: str, rows: int
) -> HttpResponse:
    """An export too large for the request: asked to confirm (GET), then queued (POST) and
    shown on its page, or the page of the one already running."""
    user = signed_in(request)
    if request.method != "POST":
        return render(
            request,
            "people/export_confirm.html",
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
            return redirect("people:exports:detail", job_id=running.pk)
        return redirect("people:list")
    tasks.write_export.enqueue(str(job.pk))
    messages.success(
        request, _("The export is being written in the background: download it from this page.")
    )
    return redirect("people:exports:detail", job_id=job.pk)


def _detail(request: HttpRequest, person: Person, revealed: dict[str, str] | None) -> HttpResponse:
    today = timezone.localdate()
    # Read once: listed below and read again by the sections (the subsidy explanation).
    prefetch_related_objects([person], "status_periods")
    periods = list(person.status_periods.all())
    user = signed_in(request)
    return render(
        request,
        "people/detail.html",
        {
            "person": person,
            "revealed": revealed or {},
            "periods": [(p, p.holds_on(today)) for p in periods],
            "can_reveal": gate.may_reveal(user, Kind.ID_NUMBER),
            "can_reveal_contact": gate.may_reveal(user, Kind.PHONE)
            and bool(person.phone_masked or person.guardian_phone_masked),
            "can_change": user.can(Perm.CHANGE_PERSON),
            "can_view_certificates": user.can(Perm.VIEW_CERTIFICATE),
            # What the apps above the registry show of the person (people.sections).
            "sections": sections.render(request, user, person, today),
        },
    )


def person_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    person = get_visible_or_404(PERSONS, request.user, person_id)
    services.log_read(person=person, acting_user=signed_in(request), action="person.view")
    return _detail(request, person, None)


@require_POST
def person_reveal(request: HttpRequest, person_id: int) -> HttpResponse:
    """Open the identity or the contact numbers (the button pressed) through the gate."""
    person = get_visible_or_404(PERSONS, request.user, person_id)
    what = request.POST.get("what", "identity")
    if what not in services.REVEALS:
        what = "identity"
    revealed = services.reveal(person=person, what=what, acting_user=signed_in(request))
    return _detail(request, person, revealed)


def _number_looked_up(request: HttpRequest, form: PersonForm) -> bool:
    """A typed ID number is compared with the registry ("already on the registry"): that is a
    look-up by number, recorded and limited (accounts.lookups). False, with the refusal on the
    form, past the limit."""
    typed = form.to_data().id_number
    check = idcard.check(typed or "")
    if not check.valid or not check.normalized:
        return True
    try:
        lookups.record(user=signed_in(request), number=check.normalized, where="people.form")
    except lookups.TooManyNumberSearches as exc:
        form.add_error("id_number", str(exc.args[0]))
        return False
    return True


def person_create(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.CHANGE_PERSON)
    form = PersonForm(request.POST if request.method == "POST" else None, user=signed_in(request))
    if request.method == "POST" and form.is_valid() and _number_looked_up(request, form):
        try:
            person = services.create_person(data=form.to_data(), acting_user=signed_in(request))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("%(name)s was added to the registry.") % {"name": person.name}
            )
            return redirect("people:detail", person_id=person.pk)
    return render(
        request,
        "people/form.html",
        {"form": form, "person": None, "page_has_errors": bool(form.errors)},
    )


def _lock_certificate_fields(form: PersonForm, person: Person) -> None:
    """Once the certificate procedures hold a person's certificate, its fields are shown but
    not editable: they change through renewal, change or cancellation."""
    if not services.is_certificate_managed(person):
        return
    for name in (*services.CERTIFICATE_FIELDS, "certificate_number"):
        form.fields[name].disabled = True
        form.fields[name].help_text = _(
            "Changed only through the certificate procedures (renewal, change, cancellation)."
        )


def person_edit(request: HttpRequest, person_id: int) -> HttpResponse:
    """Edit a person. Sealed values are shown masked: editing reveals nothing, and leaving a
    mask as it was keeps the stored value (docs/decisions/0013)."""
    person = get_visible_or_404(PERSONS, request.user, person_id)
    require(request.user, Perm.CHANGE_PERSON)
    form = PersonForm(
        request.POST if request.method == "POST" else None, user=signed_in(request), person=person
    )
    _lock_certificate_fields(form, person)
    if request.method == "POST" and form.is_valid() and _number_looked_up(request, form):
        with service_errors(form):
            changes = services.update_person(
                person=person, data=form.to_data(), acting_user=signed_in(request)
            )
        if not form.errors:
            if changes:
                messages.success(request, _("The changes were saved."))
            else:
                messages.success(request, _("Nothing was changed."))
            return redirect("people:detail", person_id=person.pk)
    return render(
        request,
        "people/form.html",
        {"form": form, "person": person, "page_has_errors": bool(form.errors)},
    )


def person_history(request: HttpRequest, person_id: int) -> HttpResponse:
    person = get_visible_or_404(PERSONS, request.user, person_id)
    entries = Entry.objects.filter(
        target_type="people.person", target_id=str(person.pk), kind=Entry.Kind.CHANGE
    ).order_by("-id")
    page = Paginator(entries, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    places = PlaceNames()
    views = entry_views(page.object_list, places=places)
    rows = [(view, changes_of(view.entry, places)) for view in views]
    return render(request, "people/history.html", {"person": person, "page": page, "rows": rows})


def status_create(request: HttpRequest, person_id: int) -> HttpResponse:
    person = get_visible_or_404(PERSONS, request.user, person_id)
    require(request.user, Perm.CHANGE_PERSON)
    form = StatusPeriodForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with service_errors(form):
            services.add_status_period(
                person=person,
                kind=form.cleaned_data["kind"],
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
                acting_user=signed_in(request),
            )
        if not form.errors:
            messages.success(request, _("The status period was added."))
            return redirect("people:detail", person_id=person.pk)
    return render(
        request,
        "people/status_form.html",
        {"form": form, "person": person, "page_has_errors": bool(form.errors)},
    )


def status_end(request: HttpRequest, person_id: int, period_id: int) -> HttpResponse:
    person = get_visible_or_404(PERSONS, request.user, person_id)
    require(request.user, Perm.CHANGE_PERSON)
    period = get_object_or_404(person.status_periods, pk=period_id)
    form = StatusPeriodForm(
        request.POST if request.method == "POST" else None,
        initial={"kind": period.kind, "start": period.start, "end": period.end},
    )
    form.fields["kind"].disabled = True
    form.fields["start"].disabled = True
    form.fields["end"].required = True
    if request.method == "POST" and form.is_valid():
        try:
            services.end_status_period(
                period=period, end=form.cleaned_data["end"], acting_user=signed_in(request)
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The status period was ended."))
            return redirect("people:detail", person_id=person.pk)
    return render(
        request,
        "people/status_form.html",
        {"form": form, "person": person, "period": period, "page_has_errors": bool(form.errors)},
    )
