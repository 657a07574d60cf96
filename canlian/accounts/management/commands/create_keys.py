"""`canlian create-keys`: create the field and audit key files that are missing."""

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from canlian.lib import keys
from canlian.lib.commands import TranslatedCommand


class Command(TranslatedCommand):
    help = gettext_lazy(
        "Create the field key and the audit key files (CANLIAN_FIELD_KEY_FILE, "
        "CANLIAN_AUDIT_KEY_FILE; by default in CANLIAN_KEY_DIR, mode 600) unless they exist or "
        "their variables are set. A field key left in var/ by an earlier version is moved."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        done = keys.ensure_keys()
        for line in done:
            self.stdout.write(line)
        if not done:
            self.stdout.write(_("The keys are there; nothing to do."))
