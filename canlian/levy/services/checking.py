"""What the levy services check with: problems collected per field, the employer's
jurisdiction, and sums in yuan to the fen."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from canlian.accounts.scoping import covers
from canlian.levy.models import Employer

if TYPE_CHECKING:
    from canlian.accounts.actors import Actor

FEN = Decimal("0.01")

# Field → every problem found with it, in the order found.
Errors = dict[str, list[str]]


def fail(errors: Errors) -> None:
    """Raise the problems collected in `errors` as one ValidationError, if there are any."""
    if errors:
        raise ValidationError(errors)


def add(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def require_in_scope(user: Actor, employer: Employer) -> None:
    if not covers(user, employer.place.code):
        raise PermissionDenied(_("This employer is outside your jurisdiction."))


def is_sum(value: Any, *, minimum: Decimal, maximum: Decimal, above: bool = False) -> bool:
    """Whether `value` is a Decimal (or int) to the hundredth within the bounds: `above` makes
    the minimum exclusive."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        return False
    number = Decimal(value)
    if not number.is_finite():
        return False
    try:
        exact = number == number.quantize(FEN)
    except InvalidOperation:  # too many digits to quantize
        return False
    low_ok = number > minimum if above else number >= minimum
    return exact and low_ok and number <= maximum


def money(value: Decimal) -> str:
    return f"{Decimal(value).quantize(FEN):,}"


def day(value: datetime.date) -> str:
    return value.isoformat()
