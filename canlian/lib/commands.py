"""The base of the project's management commands: they speak the interface's language.

The language is the deployment's LANGUAGE_CODE, activated once Django has read `--settings`
and `--pythonpath` (never before: the settings module decides it). `help` is written
`gettext_lazy("…")`; argparse needs a plain string, made here when the parser is built, in the
language active then.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import translation

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class TranslatedCommand(BaseCommand):
    help: StrOrPromise = ""  # type: ignore[assignment]  # a lazy string until the parser is built

    def run_from_argv(self, argv: list[str]) -> None:
        # Django has loaded the settings named by --settings by now (ManagementUtility).
        with translation.override(settings.LANGUAGE_CODE):
            super().run_from_argv(argv)

    def execute(self, *args: Any, **options: Any) -> str | None:
        with translation.override(settings.LANGUAGE_CODE):
            return super().execute(*args, **options)

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        self.help = str(self.help)
        return super().create_parser(prog_name, subcommand, **kwargs)
