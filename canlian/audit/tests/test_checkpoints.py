"""Checkpoints: signed lines appended to a file outside the database, checked by audit_verify;
the audit key is its own, apart from the field key."""

from __future__ import annotations

import base64
import json
import stat
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from canlian.audit import checkpoints, records
from canlian.audit.tests.test_records import _disable_guard, _entries
from canlian.conftest import TEST_AUDIT_KEY

pytestmark = pytest.mark.django_db

OTHER_KEY = base64.urlsafe_b64encode(b"another audit key, 32 bytes ok!!").decode()


def _lines() -> list[dict[str, Any]]:
    text = Path(settings.AUDIT_CHECKPOINT_FILE).read_text()
    return [json.loads(line) for line in text.splitlines()]


def test_each_checkpoint_is_a_signed_line_appended_to_a_file_only_its_owner_reads() -> None:
    first = _entries(3)[-1]
    checkpoints.write_checkpoint()
    last = _entries(2)[-1]
    checkpoints.write_checkpoint()
    lines = _lines()
    assert [(line["entry"], line["hash"], line["count"]) for line in lines] == [
        (first.pk, first.hash, 3),
        (last.pk, last.hash, 5),
    ]
    assert all(len(line["signature"]) == 64 for line in lines)
    mode = stat.S_IMODE(Path(settings.AUDIT_CHECKPOINT_FILE).stat().st_mode)
    assert mode == 0o600
    report = checkpoints.verify_checkpoints()
    assert (report.checkpoints, report.problems, report.missing) == (2, [], 0)


def test_an_empty_log_gets_no_checkpoint() -> None:
    assert checkpoints.write_checkpoint() is None
    assert not Path(settings.AUDIT_CHECKPOINT_FILE).exists()


def test_checkpoint_lines_not_signed_with_the_audit_key_are_reported(settings: Any) -> None:
    _entries(2)
    checkpoints.write_checkpoint()
    settings.AUDIT_KEY = OTHER_KEY
    checkpoints.write_checkpoint()  # signed with another key
    with Path(settings.AUDIT_CHECKPOINT_FILE).open("a") as handle:
        handle.write("not a checkpoint\n")
    settings.AUDIT_KEY = TEST_AUDIT_KEY
    report = checkpoints.verify_checkpoints()
    assert report.checkpoints == 1
    assert report.problems == [
        "checkpoint line 2 is not signed with the audit key",
        "checkpoint line 3 is not signed with the audit key",
    ]


def test_an_entry_changed_since_its_checkpoint_is_reported() -> None:
    entry = _entries(3)[-1]
    checkpoint = checkpoints.write_checkpoint()
    assert checkpoint is not None
    with connection.cursor() as cursor:
        _disable_guard(cursor)
        cursor.execute("UPDATE audit_entry SET hash = %s WHERE id = %s", ["f" * 64, entry.pk])
    report = checkpoints.verify_checkpoints()
    assert report.problems == [
        f"entry {entry.pk} has changed since the checkpoint of {checkpoint.at}"
    ]


def test_the_command_prints_the_line_it_appends() -> None:
    _entries(2)
    out = StringIO()
    call_command("audit_checkpoint", stdout=out, stderr=StringIO())
    assert json.loads(out.getvalue()) == _lines()[-1]


def test_audit_verify_checks_a_copy_of_the_checkpoints_named_on_the_command_line(
    tmp_path: Path,
) -> None:
    entries = _entries(3)
    out = StringIO()
    call_command("audit_checkpoint", stdout=out, stderr=StringIO())
    copy = tmp_path / "kept-elsewhere.jsonl"
    copy.write_text(out.getvalue())  # e.g. collected from the scheduler's log
    Path(settings.AUDIT_CHECKPOINT_FILE).unlink()  # the attacker removes the file
    with connection.cursor() as cursor:
        _disable_guard(cursor)
        cursor.execute("DELETE FROM audit_entry WHERE id = %s", [entries[-1].pk])
    with pytest.raises(CommandError, match=f"entry {entries[-1].pk} of the checkpoint"):
        call_command("audit_verify", "--checkpoints", str(copy), stdout=StringIO())
    with pytest.raises(CommandError, match="不存在"):
        call_command("audit_verify", "--checkpoints", str(tmp_path / "none"), stdout=StringIO())


def test_the_chain_is_keyed_by_the_audit_key_alone(settings: Any) -> None:
    _entries(3)
    settings.FIELD_KEY = base64.urlsafe_b64encode(b"a new field key of 32 bytes ok!!").decode()
    assert records.verify_chain() == (3, None)
    settings.AUDIT_KEY = OTHER_KEY
    assert records.verify_chain()[1] is not None
