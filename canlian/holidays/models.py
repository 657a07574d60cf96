"""A year's official holiday schedule (国务院办公厅关于部分节假日安排的通知), as staff entered it.

Only the days that differ from Monday–Friday working are stored: holidays on weekdays and
weekends that are working days (调休上班). `canlian.lib.workdays` reads them through
`selectors.entered_schedules`; every write goes through `services.enter_schedule`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Schedule(models.Model):
    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    reference = models.CharField(
        _("notice reference"), max_length=100, help_text="For example 国办发明电〔2026〕7号"
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    entered_at = models.DateTimeField(_("entered at"), default=timezone.now)

    class Meta:
        ordering = ["year"]
        verbose_name = _("holiday schedule")

    def __str__(self) -> str:
        return f"{self.year} {self.reference}"


class ScheduleDay(models.Model):
    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="days")
    day = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(
        _("working day"), help_text="False: an official holiday; True: a weekend worked (调休)."
    )
    name = models.CharField(_("holiday name"), max_length=50)

    class Meta:
        ordering = ["day"]
        verbose_name = _("schedule day")

    def __str__(self) -> str:
        return f"{self.day.isoformat()} {'班' if self.is_working_day else '休'} {self.name}"
