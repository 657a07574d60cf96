"""`canlian audit_verify`: check that no audit entry was altered, removed or reordered."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from canlian.audit.records import verify_chain


class Command(BaseCommand):
    help = "Verify the audit log's hash chain."

    def handle(self, *args: Any, **options: Any) -> None:
        count, broken = verify_chain()
        self.stdout.write(json.dumps({"checked": count, "broken_at": broken}))
        if broken is not None:
            raise CommandError(f"audit chain broken at entry {broken}")
