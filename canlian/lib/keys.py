"""Secret keys kept outside the database: from a variable or a key file, never beside the data.

Each key is url-safe base64 of 32 random bytes, given in its variable (CANLIAN_FIELD_KEY,
CANLIAN_AUDIT_KEY) or, when that is unset, read from its file (by default in CANLIAN_KEY_DIR).
With DEBUG off, a key file inside VAR_DIR or the database's folder is refused: one backup of
that folder would carry both the data and the key that protects it.
"""

from __future__ import annotations

import base64
import dataclasses
import os
import secrets
import shutil
from collections.abc import Mapping
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

KEY_BYTES = 32


@dataclasses.dataclass(frozen=True)
class KeySetting:
    """Where one key is configured: its variable's value and the file read when that is empty."""

    variable: str  # the environment variable, for messages
    value: str
    file: Path


def field_key_setting() -> KeySetting:
    return KeySetting("CANLIAN_FIELD_KEY", settings.FIELD_KEY, Path(settings.FIELD_KEY_FILE))


def audit_key_setting() -> KeySetting:
    return KeySetting("CANLIAN_AUDIT_KEY", settings.AUDIT_KEY, Path(settings.AUDIT_KEY_FILE))


def generate_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).decode()


def ensure_key_file(path: Path) -> bool:
    """Create a key file readable by its owner only, in a folder (made if missing) open to its
    owner only, unless the file exists. Return True if created."""
    if path.exists():
        return False
    ensure_folder(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(generate_key() + "\n")
    return True


def read_key(key: KeySetting) -> bytes:
    """The 32 bytes of `key`: its variable's value or, when that is empty, its file's text."""
    text = key.value
    if not text:
        refuse_beside_data(key)
        text = _read_file(key)
    try:
        raw = base64.urlsafe_b64decode(text)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{key.variable} is not valid base64") from exc
    if len(raw) != KEY_BYTES:
        raise ImproperlyConfigured(f"{key.variable} must decode to {KEY_BYTES} bytes")
    return raw


def derive(master: bytes, purpose: bytes) -> bytes:
    """A sub-key of `master` for one `purpose` (HKDF-SHA256): one key never serves two uses."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(master)


def _read_file(key: KeySetting) -> str:
    try:
        return key.file.read_text().strip()
    except FileNotFoundError as exc:
        message = f"No key: set {key.variable}, or create {key.file} (`canlian create-keys` does)"
        legacy = Path(settings.VAR_DIR) / key.file.name
        if legacy.exists():
            message += (
                f". {legacy} is where earlier versions kept it, beside the database: move it to "
                f"{key.file}, out of var/ and its backups"
            )
        raise ImproperlyConfigured(message) from exc


def data_folders() -> list[Path]:
    """The folders holding the data: VAR_DIR and an SQLite database's folder."""
    database = database_folder(settings.DATABASES["default"])
    return [Path(settings.VAR_DIR), *([database] if database else [])]


def database_folder(database: Mapping[str, object]) -> Path | None:
    """The folder of an SQLite database file; None for a server or an in-memory database."""
    name = str(database.get("NAME") or "")
    sqlite = str(database["ENGINE"]).endswith("sqlite3")
    if not sqlite or not name or name.startswith(("file:", ":")):
        return None
    return Path(name).parent


def refuse_beside_data(key: KeySetting) -> None:
    """With DEBUG off, refuse a key file that lies in a folder holding the data."""
    if settings.DEBUG:
        return
    where = key.file.resolve()
    for folder in data_folders():
        if where.is_relative_to(folder.resolve()):
            raise ImproperlyConfigured(
                f"The key file {key.file} is inside {folder}, beside the data it protects: a "
                f"backup of that folder would carry both. Move it to CANLIAN_KEY_DIR (outside "
                f"it) or set {key.variable} from the deployment's secret store."
            )


def ensure_keys() -> list[str]:
    """Create the field and audit key files that are missing and not given in their variables
    (for `canlian create-keys` and the demo); move a field key left by earlier versions in
    VAR_DIR to its new place instead of making a new one. Return what was done, one line each, in
    the active language."""
    done: list[str] = []
    for key in (field_key_setting(), audit_key_setting()):
        legacy = Path(settings.VAR_DIR) / key.file.name
        if key.value or key.file.exists():
            if legacy.exists() and legacy.resolve() != key.file.resolve():
                done.append(
                    _(
                        "Warning: %(legacy)s, a key file an earlier version left beside the "
                        "database, is not used. If the data was written with it, use it (move "
                        "it to %(file)s, or put it in %(variable)s); otherwise delete it."
                    )
                    % {"legacy": legacy, "file": key.file, "variable": key.variable}
                )
            continue
        if legacy.exists():
            ensure_folder(key.file.parent)
            shutil.move(legacy, key.file)
            key.file.chmod(0o600)
            done.append(_("Moved %(legacy)s to %(file)s.") % {"legacy": legacy, "file": key.file})
        elif ensure_key_file(key.file):
            done.append(_("Created %(file)s.") % {"file": key.file})
    return done


def ensure_folder(folder: Path) -> None:
    """Make `folder` (and its parents), open to its owner only, if it does not exist."""
    if not folder.exists():
        folder.mkdir(parents=True)
        folder.chmod(0o700)
