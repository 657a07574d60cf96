"""The masked forms of sensitive values: what is shown wherever the full value is not revealed.

A mask must not be undone by what the same page shows beside it. Every registry page shows a
person's birth date, sex and household place, and an ID number is made of its region code (the
county of first registration, usually the household place's), the birth date, a sequence whose
last digit follows the sex, and a check character. So the ID mask keeps none of the region or
the birth date and only the last two characters: given the region, birth date and sex, at least
nine valid numbers end in any two characters (the check character's weights make the 100 pairs
of the two unknown digits fall 9 or 10 to each of its 11 values; test_masks proves it).

Bank accounts keep their last four digits (尾号, as banks print them); mobile numbers the first
three and the last four (138****5678, the common form); landlines their area code and last two.
Nothing else on any page carries a part of these, so at least 10,000 numbers fit each mask.
"""

from __future__ import annotations

import re

ID_KEPT_END = 2
ACCOUNT_KEPT_END = 4
_LANDLINE = re.compile(r"^(0[0-9]{2,3})(-?)([0-9]{7,8})$")
_MOBILE = re.compile(r"^1[0-9]{10}$")


def _stars(count: int) -> str:
    return "*" * max(count, 0)


def id_number(value: str) -> str:
    """18 characters: sixteen stars and the last two (the sequence's last digit and the check
    character). Anything shorter than 9 characters (not an ID number) is starred whole."""
    if len(value) <= 8:
        return _stars(len(value))
    return _stars(len(value) - ID_KEPT_END) + value[-ID_KEPT_END:]


def bank_account(value: str) -> str:
    """Stars and the last four digits; the length is kept."""
    if len(value) <= 8:
        return _stars(len(value))
    return _stars(len(value) - ACCOUNT_KEPT_END) + value[-ACCOUNT_KEPT_END:]


def phone(value: str) -> str:
    """138****5678 for a mobile number; 0391-*****67 for a landline; anything else starred
    but for its last two characters."""
    if not value:
        return ""
    if _MOBILE.match(value):
        return value[:3] + "****" + value[-4:]
    landline = _LANDLINE.match(value)
    if landline:
        area, dash, number = landline.groups()
        return f"{area}{dash}{_stars(len(number) - 2)}{number[-2:]}"
    return _stars(len(value) - 2) + value[-2:]


def certificate_number(masked_id: str, category: int, grade: int) -> str:
    """A certificate number is the ID number and two digits: it is masked as its ID number."""
    return f"{masked_id}{category}{grade}"


def is_masked(value: str) -> bool:
    """Whether `value` is a mask (it holds a star): what an edit form sends back untouched."""
    return "*" in value
