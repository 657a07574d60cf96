"""`canlian worker`: run background tasks (imports, exports) from the database queue, the
housekeeping (old files and sessions deleted) every HOUSEKEEPING_MINUTES, and a heartbeat that
/healthz reads every WORKER_BEAT_SECONDS."""

import threading
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from canlian.lib.commands import TranslatedCommand
from canlian.spreadsheets import beats, housekeeping


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
        # Seen by /healthz while it runs (canlian/spreadsheets/beats.py).
        heart = threading.Thread(
            target=beats.every, args=(beats.interval(), stop), daemon=True, name="heartbeat"
        )
        if settings.WORKER_BEAT_SECONDS > 0:
            heart.start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
            if heart.is_alive():
                heart.join(timeout=5)
