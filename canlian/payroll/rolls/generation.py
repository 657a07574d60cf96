"""Generating a month's draft rolls in one transaction: read, decide, write the regular lines,
stops and back pay, settle the enrolments, total and audit each roll (see the package's
description)."""

from __future__ import annotations

import dataclasses
import datetime
import json
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import numpy as np
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from canlian.accounts.actors import Actor
from canlian.accounts.roles import Perm
from canlian.accounts.scoping import covers
from canlian.audit import records as audit
from canlian.benefits import eligibility
from canlian.benefits.eligibility import Month
from canlian.benefits.models import Enrolment, Programme
from canlian.lib.bulk import insert_rows
from canlian.lib.parameters import Parameters
from canlian.payroll.actors import account_of
from canlian.payroll.models import Line, Roll, RuleSet, Stop
from canlian.payroll.rolls.backpay import already_paid, back_pay
from canlian.payroll.rolls.lines import (
    LINE_COLUMNS,
    Block,
    amount_adapter,
    insert_lines,
    lookup,
    rule_set,
    yuan,
)
from canlian.payroll.rolls.reading import PROGRAMME_CODES, Enrolled, read
from canlian.payroll.rolls.recoveries import find_recoveries
from canlian.places.models import Level, Place

__all__ = ["Generated", "counties", "counties_for", "generate"]

Totals = dict[int, list[int]]  # roll id → [lines, fen, stops]
Rolls = dict[tuple[str, str], Roll]  # (county, programme) → roll


def counties() -> list[str]:
    return [
        code[:6] for code in Place.objects.filter(level=Level.COUNTY).values_list("code", flat=True)
    ]


@dataclasses.dataclass
class Generated:
    month: Month
    rolls: list[Roll]  # every roll of the month in the run's counties, new and existing
    created: int
    back_pay_lines: int
    recoveries: int

    def summary(self) -> dict[str, Any]:
        programmes: dict[str, dict[str, Any]] = {}
        for programme in Programme.values:
            rolls = [r for r in self.rolls if r.programme == programme]
            total = sum((r.total for r in rolls), Decimal("0.00"))
            programmes[programme] = {
                "rolls": len(rolls),
                "lines": sum(r.line_count for r in rolls),
                "stopped": sum(r.stopped_count for r in rolls),
                "total": f"{total:.2f}",
            }
        return {
            "month": str(self.month),
            "rolls": len(self.rolls),
            "created": self.created,
            "lines": sum(r.line_count for r in self.rolls),
            "total": f"{sum((r.total for r in self.rolls), Decimal('0.00')):.2f}",
            "back_pay_lines": self.back_pay_lines,
            "recoveries": self.recoveries,
            "programmes": programmes,
        }


def _check_prepare(user: Actor, county_list: list[str]) -> None:
    if not user.can(Perm.PREPARE_PAYROLL):
        raise PermissionDenied(_("You may not prepare payment rolls."))
    outside = [c for c in county_list if not covers(user, c)]
    if outside:
        raise PermissionDenied(
            _("County %(county)s is outside your jurisdiction.") % {"county": outside[0]}
        )


def counties_for(county: str | None, user: Actor) -> list[str]:
    known = counties()
    if county:
        if county not in known:
            raise ValidationError(_("No county with code %(code)s.") % {"code": county})
        return [county]
    prefix = getattr(user, "scope_prefix", None) or ""
    return [c for c in known if prefix and c.startswith(prefix[:6])]


