"""The kinds of payment line as data (decision 0016): the bank file and the printed roll carry
the Chinese word whatever the interface's language; pages show the word in the active
language. The registry's own codes: no standard applies."""

from __future__ import annotations

from canlian.people.terms import Term, Vocabulary

LINE_KIND: Vocabulary[str] = Vocabulary(
    "",
    Term("regular", "按月发放", "Monthly payment"),
    Term("back_pay", "补发", "Back pay"),
    Term("adjustment", "调整", "Adjustment"),
)
