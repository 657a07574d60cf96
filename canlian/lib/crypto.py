"""Field encryption (AES-256-GCM) and keyed blind indexes for sensitive values.

The master key comes from the environment (CANLIAN_FIELD_KEY) or a key file, never the database.
Two sub-keys are derived from it with HKDF: one encrypts, one computes the blind index that
allows exact lookup without decrypting.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os
import secrets
import time
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

VERSION = b"\x01"
NONCE_BYTES = 12


def generate_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def ensure_key_file(path: Path) -> bool:
    """Create a key file readable by its owner only, unless one exists. Return True if created."""
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(generate_key() + "\n")
    return True


def _read_key_file(path: Path) -> str:
    try:
        return path.read_text().strip()
    except FileNotFoundError as exc:
        raise ImproperlyConfigured(
            f"No field key: set CANLIAN_FIELD_KEY or create {path} (`canlian demo` does)"
        ) from exc


def _master_key() -> bytes:
    text = settings.FIELD_KEY or _read_key_file(Path(settings.FIELD_KEY_FILE))
    try:
        key = base64.urlsafe_b64decode(text)
    except ValueError as exc:
        raise ImproperlyConfigured("CANLIAN_FIELD_KEY is not valid base64") from exc
    if len(key) != 32:
        raise ImproperlyConfigured("CANLIAN_FIELD_KEY must decode to 32 bytes")
    return key


def _derive(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(master)


@functools.cache
def _keys(master: bytes) -> tuple[AESGCM, bytes]:
    return AESGCM(_derive(master, b"canlian field encryption")), _derive(master, b"canlian index")


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
    keys = _keys(_master_key())
    _current_cache = (now, text, file, keys)
    return keys


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
