"""The employment security fund formula (残疾人就业保障金): one employer's amount for one year.

The law: amount due = (staff × ratio − counted) × wage, where staff and the wage are last
year's (the collection ``year`` − 1), counted = disabled + severe_count × disabled_severe (a
grade 1–2 holder counts as 2), and the wage is the employer's average wage capped at
``wage_cap_multiple`` × the local average wage. Every number of the law is a dated parameter
in ``canlian/levy/parameters/`` (docs/parameters.md), looked up on the collection date ``on``
for the employer's region. Then, in this order:

- ``met``: counted ≥ required (staff × ratio): nothing to pay, whatever the other rules;
- ``exempt``: an enterprise (only an enterprise) with staff ≤ ``exemption_staff_threshold``,
  while that parameter is in force: nothing to pay;
- ``half`` / ``ninety``: while the three reduction parameters are in force, the employer pays
  ``reduction_factor_above_floor`` (50%) of the amount due when its ratio is at least
  ``reduction_floor_ratio`` (1%), else ``reduction_factor_below_floor`` (90%);
- ``full``: no reduction in force: the amount due.

Ratios are compared exactly, never through a rounded quotient: "counted / staff ≥ floor" is
computed as counted ≥ staff × floor in Decimal (staff > 0), so 1 of 100 is exactly 1% and
"half", and 1.6 counted of 100 in Henan meets 1.6%. Every intermediate value is exact (a
Decimal context that refuses to round); only the final amount is rounded, half up to the
fen. ``Result.ratio`` is counted / staff rounded half up to 6 places, for display only.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from canlian.levy.counting import missing_parameter
from canlian.lib import money
from canlian.lib.parameters import Parameters, Value, load_directory

__all__ = [
    "PARAMETERS_DIRECTORY",
    "EmployerKind",
    "Inputs",
    "Result",
    "Step",
    "Surcharge",
    "Tier",
    "calculate",
    "late_surcharge",
    "result_json",
]

PARAMETERS_DIRECTORY = Path(__file__).resolve().parent / "parameters"

RATIO = "levy.ratio"
SEVERE_COUNT = "levy.severe_count"
WAGE_CAP = "levy.wage_cap_multiple"
EXEMPT_STAFF = "levy.exemption_staff_threshold"
FLOOR = "levy.reduction_floor_ratio"
ABOVE_FLOOR = "levy.reduction_factor_above_floor"
BELOW_FLOOR = "levy.reduction_factor_below_floor"
REQUIRED_PARAMETERS = (RATIO, SEVERE_COUNT, WAGE_CAP)
REDUCTION_PARAMETERS = (FLOOR, ABOVE_FLOOR, BELOW_FLOOR)

FEN = Decimal("0.01")
RATIO_PLACES = Decimal("0.000001")
SHOWN_PLACES = Decimal("0.0001")
ZERO, ONE, HUNDRED = Decimal(0), Decimal(1), Decimal(100)
# Exact arithmetic: an operation that would have to round raises instead.
EXACT = decimal.Context(
    prec=60,
    traps=[decimal.Inexact, decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)
ROUNDING = decimal.Context(prec=60, rounding=ROUND_HALF_UP)


class EmployerKind(models.TextChoices):
    ENTERPRISE = "enterprise", gettext_lazy("Enterprise")
    GOVERNMENT = "government", gettext_lazy("Government body")
    INSTITUTION = "institution", gettext_lazy("Public institution")
    ORGANISATION = "organisation", gettext_lazy("Social organisation")


class Tier(models.TextChoices):
    MET = "met", gettext_lazy("Ratio met")
    EXEMPT = "exempt", gettext_lazy("Exempt")
    HALF = "half", gettext_lazy("Reduced (ratio at or above the floor)")
    NINETY = "ninety", gettext_lazy("Reduced (ratio below the floor)")
    FULL = "full", gettext_lazy("Full amount")


@dataclasses.dataclass(frozen=True)
class Inputs:
    year: int  # the collection year; the figures are those of year - 1
    region: str  # the employer's region code ("410883", "41"); the province is its first 2 digits
    kind: str  # an EmployerKind value
    staff: Decimal  # last year's staff (contract >= 1 year; seasonal staff annualised)
    disabled: Decimal  # qualifying disabled employees counted once
    disabled_severe: Decimal  # grade 1–2 holders, counted twice
    average_wage: Decimal  # the employer's average wage last year (total wages / staff)
    local_average_wage: Decimal  # the local average wage last year
    on: datetime.date | None = None  # the collection date; default 31 December of `year`


@dataclasses.dataclass(frozen=True)
class Step:
    key: str
    text: str  # the step in words with its numbers, in the active language
    value: str


@dataclasses.dataclass(frozen=True)
class Result:
    amount: Decimal  # yuan, 2 places, rounded half up
    shortfall: Decimal  # required − counted, at least 0, not rounded to a whole person
    ratio: Decimal  # counted / staff, 6 places (display only)
    required_ratio: Decimal
    tier: str  # a Tier value
    steps: tuple[Step, ...]
    parameters: dict[str, dict[str, str]]  # name → {value, since, reference, region, sample}


@dataclasses.dataclass(frozen=True)
class _Figures:
    """The inputs checked and made Decimal."""

    on: datetime.date
    region: str
    kind: str
    staff: Decimal
    disabled: Decimal
    disabled_severe: Decimal
    average_wage: Decimal
    local_average_wage: Decimal


def calculate(inputs: Inputs, *, parameters: Parameters | None = None) -> Result:
    """The amount one employer pays; ValueError (translated) on invalid input or parameters.

    ``parameters`` defaults to the files of :data:`PARAMETERS_DIRECTORY`.
    """
    figures = _check(inputs)
    if parameters is None:
        parameters = load_directory(PARAMETERS_DIRECTORY)
    values = _look_up(parameters, figures.on, figures.region)
    try:
        with decimal.localcontext(EXACT):
            return _compute(figures, values)
    except decimal.Inexact:
        raise ValueError(_("The figures have too many digits to compute exactly.")) from None


def result_json(result: Result) -> dict[str, Any]:
    """The result as JSON-ready data: numbers as strings ("1234.56")."""
    return {
        "amount": f"{result.amount:f}",
        "shortfall": _plain(result.shortfall),
        "ratio": f"{result.ratio:f}",
        "tier": str(result.tier),
        "steps": [dataclasses.asdict(step) for step in result.steps],
        "parameters": result.parameters,
    }


def _check(inputs: Inputs) -> _Figures:
    if inputs.kind not in EmployerKind.values:
        raise ValueError(
            _("Unknown employer kind %(kind)s: use one of %(kinds)s.")
            % {"kind": inputs.kind, "kinds": ", ".join(EmployerKind.values)}
        )
    region = inputs.region
    if not isinstance(region, str) or not region.isdigit() or not 2 <= len(region) <= 12:
        raise ValueError(
            _(
                "The region code %(region)s is not valid: "
                "write the 2-digit province code or a longer region code."
            )
            % {"region": region}
        )
    on = _collection_date(inputs.year, inputs.on)
    numbers = {
        "staff": (inputs.staff, _("Staff")),
        "disabled": (inputs.disabled, _("Disabled employees")),
        "disabled_severe": (inputs.disabled_severe, _("Grade 1–2 disabled employees")),
        "average_wage": (inputs.average_wage, _("Average wage")),
        "local_average_wage": (inputs.local_average_wage, _("Local average wage")),
    }
    checked = {key: _number(value, label) for key, (value, label) in numbers.items()}
    if checked["local_average_wage"] == 0:
        raise ValueError(_("The local average wage must be more than 0."))
    persons = checked["disabled"] + checked["disabled_severe"]
    if persons > checked["staff"]:
        raise ValueError(
            _("The disabled employees (%(disabled)s) outnumber the staff (%(staff)s).")
            % {"disabled": _plain(persons), "staff": _plain(checked["staff"])}
        )
    return _Figures(on=on, region=region, kind=inputs.kind, **checked)


def _collection_date(year: int, on: datetime.date | None) -> datetime.date:
    if isinstance(year, bool) or not isinstance(year, int) or not 1 <= year <= 9999:
        raise ValueError(_("The year %(year)s is not valid.") % {"year": year})
    if on is None:
        return datetime.date(year, 12, 31)
    if on.year != year:
        raise ValueError(
            _("The collection date %(on)s is not in the collection year %(year)s.")
            % {"on": on.isoformat(), "year": year}
        )
    return on


def _number(value: object, label: str) -> Decimal:
    if isinstance(value, int) and not isinstance(value, bool):
        value = Decimal(value)
    if not isinstance(value, Decimal) or not value.is_finite():
        raise ValueError(
            _("%(field)s must be a number, not %(value)s.") % {"field": label, "value": value}
        )
    if value < 0:
        raise ValueError(
            _("%(field)s cannot be negative (%(value)s).")
            % {"field": label, "value": _plain(value)}
        )
    return value


def _look_up(parameters: Parameters, on: datetime.date, region: str) -> dict[str, Value]:
    """The parameters in force; ValueError when a needed one is missing."""
    names = (*REQUIRED_PARAMETERS, EXEMPT_STAFF, *REDUCTION_PARAMETERS)
    found = {
        name: value
        for name in names
        if name in parameters
        and (value := parameters.value(name, on=on, region=region)) is not None
    }
    for name in REQUIRED_PARAMETERS:
        if name not in found:
            raise ValueError(missing_parameter(name, on=on, region=region))
    reductions = [name for name in REDUCTION_PARAMETERS if name in found]
    if reductions and len(reductions) < len(REDUCTION_PARAMETERS):
        raise ValueError(
            _(
                "On %(on)s only some reduction parameters are in force (%(names)s): "
                "all three or none."
            )
            % {"on": on.isoformat(), "names": ", ".join(reductions)}
        )
    return found


def _compute(figures: _Figures, values: dict[str, Value]) -> Result:
    required_ratio = values[RATIO].decimal
    required = figures.staff * required_ratio
    counted = figures.disabled + values[SEVERE_COUNT].decimal * figures.disabled_severe
    shortfall = max(required - counted, ZERO)
    cap = values[WAGE_CAP].decimal * figures.local_average_wage
    wage = min(figures.average_wage, cap)
    base = shortfall * wage
    tier, factor, tier_text = _tier(figures, values, required=required, counted=counted)
    amount = (base * factor).quantize(FEN, context=ROUNDING)
    ratio = ZERO.quantize(RATIO_PLACES)
    if figures.staff:
        ratio = ROUNDING.divide(counted, figures.staff).quantize(RATIO_PLACES, context=ROUNDING)

    def step(key: str, text: str, value: Decimal) -> Step:
        return Step(key=key, text=text, value=_plain(value))

    steps = (
        step("required", _required_text(figures, required_ratio, required), required),
        step("counted", _counted_text(figures, values[SEVERE_COUNT], counted), counted),
        step("shortfall", _shortfall_text(required, counted, shortfall), shortfall),
        Step(key="ratio", text=_ratio_text(figures.staff, counted), value=f"{ratio:f}"),
        step("wage", _wage_text(figures, values[WAGE_CAP], cap, wage), wage),
        step("base", _base_text(shortfall, wage, base), base),
        step("tier", tier_text, factor),
        Step(key="amount", text=_amount_text(base, factor, amount), value=f"{amount:f}"),
    )
    return Result(
        amount=amount,
        shortfall=shortfall,
        ratio=ratio,
        required_ratio=required_ratio,
        tier=tier,
        steps=steps,
        parameters={name: _parameter_json(value) for name, value in sorted(values.items())},
    )


def _tier(
    figures: _Figures, values: dict[str, Value], *, required: Decimal, counted: Decimal
) -> tuple[Tier, Decimal, str]:
    """The tier, the share of the amount due to pay, and the tier's step text."""
    if counted >= required:
        text = _("Ratio met: %(counted)s counted, %(required)s required; nothing to pay.")
        return Tier.MET, ZERO, text % {"counted": _show(counted), "required": _show(required)}
    threshold = values.get(EXEMPT_STAFF)
    if figures.kind == EmployerKind.ENTERPRISE and threshold and figures.staff <= threshold.decimal:
        text = _("Exempt: an enterprise with %(staff)s staff (at most %(threshold)s) pays nothing.")
        shown = {"staff": _show(figures.staff), "threshold": threshold.value}
        return Tier.EXEMPT, ZERO, text % shown
    if FLOOR not in values:
        text = _("No reduction is in force on %(on)s: the amount due is paid in full.")
        return Tier.FULL, ONE, text % {"on": figures.on.isoformat()}
    floor = values[FLOOR].decimal
    shown = {
        "ratio": _percent(ROUNDING.divide(counted, figures.staff)),
        "floor": _percent(floor),
        "required_ratio": _percent(values[RATIO].decimal),
    }
    if counted >= figures.staff * floor:
        factor = values[ABOVE_FLOOR].decimal
        text = _(
            "Reduced: the actual ratio %(ratio)s is at least %(floor)s but below "
            "%(required_ratio)s, so %(factor)s of the amount due is paid."
        )
        return Tier.HALF, factor, text % {**shown, "factor": _percent(factor)}
    factor = values[BELOW_FLOOR].decimal
    text = _(
        "Reduced: the actual ratio %(ratio)s is below %(floor)s, "
        "so %(factor)s of the amount due is paid."
    )
    return Tier.NINETY, factor, text % {**shown, "factor": _percent(factor)}


