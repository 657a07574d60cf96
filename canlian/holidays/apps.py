"""The official working-day calendar: holiday schedules entered by staff."""

from django.apps import AppConfig


class HolidaysConfig(AppConfig):
    name = "canlian.holidays"
    verbose_name = "节假日安排"

    def ready(self) -> None:
        from canlian.holidays.selectors import entered_schedules
        from canlian.lib import workdays

        workdays.set_schedule_loader(entered_schedules)
