"""Keys live outside the data: their own folder by default (0700, files 0600), never read from
beside the database with DEBUG off; earlier versions' var/field.key is moved, not replaced."""

from __future__ import annotations

import base64
import stat
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from canlian.audit import keys as audit_keys
from canlian.lib import keys

KEY = base64.urlsafe_b64encode(b"a key of exactly thirty-two byte").decode()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def key_files(settings: Any, tmp_path: Path) -> dict[str, Path]:
    """Keys read from files: none set in variables, the folders under tmp_path."""
    folders = {"var": tmp_path / "var", "keys": tmp_path / "config" / "canlian"}
    folders["var"].mkdir()
    settings.VAR_DIR = folders["var"]
    settings.FIELD_KEY = settings.AUDIT_KEY = ""
    settings.FIELD_KEY_FILE = folders["keys"] / "field.key"
    settings.AUDIT_KEY_FILE = folders["keys"] / "audit.key"
    return folders


def test_the_default_key_folder_is_the_users_configuration_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from config.settings import _key_dir

    monkeypatch.delenv("CANLIAN_KEY_DIR", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert _key_dir() == tmp_path / "canlian"
    monkeypatch.delenv("XDG_CONFIG_HOME")
    assert _key_dir() == Path.home() / ".config" / "canlian"
    monkeypatch.setenv("CANLIAN_KEY_DIR", "/etc/canlian")
    assert _key_dir() == Path("/etc/canlian")


def test_create_keys_makes_both_keys_readable_by_their_owner_only(
    key_files: dict[str, Path],
) -> None:
    call_command("create_keys", stdout=(out := _Out()))
    folder = key_files["keys"]
    assert _mode(folder) == 0o700
    field, audit = folder / "field.key", folder / "audit.key"
    assert _mode(field) == _mode(audit) == 0o600
    assert field.read_text() != audit.read_text()  # two keys, not one
    assert keys.read_key(keys.field_key_setting()) != keys.read_key(keys.audit_key_setting())
    assert out.lines == [f"已创建{field}。", f"已创建{audit}。"]
    call_command("create_keys", stdout=(again := _Out()))
    assert again.lines == ["密钥已存在，无需操作。"]


def test_a_field_key_left_in_var_by_an_earlier_version_is_moved_not_replaced(
    key_files: dict[str, Path],
) -> None:
    legacy = key_files["var"] / "field.key"
    legacy.write_text(KEY + "\n")
    legacy.chmod(0o644)
    with pytest.raises(ImproperlyConfigured, match="is where earlier versions kept it"):
        keys.read_key(keys.field_key_setting())
    done = keys.ensure_keys()
    assert done[0] == f"已将{legacy}移到{key_files['keys'] / 'field.key'}。"
    assert not legacy.exists()
    assert _mode(key_files["keys"]) == 0o700 and _mode(key_files["keys"] / "field.key") == 0o600
    assert keys.read_key(keys.field_key_setting()) == base64.urlsafe_b64decode(KEY)


def test_with_debug_off_a_key_file_beside_the_data_is_refused(
    key_files: dict[str, Path], settings: Any
) -> None:
    keys.ensure_keys()
    beside = key_files["var"] / "secrets" / "audit.key"
    beside.parent.mkdir()
    beside.write_text(KEY)
    settings.AUDIT_KEY_FILE = beside
    settings.DEBUG = True  # a developer's machine: allowed
    assert keys.read_key(keys.audit_key_setting()) == base64.urlsafe_b64decode(KEY)
    settings.DEBUG = False
    with pytest.raises(ImproperlyConfigured, match="beside the data it protects"):
        keys.read_key(keys.audit_key_setting())
    with pytest.raises(ImproperlyConfigured, match="beside the data it protects"):
        audit_keys.chain_key()  # what writing an audit entry needs
    # The same key given in its variable, or a file in the key folder, is fine.
    settings.AUDIT_KEY = KEY
    assert audit_keys.chain_key()
    settings.AUDIT_KEY, settings.AUDIT_KEY_FILE = "", key_files["keys"] / "audit.key"
    assert audit_keys.chain_key()


def test_an_sqlite_databases_folder_counts_as_beside_the_data() -> None:
    sqlite = "django.db.backends.sqlite3"
    assert keys.database_folder({"ENGINE": sqlite, "NAME": "/srv/c/db.sqlite3"}) == Path("/srv/c")
    assert keys.database_folder({"ENGINE": sqlite, "NAME": ":memory:"}) is None
    postgres = {"ENGINE": "django.db.backends.postgresql", "NAME": "canlian"}
    assert keys.database_folder(postgres) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [("not base64 at all!", "is not valid base64"), ("c2hvcnQ=", "must decode to 32 bytes")],
)
def test_a_key_that_is_not_32_bytes_of_base64_is_refused(
    settings: Any, text: str, message: str
) -> None:
    settings.AUDIT_KEY = text
    with pytest.raises(ImproperlyConfigured, match=message):
        keys.read_key(keys.audit_key_setting())


class _Out:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def write(self, text: str) -> None:
        self.lines.extend(line for line in text.splitlines() if line)

    def flush(self) -> None:
        pass
