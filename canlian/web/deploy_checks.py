"""Canlian's own checks for `canlian check --deploy`, beside Django's (docs/operations.md).

Their messages go through gettext and speak the deployment's language; where the Chinese
catalogue is missing (canlian.E005) they fall back to the English written here.
"""

import ast
import gettext as gnu_gettext
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

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
            _("DEBUG is on: an error shows the settings and the request to whoever caused it."),
            hint=_("Leave DEBUG unset (or DEBUG=False) in production."),
            id="canlian.E001",
        )
    ]


@register(Tags.security, deploy=True)
def check_secret_key(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    key = str(settings.SECRET_KEY)
    if key.startswith(PUBLISHED_KEY_PREFIXES):
        problem = _("SECRET_KEY is a key published with the code (development, tests or bench).")
    elif len(key) < MIN_KEY_LENGTH or len(set(key)) < MIN_KEY_CHARACTERS:
        problem = _("SECRET_KEY is shorter than %(length)s characters or hardly varied.") % {
            "length": MIN_KEY_LENGTH
        }
    else:
        return []
    return [
        Error(
            problem
            + " "
            + _("Sessions, CSRF tokens and the portal's counters are signed with it."),
            hint=_("Generate one: %(command)s")
            % {"command": 'python -c "import secrets; print(secrets.token_urlsafe(50))"'},
            id="canlian.E002",
        )
    ]


# What each key protects, for the messages.
KEY_USES = {
    "CANLIAN_FIELD_KEY": gettext_lazy(
        "ID numbers, bank accounts, phone numbers and uploaded files"
    ),
    "CANLIAN_AUDIT_KEY": gettext_lazy("the audit log's chain and checkpoints"),
}


def _key_problems(key: keys.KeySetting) -> list[CheckMessage]:
    if key.value:
        return []
    uses = KEY_USES[key.variable]
    key_file = key.file.resolve()
    if not key_file.is_file():
        return [
            Error(
                _("No key for %(uses)s: %(variable)s is unset and %(file)s does not exist.")
                % {"uses": uses, "variable": key.variable, "file": key_file},
                hint=_(
                    "Set %(variable)s from the deployment's secret store, or run "
                    "`canlian create-keys` (docs/operations.md, The keys)."
                )
                % {"variable": key.variable},
                id="canlian.E003",
            )
        ]
    beside = [f for f in keys.data_folders() if key_file.is_relative_to(f.resolve())]
    if not beside:
        return []
    return [
        Error(
            _(
                "The key file %(file)s (%(uses)s) is inside %(folder)s, with the data: one "
                "backup of that folder carries both what is protected and its key."
            )
            % {"file": key_file, "uses": uses, "folder": beside[0]},
            hint=_(
                "Set %(variable)s from the secret store, or its file to a place outside "
                "the data and backup folders (CANLIAN_KEY_DIR)."
            )
            % {"variable": key.variable},
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
            _(
                "The database is SQLite. Production runs on PostgreSQL, where the audit log's "
                "triggers can be kept out of the application's reach (a role that does not own "
                "the tables)."
            ),
            hint=_("Set %(setting)s.")
            % {"setting": "DATABASE_URL=postgres://user@host:5432/canlian"},
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
            _(
                "A TLS proxy is declared (SECURE_PROXY_SSL_HEADER) but TRUSTED_PROXIES is 0: "
                "every visitor has the proxy's address, so the public pages' limits on guessing "
                "count everyone together and the audit log names the proxy as the source."
            ),
            hint=_("Set TRUSTED_PROXIES to the number of proxies that append to X-Forwarded-For."),
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


# The catalogue is in use when it translates this message (E005's own).
NOT_COMPILED = gettext_noop(
    "The Chinese translation catalogue is not compiled (%(where)s): the interface, its "
    "messages and the commands' refusals would be in English."
)


@register(Tags.translation, deploy=True)
def check_compiled_catalogue(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[CheckMessage]:
    """The Chinese catalogue is compiled and in use (it translates a known message), and it
    holds every translation of its source: without it every page, message and command speaks
    English (the registry's vocabularies are data and still read correctly, decision 0016)."""
    pairs = _catalogue_files()
    with translation.override("zh-hans"):
        in_use = _(NOT_COMPILED) != NOT_COMPILED
    if not in_use:
        where = ", ".join(str(mo) for _po, mo in pairs) or "LOCALE_PATHS is empty"
        # In English when the catalogue is missing: _() finds no translation.
        return [
            Error(
                _(NOT_COMPILED) % {"where": where},
                hint=_(
                    "Run `make messages` (canlian compilemessages) after installing or "
                    "updating the code."
                ),
                id="canlian.E005",
            )
        ]
    stale = [mo for po, mo in pairs if mo.is_file() and po.is_file() and _behind(po, mo)]
    if not stale:
        return []
    return [
        Warning(
            _(
                "The compiled Chinese catalogue %(file)s lacks translations of its source "
                "(django.po): messages added or changed since are shown in English or as before."
            )
            % {"file": stale[0]},
            hint=_("Run `make messages` (canlian compilemessages) again."),
            id="canlian.W003",
        )
    ]


def _behind(po: Path, mo: Path) -> bool:
    """Whether a translation of the .po (not fuzzy, not empty) is missing from the .mo or
    differs there."""
    with mo.open("rb") as stream:
        compiled = _singular(gnu_gettext.GNUTranslations(stream)._catalog)  # type: ignore[attr-defined]
    return any(compiled.get(key) != text for key, text in po_translations(po).items())


def _singular(catalogue: dict[Any, str]) -> dict[str, str]:
    """A compiled catalogue's messages by msgid, a plural by its first form."""
    found: dict[str, str] = {}
    for key, text in catalogue.items():
        if isinstance(key, tuple):
            if key[1] == 0:
                found[key[0]] = text
        elif key:
            found[key] = text
    return found


def po_translations(po: Path) -> dict[str, str]:
    """{msgid: msgstr} of the translated, non-fuzzy entries of a .po file (a plural by its
    first form; a context as GNU gettext keys it, context EOT msgid)."""
    found: dict[str, str] = {}
    for block in po.read_text(encoding="utf-8").split("\n\n"):
        fields: dict[str, str] = {}
        fuzzy, current = False, ""
        for line in block.splitlines():
            line = line.strip()
            if line.startswith("#,") and "fuzzy" in line:
                fuzzy = True
            elif line.startswith("#") or not line:
                continue
            elif line.startswith('"'):
                fields[current] += ast.literal_eval(line)
            else:
                current, _space, value = line.partition(" ")
                fields[current] = ast.literal_eval(value)
        msgid = fields.get("msgid", "")
        text = fields.get("msgstr", fields.get("msgstr[0]", ""))
        if fuzzy or not msgid or not text:
            continue
        if "msgctxt" in fields:
            msgid = f"{fields['msgctxt']}\x04{msgid}"
        found[msgid] = text
    return found