def generate(
    *,
    month: Month,
    acting_user: Actor,
    county: str | None = None,
    parameters: Parameters | None = None,
    today: datetime.date | None = None,
    on_stage: Callable[[str], None] | None = None,
) -> Generated:
    """Make the draft rolls of ``month`` that do not exist yet (every county of the user's
    jurisdiction, or ``county``), in one transaction. See the package's description."""
    today = today or timezone.localdate()
    if month.first > today:
        raise ValidationError(
            _("Rolls cannot be generated for %(month)s, a month that has not begun.")
            % {"month": month}
        )
    county_list = counties_for(county, acting_user)
    _check_prepare(acting_user, county_list)
    params = parameters if parameters is not None else eligibility.load_parameters()
    stage = on_stage or (lambda name: None)
    with transaction.atomic():
        existing = {
            (r.county, r.programme)
            for r in Roll.objects.select_for_update().filter(
                month=month.first, county__in=county_list
            )
        }
        wanted = [(c, p) for c in county_list for p in Programme.values if (c, p) not in existing]
        back_pay_count = 0
        if wanted:
            back_pay_count = _make(month, wanted, acting_user, params, stage)
        stage("recoveries")
        recoveries = find_recoveries(county_list=county_list, acting_user=acting_user)
    rolls = list(Roll.objects.filter(month=month.first, county__in=county_list))
    return Generated(
        month=month,
        rolls=rolls,
        created=len(wanted),
        back_pay_lines=back_pay_count,
        recoveries=recoveries,
    )


def _make(
    month: Month,
    wanted: list[tuple[str, str]],
    user: Actor,
    params: Parameters,
    stage: Callable[[str], None],
) -> int:
    """Write the rolls ``wanted`` (county, programme) of ``month``; return the back pay lines."""
    now = timezone.now()
    wanted_counties = sorted({c for c, _p in wanted})
    stage("read")
    enrolled = read(month, wanted_counties)
    stage("decide")
    decided = eligibility.decide(enrolled.population, month, params)
    stage("write")
    rolls = _create_rolls(month, wanted, user, now)
    rule_sets = {county: rule_set(params, county, month) for county in wanted_counties}
    totals: Totals = defaultdict(lambda: [0, 0, 0])
    amount_db = amount_adapter()
    month_db = connection.ops.adapt_datefield_value(month.first)
    blocks, stop_rows = _regular(month, enrolled, decided, rolls, rule_sets, totals)
    stage("back pay")
    back_rows = back_pay(month, enrolled, rolls, params, amount_db, totals)
    stage("insert")
    insert_lines(blocks, month, amount_db, month_db)
    insert_rows(Line, LINE_COLUMNS, back_rows)
    insert_rows(Stop, ("roll_id", "person_id", "conditions"), stop_rows)
    _settle(enrolled, rolls)
    stage("totals")
    _total(rolls, totals, user)
    return len(back_rows)


def _create_rolls(
    month: Month, wanted: list[tuple[str, str]], user: Actor, now: datetime.datetime
) -> Rolls:
    """The empty draft rolls; another run making them at the same time is a refusal."""
    rolls: Rolls = {}
    for county, programme in wanted:
        try:
            with transaction.atomic():
                rolls[county, programme] = Roll.objects.create(
                    county=county,
                    programme=programme,
                    month=month.first,
                    prepared_by=account_of(user),
                    prepared_by_name=user.get_username(),
                    prepared_at=now,
                )
        except IntegrityError:
            raise ValidationError(
                _("Another run is generating the rolls of %(month)s; try again when it ends.")
                % {"month": month}
            ) from None
    return rolls


