"""/healthz and /readyz for a load balancer, a service manager or a monitor.

Answered first in the middleware, before the host check, the HTTPS redirect, sessions and
sign-in: a probe needs no account and sets no cookie. JSON, never cached; 200 when every check
passes, 503 otherwise. The answers say which check failed, never why (no error text, host or
version leaves the server: details go to the log).

- ``/healthz`` (alive and able to work): the database answers, and a background worker has
  been seen within HEALTH_WORKER_SECONDS (120; 0 leaves the worker out, as with
  TASKS_BACKEND=immediate).
- ``/readyz`` (ready to take requests): the database answers and every migration is applied
  (a server started on a database not yet migrated is alive but not ready).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone

from canlian.spreadsheets import beats

log = logging.getLogger(__name__)
OK = "ok"


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        log.exception("health: the database does not answer")
        return "unreachable"
    return OK


def _worker() -> str:
    limit = int(settings.HEALTH_WORKER_SECONDS)
    if limit <= 0:
        return "not used"
    try:
        seen = beats.last_seen()
    except DatabaseError:
        log.exception("health: the worker's heartbeat cannot be read")
        return "unknown"
    if seen is None:
        return "not seen"
    age = (timezone.now() - seen).total_seconds()
    return OK if age <= limit else "not seen recently"


def _migrations() -> str:
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError:
        log.exception("health: the migrations cannot be read")
        return "unknown"
    return OK if not pending else "pending"


def _answer(checks: dict[str, str], *, passing: set[str]) -> HttpResponse:
    healthy = all(value in passing for value in checks.values())
    body = {"status": "ok" if healthy else "fail", "checks": checks}
    response = HttpResponse(
        json.dumps(body), content_type="application/json", status=200 if healthy else 503
    )
    response["Cache-Control"] = "no-store"
    return response


def healthz() -> HttpResponse:
    return _answer({"database": _database(), "worker": _worker()}, passing={OK, "not used"})


def readyz() -> HttpResponse:
    database = _database()
    migrations = _migrations() if database == OK else "unknown"
    return _answer({"database": database, "migrations": migrations}, passing={OK})


PROBES: dict[str, Callable[[], HttpResponse]] = {"/healthz": healthz, "/readyz": readyz}


class HealthMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        probe = PROBES.get(request.path_info.rstrip("/") or "/")
        if probe is None:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            response = HttpResponse(status=405)
            response["Allow"] = "GET, HEAD"
            return response
        return probe()
