"""`canlian check-id ID`: validate one citizen ID number and print the result as JSON."""

import json
import sys
from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext_lazy

from canlian.lib import idcard
from canlian.lib.commands import TranslatedCommand


class Command(TranslatedCommand):
    help = gettext_lazy("Validate a GB 11643 citizen ID number; exit 0 when valid, 1 when not.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("id_number")

    def handle(self, *args: Any, **options: Any) -> None:
        result = idcard.check(options["id_number"])
        self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False))
        if not result.valid:
            sys.exit(1)