def _regular(
    month: Month,
    enrolled: Enrolled,
    decided: dict[str, eligibility.Decided],
    rolls: Rolls,
    rule_sets: dict[str, RuleSet],
    totals: Totals,
) -> tuple[list[Block], list[tuple[Any, ...]]]:
    """The regular lines of each programme (as blocks of columns) and the stops."""
    # Persons with a line for this month already (back pay paid by a later month's roll).
    paid = already_paid(month)
    stop_rows: list[tuple[Any, ...]] = []
    blocks: list[Block] = []
    for index, programme in enumerate(PROGRAMME_CODES):
        roll_of = {c: r.pk for (c, p), r in rolls.items() if p == programme}
        rows = np.flatnonzero(
            enrolled.current
            & (enrolled.programme == index)
            & np.isin(enrolled.county, np.array(list(roll_of), dtype=str))
        )
        if not len(rows):
            continue
        result = decided[programme]
        who = enrolled.row_person[rows]
        pays = result.eligible[who] & (result.amount[who] > 0)
        if paid:
            already = np.array(
                [(int(p), programme) in paid for p in enrolled.person[rows].tolist()], dtype=bool
            )
            pays &= ~already
            stops_mask = ~result.eligible[who] | (result.amount[who] <= 0)
        else:
            stops_mask = ~pays
        rule_of = {c: rule_sets[c].pk for c in roll_of}
        blocks.append(_block(programme, enrolled, rows[pays], result, roll_of, rule_of, totals))
        stop_rows += _stops(enrolled, rows[stops_mask], result, roll_of, totals)
    return blocks, stop_rows


def _block(
    programme: str,
    enrolled: Enrolled,
    paying: np.ndarray,
    result: eligibility.Decided,
    roll_of: dict[str, int],
    rule_of: dict[str, int],
    totals: Totals,
) -> Block:
    """The lines of the rows ``paying``, built column by column, counted into ``totals``."""
    counties_paying = enrolled.county[paying]
    fens = result.amount[enrolled.row_person[paying]]
    roll_ids = lookup(counties_paying, roll_of)
    for roll_pk, count, fen in zip(
        *np.unique(roll_ids, return_counts=True),
        [int(fens[roll_ids == pk].sum()) for pk in np.unique(roll_ids).tolist()],
        strict=True,
    ):
        totals[int(roll_pk)][0] += int(count)
        totals[int(roll_pk)][1] += fen
    return Block(
        programme=programme,
        roll=roll_ids,
        person=enrolled.person[paying],
        fen=fens,
        rule_set=lookup(counties_paying, rule_of),
        account=enrolled.account[paying],
    )


def _stops(
    enrolled: Enrolled,
    stopped: np.ndarray,
    result: eligibility.Decided,
    roll_of: dict[str, int],
    totals: Totals,
) -> list[tuple[Any, ...]]:
    """A stop row for each of the rows ``stopped``, with the conditions that failed."""
    out: list[tuple[Any, ...]] = []
    for r in stopped.tolist():
        p = int(enrolled.row_person[r])
        roll_pk = roll_of[str(enrolled.county[r])]
        failed = [key for key, mask in result.failed if mask[p]]
        out.append((roll_pk, int(enrolled.person[r]), json.dumps(failed)))
        totals[roll_pk][2] += 1
    return out


def _settle(enrolled: Enrolled, rolls: Rolls) -> None:
    """Mark the unsettled enrolments of the run's rolls settled by their roll (back pay paid)."""
    settle: dict[int, list[int]] = defaultdict(list)  # roll id → enrolments it settles
    for r in np.flatnonzero(~enrolled.settled).tolist():
        roll = rolls.get((str(enrolled.county[r]), PROGRAMME_CODES[int(enrolled.programme[r])]))
        if roll is not None:
            settle[roll.pk].append(int(enrolled.enrolment[r]))
    for roll_pk, enrolments in settle.items():
        Enrolment.objects.filter(pk__in=enrolments).update(
            back_pay_settled=True, settled_by_id=roll_pk
        )


def _total(rolls: Rolls, totals: Totals, user: Actor) -> None:
    """Each roll's line count, total and stops; its audit entry."""
    for roll in rolls.values():
        lines, fen, stops = totals.get(roll.pk, [0, 0, 0])
        roll.line_count, roll.total, roll.stopped_count = lines, yuan(fen), stops
        roll.save(update_fields=["line_count", "total", "stopped_count"])
        audit.record(
            acting_user=user,
            action="payroll.generate",
            target=roll,
            detail={"lines": lines, "total": f"{roll.total:.2f}", "stopped": stops},
            region=roll.county,
        )
