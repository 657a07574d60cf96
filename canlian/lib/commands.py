"""The base of the project's management commands: they speak the interface's language.

The language is the deployment's LANGUAGE_CODE, activated once Django has read `--settings`
and `--pythonpath` (never before: the settings module decides it). Everything a command
writes goes through gettext: its own messages, its `help` (written `gettext_lazy("…")` and made
a plain string when the parser is built), the help of Django's common options, argparse's own
words (usage, the option groups, "the following arguments are required", …) and its refusals,
which are written as they are, without Django's "CommandError: " prefix.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, nullcontext
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.management.base import (
    BaseCommand,
    CommandError,
    CommandParser,
    SystemCheckError,
)
from django.utils import translation
from django.utils.translation import gettext, gettext_noop, ngettext

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# argparse's words (Python 3.11) and the help of Django's common options, for the catalogue:
# argparse asks for them through the module-level `_` that `_argparse_words` points at gettext.
ARGPARSE_WORDS = (
    gettext_noop("usage: "),
    gettext_noop("positional arguments"),
    gettext_noop("options"),
    gettext_noop("subcommands"),
    gettext_noop("show this help message and exit"),
    gettext_noop("%(prog)s: error: %(message)s\n"),
    gettext_noop("argument %(argument_name)s: %(message)s"),
    gettext_noop("the following arguments are required: %s"),
    gettext_noop("one of the arguments %s is required"),
    gettext_noop("unrecognized arguments: %s"),
    gettext_noop("not allowed with argument %s"),
    gettext_noop("ignored explicit argument %r"),
    gettext_noop("expected one argument"),
    gettext_noop("expected at most one argument"),
    gettext_noop("expected at least one argument"),
    gettext_noop("ambiguous option: %(option)s could match %(matches)s"),
    gettext_noop("invalid %(type)s value: %(value)r"),
    gettext_noop("invalid choice: %(value)r (choose from %(choices)s)"),
    gettext_noop("unknown parser %(parser_name)r (choices: %(choices)s)"),
    gettext_noop("can't open '%(filename)s': %(error)s"),
    gettext_noop("Show program's version number and exit."),
    gettext_noop(
        "Verbosity level; 0=minimal output, 1=normal output, 2=verbose output, "
        "3=very verbose output"
    ),
    gettext_noop(
        "The Python path to a settings module, e.g. "
        '"myproject.settings.main". If this isn\'t provided, the '
        "DJANGO_SETTINGS_MODULE environment variable will be used."
    ),
    gettext_noop('A directory to add to the Python path, e.g. "/home/djangoprojects/myproject".'),
    gettext_noop("Display a full stack trace on CommandError exceptions."),
    gettext_noop("Don't colorize the command output."),
    gettext_noop("Force colorization of the command output."),
    gettext_noop("Skip system checks."),
)


def _translated(message: Any) -> Any:
    """argparse's `_`: its words in the active language (None and "" stay as they are)."""
    return gettext(message) if isinstance(message, str) and message else message


@contextmanager
def _argparse_words() -> Iterator[None]:
    """argparse's own words in the active language while a command line is parsed."""
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    setattr(argparse, "_", _translated)  # noqa: B010
    setattr(argparse, "ngettext", ngettext)  # noqa: B010
    try:
        yield
    finally:
        setattr(argparse, "_", saved[0])  # noqa: B010
        setattr(argparse, "ngettext", saved[1])  # noqa: B010


def choices_help(choices: Iterable[tuple[Any, Any]]) -> str:
    """The help of an option with choices: each value to type with its name, in the active
    language (argparse alone lists the bare values)."""
    named = [gettext("%(value)s (%(label)s)") % {"value": v, "label": n} for v, n in choices]
    return gettext("one of: %(choices)s") % {"choices": gettext(", ").join(named)}


class TranslatedCommand(BaseCommand):
    help: StrOrPromise = ""  # type: ignore[assignment]  # a lazy string until the parser is built

    def run_from_argv(self, argv: list[str]) -> None:
        """Django's, in LANGUAGE_CODE (Django has loaded the settings named by --settings by
        now) and with argparse's words translated."""
        with translation.override(settings.LANGUAGE_CODE), _argparse_words():
            super().run_from_argv(argv)

    def execute(self, *args: Any, **options: Any) -> str | None:
        """Django's, in LANGUAGE_CODE when called from code (the command line has it already);
        on the command line a refusal is written as its message only, without Django's
        "CommandError: " (run with --traceback to see the exception)."""
        from_cli = getattr(self, "_called_from_command_line", False)  # set by run_from_argv
        with nullcontext() if from_cli else translation.override(settings.LANGUAGE_CODE):
            try:
                return super().execute(*args, **options)
            except CommandError as e:
                if not from_cli or options.get("traceback") or isinstance(e, SystemCheckError):
                    raise
                self.stderr.write(str(e))
                sys.exit(e.returncode)

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        self.help = str(self.help)
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        _translate_parser(parser)
        return parser


def _translate_parser(parser: argparse.ArgumentParser) -> None:
    """The help of every option (Django's common ones are plain English) and the groups'
    titles in the active language; a subcommand's parser too."""
    for group in parser._action_groups:
        group.title = _translated(group.title)
    for action in parser._actions:
        action.help = _translated(action.help)
        if isinstance(action, argparse._SubParsersAction):
            for choice in action.choices.values():
                _translate_parser(choice)
            for choice_action in action._choices_actions:
                choice_action.help = _translated(choice_action.help)
