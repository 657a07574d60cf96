"""`canlian create-keys`: create the field and audit key files that are missing."""

from typing import Any

from django.core.management.base import BaseCommand

from canlian.lib import keys


class Command(BaseCommand):
    help = (
        "Create the field key and the audit key files (CANLIAN_FIELD_KEY_FILE, "
        "CANLIAN_AUDIT_KEY_FILE; by default in CANLIAN_KEY_DIR, mode 600) unless they exist or "
        "their variables are set. A field key left in var/ by an earlier version is moved."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        done = keys.ensure_keys()
        for line in done:
            self.stdout.write(line)
        if not done:
            self.stdout.write("The keys are there; nothing to do.")
