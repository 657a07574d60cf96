"""The calendar pages: where each year's working days come from, and entering a schedule."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from canlian.accounts.access import require
from canlian.accounts.actors import signed_in
from canlian.accounts.display import with_office
from canlian.accounts.roles import Perm
from canlian.holidays import services
from canlian.holidays.forms import ScheduleForm, format_days
from canlian.holidays.models import Schedule
from canlian.lib import workdays
from canlian.lib.forms import add_service_errors

FIRST_LISTED_YEAR = 2016


def _can_enter(request: HttpRequest) -> bool:
    return bool(request.user.can(Perm.MANAGE_PLACES))  # type: ignore[union-attr]


def _source(year: int, schedules: dict[int, Schedule]) -> str:
    """The source of `year` as the database has it now (the calculations' cache may lag
    behind it by up to workdays.CACHE_SECONDS in other processes)."""
    if year in schedules:
        return workdays.ENTERED
    return workdays.PACKAGE if year in workdays.PACKAGE_YEARS else workdays.WEEKENDS


@dataclasses.dataclass(frozen=True)
class YearRow:
    year: int
    source: str
    schedule: Schedule | None


def calendar_list(request: HttpRequest) -> HttpResponse:
    this_year = timezone.localdate().year
    schedules = {s.year: s for s in Schedule.objects.select_related(with_office("entered_by"))}
    years = sorted(set(range(FIRST_LISTED_YEAR, this_year + 2)) | set(schedules))
    rows = [YearRow(year, _source(year, schedules), schedules.get(year)) for year in years]
    missing = [r.year for r in rows if r.source == workdays.WEEKENDS and r.year >= this_year]
    return render(
        request,
        "holidays/list.html",
        {"rows": rows, "missing": missing, "can_enter": _can_enter(request)},
    )


def year_detail(request: HttpRequest, year: int) -> HttpResponse:
    if not services.MIN_YEAR <= year <= services.MAX_YEAR:
        raise Http404
    schedule = Schedule.objects.select_related(with_office("entered_by")).filter(year=year).first()
    if schedule is not None:
        days = [(d.day, d.is_working_day, d.name) for d in schedule.days.all()]
    else:
        days = workdays.package_days(year)
    return render(
        request,
        "holidays/detail.html",
        {
            "year": year,
            "source": _source(year, {year: schedule} if schedule else {}),
            "schedule": schedule,
            "days": days,
            "can_enter": _can_enter(request),
        },
    )


def _initial(year: int | None) -> dict[str, Any]:
    """Start from what the year has: the entered schedule, or the package's data."""
    if year is None or not services.MIN_YEAR <= year <= services.MAX_YEAR:
        return {}
    schedule = Schedule.objects.filter(year=year).first()
    if schedule is not None:
        days = [(d.day, d.is_working_day, d.name) for d in schedule.days.all()]
        return {"year": year, "reference": schedule.reference, "days": format_days(days)}
    return {"year": year, "days": format_days(workdays.package_days(year))}


def _token(schedule: Schedule) -> str:
    return schedule.entered_at.isoformat()


def schedule_enter(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.MANAGE_PLACES)
    if request.method != "POST":
        try:
            year = int(request.GET.get("year", ""))
        except ValueError:
            year = None
        form = ScheduleForm(initial=_initial(year))
    elif "back" in request.POST:
        # From the confirmation page back to the form, with what was typed.
        form = ScheduleForm(
            initial={k: request.POST.get(k, "") for k in ("year", "reference", "days")}
        )
    else:
        form = ScheduleForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            existing = (
                Schedule.objects.select_related(with_office("entered_by"))
                .filter(year=data["year"])
                .first()
            )
            if existing is not None and data["replaces"] != _token(existing):
                return render(
                    request,
                    "holidays/confirm.html",
                    {
                        "form": form,
                        "existing": existing,
                        "existing_days": existing.days.count(),
                        "new_days": len(form.parsed),
                        "token": _token(existing),
                    },
                )
            try:
                services.enter_schedule(
                    year=data["year"],
                    reference=data["reference"],
                    days=form.parsed,
                    acting_user=signed_in(request),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("The holiday schedule for %(year)s was saved.") % {"year": data["year"]},
                )
                return redirect("holidays:year", year=data["year"])
    return render(
        request,
        "holidays/form.html",
        {"form": form, "page_has_errors": bool(form.errors)},
    )
