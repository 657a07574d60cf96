"""`canlian check --deploy` refuses what Django's own checks let through: debug, a published
or weak secret key, a missing field key or one kept with the data, SQLite, a TLS proxy whose
clients' addresses are unknown, a Chinese catalogue missing or older than its source."""

from __future__ import annotations

import json
import os
import struct
from pathlib import Path
from typing import Any

import pytest
from django.core import checks
from django.utils import translation

from canlian.web.deploy_checks import NOT_COMPILED

# The checks only read DATABASES; no test here opens a connection.
pytestmark = pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")

GOOD_KEY = "p7Kq2vXr9LmN4sT8wYb3cF6hJ1gD5zA0eU-_RtQoPiSlKkMnBvCxZaWyEuIoHgFd"
POSTGRES = {"ENGINE": "django.db.backends.postgresql", "NAME": "canlian"}


def deploy_ids() -> set[str]:
    found = checks.run_checks(include_deployment_checks=True, tags=None)
    return {message.id for message in found if str(message.id).startswith("canlian.")}


def mo_bytes(messages: dict[str, str]) -> bytes:
    """A GNU .mo catalogue of `messages` (msgid: msgstr), with the header entry."""
    entries = sorted({"": "Content-Type: text/plain; charset=UTF-8\n", **messages}.items())
    ids = [k.encode() for k, _ in entries]
    strs = [v.encode() for _, v in entries]
    count = len(entries)
    start = 7 * 4 + count * 16
    id_table, data, offset = [], b"", start
    for item in ids:
        id_table += [len(item), offset]
        data += item + b"\0"
        offset += len(item) + 1
    str_table = []
    for item in strs:
        str_table += [len(item), offset]
        data += item + b"\0"
        offset += len(item) + 1
    header = struct.pack("<7I", 0x950412DE, 0, count, 28, 28 + count * 8, 0, start)
    return header + struct.pack(f"<{4 * count}I", *id_table, *str_table) + data


def po_text(messages: dict[str, str], *, fuzzy: frozenset[str] = frozenset()) -> str:
    entries = ['msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n']
    for msgid, msgstr in messages.items():
        flag = "#, fuzzy\n" if msgid in fuzzy else ""
        entries.append(f"{flag}msgid {json.dumps(msgid)}\nmsgstr {json.dumps(msgstr)}\n")
    return "\n".join(entries)


LOCALE = Path(__file__).resolve().parents[2] / "locale"  # the project's catalogues
PROBE = {NOT_COMPILED: "中文翻译目录未编译（%(where)s）。"}
LATER = {"Apply": "申请"}


def _catalogue(
    folder: Path,
    *,
    compiled: dict[str, str] | None = PROBE,
    source: dict[str, str] = PROBE,
    mo_older: bool = False,
) -> Path:
    messages = folder / "zh_Hans" / "LC_MESSAGES"
    messages.mkdir(parents=True)
    po, mo = messages / "django.po", messages / "django.mo"
    po.write_text(po_text(source), encoding="utf-8")
    if compiled is not None:
        mo.write_bytes(mo_bytes(compiled))
        # The .mo one second younger, or older, than the .po: the dates decide nothing.
        stamp = po.stat().st_mtime + (-1 if mo_older else 1)
        os.utime(mo, (stamp, stamp))
    return folder


@pytest.fixture
def production(settings: Any, tmp_path: Path) -> Any:
    """Settings that pass every Canlian deploy check; each test breaks one thing."""
    settings.DEBUG = False
    settings.SECRET_KEY = GOOD_KEY
    settings.FIELD_KEY = settings.AUDIT_KEY = ""
    key_file = tmp_path / "keys" / "field.key"
    key_file.parent.mkdir()
    key_file.write_text("a key\n")
    settings.FIELD_KEY_FILE = key_file
    settings.AUDIT_KEY_FILE = key_file.with_name("audit.key")
    settings.AUDIT_KEY_FILE.write_text("another key\n")
    settings.VAR_DIR = tmp_path / "var"
    settings.DATABASES = {**settings.DATABASES, "default": {**POSTGRES}}
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.TRUSTED_PROXIES = 1
    settings.LOCALE_PATHS = [_catalogue(tmp_path / "locale")]
    return settings


def test_a_production_configuration_passes_canlians_checks(production: Any) -> None:
    assert deploy_ids() == set()


def test_debug_on_is_an_error(production: Any) -> None:
    production.DEBUG = True
    assert deploy_ids() == {"canlian.E001"}


@pytest.mark.parametrize(
    "key",
    [
        "canlian-development-only-secret-key-not-for-production",
        "canlian-tests-only-secret-key-" + "x" * 40,
        "django-insecure-" + GOOD_KEY,
        GOOD_KEY[:49],
        "ab" * 40,
    ],
)
def test_a_published_short_or_repetitive_secret_key_is_an_error(production: Any, key: str) -> None:
    production.SECRET_KEY = key
    assert deploy_ids() == {"canlian.E002"}


def test_no_field_key_at_all_is_an_error(production: Any, tmp_path: Path) -> None:
    production.FIELD_KEY_FILE = tmp_path / "missing.key"
    assert deploy_ids() == {"canlian.E003"}


def test_a_field_key_file_in_the_var_folder_is_an_error(production: Any) -> None:
    production.VAR_DIR = Path(production.FIELD_KEY_FILE).parent
    assert deploy_ids() == {"canlian.E004"}


