"""The audit key (CANLIAN_AUDIT_KEY): one sub-key keys the chain's hashes, one signs checkpoints."""

from __future__ import annotations

from typing import Any

from django.core.signals import setting_changed
from django.dispatch import receiver

from canlian.lib import keys

_derived: tuple[bytes, bytes] | None = None


def _sub_keys() -> tuple[bytes, bytes]:
    # Read once per process: an entry is written on every change, and the key never changes
    # while the chain it sealed is in use.
    global _derived
    if _derived is None:
        master = keys.read_key(keys.audit_key_setting())
        _derived = (
            keys.derive(master, b"canlian audit chain"),
            keys.derive(master, b"canlian audit checkpoint"),
        )
    return _derived


def chain_key() -> bytes:
    """The key of the entries' hashes (HMAC-SHA256)."""
    return _sub_keys()[0]


def checkpoint_key() -> bytes:
    """The key that signs checkpoints (HMAC-SHA256)."""
    return _sub_keys()[1]


@receiver(setting_changed)
def _forget(*, setting: str, **_: Any) -> None:
    """Tests change the key or where it may be read from: read it again."""
    global _derived
    if setting in ("AUDIT_KEY", "AUDIT_KEY_FILE", "DEBUG", "VAR_DIR", "DATABASES"):
        _derived = None
