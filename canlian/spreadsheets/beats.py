"""The background worker's heartbeat: a row per running worker, refreshed every
WORKER_BEAT_SECONDS, read by /healthz (canlian/web/health.py)."""

from __future__ import annotations

import datetime
import logging
import os
import socket
import threading

from django.conf import settings
from django.db import DatabaseError, close_old_connections
from django.utils import timezone

from canlian.spreadsheets.models import WorkerBeat

log = logging.getLogger(__name__)
KEPT = datetime.timedelta(days=1)


def name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def beat(worker: str) -> None:
    now = timezone.now()
    WorkerBeat.objects.update_or_create(name=worker, defaults={"seen_at": now})
    WorkerBeat.objects.filter(seen_at__lt=now - KEPT).delete()


def every(seconds: int, stop: threading.Event) -> None:
    """Beat until `stop` is set, then remove this worker's row."""
    worker = name()
    while True:
        try:
            beat(worker)
        except DatabaseError:
            log.warning("worker heartbeat not written", exc_info=True)
        finally:
            close_old_connections()
        if stop.wait(seconds):
            break
    try:
        WorkerBeat.objects.filter(name=worker).delete()
    except DatabaseError:
        log.warning("worker heartbeat not removed", exc_info=True)


def last_seen() -> datetime.datetime | None:
    beat_ = WorkerBeat.objects.order_by("-seen_at").first()
    return beat_.seen_at if beat_ else None


def interval() -> int:
    """Seconds between beats; a worker with WORKER_BEAT_SECONDS = 0 writes none."""
    return max(int(settings.WORKER_BEAT_SECONDS), 1)
