"""The inputs of a run, read as columns: the enrolments of the counties with their persons'
facts (dates as day numbers) and the status periods overlapping the month, in two queries."""

from __future__ import annotations

import dataclasses

import numpy as np
from django.db import connection

from canlian.benefits.eligibility import FAR, NO_AMOUNT, NOT_RECORDED, Month, Population
from canlian.benefits.models import Programme
from canlian.lib import columnar
from canlian.people.models import LifeStatus, StatusKind

__all__ = ["PROGRAMME_CODES", "Enrolled", "ordinal_sql", "read"]

ORDINAL_OFFSET = 1721424.5  # julianday(d) - this = date.toordinal() (SQLite)

PROGRAMME_CODES = (Programme.LIVING.value, Programme.CARE.value)
LIFE_CODES = tuple(LifeStatus.values)
KIND_CODES = tuple(StatusKind.values)

# The enrolments a run reads: they start by the month and cover it (active, or ended in it or
# later) or still owe back pay. Parameters: the month's first day, its last, the counties.
ENROLMENTS_READ = """
    (e.status = 'active' OR e.end_month >= %s OR NOT e.back_pay_settled)
    AND e.start_month <= %s AND SUBSTR(e.region, 1, 6) IN ({counties})
"""


def ordinal_sql(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"({column} - DATE '0001-01-01' + 1)"
    return f"CAST(julianday({column}) - {ORDINAL_OFFSET} AS INTEGER)"


@dataclasses.dataclass
class Enrolled:
    """The active enrolments of a run, one row each, with their persons' facts as columns."""

    enrolment: np.ndarray
    person: np.ndarray
    programme: np.ndarray  # index into PROGRAMME_CODES
    account: np.ndarray
    start: np.ndarray  # ordinal of the start month's first day
    settled: np.ndarray  # bool
    county: np.ndarray  # str (6 digits)
    end: np.ndarray  # ordinal of the last month paid's first day, FAR while active
    care_months: np.ndarray  # the enrolment's long-term care months, NOT_RECORDED when none
    approved: np.ndarray  # ordinal of the enrolment's approval
    current: np.ndarray  # bool: the enrolment that pays the month for its person and programme
    population: Population  # one row per distinct person
    row_person: np.ndarray  # index into the population per enrolment row
    person_ids: np.ndarray  # the population's person ids, sorted


def read(month: Month, county_list: list[str]) -> Enrolled:
    """The enrolments of ``county_list`` that start by ``month`` and cover it (active, or
    ended in it or later) or still owe back pay, and their persons' facts, in two queries
    (persons joined; status periods overlapping the month)."""
    table = _enrolments(month, county_list)
    current = _covering(table, month)
    person = table[:, 1]
    person_ids, first, row_person = np.unique(person, return_index=True, return_inverse=True)
    row_person = row_person.reshape(-1)
    periods, at = _person_periods(month, county_list, person_ids)
    declared = _declared(table, current, row_person, len(person_ids))
    return Enrolled(
        enrolment=table[:, 0],
        person=person,
        programme=table[:, 2],
        account=table[:, 3],
        start=table[:, 4],
        settled=table[:, 5].astype(bool),
        county=table[:, 6].astype(str),
        end=table[:, 13],
        care_months=table[:, 17],
        approved=table[:, 18],
        current=current,
        population=_population(table[first], periods, at, declared),
        row_person=row_person,
        person_ids=person_ids,
    )


def _enrolments(month: Month, county_list: list[str]) -> np.ndarray:
    """One row per enrolment read: its columns and its person's, as integers."""
    programme_case = " ".join(f"WHEN '{code}' THEN {i}" for i, code in enumerate(PROGRAMME_CODES))
    life_case = " ".join(f"WHEN '{code}' THEN {i}" for i, code in enumerate(LIFE_CODES))
    counties_in = ", ".join(["%s"] * len(county_list))
    county_of = "SUBSTR(e.region, 1, 6)"  # a number: its digits
    columns = [
        "e.id", "e.person_id", f"CASE e.programme {programme_case} END", "e.account_id",
        ordinal_sql("e.start_month"), "CASE WHEN e.back_pay_settled THEN 1 ELSE 0 END",
        county_of, "p.category", "p.grade", ordinal_sql("p.certificate_issued_on"),
        ordinal_sql("p.certificate_expires_on"), f"CASE p.life_status {life_case} END",
        f"COALESCE({ordinal_sql('p.life_status_date')}, {FAR})",
        f"CASE WHEN e.status = 'active' THEN {FAR} ELSE {ordinal_sql('e.end_month')} END",
        f"COALESCE(ROUND(e.equivalent_allowance * 100), {NO_AMOUNT})",
        "CASE WHEN e.orphan THEN 1 ELSE 0 END",
        "CASE WHEN e.work_injury_care THEN 1 ELSE 0 END",
        f"COALESCE(e.long_term_care_months, {NOT_RECORDED})",
        ordinal_sql("e.approved_on"),
    ]  # fmt: skip
    sql = f"""
        SELECT {", ".join(f"CAST({c} AS BIGINT)" for c in columns)}
        FROM benefits_enrolment e JOIN people_person p ON p.id = e.person_id
        WHERE {ENROLMENTS_READ.format(counties=counties_in)}
        ORDER BY e.person_id, e.programme, CASE e.status WHEN 'active' THEN 0 ELSE 1 END
    """  # noqa: S608 (constants only; values are parameters)
    return columnar.read_ints(sql, [month.first, month.last, *county_list], len(columns))


def _covering(table: np.ndarray, month: Month) -> np.ndarray:
    """The enrolments that cover the month (active, or ended in it or later); the others are
    read for their back pay only. One per person and programme covers it: an enrolment
    ended during the month and a new one (enrolled again) both do; the active one pays."""
    current: np.ndarray = table[:, 13] >= month.first.toordinal()
    covering = np.flatnonzero(current)
    if len(covering) > 1:
        rows_of = table[covering]
        repeated = np.zeros(len(covering), dtype=bool)
        repeated[1:] = (rows_of[1:, 1] == rows_of[:-1, 1]) & (rows_of[1:, 2] == rows_of[:-1, 2])
        current[covering[repeated]] = False
    return current


def _person_periods(
    month: Month, county_list: list[str], person_ids: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The status periods of the persons read (of a known kind), and each one's person as an
    index into ``person_ids``."""
    periods = _periods(month, county_list) if len(person_ids) else np.zeros((0, 4), np.int64)
    periods = periods[periods[:, 1] >= 0]
    at = np.searchsorted(person_ids, periods[:, 0])
    if len(periods):
        at = np.minimum(at, len(person_ids) - 1)
        known = person_ids[at] == periods[:, 0]
        periods, at = periods[known], at[known]
    return periods, at


def _population(
    facts: np.ndarray, periods: np.ndarray, at: np.ndarray, declared: dict[str, np.ndarray]
) -> Population:
    """The persons' facts (one row of ``facts`` each) as the rules' columns."""
    kinds = np.array(KIND_CODES, dtype=str)
    life = np.array(LIFE_CODES, dtype=str)
    n = len(facts)
    return Population(
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
        **declared,
    )


def _declared(
    table: np.ndarray, current: np.ndarray, row_person: np.ndarray, n: int
) -> dict[str, np.ndarray]:
    """Per person, what their enrolments declare: the equivalent allowance of each programme
    (fen, NO_AMOUNT when none; the enrolment covering the month wins), orphans' support,
    work-injury care and long-term care with the care enrolment's approval (from the
    enrolments covering the month)."""
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
    # Work-injury care as the enrolments covering the month record it (either programme): an
    # enrolment ended before the month, read for its back pay, does not decide this month.
    work_injury = np.zeros(n, dtype=bool)
    work_injury[row_person[current & (table[:, 16] == 1)]] = True
    out["work_injury_care"] = work_injury
    # Long-term care as the care enrolment covering the month records it, with its approval.
    months = np.full(n, NOT_RECORDED, dtype=np.int64)
    approved = np.full(n, FAR, dtype=np.int64)
    care = current & (table[:, 2] == PROGRAMME_CODES.index(Programme.CARE.value))
    months[row_person[care]] = table[care, 17]
    approved[row_person[care]] = table[care, 18]
    out["long_term_care_months"] = months
    out["care_approved"] = approved
    return out


def _periods(month: Month, county_list: list[str]) -> np.ndarray:
    """The status periods overlapping ``month`` of the persons enrolled (as read selects
    them), the kind as its index in KIND_CODES."""
    counties_in = ", ".join(["%s"] * len(county_list))
    kind_case = " ".join(f"WHEN '{code}' THEN {i}" for i, code in enumerate(KIND_CODES))
    sql = f"""
        SELECT CAST(s.person_id AS BIGINT), CAST(CASE s.kind {kind_case} ELSE -1 END AS BIGINT),
               CAST({ordinal_sql("s.start")} AS BIGINT),
               CAST(COALESCE({ordinal_sql('s."end"')}, {FAR}) AS BIGINT)
        FROM people_statusperiod s
        WHERE s.start <= %s AND (s."end" IS NULL OR s."end" >= %s)
          AND s.person_id IN (
            SELECT e.person_id FROM benefits_enrolment e
            WHERE {ENROLMENTS_READ.format(counties=counties_in)}
          )
    """  # noqa: S608 (constants only)
    params = [month.last, month.first, month.first, month.last, *county_list]
    return columnar.read_ints(sql, params, 4)
