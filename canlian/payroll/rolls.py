"""Monthly payment rolls (发放花名册): generate, approve, discard, adjust, find recoveries.

**Generation** (:func:`generate`) makes, for a month, one draft roll per county and programme
that has none yet, in ONE transaction: read the active enrolments with their persons' facts
(one query, dates as day numbers), decide both programmes with the same columnar conditions as
the explanations (:mod:`canlian.benefits.eligibility`), write the lines (COPY on PostgreSQL),
the stops and the back pay, mark the enrolments whose back pay is settled, audit, commit.

- *Idempotent*: a county and programme that already has a roll for the month is left alone, so
  a second run changes nothing and reports the same figures.
- *Kill-safe*: killed at any moment, the transaction rolls back and nothing of the run remains;
  the next run makes exactly the same rolls. One payment line per (person, programme, month) is
  a database constraint besides.
- *Exact*: amounts are integer fen inside and Decimal yuan in the database.

**Lines.** A regular line pays the month for each enrolled person the rules find eligible in it
(the amount of their place and grade on the month's first day). Back pay (补发): an enrolment
not yet settled, whose start month lies before the roll's month (approval came later), is paid
each month from its start month to the month before, in which the rules find it eligible and no
line exists yet. Each line refers to the :class:`RuleSet` (parameter values with their notices,
and the rules version) that decided it, and to the :class:`PaymentAccount` it is paid into.

**Stops** (停发): an enrolled person not eligible in the month gets no line but a stop row with
the conditions that failed (died, moved out, certificate cancelled or expired, dibao ended...).
The month of such an event is still paid; the stop shows from the month after.

**Recoveries** (追回): a line of an approved roll for a month after the person's death, moving
out or cancellation (recorded later) becomes a recovery item on the worklist.

**Four eyes**: a roll is approved by an account other than the one that prepared it; once
approved the roll and its lines are immutable (database triggers). A correction is an
adjustment line in a later draft roll.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import itertools
import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

import numpy as np
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from canlian.accounts.roles import Perm
from canlian.accounts.scoping import covers
from canlian.audit import records as audit
from canlian.benefits import eligibility
from canlian.benefits.eligibility import FAR, NO_AMOUNT, Month, Population
from canlian.benefits.models import Enrolment, Programme
from canlian.lib import columnar
from canlian.lib.bulk import insert_rows
from canlian.lib.parameters import Parameters
from canlian.payroll.models import (
    Line,
    LineKind,
    Recovery,
    RecoveryStatus,
    Roll,
    RollStatus,
    RuleSet,
    Stop,
)
from canlian.people.models import LifeStatus, Person, StatusKind
from canlian.places.models import Level, Place

__all__ = [
    "Generated",
    "add_adjustment",
    "approve",
    "counties",
    "counties_for",
    "discard",
    "find_recoveries",
    "generate",
    "refusal",
    "resolve_recovery",
]

ORDINAL_OFFSET = 1721424.5  # julianday(d) - this = date.toordinal() (SQLite)


def _months(start: Month, stop: Month) -> list[Month]:
    """The months from ``start`` up to, not including, ``stop``."""
    months, m = [], start
    while m < stop:
        months.append(m)
        m = m.shift(1)
    return months


def counties() -> list[str]:
    return [
        code[:6] for code in Place.objects.filter(level=Level.COUNTY).values_list("code", flat=True)
    ]


# --- Reading the inputs ------------------------------------------------------------------------


def _ordinal_sql(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"({column} - DATE '0001-01-01' + 1)"
    return f"CAST(julianday({column}) - {ORDINAL_OFFSET} AS INTEGER)"


PROGRAMME_CODES = (Programme.LIVING.value, Programme.CARE.value)
LIFE_CODES = tuple(LifeStatus.values)
KIND_CODES = tuple(StatusKind.values)


@dataclasses.dataclass
class _Enrolled:
    """The active enrolments of a run, one row each, with their persons' facts as columns."""

    enrolment: np.ndarray
    person: np.ndarray
    programme: np.ndarray  # index into PROGRAMME_CODES
    account: np.ndarray
    start: np.ndarray  # ordinal of the start month's first day
    settled: np.ndarray  # bool
    county: np.ndarray  # str (6 digits)
    end: np.ndarray  # ordinal of the last month paid's first day, FAR while active
    current: np.ndarray  # bool: the enrolment that pays the month for its person and programme
    population: Population  # one row per distinct person
    row_person: np.ndarray  # index into the population per enrolment row
    person_ids: np.ndarray  # the population's person ids, sorted