def _required_text(figures: _Figures, ratio: Decimal, required: Decimal) -> str:
    return _("Required: %(staff)s staff × %(ratio)s = %(required)s") % {
        "staff": _show(figures.staff),
        "ratio": _percent(ratio),
        "required": _show(required),
    }


def _counted_text(figures: _Figures, severe_count: Value, counted: Decimal) -> str:
    return _("Counted: %(disabled)s + %(severe)s grade 1–2 holders × %(count)s = %(counted)s") % {
        "disabled": _show(figures.disabled),
        "severe": _show(figures.disabled_severe),
        "count": severe_count.value,
        "counted": _show(counted),
    }


def _shortfall_text(required: Decimal, counted: Decimal, shortfall: Decimal) -> str:
    if required < counted:
        return _("Shortfall: %(required)s − %(counted)s is below 0, so 0") % {
            "required": _show(required),
            "counted": _show(counted),
        }
    return _("Shortfall: %(required)s − %(counted)s = %(shortfall)s (0 when below 0)") % {
        "required": _show(required),
        "counted": _show(counted),
        "shortfall": _show(shortfall),
    }


def _ratio_text(staff: Decimal, counted: Decimal) -> str:
    if not staff:
        return _("Actual ratio: no staff, so 0")
    return _("Actual ratio: %(counted)s ÷ %(staff)s = %(ratio)s") % {
        "counted": _show(counted),
        "staff": _show(staff),
        "ratio": _percent(ROUNDING.divide(counted, staff)),
    }


