"""Scoped reads of the registry: the one search used by the list, its counts and its exports."""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext as _

from canlian.accounts import lookups
from canlian.accounts.access import acting
from canlian.lib import idcard, masks
from canlian.people.fields import CONTROL_RE
from canlian.people.models import ID_CONTEXT, TAIL_LENGTH, Person, PersonQuerySet, tail_index

if TYPE_CHECKING:
    from canlian.accounts.access import Reader
    from canlian.accounts.actors import Actor

SORTS = {
    "name": ("name", "pk"),
    "-name": ("-name", "-pk"),
    "birth_date": ("birth_date", "pk"),
    "-birth_date": ("-birth_date", "-pk"),
    "category": ("category", "grade", "pk"),
    "grade": ("grade", "category", "pk"),
    "-updated": ("-updated_at", "-pk"),
}
DEFAULT_SORT = "-updated"
INITIALS_RE = re.compile(r"^[A-Za-z]{1,10}$")
# An ID number (18 or old 15 digits) or a certificate number (idcard.CARD_NUMBER_RE: the ID
# number, the category and grade digits and, for a replaced card, its suffix B1, B2, …; the
# B in either case), once normalized.
ID_LIKE_RE = re.compile(
    rf"^(\d{{15}}|\d{{17}}[\dX])$|{idcard.CARD_NUMBER_RE.pattern}", re.IGNORECASE
)
# The last 4-6 characters of an ID number, as staff at the window are given them.
TAIL_RE = re.compile(r"^\d{3,5}[\dX]$")
DIGIT_RE = re.compile(r"\d")
BLANK_RE = re.compile(r"\s")


def split_number(q: str) -> tuple[str, str]:
    """(the whole ID or certificate number the search names, normalized; the name beside it):
    "王建国 41080219900101123X" and "41080219900101123X　王建国" → ("41080219900101123X",
    "王建国"); ("", q) when it names none. A number with a name is searched as the number
    alone: the person is found by it, whatever the name typed."""
    text = idcard.normalize(q)
    if ID_LIKE_RE.match(text):
        return text, ""
    words = q.split()  # any whitespace, the full-width space too
    figures = [word for word in words if DIGIT_RE.search(idcard.normalize(word))]
    name = [word for word in words if word not in figures]
    number = idcard.normalize("".join(figures))
    if not name or not ID_LIKE_RE.match(number):
        return "", q.strip()
    return number, " ".join(name)


def number_index(user: Actor, q: str, *, where: str) -> str | None:
    """The blind index of the whole ID or certificate number the search `q` names, alone or
    beside a name (split_number), to filter persons (or rows holding their index) by; None
    when it names none. The look-up is recorded and limited (accounts.lookups, `where` naming
    the page): it raises lookups.TooManyNumberSearches past the hourly limit, which every
    list answers with its page and the reason on its search field."""
    text = split_number(q)[0]
    if not text:
        return None
    check = idcard.check(text[:18] if len(text) >= 20 else text)
    number = check.normalized or text[:18]
    return lookups.search_index(user=user, number=number, context=ID_CONTEXT, where=where)


def split_tail(q: str) -> tuple[str, str]:
    """(the last 4-6 characters of an ID number the search names, the rest of the search):
    "张三 123456" → ("123456", "张三"); ("", q) when it names none."""
    words = q.split()
    at = [i for i, word in enumerate(words) if TAIL_RE.match(idcard.normalize(word))]
    if len(at) != 1 or split_number(q)[0]:
        return "", q.strip()
    rest = " ".join(word for i, word in enumerate(words) if i != at[0])
    return idcard.normalize(words[at[0]]), rest


# Narrow enough that one search by the last characters of an ID number cannot test them
# against a whole county at once: a name of at least two characters, or the full last six
# characters within one township (the hourly limit on number searches then bounds how fast
# anyone can rebuild numbers).
TAIL_NAME_MIN = 2
TOWNSHIP_PREFIX_LENGTH = 9


def tail_search_problem(tail: str, rest: str, place: str) -> str | None:
    """Why a search by the last characters `tail` of an ID number, with the name `rest` and
    the area `place` (a code prefix), is refused; None when it may run."""
    if len(rest) >= TAIL_NAME_MIN:
        return None
    if rest:
        return str(
            _("Give at least two characters of the name with the last characters of the ID number.")
        )
    if len(tail) == 6 and len(place) >= TOWNSHIP_PREFIX_LENGTH:
        return None
    return str(
        _(
            "Searching by the last characters of the ID number needs the name as well "
            "(张三 12345X), or all six last characters and a township chosen as the area."
        )
    )


