"""`canlian load_places FILE`: load townships and villages from a documented CSV."""

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from canlian.lib.commands import TranslatedCommand
from canlian.places.loading import load_places


class Command(TranslatedCommand):
    help = gettext_lazy("Load places (code,name,parent_code) from a CSV file; all rows or none.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--invented", action="store_true", help=_("mark as invented sample data")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise CommandError(_("Cannot read the file %(file)s.") % {"file": path}) from exc
        except UnicodeDecodeError as exc:
            raise CommandError(
                _("The file %(file)s is not UTF-8 text: save it as CSV UTF-8.") % {"file": path}
            ) from exc
        try:
            count = load_places(text=text, invented=options["invented"])
        except ValidationError as exc:
            raise CommandError("\n".join(exc.messages)) from exc
        self.stdout.write(f"{count}")