def _read(month: Month, county_list: list[str]) -> _Enrolled:
    """The enrolments of ``county_list`` that start by ``month`` and cover it (active, or
    ended in it or later) or still owe back pay, and their persons' facts, in two queries
    (persons joined; status periods overlapping the month)."""
    programme_case = " ".join(f"WHEN '{code}' THEN {i}" for i, code in enumerate(PROGRAMME_CODES))
    life_case = " ".join(f"WHEN '{code}' THEN {i}" for i, code in enumerate(LIFE_CODES))
    counties_in = ", ".join(["%s"] * len(county_list))
    county_of = "SUBSTR(e.region, 1, 6)"  # a number: its digits
    columns = [
        "e.id", "e.person_id", f"CASE e.programme {programme_case} END", "e.account_id",
        _ordinal_sql("e.start_month"), "CASE WHEN e.back_pay_settled THEN 1 ELSE 0 END",
        county_of, "p.category", "p.grade", _ordinal_sql("p.certificate_issued_on"),
        _ordinal_sql("p.certificate_expires_on"), f"CASE p.life_status {life_case} END",
        f"COALESCE({_ordinal_sql('p.life_status_date')}, {FAR})",
        f"CASE WHEN e.status = 'active' THEN {FAR} ELSE {_ordinal_sql('e.end_month')} END",
        f"COALESCE(ROUND(e.equivalent_allowance * 100), {NO_AMOUNT})",
        "CASE WHEN e.orphan THEN 1 ELSE 0 END",
    ]  # fmt: skip
    sql = f"""
        SELECT {", ".join(f"CAST({c} AS BIGINT)" for c in columns)}
        FROM benefits_enrolment e JOIN people_person p ON p.id = e.person_id
        WHERE (e.status = 'active' OR e.end_month >= %s OR NOT e.back_pay_settled)
          AND e.start_month <= %s
          AND SUBSTR(e.region, 1, 6) IN ({counties_in})
        ORDER BY e.person_id, e.programme, CASE e.status WHEN 'active' THEN 0 ELSE 1 END
    """  # noqa: S608 (constants only; values are parameters)
    table = columnar.read_ints(sql, [month.first, month.last, *county_list], len(columns))
    # The enrolments that cover the month (active, or ended in it or later); the others are
    # read for their back pay only. One per person and programme covers it: an enrolment
    # ended during the month and a new one (enrolled again) both do; the active one pays.
    current = table[:, 13] >= month.first.toordinal()
    covering = np.flatnonzero(current)
    if len(covering) > 1:
        rows_of = table[covering]
        repeated = np.zeros(len(covering), dtype=bool)
        repeated[1:] = (rows_of[1:, 1] == rows_of[:-1, 1]) & (rows_of[1:, 2] == rows_of[:-1, 2])
        current[covering[repeated]] = False
    person = table[:, 1]
    person_ids, first, row_person = np.unique(person, return_index=True, return_inverse=True)
    facts = table[first]
    periods = _periods(month, county_list) if len(person_ids) else np.zeros((0, 4), np.int64)
    periods = periods[periods[:, 1] >= 0]
    at = np.searchsorted(person_ids, periods[:, 0])
    if len(periods):
        at = np.minimum(at, len(person_ids) - 1)
        known = person_ids[at] == periods[:, 0]
        periods, at = periods[known], at[known]
    kinds = np.array(KIND_CODES, dtype=str)
    life = np.array(LIFE_CODES, dtype=str)
    n = len(person_ids)
    population = Population(
        region=facts[:, 6].astype(str),
        category=facts[:, 7],
        grade=facts[:, 8],
        issued=facts[:, 9],
        expires=facts[:, 10],
        life_status=life[facts[:, 11]] if n else np.zeros(0, dtype=str),
        life_status_date=facts[:, 12],
        period_person=at.astype(np.int64),
        period_kind=kinds[periods[:, 1]] if len(periods) else np.zeros(0, dtype=str),
        period_start=periods[:, 2],
        period_end=periods[:, 3],
        **_declared(table, current, row_person.reshape(-1), n),
    )
    return _Enrolled(
        enrolment=table[:, 0],
        person=person,
        programme=table[:, 2],
        account=table[:, 3],
        start=table[:, 4],
        settled=table[:, 5].astype(bool),
        county=table[:, 6].astype(str),
        end=table[:, 13],
        current=current,
        population=population,
        row_person=row_person.reshape(-1),
        person_ids=person_ids,
    )