def search_area(chosen: str, actor: Actor) -> str:
    """The area a search runs in (a code prefix): the one chosen, or else the user's own node,
    which is a township for a township officer: their searches by the last six characters
    need no area chosen."""
    return chosen or actor.scope_prefix or ""


def _tail_indexes(tail: str) -> list[str]:
    """The blind indexes of every possible last six characters ending with `tail`: the two
    characters before the sequence code are the day of birth (01-31), so at most 31."""
    need = TAIL_LENGTH - len(tail)
    days = [f"{day:02d}" for day in range(1, 32)]
    heads = sorted({day[:need] for day in days if day[need:] == tail[: 2 - need]})
    return [tail_index(head + tail) for head in heads]


@dataclasses.dataclass(frozen=True)
class PersonFilters:
    q: str = ""
    place: str = ""
    category: int | None = None
    grade: int | None = None
    life_status: str = ""
    status: str = ""
    sort: str = DEFAULT_SORT
    # A search the form refused (e.g. the last characters of a number alone, a control
    # character): it finds no one rather than everyone.
    refused: bool = False

    def __post_init__(self) -> None:
        # The one text every use reads (the search, its record, by_number): blanks (a tab
        # pasted between a name and a number) part words; other control characters are never
        # kept: a number followed by one would be searched and yet recorded unmasked.
        object.__setattr__(self, "q", CONTROL_RE.sub("", BLANK_RE.sub(" ", self.q)))

    def as_dict(self) -> dict[str, Any]:
        """The filters set, for a record (the audit log, an export job): a search by ID or
        certificate number is kept as its mask."""
        values = {k: v for k, v in dataclasses.asdict(self).items() if v not in ("", None, False)}
        number, name = split_number(self.q)
        if number:  # kept as stars, beside the name typed with it
            values["q"] = f"{name} {masks.id_number(number[:18])}".strip()
        tail, rest = split_tail(self.q)
        if tail:  # the last characters of a number: kept as stars beside the name
            values["q"] = f"{rest} {masks.id_number(tail)}".strip()
        return values

    @property
    def by_number(self) -> bool:
        """Whether the search is for one ID or certificate number (one person at most), alone
        or beside a name."""
        return bool(split_number(self.q)[0])


def _by_name(qs: PersonQuerySet, q: str) -> PersonQuerySet:
    text = idcard.normalize(q)
    if INITIALS_RE.match(text):
        return qs.filter(name_initials__startswith=text.lower())
    return qs.filter(name__startswith=q.strip())


def _search(qs: PersonQuerySet, q: str, user: Actor, tail: str, rest: str) -> PersonQuerySet:
    """Search by `q`; (`tail`, `rest`) is split_tail(q), already allowed by the caller."""
    if tail:
        # A look-up by part of a number: recorded and limited like one by a full number.
        lookups.record(user=user, number=tail, where="people.tail")
        qs = qs.filter(id_tail_index__in=_tail_indexes(tail))
        return _by_name(qs, rest) if rest else qs
    index = number_index(user, q, where="people")
    if index is not None:
        return qs.filter(id_number_index=index)
    return _by_name(qs, q)


def search_persons(user: Reader, filters: PersonFilters) -> PersonQuerySet:
    """Persons visible to `user` that match `filters`, in the requested order."""
    actor = acting(user)
    if actor is None:
        return Person.objects.none()
    if filters.refused:
        return Person.objects.none()
    qs = Person.objects.visible_to(actor)
    q = filters.q  # without control characters (PersonFilters): PostgreSQL refuses NUL
    tail, rest = split_tail(q)
    if tail and tail_search_problem(tail, rest, search_area(filters.place, actor)):
        return Person.objects.none()  # too wide: the form says why
    if q.strip():
        qs = _search(qs, q, actor, tail, rest)
    if filters.place:
        qs = qs.filter(place__code__startswith=filters.place)
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.grade:
        qs = qs.filter(grade=filters.grade)
    if filters.life_status:
        qs = qs.filter(life_status=filters.life_status)
    if filters.status:
        qs = qs.with_status(filters.status, timezone.localdate())
    return qs.order_by(*SORTS.get(filters.sort, SORTS[DEFAULT_SORT]))