def _wage_text(figures: _Figures, multiple: Value, cap: Decimal, wage: Decimal) -> str:
    return _(
        "Wage: the lower of the average wage %(average)s and %(multiple)s × "
        "the local average wage %(local)s = %(cap)s, so %(wage)s"
    ) % {
        "average": _show(figures.average_wage),
        "multiple": _plain(multiple.decimal),
        "local": _show(figures.local_average_wage),
        "cap": _show(cap),
        "wage": _show(wage),
    }


def _base_text(shortfall: Decimal, wage: Decimal, base: Decimal) -> str:
    return _("Amount due: %(shortfall)s × %(wage)s = %(base)s") % {
        "shortfall": _show(shortfall),
        "wage": _show(wage),
        "base": _show(base),
    }


def _amount_text(base: Decimal, factor: Decimal, amount: Decimal) -> str:
    text = _("Amount payable: %(base)s × %(factor)s = %(amount)s yuan, rounded half up to the fen")
    return text % {
        "base": _show(base),
        "factor": _percent(factor),
        "amount": money.figures(amount),
    }


def _parameter_json(value: Value) -> dict[str, str]:
    return {
        "value": str(value.value).lower() if isinstance(value.value, bool) else str(value.value),
        "since": value.since.isoformat(),
        "reference": value.reference,
        "region": value.region,
        "sample": "true" if value.sample else "false",
    }