def _declared(
    table: np.ndarray, current: np.ndarray, row_person: np.ndarray, n: int
) -> dict[str, np.ndarray]:
    """Per person, what their enrolments declare: the equivalent allowance of each programme
    (fen, NO_AMOUNT when none; the enrolment covering the month wins) and orphans' support."""
    out: dict[str, np.ndarray] = {}
    for index, name in enumerate(("equivalent_living", "equivalent_care")):
        column = np.full(n, NO_AMOUNT, dtype=np.int64)
        for rows in (~current, current):  # the covering enrolment written last, so it wins
            mask = rows & (table[:, 2] == index)
            column[row_person[mask]] = table[mask, 14]
        out[name] = column
    orphan = np.zeros(n, dtype=bool)
    orphan[row_person[table[:, 15] == 1]] = True
    out["orphan"] = orphan
    return out


def _periods(month: Month, county_list: list[str]) -> np.ndarray:
    """The status periods overlapping ``month`` of the persons enrolled (as _read selects
    them), the kind as its index in KIND_CODES."""
    counties_in = ", ".join(["%s"] * len(county_list))
    kind_case = " ".join(f"WHEN '{code}' THEN {i}" for i, code in enumerate(KIND_CODES))
    sql = f"""
        SELECT CAST(s.person_id AS BIGINT), CAST(CASE s.kind {kind_case} ELSE -1 END AS BIGINT),
               CAST({_ordinal_sql("s.start")} AS BIGINT),
               CAST(COALESCE({_ordinal_sql('s."end"')}, {FAR}) AS BIGINT)
        FROM people_statusperiod s
        WHERE s.start <= %s AND (s."end" IS NULL OR s."end" >= %s)
          AND s.person_id IN (
            SELECT e.person_id FROM benefits_enrolment e
            WHERE (e.status = 'active' OR e.end_month >= %s OR NOT e.back_pay_settled)
              AND e.start_month <= %s AND SUBSTR(e.region, 1, 6) IN ({counties_in})
          )
    """  # noqa: S608 (constants only)
    params = [month.last, month.first, month.first, month.last, *county_list]
    return columnar.read_ints(sql, params, 4)


# --- Rule sets -----------------------------------------------------------------------------


