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

The stages, one module each: ``reading`` (the enrolments and facts as columns), ``generation``
(the rolls of a month, their regular lines and stops), ``backpay``, ``lines`` (writing lines),
``approval`` (approve, discard, adjust) and ``recoveries``.
"""

from canlian.payroll.rolls.approval import (
    add_adjustment,
    adjustment_problems,
    approve,
    discard,
    refusal,
)
from canlian.payroll.rolls.generation import Generated, counties, counties_for, generate
from canlian.payroll.rolls.recoveries import find_recoveries, resolve_recovery

__all__ = [
    "Generated",
    "add_adjustment",
    "adjustment_problems",
    "approve",
    "counties",
    "counties_for",
    "discard",
    "find_recoveries",
    "generate",
    "refusal",
    "resolve_recovery",
]
