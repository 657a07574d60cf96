"""Audit migration 0004 seals an existing SHA-256 chain with the audit key, once, after checking
it; a broken chain is not sealed unless the operator says so, and then the break is recorded."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connection, transaction

from canlian.audit import records
from canlian.audit.models import Entry
from canlian.audit.tests.test_records import _entries

pytestmark = pytest.mark.django_db

migration = importlib.import_module("canlian.audit.migrations.0004_keyed_chain")
append_only = importlib.import_module("canlian.audit.migrations.0002_append_only_trigger")


class _Editor:
    """What the migration uses of a schema editor. (SQLite's real one cannot run inside the
    transaction a test runs in.)"""

    connection = connection

    def execute(self, sql: str, params: Any = None) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def _as_before_the_migration(tamper_with: Entry | None = None) -> str:
    """Turn the log into what earlier versions wrote: a plain SHA-256 chain (with one entry
    altered afterwards, if given). Return the chain's last hash."""
    editor = _Editor()
    append_only.allow(None, editor)
    prev = records.GENESIS
    with connection.cursor() as cursor:
        for entry in Entry.objects.order_by("id"):
            digest = migration.plain(prev, entry)
            cursor.execute(
                "UPDATE audit_entry SET prev_hash = %s, hash = %s WHERE id = %s",
                [prev, digest, entry.pk],
            )
            prev = digest
        if tamper_with is not None:
            cursor.execute(
                "UPDATE audit_entry SET detail = %s WHERE id = %s", ['{"i": 99}', tamper_with.pk]
            )
    append_only.forbid(None, editor)
    return prev


def _sealing_entry() -> Entry:
    return Entry.objects.get(action="audit.chain_sealed")


def test_an_existing_chain_is_sealed_with_the_key_and_the_sealing_recorded() -> None:
    entries = _entries(5)
    head = _as_before_the_migration()
    assert records.verify_chain() == (0, entries[0].pk)  # SHA-256 no longer verifies
    migration.forward(apps, _Editor())
    assert records.verify_chain() == (6, None)
    sealing = _sealing_entry()
    assert sealing.detail == {"entries": 5, "previous_head": head, "broken_at": None}
    assert (sealing.actor_label, sealing.source) == ("system", "migrate")
    # The append-only triggers are back.
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_entry WHERE id = %s", [entries[0].pk])


def test_the_migration_undone_gives_back_a_sha256_chain() -> None:
    _entries(3)
    _as_before_the_migration()
    migration.forward(apps, _Editor())
    migration.backward(apps, _Editor())
    prev = records.GENESIS
    for entry in Entry.objects.order_by("id"):
        assert (entry.prev_hash, entry.hash) == (prev, migration.plain(prev, entry))
        prev = entry.hash
    assert Entry.objects.filter(action="audit.chain_unsealed").count() == 1


def test_a_broken_chain_is_not_sealed(settings: Any) -> None:
    entries = _entries(4)
    _as_before_the_migration(tamper_with=entries[2])
    before = list(Entry.objects.order_by("id").values_list("hash", flat=True))
    broken = f"already broken at entry {entries[2].pk}"
    # In a transaction of its own, as the migration runs.
    with pytest.raises(RuntimeError, match=broken), transaction.atomic():
        migration.forward(apps, _Editor())
    assert list(Entry.objects.order_by("id").values_list("hash", flat=True)) == before
    settings.AUDIT_SEAL_BROKEN_CHAIN = True
    migration.forward(apps, _Editor())
    assert records.verify_chain() == (5, None)
    assert _sealing_entry().detail["broken_at"] == entries[2].pk


def test_an_empty_log_needs_no_key_but_entries_do(settings: Any, tmp_path: Path) -> None:
    settings.AUDIT_KEY = ""
    settings.AUDIT_KEY_FILE = tmp_path / "audit.key"
    migration.forward(apps, _Editor())  # a new installation
    assert not Entry.objects.exists()
    with connection.cursor() as cursor:  # an entry some earlier version wrote
        cursor.execute(
            "INSERT INTO audit_entry (at, actor_label, source, kind, action, target_type, "
            "target_id, region, detail, prev_hash, hash) VALUES "
            "(%s, 'system', 'cli', 'change', 'x', '', '', '', '{}', %s, %s)",
            ["2026-01-01 00:00:00+00:00", records.GENESIS, "a" * 64],
        )
    with pytest.raises(ImproperlyConfigured, match="entries to seal with the audit key"):
        migration.forward(apps, _Editor())