def _rule_set(parameters: Parameters, county: str, month: Month) -> RuleSet:
    values = eligibility.rule_values(parameters, county, month)
    body = {"rules_version": eligibility.RULES_VERSION, "values": values}
    digest = hashlib.sha256(
        json.dumps([county, str(month), body], sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()
    rule_set, _created = RuleSet.objects.get_or_create(
        digest=digest,
        defaults={
            "month": month.first,
            "region": county,
            "rules_version": eligibility.RULES_VERSION,
            "values": values,
        },
    )
    return rule_set


# --- Generation ----------------------------------------------------------------------------


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


def _check_prepare(user: Any, county_list: list[str]) -> None:
    if not user.can(Perm.PREPARE_PAYROLL):
        raise PermissionDenied(_("You may not prepare payment rolls."))
    outside = [c for c in county_list if not covers(user, c)]
    if outside:
        raise PermissionDenied(
            _("County %(county)s is outside your jurisdiction.") % {"county": outside[0]}
        )


def counties_for(county: str | None, user: Any) -> list[str]:
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
    acting_user: Any,
    county: str | None = None,
    parameters: Parameters | None = None,
    today: datetime.date | None = None,
    on_stage: Callable[[str], None] | None = None,
) -> Generated:
    """Make the draft rolls of ``month`` that do not exist yet (every county of the user's
    jurisdiction, or ``county``), in one transaction. See the module's description."""
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
    user: Any,
    params: Parameters,
    stage: Callable[[str], None],
) -> int:
    """Write the rolls ``wanted`` (county, programme) of ``month``; return the back pay lines."""
    now = timezone.now()
    wanted_counties = sorted({c for c, _p in wanted})
    stage("read")
    enrolled = _read(month, wanted_counties)
    stage("decide")
    decided = eligibility.decide(enrolled.population, month, params)
    stage("write")
    rolls: dict[tuple[str, str], Roll] = {}
    for county, programme in wanted:
        try:
            with transaction.atomic():
                rolls[county, programme] = Roll.objects.create(
                    county=county,
                    programme=programme,
                    month=month.first,
                    prepared_by=user if getattr(user, "pk", None) else None,
                    prepared_by_name=user.get_username(),
                    prepared_at=now,
                )
        except IntegrityError:
            raise ValidationError(
                _("Another run is generating the rolls of %(month)s; try again when it ends.")
                % {"month": month}
            ) from None
    rule_sets = {county: _rule_set(params, county, month) for county in wanted_counties}
    # Persons with a line for this month already (back pay paid by a later month's roll).
    paid = _already_paid(month)
    stop_rows: list[tuple[Any, ...]] = []
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])  # roll id → lines, fen, stops
    amount_db = _amount_adapter()
    month_db = connection.ops.adapt_datefield_value(month.first)
    blocks: list[_Block] = []
    for index, programme in enumerate(PROGRAMME_CODES):
        result = decided[programme]
        roll_of = {c: r.pk for (c, p), r in rolls.items() if p == programme}
        rule_of = {c: rule_sets[c].pk for c in roll_of}
        rows = np.flatnonzero(
            enrolled.current
            & (enrolled.programme == index)
            & np.isin(enrolled.county, np.array(list(roll_of), dtype=str))
        )
        if not len(rows):
            continue
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
        # The lines, built column by column.
        paying = rows[pays]
        counties_paying = enrolled.county[paying]
        fens = result.amount[enrolled.row_person[paying]]
        roll_ids = _lookup(counties_paying, roll_of)
        block = _Block(
            programme=programme,
            roll=roll_ids,
            person=enrolled.person[paying],
            fen=fens,
            rule_set=_lookup(counties_paying, rule_of),
            account=enrolled.account[paying],
        )
        blocks.append(block)
        for roll_pk, count, fen in zip(
            *np.unique(roll_ids, return_counts=True),
            [int(fens[roll_ids == pk].sum()) for pk in np.unique(roll_ids).tolist()],
            strict=True,
        ):
            totals[int(roll_pk)][0] += int(count)
            totals[int(roll_pk)][1] += fen
        for r in rows[stops_mask].tolist():
            p = int(enrolled.row_person[r])
            roll_pk = roll_of[str(enrolled.county[r])]
            failed = [key for key, mask in result.failed if mask[p]]
            stop_rows.append((roll_pk, int(enrolled.person[r]), json.dumps(failed)))
            totals[roll_pk][2] += 1
    stage("back pay")
    back_rows = _back_pay(month, enrolled, rolls, params, amount_db, totals)
    stage("insert")
    _insert_lines(blocks, month, amount_db, month_db)
    insert_rows(Line, LINE_COLUMNS, back_rows)
    insert_rows(Stop, ("roll_id", "person_id", "conditions"), stop_rows)
    settle: dict[int, list[int]] = defaultdict(list)  # roll id → enrolments it settles
    for r in np.flatnonzero(~enrolled.settled).tolist():
        roll = rolls.get((str(enrolled.county[r]), PROGRAMME_CODES[int(enrolled.programme[r])]))
        if roll is not None:
            settle[roll.pk].append(int(enrolled.enrolment[r]))
    for roll_pk, enrolments in settle.items():
        Enrolment.objects.filter(pk__in=enrolments).update(
            back_pay_settled=True, settled_by_id=roll_pk
        )
    stage("totals")
    for roll in rolls.values():
        lines, fen, stops = totals.get(roll.pk, [0, 0, 0])
        roll.line_count, roll.total, roll.stopped_count = lines, _yuan(fen), stops
        roll.save(update_fields=["line_count", "total", "stopped_count"])
        audit.record(
            acting_user=user,
            action="payroll.generate",
            target=roll,
            detail={"lines": lines, "total": f"{roll.total:.2f}", "stopped": stops},
            region=roll.county,
        )
    return len(back_rows)