def _plain(number: Decimal) -> str:
    """The number without exponent or trailing zeros: 3.015, 2, 0."""
    text = f"{number:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _show(number: Decimal) -> str:
    """The number for a sentence: exact up to 4 places, else rounded with "≈"; the whole part
    grouped by thousands (140,000), as a finance office writes it."""
    shown = number.quantize(SHOWN_PLACES, context=ROUNDING)
    whole, dot, fraction = _plain(shown).partition(".")
    text = f"{int(whole):,}{dot}{fraction}"
    return text if shown == number else "≈" + text


def _percent(ratio: Decimal) -> str:
    return _show(ROUNDING.multiply(ratio, HUNDRED)) + "%"


# ---------------------------------------------------------------------------------------------
# The late-payment surcharge (滞纳金)

LATE_RATE = "levy.late_surcharge_daily_rate"
LATE_CAPPED = "levy.late_surcharge_capped"


@dataclasses.dataclass(frozen=True)
class Surcharge:
    amount: Decimal  # yuan, 2 places, at most the principal where the cap is in force
    days: int  # days of arrears counted
    capped: bool  # the daily sum exceeded the principal and was cut to it
    uncapped: Decimal  # the daily sum, rounded half up to the fen
    sample: bool  # a sample rate was used on some day
    cap_in_force: bool = True  # levy.late_surcharge_capped on the day paid
    cap_sample: bool = False  # that switch is a sample value