def test_a_field_key_file_beside_the_sqlite_database_is_an_error(
    production: Any, tmp_path: Path
) -> None:
    folder = Path(production.FIELD_KEY_FILE).parent
    production.DATABASES = {
        **production.DATABASES,
        "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(folder / "db.sqlite3")},
    }
    assert deploy_ids() == {"canlian.E004", "canlian.W001"}


def test_no_audit_key_and_an_audit_key_in_the_var_folder_are_errors(
    production: Any, tmp_path: Path
) -> None:
    production.AUDIT_KEY_FILE = tmp_path / "missing.key"
    assert deploy_ids() == {"canlian.E003"}
    production.AUDIT_KEY_FILE = Path(production.VAR_DIR) / "audit.key"
    production.AUDIT_KEY_FILE.parent.mkdir()
    production.AUDIT_KEY_FILE.write_text("a key\n")
    assert deploy_ids() == {"canlian.E004"}


def test_a_field_key_from_the_environment_needs_no_file(production: Any, tmp_path: Path) -> None:
    production.FIELD_KEY = "dGVzdC1rZXktZm9yLWNhbmxpYW4tdGVzdHMtb25seSE="
    production.FIELD_KEY_FILE = tmp_path / "var" / "field.key"
    assert deploy_ids() == set()


def test_sqlite_in_production_is_a_warning(production: Any, tmp_path: Path) -> None:
    production.DATABASES = {
        **production.DATABASES,
        "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "data" / "db")},
    }
    assert deploy_ids() == {"canlian.W001"}


def test_a_tls_proxy_without_trusted_proxies_is_a_warning(production: Any) -> None:
    production.TRUSTED_PROXIES = 0
    assert deploy_ids() == {"canlian.W002"}


def test_the_checks_run_only_for_deployment(production: Any) -> None:
    production.DEBUG = True
    found = checks.run_checks(include_deployment_checks=False)
    assert not [m for m in found if str(m.id).startswith("canlian.")]


def test_a_missing_compiled_catalogue_is_an_error(production: Any, tmp_path: Path) -> None:
    production.LOCALE_PATHS = [_catalogue(tmp_path / "other", compiled=None)]
    assert deploy_ids() == {"canlian.E005"}


def test_no_locale_folder_at_all_is_an_error(production: Any, tmp_path: Path) -> None:
    production.LOCALE_PATHS = [tmp_path / "nowhere"]
    assert deploy_ids() == {"canlian.E005"}


def test_a_compiled_catalogue_that_translates_nothing_is_an_error(
    production: Any, tmp_path: Path
) -> None:
    production.LOCALE_PATHS = [_catalogue(tmp_path / "other", compiled={}, source={})]
    found = checks.run_checks(include_deployment_checks=True, tags=None)
    error = next(m for m in found if m.id == "canlian.E005")
    # No catalogue to speak Chinese with: the message is the English fallback.
    assert error.msg.startswith("The Chinese translation catalogue is not compiled")
    assert deploy_ids() == {"canlian.E005"}


def test_the_projects_own_catalogue_passes(production: Any) -> None:
    production.LOCALE_PATHS = [LOCALE]
    assert deploy_ids() == set()


def test_a_catalogue_lacking_a_translation_of_its_source_is_a_warning(
    production: Any, tmp_path: Path
) -> None:
    production.LOCALE_PATHS = [_catalogue(tmp_path / "other", source={**PROBE, **LATER})]
    found = checks.run_checks(include_deployment_checks=True, tags=None)
    stale = [m for m in found if m.id == "canlian.W003"]
    assert [m.level for m in stale] == [checks.WARNING]
    assert deploy_ids() == {"canlian.W003"}


def test_a_changed_translation_not_yet_compiled_is_a_warning(
    production: Any, tmp_path: Path
) -> None:
    changed = {NOT_COMPILED: "中文翻译目录尚未编译（%(where)s）。"}
    production.LOCALE_PATHS = [_catalogue(tmp_path / "other", source=changed)]
    assert deploy_ids() == {"canlian.W003"}


def test_an_older_catalogue_with_every_translation_passes(production: Any, tmp_path: Path) -> None:
    production.LOCALE_PATHS = [_catalogue(tmp_path / "other", mo_older=True)]
    assert deploy_ids() == set()


def test_untranslated_and_fuzzy_entries_of_the_source_are_not_missing(
    production: Any, tmp_path: Path
) -> None:
    folder = _catalogue(tmp_path / "other")
    po = folder / "zh_Hans" / "LC_MESSAGES" / "django.po"
    po.write_text(
        po_text({**PROBE, "Apply": "", "Cancel": "取消"}, fuzzy=frozenset({"Cancel"})),
        encoding="utf-8",
    )
    production.LOCALE_PATHS = [folder]
    assert deploy_ids() == set()


def test_a_compiled_catalogue_without_its_source_passes(production: Any, tmp_path: Path) -> None:
    folder = _catalogue(tmp_path / "other")
    (folder / "zh_Hans" / "LC_MESSAGES" / "django.po").unlink()  # a package ships the .mo only
    production.LOCALE_PATHS = [folder]
    assert deploy_ids() == set()


def test_the_messages_speak_the_deployments_language(production: Any) -> None:
    production.LOCALE_PATHS = [LOCALE]
    production.DEBUG = True
    with translation.override("zh-hans"):
        found = checks.run_checks(include_deployment_checks=True, tags=None)
    debug = next(m for m in found if m.id == "canlian.E001")
    assert "DEBUG" in debug.msg and "DEBUG is on" not in debug.msg
