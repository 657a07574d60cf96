"""Write audit entries: one call per change or access, inside the caller's transaction.

Each entry's hash is an HMAC-SHA256, under the audit key (kept outside the database), of the
previous entry's hash and the entry's fields: whoever can write the table but lacks the key
cannot delete or alter entries and make the chain add up again.
"""

from __future__ import annotations

import contextvars
import hmac
import json
from collections.abc import Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from json.encoder import encode_basestring as _encode_string
from typing import TYPE_CHECKING, Any

from django.db import connection, models, transaction
from django.utils import timezone

from canlian.audit import keys
from canlian.audit.models import Entry
from canlian.lib import bulk

if TYPE_CHECKING:
    from canlian.accounts.actors import Actor

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


def payload(prev_hash: str, fields: dict[str, Any]) -> bytes:
    """What an entry's hash is computed over."""
    text = json.dumps([prev_hash, fields], sort_keys=True, ensure_ascii=False, default=str)
    return text.encode()


def entry_hash(prev_hash: str, fields: dict[str, Any], *, key: bytes | None = None) -> str:
    """The keyed hash of an entry (`key`: the chain key, by default read from the settings)."""
    return hmac.digest(key or keys.chain_key(), payload(prev_hash, fields), "sha256").hex()


def hashed_fields(entry: Entry) -> dict[str, Any]:
    """The fields of an entry its hash covers, with the previous entry's hash."""
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
    acting_user: Actor | None,
    action: str,
    target: models.Model | None,
    detail: dict[str, Any],
    region: str = "",
) -> Entry:
    with transaction.atomic():
        _lock_chain()
        last = Entry.objects.order_by("-id").values_list("hash", flat=True).first()
        user = acting_user if acting_user is not None and acting_user.pk else None
        entry = Entry(
            actor_id=user.pk if user else None,
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
        entry.hash = entry_hash(entry.prev_hash, hashed_fields(entry))
        entry.save()
        return entry


def changes(
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    fields: Iterable[str],
    *,
    also: Collection[str] = (),
) -> dict[str, list[Any]]:
    """The `changes` of an update's entry: {field: [before, after]} for each of `fields` whose
    value differs (a value missing counts as None), and for those of `also` whatever their
    values (a sealed value replaced by another of the same mask; every field of a creation)."""
    return {
        field: [before.get(field), after.get(field)]
        for field in fields
        if before.get(field) != after.get(field) or field in also
    }


def record(
    *,
    acting_user: Actor | None,
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
    acting_user: Actor | None,
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


_SCALARS = (str, int, float, bool, type(None))


def _dump(value: Any) -> str:
    """`json.dumps(value, ensure_ascii=False)`; strings (most values) through json's own C
    encoder directly, which skips building an encoder on every call."""
    if value.__class__ is str:
        return _encode_string(value)
    return json.dumps(value, ensure_ascii=False)


def _native(value: Any) -> bool:
    """Whether JSON gives `value` back unchanged (no tuples, dates, non-string keys)."""
    if isinstance(value, _SCALARS):
        return True
    if isinstance(value, list):
        return all(_native(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _native(v) for k, v in value.items())
    return False


class Batch:
    """Many change entries in one transaction (an import): the chain is locked once and the
    entries are inserted together on `flush`, with the same hashes `record` would give."""

    FIELDS = (
        "at", "actor_id", "actor_label", "source", "kind", "action", "target_type",
        "target_id", "region", "detail", "prev_hash", "hash",
    )  # fmt: skip

    def __init__(self, *, acting_user: Actor | None) -> None:
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("audit.Batch must be used inside a transaction")
        _lock_chain()
        last = Entry.objects.order_by("-id").values_list("hash", flat=True).first()
        user = acting_user if acting_user is not None and acting_user.pk else None
        self._actor_id = user.pk if user else None
        self._actor_label = user.get_username() if user else "system"
        self._source = current_source.get()
        self._key = keys.chain_key()
        self._prev = last or GENESIS
        self._rows: list[tuple[Any, ...]] = []
        self.count = 0
        self._stamp()

    def _stamp(self) -> None:
        """Entries queued together share the time they are flushed in."""
        self._at = timezone.now()
        self._at_db = connection.ops.adapt_datetimefield_value(self._at)
        self._middle = (
            f', "actor": {_dump(self._actor_id)}, "actor_label": {_dump(self._actor_label)}, '
            f'"at": {_dump(self._at.isoformat())}, "detail": '
        )
        self._source_text = f', "source": {_dump(self._source)}, "target_id": '

    @property
    def _head(self) -> str:
        return f'[{_dump(self._prev)}, {{"action": '

    def add(
        self,
        *,
        action: str,
        target_type: str,
        target_id: str,
        region: str,
        detail: Any,
        native: bool = False,
    ) -> None:
        """Queue one entry. `native=True` promises that `detail` holds only what JSON gives
        back unchanged (str keys, lists, str/int/float/bool/None), which saves checking it."""
        if not native and not _native(detail):
            # Round-trip through JSON so the hash sees exactly what the database keeps.
            detail = json.loads(json.dumps(detail, ensure_ascii=False, default=str))
        text = json.dumps(detail, sort_keys=True, ensure_ascii=False, default=str)
        # The text `payload` would give, built around the detail's text instead of dumping
        # the whole entry again (keys in sorted order, json's default separators).
        hashed = "".join((
            self._head, _dump(action), self._middle, text, ', "kind": "change", "region": ',
            _dump(region), self._source_text, _dump(target_id), ', "target_type": ',
            _dump(target_type), "}]",
        ))  # fmt: skip
        digest = hmac.digest(self._key, hashed.encode(), "sha256").hex()
        self._rows.append((
            self._at_db, self._actor_id, self._actor_label,
            self._source, Entry.Kind.CHANGE.value, action, target_type, target_id, region,
            text, self._prev, digest,
        ))  # fmt: skip
        self._prev = digest
        self.count += 1

    def flush(self) -> None:
        if self._rows:
            bulk.insert_rows(Entry, self.FIELDS, self._rows)
            self._rows = []
        self._stamp()


def verify_chain(*, using: str = "default") -> tuple[int, int | None]:
    """Walk the chain; return (entries checked, id of the first broken entry or None).
    `using`: the database alias (a restored backup is checked under an alias of its own)."""
    key = keys.chain_key()
    prev = GENESIS
    count = 0
    for entry in Entry.objects.using(using).order_by("id").iterator(chunk_size=2000):
        expected = entry_hash(prev, hashed_fields(entry), key=key)
        if entry.prev_hash != prev or entry.hash != expected:
            return count, entry.pk
        prev = entry.hash
        count += 1
    return count, None
