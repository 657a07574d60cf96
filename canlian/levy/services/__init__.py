"""Every write of the employment security fund, by stage: employers, declarations, their
verification against the registry and the notice; each checked, written and audited in one
transaction. The stages are the modules of this package; their public names are here."""

from canlian.levy.services.declarations import (
    MIN_YEAR,
    EmployeeLine,
    declaration_problems,
    declare,
    record_number_lookups,
    stored_line,
)
from canlian.levy.services.employers import (
    EmployerData,
    check_uscc,
    employer_problems,
    save_employer,
)
from canlian.levy.services.notices import NoticeTerms, mark_notified, notice_terms
from canlian.levy.services.verification import (
    SEVERE_GRADES,
    RulesInForce,
    average_wage,
    collection_date,
    inputs_for,
    rules_in_force,
    verify,
)

__all__ = [
    "MIN_YEAR",
    "SEVERE_GRADES",
    "EmployeeLine",
    "EmployerData",
    "NoticeTerms",
    "RulesInForce",
    "average_wage",
    "check_uscc",
    "collection_date",
    "declaration_problems",
    "declare",
    "employer_problems",
    "inputs_for",
    "mark_notified",
    "notice_terms",
    "record_number_lookups",
    "rules_in_force",
    "save_employer",
    "stored_line",
    "verify",
]
