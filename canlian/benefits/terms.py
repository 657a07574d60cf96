"""The two subsidies' names as data (decision 0016): the bank file and the printed roll carry
the Chinese name whatever the interface's language and whether or not the translation
catalogue is compiled; pages show the name in the active language."""

from __future__ import annotations

from canlian.people.terms import Term, Vocabulary

PROGRAMME: Vocabulary[str] = Vocabulary(
    "国发〔2015〕52号 国务院关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见",
    Term("living", "困难残疾人生活补贴", "Living subsidy for disabled persons in difficulty"),
    Term("care", "重度残疾人护理补贴", "Care subsidy for severely disabled persons"),
)
