"""Receipt codes (受理回执码): the random code an applicant is given at a window, with which
(and the last six characters of their ID number) they follow the application on a public page.

One alphabet and length for every kind of application (subsidies, certificates), so that the
public pages read them the same way and one guessing limit counts them together
(canlian.accounts.public_lookups). Ten characters of 31: 49 random bits, not guessed; read
out over the phone in two groups of five."""

from __future__ import annotations

import datetime
import secrets

from django.utils import timezone

__all__ = [
    "ALPHABET",
    "LENGTH",
    "display",
    "masked",
    "new_code",
    "normalise_code",
    "normalise_id_tail",
    "shown_to",
]

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L to misread
LENGTH = 10
# Full-width letters, digits and hyphen (typed with a Chinese input method) → ASCII.
_FULL_WIDTH = {code: code - 0xFEE0 for code in (0xFF0D, *range(0xFF10, 0xFF5B))}


def new_code() -> str:
    """A new random receipt code."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def display(code: str) -> str:
    """The code in two groups of five, as printed and read out: 7KQ2M-X9RTA."""
    return f"{code[:5]}-{code[5:]}"


def masked(code: str) -> str:
    """Only the last two characters (enough to tell two receipts apart; eight of ten, 40
    bits, left to guess): *****-***TA."""
    return f"*****-***{code[-2:]}"


def shown_to(
    code: str,
    *,
    taken_by_id: int | None,
    taken_at: datetime.datetime,
    user: object,
    today: datetime.date,
) -> str:
    """The code for a staff page: whole for the one who took the application, on the day they
    took it (to give it to the applicant); masked for everyone else and on later days. With
    the code and the ID number's last six characters anyone may follow the application, and
    staff who know a person's birth date could use a public page to test candidate numbers:
    the code stays with the applicant."""
    taker = taken_by_id is not None and taken_by_id == getattr(user, "pk", None)
    if taker and timezone.localtime(taken_at).date() == today:
        return display(code)
    return masked(code)


def normalise_code(text: str) -> str:
    """A receipt code as typed (spaces, hyphens, lower case, full-width) → its ten characters;
    "" when it cannot be one."""
    cleaned = "".join(text.translate(_FULL_WIDTH).split()).replace("-", "").upper()
    if len(cleaned) != LENGTH or any(c not in ALPHABET for c in cleaned):
        return ""
    return cleaned


def normalise_id_tail(text: str) -> str:
    """The last six characters of an ID number as typed → six characters (digits, the last
    possibly X); "" when they cannot be."""
    cleaned = "".join(text.translate(_FULL_WIDTH).split()).upper()
    if len(cleaned) != 6 or not cleaned.isascii() or not cleaned[:5].isdigit():
        return ""
    if not (cleaned[5].isdigit() or cleaned[5] == "X"):
        return ""
    return cleaned
