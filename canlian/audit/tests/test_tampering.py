"""Someone who can write the audit table but lacks the audit key cannot rewrite the log: rows
deleted in the middle with every later hash recomputed, or rows cut off at the end, are caught
by `canlian audit_verify` (the chain's keyed hashes, the signed checkpoints)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from canlian.audit import checkpoints, keys, records
from canlian.audit.models import Entry
from canlian.audit.tests.test_records import _disable_guard, _entries

pytestmark = pytest.mark.django_db

Rehash = Callable[[str, Entry], str]


def _plain_sha256(prev_hash: str, entry: Entry) -> str:
    return hashlib.sha256(records.payload(prev_hash, records.hashed_fields(entry))).hexdigest()


def _hmac_under(key: bytes) -> Rehash:
    def rehash(prev_hash: str, entry: Entry) -> str:
        message = records.payload(prev_hash, records.hashed_fields(entry))
        return hmac.new(key, message, hashlib.sha256).hexdigest()

    return rehash


def _rewrite_from(first_id: int, rehash: Rehash) -> None:
    """What an attacker does after deleting rows: chain every entry from `first_id` on to the
    one before it again, recomputing its hash with `rehash`."""
    earlier = Entry.objects.filter(id__lt=first_id).order_by("-id").first()
    prev = earlier.hash if earlier else records.GENESIS
    with connection.cursor() as cursor:
        for entry in Entry.objects.filter(id__gte=first_id).order_by("id"):
            new_hash = rehash(prev, entry)
            cursor.execute(
                "UPDATE audit_entry SET prev_hash = %s, hash = %s WHERE id = %s",
                [prev, new_hash, entry.pk],
            )
            prev = new_hash


def _audit_verify() -> tuple[int, str, str]:
    """Run `canlian audit_verify`: (exit code, standard output, error message)."""
    out, err = StringIO(), StringIO()
    try:
        call_command("audit_verify", stdout=out, stderr=err)
    except CommandError as exc:  # `canlian` prints it and exits with its return code
        return exc.returncode, out.getvalue(), str(exc)
    return 0, out.getvalue(), err.getvalue()


def test_rows_deleted_in_the_middle_and_the_chain_recomputed_without_the_key_are_caught() -> None:
    entries = _entries(8)
    with connection.cursor() as cursor:
        _disable_guard(cursor)  # the attacker can drop the append-only triggers
        cursor.execute(
            "DELETE FROM audit_entry WHERE id IN (%s, %s)", [entries[3].pk, entries[4].pk]
        )
    first_rewritten = entries[5].pk
    wrong_key = b"the attacker's guess of the key!"
    assert wrong_key != keys.chain_key()
    for attack in (_plain_sha256, _hmac_under(wrong_key)):
        _rewrite_from(first_rewritten, attack)
        code, out, message = _audit_verify()
        assert code == 1
        assert message == f"审计链在第{first_rewritten}条记录处断开"
        assert f'"broken_at": {first_rewritten}' in out
    # The same rewrite made with the audit key passes: the key is the only thing in the way.
    _rewrite_from(first_rewritten, _hmac_under(keys.chain_key()))
    assert _audit_verify()[0] == 0
    assert records.verify_chain() == (6, None)


def test_entries_cut_off_at_the_end_are_caught_by_the_checkpoint() -> None:
    entries = _entries(6)
    checkpoint = checkpoints.write_checkpoint()
    assert checkpoint is not None and checkpoint.entry == entries[-1].pk
    with connection.cursor() as cursor:
        _disable_guard(cursor)
        cursor.execute("DELETE FROM audit_entry WHERE id >= %s", [entries[4].pk])
    # The application goes on writing: what remains is a valid chain, longer than before.
    _entries(3)
    assert records.verify_chain() == (7, None)
    code, out, message = _audit_verify()
    assert code == 1
    assert f"entry {entries[-1].pk} of the checkpoint of {checkpoint.at} is missing" in message
    assert f"2 of the 6 entries up to entry {entries[-1].pk}" in message
    assert '"missing_before_last_checkpoint": 2' in out


def test_without_the_cut_the_checkpoint_agrees_and_counts_what_came_after_it() -> None:
    _entries(4)
    checkpoints.write_checkpoint()
    _entries(2)
    code, out, message = _audit_verify()
    assert code == 0, message
    assert '"checkpoints": 1' in out and '"entries_after_last_checkpoint": 2' in out
