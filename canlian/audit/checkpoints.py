"""Signed checkpoints of the audit chain, kept outside the database: they catch a cut-off tail.

The keyed chain shows any entry altered or removed *before* the last one, but not entries
removed at the end: what remains is still a valid chain. A checkpoint is one line appended to
AUDIT_CHECKPOINT_FILE: the last entry's id and hash, the number of entries up to it and the
time, signed with the audit key. Verification checks that every checkpoint's entry is still
there with the same hash and that none of the entries counted by the last one is missing.
Entries written after the last checkpoint are not covered until the next one.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from canlian.audit import keys
from canlian.audit.models import Entry
from canlian.lib.keys import ensure_folder


@dataclasses.dataclass(frozen=True)
class Checkpoint:
    entry: int  # the id of the chain's last entry when the checkpoint was written
    hash: str  # its hash
    count: int  # the number of entries up to it
    at: str  # when, ISO 8601

    def fields(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclasses.dataclass
class Report:
    """What the checkpoints say about the log as it is now."""

    checkpoints: int = 0
    problems: list[str] = dataclasses.field(default_factory=list)
    last: Checkpoint | None = None
    missing: int = 0  # entries counted by the last checkpoint that are gone
    since_last: int = 0  # entries after the last checkpoint's entry (not yet covered)


def _path(path: Path | None) -> Path:
    return Path(path or settings.AUDIT_CHECKPOINT_FILE)


def sign(checkpoint: Checkpoint) -> str:
    text = json.dumps(checkpoint.fields(), sort_keys=True)
    return hmac.new(keys.checkpoint_key(), text.encode(), hashlib.sha256).hexdigest()


def write_checkpoint(*, path: Path | None = None) -> Checkpoint | None:
    """Append a signed checkpoint of the chain's last entry to AUDIT_CHECKPOINT_FILE (or
    `path`); None, and nothing written, while the log is empty."""
    last = Entry.objects.order_by("-id").values_list("id", "hash").first()
    if last is None:
        return None
    entry_id, entry_hash = last
    # Entries are appended in id order under the chain's lock: counting up to this id gives
    # the same number however many are appended meanwhile.
    count = Entry.objects.filter(id__lte=entry_id).count()
    checkpoint = Checkpoint(entry_id, entry_hash, count, timezone.now().isoformat())
    line = json.dumps({**checkpoint.fields(), "signature": sign(checkpoint)}, sort_keys=True)
    target = _path(path)
    ensure_folder(target.parent)
    fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "a") as handle:
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return checkpoint


def _parse(line: str) -> Checkpoint | None:
    """The checkpoint a line holds if its signature is the audit key's; None otherwise."""
    try:
        data = json.loads(line)
        checkpoint = Checkpoint(
            int(data["entry"]), str(data["hash"]), int(data["count"]), str(data["at"])
        )
        signature = str(data["signature"])
    except (ValueError, TypeError, KeyError):
        return None
    if not hmac.compare_digest(signature.encode(), sign(checkpoint).encode()):
        return None
    return checkpoint


def read_checkpoints(path: Path | None = None) -> tuple[list[Checkpoint], list[str]]:
    """The file's checkpoints, and a problem for each line that is not a signed checkpoint."""
    checkpoints: list[Checkpoint] = []
    problems: list[str] = []
    text = _path(path).read_text(encoding="utf-8")
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        checkpoint = _parse(line)
        if checkpoint is None:
            problems.append(f"checkpoint line {number} is not signed with the audit key")
        else:
            checkpoints.append(checkpoint)
    return checkpoints, problems


def verify_checkpoints(*, path: Path | None = None) -> Report:
    """Compare the log with every checkpoint in AUDIT_CHECKPOINT_FILE (or `path`). A missing
    file gives an empty report (no checkpoint written yet)."""
    if not _path(path).exists():
        return Report()
    checkpoints, problems = read_checkpoints(path)
    report = Report(checkpoints=len(checkpoints), problems=problems)
    stored = _hashes_of([c.entry for c in checkpoints])
    for checkpoint in checkpoints:
        now = stored.get(checkpoint.entry)
        if now is None:
            report.problems.append(
                f"entry {checkpoint.entry} of the checkpoint of {checkpoint.at} is missing"
            )
        elif now != checkpoint.hash:
            report.problems.append(
                f"entry {checkpoint.entry} has changed since the checkpoint of {checkpoint.at}"
            )
    if checkpoints:
        last = max(checkpoints, key=lambda c: c.entry)
        remaining = Entry.objects.filter(id__lte=last.entry).count()
        report.last = last
        report.missing = max(last.count - remaining, 0)
        report.since_last = Entry.objects.filter(id__gt=last.entry).count()
        if report.missing:
            newest = Entry.objects.filter(id__lte=last.entry).order_by("-id").first()
            report.problems.append(
                f"{report.missing} of the {last.count} entries up to entry {last.entry} "
                f"(checkpoint of {last.at}) are missing; the log keeps "
                f"{remaining} of them, up to entry {newest.pk if newest else 'none'}"
            )
        elif remaining > last.count:
            report.problems.append(
                f"{remaining - last.count} entries up to entry {last.entry} were not there at "
                f"the checkpoint of {last.at}"
            )
    return report


def _hashes_of(ids: list[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    unique = sorted(set(ids))
    for start in range(0, len(unique), 500):  # SQLite's limit on query parameters
        chunk = unique[start : start + 500]
        found.update(Entry.objects.filter(id__in=chunk).values_list("id", "hash"))
    return found
