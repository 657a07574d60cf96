"""Seal the audit chain with the audit key: every entry's hash becomes an HMAC-SHA256 under it.

Until now each hash was plain SHA-256 of the previous hash and the entry's fields, which anyone
able to write the table could recompute after deleting rows. The existing chain is checked as
it was (SHA-256) while it is sealed again with the key, entry by entry in id order, and one
more entry, `audit.chain_sealed`, records how many were sealed, the SHA-256 chain's last hash
and that it was intact (docs/decisions/0011-keyed-audit-chain.md). A broken SHA-256 chain is
not sealed, which would hide the break, unless CANLIAN_AUDIT_SEAL_BROKEN_CHAIN=True; the break
is then recorded in that entry.

The append-only triggers of migration 0002 are lifted for the rewrite and put back in the same
transaction. An empty log (a new installation) needs nothing, not even the key.
"""

import hashlib
import hmac
import importlib
import json

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import migrations
from django.utils import timezone

GENESIS = "0" * 64
CHUNK = 2000
append_only = importlib.import_module("canlian.audit.migrations.0002_append_only_trigger")


def _payload(prev_hash, entry):
    """What a hash covers (as canlian/audit/records.py computes it at this migration)."""
    fields = {
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
    text = json.dumps([prev_hash, fields], sort_keys=True, ensure_ascii=False, default=str)
    return text.encode()


def plain(prev_hash, entry):
    return hashlib.sha256(_payload(prev_hash, entry)).hexdigest()


def keyed(key):
    def digest(prev_hash, entry):
        return hmac.digest(key, _payload(prev_hash, entry), "sha256").hex()

    return digest


def _chain_key():
    from canlian.audit import keys  # the key exactly as the application reads it

    try:
        return keys.chain_key()
    except ImproperlyConfigured as exc:
        raise ImproperlyConfigured(
            f"The audit log holds entries to seal with the audit key, and there is none. {exc}"
        ) from exc


def reseal(Entry, editor, *, old, new):
    """Rewrite every entry's prev_hash and hash with `new`, checking the chain with `old` on
    the way. Return (entries, the old chain's last hash, the id where it was first broken)."""
    if editor.connection.vendor == "postgresql":
        # No entry is appended while the chain is rewritten.
        editor.execute("LOCK TABLE audit_entry IN EXCLUSIVE MODE")
    append_only.allow(None, editor)
    old_prev = new_prev = GENESIS
    broken = None
    count = last_id = 0
    with editor.connection.cursor() as cursor:
        while chunk := list(Entry.objects.filter(id__gt=last_id).order_by("id")[:CHUNK]):
            rows = []
            for entry in chunk:
                if broken is None and (
                    entry.prev_hash != old_prev or entry.hash != old(old_prev, entry)
                ):
                    broken = entry.pk
                old_prev = entry.hash
                rows.append((new_prev, new(new_prev, entry), entry.pk))
                new_prev = rows[-1][1]
            _update(cursor, rows)
            count += len(chunk)
            last_id = chunk[-1].pk
    append_only.forbid(None, editor)
    return count, old_prev, broken


def _update(cursor, rows):
    """Set (prev_hash, hash) of each (prev_hash, hash, id): on PostgreSQL in one statement per
    chunk (a round trip per row took a third longer), on SQLite row by row (in-process)."""
    if cursor.db.vendor != "postgresql":
        cursor.executemany("UPDATE audit_entry SET prev_hash = %s, hash = %s WHERE id = %s", rows)
        return
    values = ", ".join(["(%s, %s, %s)"] * len(rows))
    cursor.execute(
        "UPDATE audit_entry SET prev_hash = v.prev_hash, hash = v.hash "
        f"FROM (VALUES {values}) AS v(prev_hash, hash, id) WHERE audit_entry.id = v.id",
        [value for row in rows for value in row],
    )


def _seal(apps, editor, *, to_keyed):
    Entry = apps.get_model("audit", "Entry")
    if not Entry.objects.exists():
        return
    with_key = keyed(_chain_key())
    old, new = (plain, with_key) if to_keyed else (with_key, plain)
    count, old_head, broken = reseal(Entry, editor, old=old, new=new)
    if broken is not None and not settings.AUDIT_SEAL_BROKEN_CHAIN:
        raise RuntimeError(
            f"The audit chain is already broken at entry {broken}: sealing it again would hide "
            "that. Investigate (restore the log from a backup), or set "
            "CANLIAN_AUDIT_SEAL_BROKEN_CHAIN=True to seal it as it is, the break recorded."
        )
    entry = Entry(
        at=timezone.now(),
        actor=None,
        actor_label="system",
        source="migrate",
        kind="change",
        action="audit.chain_sealed" if to_keyed else "audit.chain_unsealed",
        detail={"entries": count, "previous_head": old_head, "broken_at": broken},
        prev_hash=Entry.objects.order_by("-id").values_list("hash", flat=True).first(),
    )
    entry.hash = new(entry.prev_hash, entry)
    entry.save()


def forward(apps, schema_editor):
    _seal(apps, schema_editor, to_keyed=True)


def backward(apps, schema_editor):
    _seal(apps, schema_editor, to_keyed=False)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_no_hash_pattern_index")]
    operations = [migrations.RunPython(forward, backward)]
