"""`canlian audit-checkpoint`: append a signed checkpoint of the audit chain to its file."""

import json
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from canlian.audit.checkpoints import sign, write_checkpoint


class Command(BaseCommand):
    help = (
        "Append the audit chain's last entry (id, hash, number of entries, time), signed with "
        "the audit key, to AUDIT_CHECKPOINT_FILE; prints the line appended."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        checkpoint = write_checkpoint()
        if checkpoint is None:
            self.stderr.write("The audit log is empty: no checkpoint written.")
            return
        # The line appended, signature included: a copy kept elsewhere (the scheduler's log,
        # syslog) is a checkpoint too (`canlian audit_verify --checkpoints COPY`).
        line = {**checkpoint.fields(), "signature": sign(checkpoint)}
        self.stdout.write(json.dumps(line, sort_keys=True))
        self.stderr.write(f"Appended to {settings.AUDIT_CHECKPOINT_FILE}.")
