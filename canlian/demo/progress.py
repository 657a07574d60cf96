"""A certificate application to follow on the public progress page, printed by `canlian demo`
beside the subsidy's (demo/benefits.progress_sample): its receipt code and the last six
characters of its (synthetic) applicant's ID number."""

from __future__ import annotations

from canlian.accounts import reveal as gate
from canlian.accounts.operator import CommandLineOperator
from canlian.accounts.roles import Perm
from canlian.certificates.models import Application, Status


def certificate_sample() -> dict[str, str]:
    """An application whose publicity is under way (a step map with days done and a last
    day), or the first one; {} when there is none."""
    application = (
        Application.objects.filter(status=Status.PUBLICITY).order_by("pk").first()
        or Application.objects.order_by("pk").first()
    )
    if application is None:
        return {}
    opened = gate.reveal(
        target=application, fields=("id_number",), purpose=gate.Purpose.SHOW,
        acting_user=CommandLineOperator(perms=frozenset({Perm.REVEAL_PERSON})),
        action="demo.progress_sample",
    )  # fmt: skip
    return {
        "receipt": application.receipt_display,
        "id_tail": opened["id_number"][-6:],
        "status": application.status_label,
    }
