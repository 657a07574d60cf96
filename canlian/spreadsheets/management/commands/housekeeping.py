"""`canlian housekeeping`: delete old import and export files and expired sessions, once."""

import dataclasses
import json
from typing import Any

from django.utils.translation import gettext_lazy

from canlian.lib.commands import TranslatedCommand
from canlian.spreadsheets import housekeeping


class Command(TranslatedCommand):
    help = gettext_lazy(
        "Delete old import and export files and expired sessions (the worker does it hourly)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(json.dumps(dataclasses.asdict(housekeeping.sweep())))
