"""Chinese typography in templates: grouped numbers and punctuation between values.

A count is printed with thousands separators (96,147 rather than 96147; GB/T 15835-2011,
出版物上数字用法, allows a comma between groups of three digits). Punctuation written
between two template values (a name and a time, a label and a value) is not in any
translated message, so it is given here: full-width in Chinese, as typed otherwise.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import template
from django.utils.translation import get_language

from canlian.lib import money

register = template.Library()

FULL_WIDTH = {":": "：", ",": "，", ";": "；", "(": "（", ")": "）"}


@register.filter
def grouped(value: Any) -> Any:
    """A whole number or an amount with a comma between groups of three digits (1,234.50);
    anything else unchanged."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+(\.\d+)?", value.strip()):
        value = Decimal(value.strip()) if "." in value else int(value)
    if isinstance(value, Decimal) and value == value.quantize(money.FEN):
        return money.figures(value)  # an amount: to the fen, as on every other page
    if isinstance(value, int | Decimal):
        return format(value, ",")
    return value


@register.simple_tag
def punct(mark: str) -> str:
    """`mark` (such as ": " or ", ") in the current language: in Chinese the full-width
    mark without the space around it (", " → "，", " (" → "（")."""
    if (get_language() or "").lower().startswith("zh"):
        stripped = mark.strip()
        return "".join(FULL_WIDTH.get(c, c) for c in stripped)
    return mark
