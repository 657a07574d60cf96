"""`canlian audit-checkpoint`: append a signed checkpoint of the audit chain to its file."""

import json
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from canlian.audit.checkpoints import sign, write_checkpoint
from canlian.lib.commands import TranslatedCommand


class Command(TranslatedCommand):
    help = gettext_lazy(
        "Append the audit chain's last entry (id, hash, number of entries, time), signed with "
        "the audit key, to AUDIT_CHECKPOINT_FILE; prints the line appended."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        checkpoint = write_checkpoint()
        if checkpoint is None:
            self.stderr.write(_("The audit log is empty: no checkpoint written."))
            return
        # The line appended, signature included: a copy kept elsewhere (the scheduler's log,
        # syslog) is a checkpoint too (`canlian audit_verify --checkpoints COPY`).
        line = {**checkpoint.fields(), "signature": sign(checkpoint)}
        self.stdout.write(json.dumps(line, sort_keys=True))
        self.stderr.write(_("Appended to %(file)s.") % {"file": settings.AUDIT_CHECKPOINT_FILE})
