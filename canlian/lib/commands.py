"""The base of the project's management commands: help in the interface's language.

`help` is written `gettext_lazy("…")`; argparse needs a plain string, made here when the parser
is built, in the language active then (canlian/cli.py activates LANGUAGE_CODE).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.management.base import BaseCommand, CommandParser

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class TranslatedCommand(BaseCommand):
    help: StrOrPromise = ""  # type: ignore[assignment]  # a lazy string until the parser is built

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        self.help = str(self.help)
        return super().create_parser(prog_name, subcommand, **kwargs)
