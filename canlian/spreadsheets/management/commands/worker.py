"""`canlian worker`: run background tasks (imports, exports) from the database queue, and the
housekeeping (old files and sessions deleted) every HOUSEKEEPING_MINUTES."""

import threading
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from canlian.lib.commands import TranslatedCommand
from canlian.spreadsheets import housekeeping


class Command(TranslatedCommand, DbWorkerCommand):
    help = gettext_lazy(  # type: ignore[assignment]  # made a string with the parser
        "Run queued background tasks (imports, exports) and the housekeeping. Stop with Ctrl-C."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        minutes = settings.HOUSEKEEPING_MINUTES
        sweeper = threading.Thread(
            target=housekeeping.every, args=(minutes * 60, stop), daemon=True, name="housekeeping"
        )
        if minutes > 0:
            sweeper.start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
