"""Field encryption (AES-256-GCM) and keyed blind indexes for sensitive values.

The master key comes from the environment (CANLIAN_FIELD_KEY) or a key file, never the database
(canlian/lib/keys.py).
Two sub-keys are derived from it with HKDF: one encrypts, one computes the blind index that
allows exact lookup without decrypting.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
import time
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from canlian.lib import keys

VERSION = b"\x01"
NONCE_BYTES = 12


@functools.cache
def _keys(master: bytes) -> tuple[AESGCM, bytes]:
    encryption = keys.derive(master, b"canlian field encryption")
    return AESGCM(encryption), keys.derive(master, b"canlian index")


# The keys are looked up again at most once a second (and whenever the settings change): a
# stat() of the key file costs ~50 µs on some file systems, which a million decryptions in an
# export would pay a million times.
_RECHECK_SECONDS = 1.0
_current_cache: tuple[float, str, str, tuple[AESGCM, bytes]] | None = None


def _current() -> tuple[AESGCM, bytes]:
    global _current_cache
    now = time.monotonic()
    cached = _current_cache
    # Within the second the keys stand: changed settings clear the cache (below), so the
    # settings need not be read on every call (a lazy-settings lookup costs ~2 µs).
    if cached and now - cached[0] < _RECHECK_SECONDS:
        return cached[3]
    text, file = settings.FIELD_KEY, str(settings.FIELD_KEY_FILE)
    derived = _keys(keys.read_key(keys.field_key_setting()))
    _current_cache = (now, text, file, derived)
    return derived


@receiver(setting_changed)
def _forget_keys(*, setting: str, **_: Any) -> None:
    """Tests and reloads change FIELD_KEY or FIELD_KEY_FILE: read the keys again at once."""
    global _current_cache
    if setting in ("FIELD_KEY", "FIELD_KEY_FILE"):
        _current_cache = None


def encrypt(plaintext: str, *, context: str) -> bytes:
    """Encrypt `plaintext`; `context` (e.g. "person.id_number") is bound as associated data."""
    aead, _ = _current()
    nonce = secrets.token_bytes(NONCE_BYTES)
    return VERSION + nonce + aead.encrypt(nonce, plaintext.encode(), context.encode())


def decrypt(blob: bytes, *, context: str) -> str:
    aead, _ = _current()
    blob = bytes(blob)
    if blob[:1] != VERSION:
        raise ValueError("unknown ciphertext version")
    nonce, body = blob[1 : 1 + NONCE_BYTES], blob[1 + NONCE_BYTES :]
    return aead.decrypt(nonce, body, context.encode()).decode()


def blind_index(value: str, *, context: str) -> str:
    """A keyed hash of `value` for exact lookup; equal values give equal indexes."""
    _, key = _current()
    return hmac.new(key, f"{context}\x00{value}".encode(), hashlib.sha256).hexdigest()


TAIL_LENGTH = 6


def tail_blind_index(value: str, *, context: str, length: int = TAIL_LENGTH) -> str:
    """The blind index of the last `length` characters of `value`, upper-cased ("" for a
    shorter value): a search by a value's tail without storing any of it in the clear."""
    if len(value) < length:
        return ""
    return blind_index(value[-length:].upper(), context=context)


def encrypt_bytes(data: bytes, *, context: str) -> bytes:
    """Encrypt a file's bytes (files at rest: canlian.lib.sealedfiles)."""
    aead, _ = _current()
    nonce = secrets.token_bytes(NONCE_BYTES)
    return VERSION + nonce + aead.encrypt(nonce, data, context.encode())


def decrypt_bytes(blob: bytes, *, context: str) -> bytes:
    """The bytes `encrypt_bytes` sealed; raises on a wrong key, context or altered file."""
    aead, _ = _current()
    if blob[:1] != VERSION:
        raise ValueError("unknown ciphertext version")
    nonce, body = blob[1 : 1 + NONCE_BYTES], blob[1 + NONCE_BYTES :]
    return aead.decrypt(nonce, body, context.encode())
