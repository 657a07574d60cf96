"""/healthz and /readyz: signed out, JSON, 503 when a check fails; and the production server
(gunicorn with deploy/gunicorn.conf.py) answering them with its access log masked."""

from __future__ import annotations

import datetime
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from canlian.spreadsheets import beats
from canlian.spreadsheets.models import WorkerBeat

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]


def probe(path: str) -> tuple[int, dict[str, Any], Any]:
    response = Client().get(path)
    return response.status_code, json.loads(response.content), response


def test_health_fails_until_a_worker_is_seen_and_again_when_it_stops(settings: Any) -> None:
    settings.HEALTH_WORKER_SECONDS = 120
    status, body, response = probe("/healthz")
    assert (status, body["checks"]) == (503, {"database": "ok", "worker": "not seen"})
    assert response["Cache-Control"] == "no-store" and "Set-Cookie" not in response
    beats.beat("host:1")
    status, body, _ = probe("/healthz")
    assert (status, body) == (200, {"status": "ok", "checks": {"database": "ok", "worker": "ok"}})
    WorkerBeat.objects.update(seen_at=timezone.now() - datetime.timedelta(seconds=121))
    status, body, _ = probe("/healthz")
    assert (status, body["checks"]["worker"]) == (503, "not seen recently")


def test_without_a_worker_setting_the_worker_is_left_out(settings: Any) -> None:
    settings.HEALTH_WORKER_SECONDS = 0
    status, body, _ = probe("/healthz")
    assert (status, body["checks"]["worker"]) == (200, "not used")


def test_ready_when_migrated_and_probes_need_no_account_or_host(settings: Any) -> None:
    settings.ALLOWED_HOSTS = ["canlian.example.org"]
    response = Client().get("/readyz", HTTP_HOST="10.0.0.7")
    assert response.status_code == 200
    assert json.loads(response.content)["checks"] == {"database": "ok", "migrations": "ok"}
    assert Client().post("/readyz").status_code == 405


def test_the_worker_beats_while_it_runs_and_removes_its_row_when_it_stops(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen_while_running = []

    class Stop:
        """Stops the loop at its first wait, noting what the database held then."""

        def wait(self, seconds: float) -> bool:
            seen_while_running.extend(WorkerBeat.objects.values_list("name", flat=True))
            return True

    # The worker's own connection handling is not this test's (it would close the test's).
    monkeypatch.setattr(beats, "close_old_connections", lambda: None)
    beats.every(3600, Stop())  # type: ignore[arg-type]
    assert seen_while_running == [beats.name()]
    assert not WorkerBeat.objects.exists()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 (local)
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_the_production_server_answers_and_masks_its_access_log(tmp_path: Path) -> None:
    """gunicorn as deploy/canlian-web.service runs it, on an empty database: alive (the
    database answers), not ready (nothing migrated), and a searched ID number is not in its
    log."""
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": "test-only-" + "k" * 50,
        "CANLIAN_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "CANLIAN_BIND": f"127.0.0.1:{port}",
        "CANLIAN_WORKERS": "1",
        "HEALTH_WORKER_SECONDS": "0",
        "LOG_LEVEL": "INFO",
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "-c", "deploy/gunicorn.conf.py", "config.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                status, body = _get(f"{base}/healthz")
                break
            except (ConnectionError, urllib.error.URLError):
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        assert (status, json.loads(body)["checks"]) == (
            200,
            {"database": "ok", "worker": "not used"},
        )
        status, body = _get(f"{base}/readyz")
        assert (status, json.loads(body)["checks"]["migrations"]) == (503, "pending")
        _get(f"{base}/people/?q=410825197005170123")
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0].decode()
    access = [json.loads(line) for line in output.splitlines() if '"gunicorn.access"' in line]
    assert any("/people/?q=******************" in entry["message"] for entry in access)
    assert "410825197005170123" not in output
