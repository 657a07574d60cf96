"""`canlian housekeeping`: delete old import and export files and expired sessions, once."""

import dataclasses
import json
from typing import Any

from django.core.management.base import BaseCommand

from canlian.spreadsheets import housekeeping


class Command(BaseCommand):
    help = "Delete old import and export files and expired sessions (the worker does it hourly)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(json.dumps(dataclasses.asdict(housekeeping.sweep())))
