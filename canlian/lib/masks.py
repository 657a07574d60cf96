"""The masked forms of sensitive values: what is shown wherever the full value is not revealed.

A mask must not be undone by what the same pages show beside it. Every registry page shows a
person's birth date, sex and household place, and an ID number is made of its region code (the
county of first registration, usually the household place's), the birth date, a three-digit
sequence whose last digit follows the sex, and a check character. What stays unknown is the
sequence: 500 values, and as few as 50 where sequences are allocated in small blocks (the
hundreds digit known from the place). Any character of the sequence or the check character
shown beside the rest would cut that to a handful or one (the check character's weights make
each hundreds digit leave exactly one tens digit), so the ID mask shows none of the number:
the stars say there is one and how long it is. Staff tell people apart by name, birth date,
sex and place; the full number is one logged reveal away for roles that may open it.

Bank accounts keep their last four digits (尾号, as banks print them); mobile numbers the first
three and the last four (138****5678, the common form); landlines their area code and last two.
Nothing else on any page carries a part of these, so at least 10,000 numbers fit each mask.
"""

from __future__ import annotations

import re

ACCOUNT_KEPT_END = 4
_LANDLINE = re.compile(r"^(0[0-9]{2,3})(-?)([0-9]{7,8})$")
_MOBILE = re.compile(r"^1[0-9]{10}$")


def _stars(count: int) -> str:
    return "*" * max(count, 0)


def id_number(value: str) -> str:
    """A star for each character: none of the number is shown (see above)."""
    return _stars(len(value))


# A disabled veteran's certificate number is shown as an ID number is: none of it.
veteran_number = id_number


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


def name(value: str) -> str:
    """张三 → 张*, 张护理 → 张*理, 欧阳小明 → 欧**明: enough for an applicant to know on a
    public page that it is theirs, not enough to learn who applied."""
    if len(value) <= 2:
        return value[:1] + _stars(len(value) - 1)
    return value[0] + _stars(len(value) - 2) + value[-1]


def is_masked(value: str) -> bool:
    """Whether `value` is a mask (it holds a star): what an edit form sends back untouched."""
    return "*" in value


# Keys of recorded details (audit entries, histories) whose values are masked when shown, by
# the kind of value: what was recorded before a mask changed is shown with today's.
_ID_KEYS = frozenset({"id_number", "id_number_masked", "number", "certificate_number",
                      "veteran_number", "veteran_number_masked"})  # fmt: skip
_ACCOUNT_KEYS = frozenset({"bank_account", "bank_account_masked", "account", "account_masked"})
_PHONE_KEYS = frozenset({"phone", "phone_masked", "guardian_phone", "guardian_phone_masked",
                         "contact_phone"})  # fmt: skip


def recorded(key: str, value: object) -> object:
    """`value`, recorded under `key`, as it may be shown: masked again when `key` names a
    sensitive value (lists of before/after and nested details included)."""
    if isinstance(value, dict):
        return {k: recorded(k, v) for k, v in value.items()}
    if isinstance(value, list):
        return [recorded(key, v) for v in value]
    if not isinstance(value, str) or not value:
        return value
    if key in _ID_KEYS:
        return (
            id_number(value[:18]) + value[18:]  # category, grade and any suffix (B1)
            if key == "certificate_number"
            else id_number(value)
        )
    if key in _ACCOUNT_KEYS:
        return bank_account(value)
    if key in _PHONE_KEYS:
        return value if is_masked(value) else phone(value)  # phones were never masked otherwise
    return value
