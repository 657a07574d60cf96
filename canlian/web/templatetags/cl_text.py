"""Chinese typography in templates: grouped numbers and punctuation between values.

A count is printed with thousands separators (96,147 rather than 96147; GB/T 15835-2011,
出版物上数字用法, allows a comma between groups of three digits). Punctuation written
between two template values (a name and a time, a label and a value) is not in any
translated message, so it is given here: full-width in Chinese, as typed otherwise.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language

register = template.Library()

FULL_WIDTH = {":": "：", ",": "，", ";": "；", "(": "（", ")": "）"}


@register.filter
def grouped(value: Any) -> Any:
    """An integer with a comma between groups of three digits; anything else unchanged."""
    if isinstance(value, bool):
        return value
    try:
        number = int(value)
    except (TypeError, ValueError):
        return value
    if str(value).strip().lstrip("-").isdigit() or isinstance(value, int):
        return f"{number:,}"
    return value


@register.simple_tag
def punct(mark: str) -> str:
    """`mark` (such as ": " or ", ") in the current language: in Chinese the full-width
    mark without the space around it (", " → "，", " (" → "（")."""
    if (get_language() or "").lower().startswith("zh"):
        stripped = mark.strip()
        return "".join(FULL_WIDTH.get(c, c) for c in stripped)
    return mark
