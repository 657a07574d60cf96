"""The dimensions figures are broken down by, with their keys' words and SQL expressions."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Case, CharField, F, Q, Value, When
from django.db.models.expressions import Combinable
from django.utils.translation import gettext_lazy as _

from canlian.benefits.terms import PROGRAMME
from canlian.people.fields import add_years
from canlian.people.terms import CATEGORY, GRADE, SEX
from canlian.places.models import Place
from canlian.stats.catalogue import Dimension, register_dimension

# (key, youngest age, oldest age or None): the bands, written as printed.
AGE_BANDS = (("0–6", 0, 6), ("7–17", 7, 17), ("18–59", 18, 59), ("60+", 60, None))
AGE_BAND_KEYS = [band[0] for band in AGE_BANDS]
SEX_KEYS = {"M": "男", "F": "女"}  # the registry's codes → the keys printed (GB/T 2261.1)
SEX_CODES = {v: k for k, v in SEX_KEYS.items()}


def place_name(code: str) -> str:
    """A place's name from its code or region prefix (the city's 4 digits, a county's 6, a
    township's 9 or 12); the code when unknown."""
    full = code.ljust(12, "0")
    name = Place.objects.filter(code=full).values_list("name", flat=True).first()
    return name or code


def _code(length: int) -> Any:
    def parse(text: str) -> str:
        if not text.isdigit() or len(text) != length:
            raise ValueError(text)
        return text

    return parse


def _number(low: int, high: int) -> Any:
    def parse(text: str) -> int:
        value = int(text)
        if not low <= value <= high:
            raise ValueError(text)
        return value

    return parse


def _one_of(keys: Any) -> Any:
    def parse(text: str) -> str:
        if text not in keys:
            raise ValueError(text)
        return text

    return parse


COUNTY = register_dimension(Dimension("county", _("County"), place_name, _code(6)))
TOWNSHIP = register_dimension(
    Dimension("township", _("Township"), lambda key: place_name(key) if key else "—", _code(12))
)
CATEGORY_DIM = register_dimension(
    Dimension(
        "category", _("Disability category"), lambda key: CATEGORY[key].name, _number(1, 7), int
    )
)
GRADE_DIM = register_dimension(
    Dimension("grade", _("Disability grade"), lambda key: GRADE[key].name, _number(1, 4), int)
)
SEX_DIM = register_dimension(
    Dimension("sex", _("Sex"), lambda key: SEX[SEX_CODES[key]].name, _one_of(SEX_CODES))
)
AGE_BAND = register_dimension(
    Dimension(
        "age_band",
        _("Age band"),
        str,
        _one_of(AGE_BAND_KEYS),
        AGE_BAND_KEYS.index,
    )
)
PROGRAMME_DIM = register_dimension(
    Dimension(
        "programme",
        _("Subsidy"),
        lambda key: PROGRAMME[key].name,
        _one_of([term.code for term in PROGRAMME]),
    )
)


def age_band_expression(birth: str, day: datetime.date) -> Case:
    """The age band on `day` of the person born on the field `birth`."""
    whens = []
    for key, _youngest, oldest in AGE_BANDS:
        if oldest is None:
            continue
        # Aged at most `oldest` on `day`: born after the day `oldest + 1` years before it.
        whens.append(When(**{f"{birth}__gt": add_years(day, -(oldest + 1))}, then=Value(key)))
    return Case(*whens, default=Value(AGE_BAND_KEYS[-1]), output_field=CharField())


def age_band_filter(birth: str, day: datetime.date, key: str) -> Q:
    for band, youngest, oldest in AGE_BANDS:
        if band != key:
            continue
        q = Q(**{f"{birth}__lte": add_years(day, -youngest)})
        if oldest is not None:
            q &= Q(**{f"{birth}__gt": add_years(day, -(oldest + 1))})
        return q
    raise ValueError(key)


def sex_expression(field: str) -> Combinable:
    return Case(
        *(When(**{field: code}, then=Value(key)) for code, key in SEX_KEYS.items()),
        output_field=CharField(),
    )


def plain(field: str) -> F:
    return F(field)


def _month(text: str) -> datetime.date:
    year, month = text.split("-")
    if len(year) != 4 or len(month) != 2:
        raise ValueError(text)
    return datetime.date(int(year), int(month), 1)


MONTH = register_dimension(
    Dimension("month", _("Month"), str, lambda text: f"{_month(text):%Y-%m}")
)
