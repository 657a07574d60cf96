"""Publicity of the proposed subsidy recipients in their village (村内公示), where the county
requires it: ``benefits.publicity.required`` and ``benefits.publicity.days`` (dated
parameters, looked up for the application's place on the **date of application**: the
approver picks the approval's date, and a rule looked up on it could be dodged by dating the
approval before a county's rule begins; the date of application is fixed at the window).

Where required, approval needs the publicity recorded on the application (its first and last
day, and whether objections were received), lasting at least the days required (calendar
days, both ends included), and is taken only after its last day. Objections received call for
the approver's reason, saying how they were settled. Publicity required with no number of
days in force is a gap in the rules: approval is refused, saying so, rather than read as 0 days.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections import defaultdict

from django.utils.translation import gettext as _

from canlian.benefits.eligibility.rules import load_parameters
from canlian.benefits.models import SubsidyApplication

__all__ = ["DAYS", "REQUIRED", "Rule", "longest", "problems", "rule_for", "rule_of"]

REQUIRED = "benefits.publicity.required"
DAYS = "benefits.publicity.days"
# How much longer than the days required a recorded publicity may last (an extension).
EXTENSION_DAYS = 60


@dataclasses.dataclass(frozen=True)
class Rule:
    required: bool
    days: int | None  # None when no figure is in force


def longest(rule: Rule) -> int:
    """The most calendar days (both ends included) a recorded publicity may last: the days
    required and an extension's margin, so that a mistyped year cannot be recorded."""
    return (rule.days or 0) + EXTENSION_DAYS


def rule_of(application: SubsidyApplication) -> Rule:
    """The publicity rule of ``application``: its place's, on its date of application."""
    return rule_for(application.region, application.applied_on)


def rule_for(region: str, on: datetime.date) -> Rule:
    """The publicity rule in force for ``region`` (a place code) on ``on``."""
    parameters = load_parameters()
    required = parameters.value(REQUIRED, on=on, region=region[:6])
    days = parameters.value(DAYS, on=on, region=region[:6])
    return Rule(
        required=required is not None and required.value is True,
        days=None if days is None else int(days.value),
    )


def problems(
    rule: Rule,
    *,
    start: datetime.date | None,
    end: datetime.date | None,
    objections: bool | None,
    acted_on: datetime.date,
    reason: str,
) -> dict[str, list[str]]:
    """What keeps an approval on ``acted_on`` back under ``rule``, by field; empty when none."""
    errors: dict[str, list[str]] = defaultdict(list)
    if not rule.required:
        return errors
    if rule.days is None:
        errors["publicity"].append(
            _(
                "The county requires the recipients to be posted in the village but sets no "
                "number of days for it: approval waits until the rules set one."
            )
        )
        return errors
    if start is None or end is None:
        errors["publicity"].append(
            _(
                "The county requires the recipients to be posted in the village before "
                "approval: record the publicity first."
            )
        )
        return errors
    lasted = (end - start).days + 1
    if lasted < rule.days:
        errors["publicity"].append(
            _("The publicity lasted %(lasted)s days; the county requires %(days)s.")
            % {"lasted": lasted, "days": rule.days}
        )
    if acted_on <= end:
        errors["acted_on"].append(
            _("The publicity ends on %(end)s: the application is approved from the day after.")
            % {"end": end.isoformat()}
        )
    if objections and not reason.strip():
        errors["reason"].append(
            _("Objections were received during the publicity: say how they were settled.")
        )
    return errors
