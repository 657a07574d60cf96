"""Canlian's own checks for `canlian check --deploy`, beside Django's (docs/operations.md)."""

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

from canlian.lib import keys

# Keys that are written in this repository or in Django's template: anyone may know them.
PUBLISHED_KEY_PREFIXES = (
    "canlian-development-only",
    "canlian-tests-only",
    "bench-only",
    "django-insecure-",
)
MIN_KEY_LENGTH = 50
MIN_KEY_CHARACTERS = 5


@register(Tags.security, deploy=True)
def check_debug_is_off(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[CheckMessage]:
    if not settings.DEBUG:
        return []
    return [
        Error(
            "DEBUG is on: an error shows the settings and the request to whoever caused it.",
            hint="Leave DEBUG unset (or DEBUG=False) in production.",
            id="canlian.E001",
        )
    ]


@register(Tags.security, deploy=True)
def check_secret_key(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    key = str(settings.SECRET_KEY)
    if key.startswith(PUBLISHED_KEY_PREFIXES):
        problem = "SECRET_KEY is a key published with the code (development, tests or bench)."
    elif len(key) < MIN_KEY_LENGTH or len(set(key)) < MIN_KEY_CHARACTERS:
        problem = f"SECRET_KEY is shorter than {MIN_KEY_LENGTH} characters or hardly varied."
    else:
        return []
    return [
        Error(
            problem + " Sessions, CSRF tokens and the portal's counters are signed with it.",
            hint='Generate one: python -c "import secrets; print(secrets.token_urlsafe(50))"',
            id="canlian.E002",
        )
    ]


# What each key protects, for the messages.
KEY_USES = {
    "CANLIAN_FIELD_KEY": "ID numbers, bank accounts, phone numbers and uploaded files",
    "CANLIAN_AUDIT_KEY": "the audit log's chain and checkpoints",
}


def _key_problems(key: keys.KeySetting) -> list[CheckMessage]:
    if key.value:
        return []
    uses = KEY_USES[key.variable]
    key_file = key.file.resolve()
    if not key_file.is_file():
        return [
            Error(
                f"No key for {uses}: {key.variable} is unset and {key_file} does not exist.",
                hint=f"Set {key.variable} from the deployment's secret store, or run "
                "`canlian create-keys` (docs/operations.md, The keys).",
                id="canlian.E003",
            )
        ]
    beside = [f for f in keys.data_folders() if key_file.is_relative_to(f.resolve())]
    if not beside:
        return []
    return [
        Error(
            f"The key file {key_file} ({uses}) is inside {beside[0]}, with the data: one "
            "backup of that folder carries both what is protected and its key.",
            hint=f"Set {key.variable} from the secret store, or its file to a place outside "
            "the data and backup folders (CANLIAN_KEY_DIR).",
            id="canlian.E004",
        )
    ]


@register(Tags.security, deploy=True)
def check_keys(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    """The field key and the audit key: present, and not kept with the data."""
    return [*_key_problems(keys.field_key_setting()), *_key_problems(keys.audit_key_setting())]


@register(Tags.database, deploy=True)
def check_production_database(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[CheckMessage]:
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        return []
    return [
        Warning(
            "The database is SQLite. Production runs on PostgreSQL, where the audit log's "
            "triggers can be kept out of the application's reach (a role that does not own "
            "the tables).",
            hint="Set DATABASE_URL=postgres://user@host:5432/canlian.",
            id="canlian.W001",
        )
    ]


@register(Tags.security, deploy=True)
def check_proxy_addresses(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[CheckMessage]:
    if not settings.SECURE_PROXY_SSL_HEADER or settings.TRUSTED_PROXIES:
        return []
    return [
        Warning(
            "A TLS proxy is declared (SECURE_PROXY_SSL_HEADER) but TRUSTED_PROXIES is 0: "
            "every visitor has the proxy's address, so the public pages' limits on guessing "
            "count everyone together and the audit log names the proxy as the source.",
            hint="Set TRUSTED_PROXIES to the number of proxies that append to X-Forwarded-For.",
            id="canlian.W002",
        )
    ]


def _catalogue_files(language: str = "zh_Hans") -> list[tuple[Path, Path]]:
    """(.po, .mo) of the language's catalogue in each of LOCALE_PATHS."""
    pairs = []
    for folder in settings.LOCALE_PATHS:
        messages = Path(folder) / language / "LC_MESSAGES"
        pairs.append((messages / "django.po", messages / "django.mo"))
    return pairs


@register(Tags.translation, deploy=True)
def check_compiled_catalogue(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[CheckMessage]:
    """The Chinese catalogue is compiled, and not older than its source: without it every
    page, message and command speaks English (the registry's vocabularies are data and still
    read correctly, decision 0016)."""
    pairs = _catalogue_files()
    if not any(mo.is_file() for _, mo in pairs):
        where = ", ".join(str(mo) for _, mo in pairs) or "LOCALE_PATHS is empty"
        return [
            Error(
                f"The Chinese translation catalogue is not compiled ({where}): the interface, "
                "its messages and the commands' refusals would be in English.",
                hint="Run `make messages` (canlian compilemessages) after installing or "
                "updating the code.",
                id="canlian.E005",
            )
        ]
    stale = [mo for po, mo in pairs if mo.is_file() and po.is_file() and _older(mo, po)]
    if not stale:
        return []
    return [
        Warning(
            f"The compiled Chinese catalogue {stale[0]} is older than its source (django.po): "
            "messages added or changed since are shown in English.",
            hint="Run `make messages` (canlian compilemessages) again.",
            id="canlian.W003",
        )
    ]


def _older(mo: Path, po: Path) -> bool:
    return mo.stat().st_mtime < po.stat().st_mtime