def late_surcharge(
    principal: Decimal,
    *,
    due_on: datetime.date,
    paid_on: datetime.date,
    region: str,
    parameters: Parameters | None = None,
) -> Surcharge:
    """The surcharge on `principal` yuan due on `due_on` (the last day to pay) and paid on
    `paid_on`: for each day of arrears, from the day after `due_on` to `paid_on` inclusive
    (财税〔2015〕72号 第二十六条: 自欠缴之日起，按日加收), the principal × the daily rate
    ``levy.late_surcharge_daily_rate`` in force that day in `region` (5‰); the sum is rounded
    half up to the fen. Where the switch ``levy.late_surcharge_capped`` is on, on `paid_on`,
    the sum is at most the principal (行政强制法第四十五条: 加处罚款或者滞纳金的数额不得超出金钱
    给付义务的数额); whether that article binds this surcharge is disputed, so the switch is a
    sample value (on) for each deployment to confirm. A day with no rate in force adds
    nothing. ValueError
    (translated) on a negative principal or a region code that is not digits.

    In Henan the tax office collects the fund and applies the surcharge: the federation's
    figure is information for the employer, never a demand.
    """
    principal = _number(principal, _("The amount unpaid"))
    if not isinstance(region, str) or not region.isdigit():
        raise ValueError(
            _("The region code %(region)s is not valid: write digits only.") % {"region": region}
        )
    if parameters is None:
        parameters = load_directory(PARAMETERS_DIRECTORY)
    total, days, sample = ZERO, 0, False
    day = due_on + datetime.timedelta(days=1)
    while day <= paid_on:
        days += 1
        rate = (
            parameters.value(LATE_RATE, on=day, region=region) if LATE_RATE in parameters else None
        )
        if rate is not None:
            total += ROUNDING.multiply(principal, rate.decimal)
            sample = sample or rate.sample
        day += datetime.timedelta(days=1)
    uncapped = total.quantize(FEN, context=ROUNDING)
    switch = (
        parameters.value(LATE_CAPPED, on=paid_on, region=region)
        if LATE_CAPPED in parameters
        else None
    )
    cap_in_force = switch is not None and switch.value is True
    amount = min(uncapped, principal.quantize(FEN, context=ROUNDING)) if cap_in_force else uncapped
    return Surcharge(
        amount=amount,
        days=days,
        capped=uncapped > amount,
        uncapped=uncapped,
        sample=sample,
        cap_in_force=cap_in_force,
        cap_sample=switch is not None and switch.sample,
    )
