"""Every step of the certificate's lifecycle: check the rule, write, audit, in one transaction.

The rules (《中华人民共和国残疾人证管理办法》, 2017; GB/T 26341-2010): application at the county
federation of household registration; assessment at a designated institution; publicity for
5 working days; county review within 10 working days; a certificate valid 10 years whose
number is the ID number, category and grade; objections within 10 working days, first to the
city federation, then to the province expert committee, whose decision is final; no new
application within a year of a cancellation.

One module per stage: applications (the window; its checks in application_checks),
assessment, publicity (and county review), holders (renewal and replacement without
assessment, transfer, cancellation) and objections; beside them registry (certificates held
and the registry's copy), deadlines (working days, counted again on the official schedule) and
common (what every step shares).
Callers use the names below: ``services.submit_application(...)``.
"""

from canlian.certificates.services.application_checks import (
    BASE_DOCUMENTS,
    Applicant,
    id_card_age,
    required_documents,
)
from canlian.certificates.services.applications import (
    ASSESSED_KINDS,
    application_problems,
    refuse,
    submit_application,
    withdraw,
)
from canlian.certificates.services.assessment import (
    Part,
    assessment_problems,
    book_assessment,
    record_assessment,
)
from canlian.certificates.services.deadlines import (
    PUBLICITY_WORKING_DAYS,
    REVIEW_WORKING_DAYS,
    next_steps,
    objection_deadline,
    objection_decision_days,
    recount_deadlines,
)
from canlian.certificates.services.holders import (
    cancel_certificate,
    complete_transfer,
    issue_without_assessment,
)
from canlian.certificates.services.objections import (
    OBJECTABLE,
    decide_objection,
    file_objection,
)
from canlian.certificates.services.publicity import review, start_publicity
from canlian.certificates.services.registry import (
    LOCK_YEARS,
    VALID_YEARS,
    current_certificate,
    lock_ends,
)

__all__ = [
    "ASSESSED_KINDS",
    "BASE_DOCUMENTS",
    "LOCK_YEARS",
    "OBJECTABLE",
    "PUBLICITY_WORKING_DAYS",
    "REVIEW_WORKING_DAYS",
    "VALID_YEARS",
    "Applicant",
    "Part",
    "application_problems",
    "assessment_problems",
    "book_assessment",
    "cancel_certificate",
    "complete_transfer",
    "current_certificate",
    "decide_objection",
    "file_objection",
    "id_card_age",
    "issue_without_assessment",
    "lock_ends",
    "next_steps",
    "objection_deadline",
    "objection_decision_days",
    "record_assessment",
    "recount_deadlines",
    "refuse",
    "required_documents",
    "review",
    "start_publicity",
    "submit_application",
    "withdraw",
]
