"""Write audit entries: one call per change or access, inside the caller's transaction."""

from __future__ import annotations

import contextvars
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, models, transaction

from canlian.audit.models import Entry

GENESIS = "0" * 64
# Any constant works; it names the one lock that serialises appends to the chain on PostgreSQL.
_CHAIN_LOCK_ID = 0x43414E4C

current_source: contextvars.ContextVar[str] = contextvars.ContextVar("source", default="cli")


@contextmanager
def source(value: str) -> Iterator[None]:
    """Attribute entries written inside the block to `value` (an IP address, a command)."""
    token = current_source.set(value)
    try:
        yield
    finally:
        current_source.reset(token)


def entry_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    payload = json.dumps([prev_hash, fields], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def _hashed_fields(entry: Entry) -> dict[str, Any]:
    return {
        "at": entry.at.isoformat(),
        "actor": entry.actor_id,
        "actor_label": entry.actor_label,
        "source": entry.source,
        "kind": entry.kind,
        "action": entry.action,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "region": entry.region,
        "detail": entry.detail,
    }


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_ID])


def _write(
    *,
    kind: str,
    acting_user: Any,
    action: str,
    target: models.Model | None,
    detail: dict[str, Any],
    region: str = "",
) -> Entry:
    with transaction.atomic():
        _lock_chain()
        last = Entry.objects.order_by("-id").values_list("hash", flat=True).first()
        user = acting_user if getattr(acting_user, "pk", None) else None
        entry = Entry(
            actor=user,
            actor_label=user.get_username() if user else "system",
            source=current_source.get(),
            kind=kind,
            action=action,
            target_type=target._meta.label_lower if target is not None else "",
            target_id=str(target.pk) if target is not None else "",
            region=region or getattr(target, "region_prefix", ""),
            detail=detail,
            prev_hash=last or GENESIS,
        )
        # Round-trip the detail through JSON so the hash sees exactly what the database keeps.
        entry.detail = json.loads(json.dumps(detail, ensure_ascii=False, default=str))
        entry.hash = entry_hash(entry.prev_hash, _hashed_fields(entry))
        entry.save()
        return entry


def record(
    *,
    acting_user: Any,
    action: str,
    target: models.Model | None,
    detail: dict[str, Any],
    region: str = "",
) -> Entry:
    """Record a change. Call inside the transaction that makes the change."""
    return _write(
        kind=Entry.Kind.CHANGE,
        acting_user=acting_user,
        action=action,
        target=target,
        detail=detail,
        region=region,
    )


def record_access(
    *,
    acting_user: Any,
    action: str,
    target: models.Model | None,
    detail: dict[str, Any],
    region: str = "",
) -> Entry:
    """Record a read of sensitive data: a reveal, an export, a print."""
    return _write(
        kind=Entry.Kind.ACCESS,
        acting_user=acting_user,
        action=action,
        target=target,
        detail=detail,
        region=region,
    )


def verify_chain() -> tuple[int, int | None]:
    """Walk the chain; return (entries checked, id of the first broken entry or None)."""
    prev = GENESIS
    count = 0
    for entry in Entry.objects.order_by("id").iterator(chunk_size=2000):
        if entry.prev_hash != prev or entry.hash != entry_hash(prev, _hashed_fields(entry)):
            return count, entry.pk
        prev = entry.hash
        count += 1
    return count, None