LINE_COLUMNS = (
    "roll_id", "person_id", "programme", "month", "kind", "amount", "rule_set_id",
    "account_id", "reason",
)  # fmt: skip


@dataclasses.dataclass
class _Block:
    """The regular lines of one programme, as columns."""

    programme: str
    roll: np.ndarray
    person: np.ndarray
    fen: np.ndarray
    rule_set: np.ndarray
    account: np.ndarray


def _lookup(keys: np.ndarray, table: dict[str, int]) -> np.ndarray:
    """``table[key]`` for every key, as an int64 array."""
    unique, inverse = np.unique(keys, return_inverse=True)
    values = np.array([table[str(k)] for k in unique.tolist()], dtype=np.int64)
    return values[inverse.reshape(-1)] if len(unique) else np.zeros(0, dtype=np.int64)


def _copy_rows(block: _Block, month: Month) -> bytes:
    """The COPY text of a block's lines, in the order of LINE_COLUMNS."""
    n = len(block.person)
    amount = [columnar.digits(block.fen // 100, 8), columnar.text(".", n)]
    amount.append(columnar.digits(block.fen % 100, 2))
    return columnar.copy_text(
        [
            columnar.digits(block.roll, 12),
            columnar.digits(block.person, 12),
            columnar.text(block.programme, n),
            columnar.text(month.first.isoformat(), n),
            columnar.text(LineKind.REGULAR.value, n),
            np.concatenate(amount, axis=1),
            columnar.digits(block.rule_set, 12),
            columnar.digits(block.account, 12),
            columnar.text("", n),
        ]
    )


def _insert_lines(
    blocks: list[_Block], month: Month, amount_db: Callable[[int], Any], month_db: Any
) -> None:
    """Write the regular lines: on PostgreSQL one COPY of text rows built by numpy (no Python
    object per value), elsewhere prepared rows through insert_rows."""
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(Line._meta.db_table)
        statement = f"COPY {table} ({', '.join(LINE_COLUMNS)}) FROM STDIN"
        with (
            connection.cursor() as cursor,
            connection.wrap_database_errors,
            cursor.cursor.copy(statement) as copy,
        ):
            for block in blocks:
                copy.write(_copy_rows(block, month))
        return
    rows: list[tuple[Any, ...]] = []
    for b in blocks:
        rows.extend(
            zip(
                b.roll.tolist(),
                b.person.tolist(),
                itertools.repeat(b.programme),
                itertools.repeat(month_db),
                itertools.repeat(LineKind.REGULAR.value),
                [amount_db(f) for f in b.fen.tolist()],
                b.rule_set.tolist(),
                b.account.tolist(),
                itertools.repeat(""),
            )
        )
    insert_rows(Line, LINE_COLUMNS, rows)


def _yuan(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(Decimal("0.01"))


def _amount_adapter() -> Callable[[int], Any]:
    field = Line._meta.get_field("amount")
    cache: dict[int, Any] = {}

    def adapt(fen: int) -> Any:
        if fen not in cache:
            cache[fen] = field.get_db_prep_save(_yuan(fen), connection)
        return cache[fen]

    return adapt


def _already_paid(month: Month) -> set[tuple[int, str]]:
    return set(
        Line.objects.filter(month=month.first, kind=LineKind.BACK_PAY).values_list(
            "person_id", "programme"
        )
    )


def _back_pay(
    month: Month,
    enrolled: _Enrolled,
    rolls: dict[tuple[str, str], Roll],
    params: Parameters,
    amount_db: Callable[[int], Any],
    totals: dict[int, list[int]],
) -> list[tuple[Any, ...]]:
    """Lines for the months between each unsettled enrolment's start and ``month``."""
    first = month.first.toordinal()
    rows = np.flatnonzero(~enrolled.settled & (enrolled.start < first))
    wanted = [
        r
        for r in rows.tolist()
        if (str(enrolled.county[r]), PROGRAMME_CODES[int(enrolled.programme[r])]) in rolls
    ]
    if not wanted:
        return []
    person_ids = sorted({int(enrolled.person[r]) for r in wanted})
    persons = {
        p.pk: p for p in Person.objects.filter(pk__in=person_ids).prefetch_related("status_periods")
    }
    facts = [eligibility.facts_of(persons[pk]) for pk in person_ids]
    population = eligibility.population_of(facts)
    position = {pk: i for i, pk in enumerate(person_ids)}
    earliest = Month.of(datetime.date.fromordinal(min(int(enrolled.start[r]) for r in wanted)))
    existing = set(
        Line.objects.filter(
            person_id__in=person_ids, month__gte=earliest.first, month__lt=month.first
        )
        .exclude(kind=LineKind.ADJUSTMENT)
        .values_list("person_id", "programme", "month")
    )
    out: list[tuple[Any, ...]] = []
    rule_sets: dict[tuple[str, Month], RuleSet] = {}
    for past in _months(earliest, month):
        decided = eligibility.decide(population, past, params)
        past_db = connection.ops.adapt_datefield_value(past.first)
        day = past.first.toordinal()
        for r in wanted:
            if not int(enrolled.start[r]) <= day <= int(enrolled.end[r]):
                continue
            programme = PROGRAMME_CODES[int(enrolled.programme[r])]
            person = int(enrolled.person[r])
            if (person, programme, past.first) in existing:
                continue
            i = position[person]
            fen = int(decided[programme].amount[i])
            if not decided[programme].eligible[i] or fen <= 0:
                continue
            existing.add((person, programme, past.first))
            county = str(enrolled.county[r])
            roll = rolls[county, programme]
            if (county, past) not in rule_sets:
                rule_sets[county, past] = _rule_set(params, county, past)
            rule_set = rule_sets[county, past]
            out.append(
                (
                    roll.pk, person, programme, past_db, LineKind.BACK_PAY.value, amount_db(fen),
                    rule_set.pk, int(enrolled.account[r]), "",
                )
            )  # fmt: skip
            totals[roll.pk][0] += 1
            totals[roll.pk][1] += fen
    return out


# --- Approval, discarding, adjustments -----------------------------------------------------


def _take(roll_id: int, user: Any, perm: str) -> Roll:
    roll = Roll.objects.select_for_update().filter(pk=roll_id).first()
    if roll is None:
        raise ValidationError(_("No such payment roll."))
    if not user.can(perm):
        raise PermissionDenied(_("You may not do this with payment rolls."))
    if not covers(user, roll.county):
        raise PermissionDenied(_("This roll is outside your jurisdiction."))
    return roll


def refusal(*, roll: Roll, action: str, acting_user: Any) -> str | None:
    """Why ``acting_user`` may not ``approve`` or ``discard`` ``roll`` as it stands (the rule
    behind both the services and the pages' buttons), or None."""
    if action == "discard":
        return None if roll.is_draft else _("An approved roll cannot be discarded.")
    if not roll.is_draft:
        return _("This roll is already approved.")
    if not getattr(acting_user, "pk", None):
        return _("A roll is approved by a named account, not a command line.")
    if roll.prepared_by_id == acting_user.pk:
        return _("You prepared this roll: another finance officer must approve it.")
    if roll.lines.filter(kind=LineKind.ADJUSTMENT, added_by_id=acting_user.pk).exists():
        return _("You added an adjustment to this roll: another finance officer must approve it.")
    return None


def approve(*, roll_id: int, acting_user: Any) -> Roll:
    """Approve a draft roll prepared by another account (four eyes). Final."""
    with transaction.atomic():
        roll = _take(roll_id, acting_user, Perm.APPROVE_PAYROLL)
        if reason := refusal(roll=roll, action="approve", acting_user=acting_user):
            raise ValidationError(reason)
        roll.status = RollStatus.APPROVED
        roll.approved_by = acting_user
        roll.approved_at = timezone.now()
        roll.save(update_fields=["status", "approved_by", "approved_at"])
        audit.record(
            acting_user=acting_user,
            action="payroll.approve",
            target=roll,
            detail={"lines": roll.line_count, "total": f"{roll.total:.2f}"},
            region=roll.county,
        )
    return roll


def discard(*, roll_id: int, acting_user: Any) -> None:
    """Delete a draft roll and its lines, so that it can be generated again (after the
    registry was corrected). The enrolments it settled are unsettled again, so that the next
    run pays their back pay as this one did. Approved rolls stay."""
    with transaction.atomic():
        roll = _take(roll_id, acting_user, Perm.PREPARE_PAYROLL)
        if reason := refusal(roll=roll, action="discard", acting_user=acting_user):
            raise ValidationError(reason)
        month = roll.month
        detail = {"month": f"{month:%Y-%m}", "lines": roll.line_count, "total": f"{roll.total:.2f}"}
        Stop.objects.filter(roll=roll).delete()
        Line.objects.filter(roll=roll).delete()
        Enrolment.objects.filter(settled_by=roll).update(back_pay_settled=False, settled_by=None)
        audit.record(
            acting_user=acting_user,
            action="payroll.discard",
            target=roll,
            detail=detail,
            region=roll.county,
        )
        roll.delete()


def add_adjustment(
    *,
    roll_id: int,
    person_id: int,
    month: Month,
    amount: Decimal,
    reason: str,
    acting_user: Any,
) -> Line:
    """An adjustment line in a draft roll: a payment owed for an earlier month (an amount
    corrected, a failed payment made again). Positive; an overpayment is a recovery instead."""
    reason = reason.strip()
    with transaction.atomic():
        roll = _take(roll_id, acting_user, Perm.PREPARE_PAYROLL)
        errors: dict[str, list[str]] = defaultdict(list)
        if not roll.is_draft:
            errors["roll"].append(_("Adjustments go into a draft roll."))
        if amount <= 0 or amount != amount.quantize(Decimal("0.01")) or amount >= 10**8:
            errors["amount"].append(
                _("The amount must be positive, in yuan with at most two decimals.")
            )
        if not reason:
            errors["reason"].append(_("Give the reason for the adjustment."))
        if month.first > roll.month:
            errors["month"].append(_("An adjustment is for the roll's month or an earlier one."))
        enrolment = (
            Enrolment.objects.filter(person_id=person_id, programme=roll.programme)
            .filter(region__startswith=roll.county)
            .order_by("-id")
            .first()
        )
        if enrolment is None:
            errors["person"].append(
                _("This person has no enrolment in this programme in the roll's county.")
            )
        if errors:
            raise ValidationError(dict(errors))
        assert enrolment is not None
        line = Line.objects.create(
            roll=roll,
            person_id=person_id,
            programme=roll.programme,
            month=month.first,
            kind=LineKind.ADJUSTMENT,
            amount=amount,
            account=enrolment.account,
            reason=reason,
            added_by=acting_user if getattr(acting_user, "pk", None) else None,
        )
        totals = roll.lines.aggregate(n=Count("id"), total=Sum("amount"))
        roll.line_count, roll.total = totals["n"], totals["total"] or Decimal("0.00")
        roll.save(update_fields=["line_count", "total"])
        audit.record(
            acting_user=acting_user,
            action="payroll.adjust",
            target=roll,
            detail={
                "person": person_id,
                "month": str(month),
                "amount": f"{amount:.2f}",
                "reason": reason,
            },
            region=roll.county,
        )
    return line


# --- Recoveries ----------------------------------------------------------------------------

ENDING_EVENTS = (LifeStatus.DECEASED, LifeStatus.MOVED_OUT, LifeStatus.CANCELLED)
RECOVERY_CHUNK = 2000  # persons whose lines one query reads


def find_recoveries(*, county_list: Iterable[str], acting_user: Any) -> int:
    """Open a recovery item for every line of an approved roll paid for a month after the
    person's death, moving out or cancellation; return how many were opened."""
    # From the few persons with such an event to their lines, never from every approved line
    # (those grow by a million a month): the enrolled persons with an ending event, in order of
    # its date, then their lines after the earliest date of each chunk through the unique
    # (person, programme, month) index (adjustments excluded, as in its condition), the exact
    # date and the roll checked here. Written as steps so that no query plan can turn it round.
    # A line's month is its first day: after the event's date means a month after the event's
    # month, the event's own month being paid.
    rolls_in_scope = dict(
        Roll.objects.filter(county__in=list(county_list), status=RollStatus.APPROVED).values_list(
            "pk", "county"
        )
    )
    if not rolls_in_scope:
        return 0
    ended = list(
        Person.objects.filter(
            life_status__in=ENDING_EVENTS,
            life_status_date__isnull=False,
            pk__in=Enrolment.objects.values("person_id"),
        )
        .order_by("life_status_date", "pk")
        .values_list("pk", "life_status", "life_status_date")
    )
    event_of: dict[int, tuple[str, datetime.date]] = {
        pk: (status, date) for pk, status, date in ended if date is not None
    }
    candidates: list[tuple[int, datetime.date, str, datetime.date, str]] = []
    for at in range(0, len(ended), RECOVERY_CHUNK):
        chunk = ended[at : at + RECOVERY_CHUNK]
        lines = (
            Line.objects.filter(person_id__in=[pk for pk, _s, _d in chunk])
            .exclude(kind=LineKind.ADJUSTMENT)
            .filter(month__gt=chunk[0][2])
            .values_list("pk", "person_id", "month", "roll_id")
        )
        for pk, person, month, roll in lines:
            status, date = event_of[person]
            if month > date and roll in rolls_in_scope:
                candidates.append((pk, month, status, date, rolls_in_scope[roll]))
    known = set(
        Recovery.objects.filter(line_id__in=[c[0] for c in candidates]).values_list(
            "line_id", flat=True
        )
    )
    candidates = sorted(c for c in candidates if c[0] not in known)
    opened = 0
    words = {
        LifeStatus.DECEASED: _("paid for %(month)s after death on %(date)s"),
        LifeStatus.MOVED_OUT: _("paid for %(month)s after moving out on %(date)s"),
        LifeStatus.CANCELLED: _(
            "paid for %(month)s after the certificate was cancelled on %(date)s"
        ),
    }
    for pk, paid_month, status, date, county in candidates:
        reason = words[LifeStatus(status)] % {"month": f"{paid_month:%Y-%m}", "date": date}
        recovery = Recovery.objects.create(line_id=pk, reason=reason)
        audit.record(
            acting_user=acting_user,
            action="payroll.recovery_opened",
            target=recovery,
            detail={"line": pk, "reason": reason},
            region=county,
        )
        opened += 1
    return opened


def resolve_recovery(*, recovery_id: int, status: str, note: str, acting_user: Any) -> Recovery:
    """Close a recovery item as recovered or written off, with a note."""
    with transaction.atomic():
        recovery = (
            Recovery.objects.select_for_update()
            .select_related("line__roll")
            .filter(pk=recovery_id)
            .first()
        )
        if recovery is None:
            raise ValidationError(_("No such recovery item."))
        if not acting_user.can(Perm.PREPARE_PAYROLL) or not covers(
            acting_user, recovery.line.roll.county
        ):
            raise PermissionDenied(_("You may not resolve this recovery item."))
        if recovery.status != RecoveryStatus.OPEN:
            raise ValidationError(_("This recovery item is already closed."))
        if status not in (RecoveryStatus.RECOVERED, RecoveryStatus.WAIVED):
            raise ValidationError({"status": [_("Choose recovered or written off.")]})
        if not note.strip():
            raise ValidationError(
                {"note": [_("Say how it was recovered, or why it is written off.")]}
            )
        recovery.status = status
        recovery.note = note.strip()
        recovery.resolved_by = acting_user if getattr(acting_user, "pk", None) else None
        recovery.resolved_at = timezone.now()
        recovery.save(update_fields=["status", "note", "resolved_by", "resolved_at"])
        audit.record(
            acting_user=acting_user,
            action="payroll.recovery_resolved",
            target=recovery,
            detail={"status": status, "note": recovery.note},
            region=recovery.line.roll.county,
        )
    return recovery
