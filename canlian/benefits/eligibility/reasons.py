"""The conditions' names and their reasons in words, for one person's explanation."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _

from canlian.benefits.eligibility.facts import Facts, yuan
from canlian.benefits.eligibility.months import Month
from canlian.benefits.eligibility.rules import Rules, count, flag
from canlian.benefits.models import Programme
from canlian.lib import money
from canlian.people.models import Category, LifeStatus, StatusKind

__all__ = ["NAMES", "REASONS", "Reason"]

NAMES: dict[str, Callable[[], str]] = {
    "in_force": lambda: _("An amount is in force for the place"),
    "certified": lambda: _("Certified, the certificate valid in the month"),
    "alive": lambda: _("Alive in the month"),
    "resident": lambda: _("Household registered in the jurisdiction"),
    "low_income": lambda: _("Dibao in the month, or an extension in force here"),
    "severe": lambda: _("Grade and category"),
    "long_term_care": lambda: _("Needs long-term care"),
    "not_tekun": lambda: _("Not in extreme-poverty support (tekun)"),
    "not_work_injury_care": lambda: _("Not receiving work-injury care allowance"),
    "not_orphan": lambda: _("Not receiving orphans' basic living support"),
    "no_higher_equivalent": lambda: _("No equivalent allowance as high as this subsidy"),
}

Reason = Callable[[Facts, Month, Rules, str, bool, int], str]


def _held(facts: Facts, kind: str, month: Month) -> bool:
    return any(
        p.kind == kind and p.start <= month.last and (p.end is None or p.end >= month.first)
        for p in facts.periods
    )


def _poor(facts: Facts, month: Month, rules: Rules) -> bool:
    """Registered poor in the month as the rules read it: 建档立卡, or from 2021 脱贫人口 and
    监测对象 where the place counts them (benefits.poor.*)."""
    return (
        _held(facts, StatusKind.REGISTERED_POOR, month)
        or (
            _held(facts, StatusKind.POVERTY_ALLEVIATED, month)
            and flag(rules.poor_counts_alleviated)
        )
        or (_held(facts, StatusKind.MONITORED, month) and flag(rules.poor_counts_monitored))
    )


def _status_date(facts: Facts) -> str:
    return facts.life_status_date.isoformat() if facts.life_status_date else ""


def _reason_in_force(f: Facts, m: Month, r: Rules, programme: str, ok: bool, fen: int) -> str:
    if ok:
        return _("%(amount)s yuan a month applies here.") % {"amount": money.figures(yuan(fen))}
    return _("No amount of this subsidy is in force for this place in the month.")


def _reason_certified(f: Facts, m: Month, r: Rules, programme: str, ok: bool, fen: int) -> str:
    dates = {
        "issued": f.certificate_issued_on.isoformat(),
        "expires": f.certificate_expires_on.isoformat(),
        "date": _status_date(f),
    }
    cancelled = f.life_status == LifeStatus.CANCELLED
    if f.certificate_issued_on > m.last:
        return _("The certificate was issued on %(issued)s, after the month.") % dates
    if f.certificate_expires_on < m.first:
        return _("The certificate expired on %(expires)s, before the month.") % dates
    if cancelled and not ok:
        return _("The certificate was cancelled on %(date)s, before the month.") % dates
    if cancelled:
        return (
            _(
                "The certificate was cancelled on %(date)s, in the month: "
                "paid for this month, stopped from the next."
            )
            % dates
        )
    return _("The certificate was issued on %(issued)s and is valid until %(expires)s.") % dates


def _reason_alive(f: Facts, m: Month, r: Rules, programme: str, ok: bool, fen: int) -> str:
    if f.life_status != LifeStatus.DECEASED:
        return _("Alive.")
    if ok:
        return _("Died on %(date)s, in the month: paid for this month, stopped from the next.") % {
            "date": _status_date(f)
        }
    return _("Died on %(date)s, before the month.") % {"date": _status_date(f)}


def _reason_resident(f: Facts, m: Month, r: Rules, programme: str, ok: bool, fen: int) -> str:
    if f.life_status != LifeStatus.MOVED_OUT:
        return _("Household registered in %(place)s.") % {"place": f.place_name or f.region}
    if ok:
        return _(
            "Moved out on %(date)s, in the month: paid for this month, stopped from the next."
        ) % {"date": _status_date(f)}
    return _("Moved out of the jurisdiction on %(date)s, before the month.") % {
        "date": _status_date(f)
    }


def _reason_low_income(f: Facts, m: Month, r: Rules, programme: str, ok: bool, fen: int) -> str:
    edge, poor = _held(f, StatusKind.DIBAO_EDGE, m), _poor(f, m, r)
    if _held(f, StatusKind.DIBAO, m):
        return _("Receives dibao in the month.")
    if edge and flag(r.living_dibao_edge):
        return _("Near dibao in the month, and the living subsidy is extended to it here.")
    if poor and flag(r.living_registered_poor):
        return _(
            "Registered poor in the month, and the living subsidy is extended here "
            "to every registered-poor disabled person."
        )
    if edge:
        return _(
            "No dibao in the month: near dibao, but the living subsidy is not extended to it here."
        )
    if poor:
        return _(
            "No dibao in the month: registered poor, but the living subsidy "
            "is not extended to it here."
        )
    return _(
        "No dibao in the month: the living subsidy is for disabled persons in dibao households."
    )


def _reason_severe(f: Facts, m: Month, r: Rules, programme: str, ok: bool, fen: int) -> str:
    words = {"grade": f.grade, "category": str(Category(f.category).label)}
    if f.grade <= 2:
        return _("Grade %(grade)s: the care subsidy covers grades 1–2.") % words
    intellectual_or_mental = f.category in (Category.INTELLECTUAL, Category.MENTAL)
    if intellectual_or_mental and flag(r.care_grades_3_4):
        return (
            _(
                "Grade %(grade)s, %(category)s: the care subsidy is extended here "
                "to grades 3–4 intellectual and mental disability."
            )
            % words
        )
    if _poor(f, m, r) and flag(r.care_registered_poor):
        return (
            _(
                "Grade %(grade)s, registered poor in the month: the care subsidy is extended "
                "here to every registered-poor disabled person, whatever the grade."
            )
            % words
        )
    return _("Grade %(grade)s, %(category)s: the care subsidy here needs grade 1–2.") % words


def _reason_long_term(f: Facts, m: Month, r: Rules, programme: str, ok: bool, fen: int) -> str:
    months, needed = f.long_term_care_months, count(r.long_term_care_months)
    words = {"months": months, "needed": needed}
    if f.grade > 2 and not flag(r.extensions_need_long_term_care):
        return _("Grade %(grade)s: long-term care is not asked of the extensions here.") % {
            "grade": f.grade
        }
    if needed < 0:
        return _("No duration of long-term care is in force here.")
    if months is None and f.care_approved_on is None:
        return _(
            "No care subsidy applied for yet: how long the need for care lasts is recorded "
            "at the window."
        )
    if months is None and ok:
        return _(
            "Long-term care was never recorded: an enrolment approved before the rule "
            "(in force from %(date)s) is not held back."
        ) % {"date": r.long_term_care_from.isoformat() if r.long_term_care_from else ""}
    if months is None:
        return (
            _(
                "Long-term care is not recorded: record how many months the need for care "
                "lasts (at least %(needed)s for the care subsidy)."
            )
            % words
        )
    if ok:
        return (
            _("Needs care for %(months)s months: at least the %(needed)s months of long-term care.")
            % words
        )
    return (
        _(
            "Needs care for %(months)s months: long-term care means at least %(needed)s months, "
            "so no care subsidy."
        )
        % words
    )


def _reason_not_tekun(f: Facts, m: Month, r: Rules, programme: str, ok: bool, fen: int) -> str:
    if not ok:
        return _(
            "In extreme-poverty support (tekun) for the whole month, "
            "which excludes this subsidy here."
        )
    if _held(f, StatusKind.TEKUN, m) and not flag(r.excluded_tekun(programme)):
        return _("In extreme-poverty support (tekun), which does not exclude this subsidy here.")
    if _held(f, StatusKind.TEKUN, m):
        return _(
            "In extreme-poverty support (tekun) for part of the month only: paid for this month."
        )
    return _("Not in extreme-poverty support (tekun).")


def _reason_work_injury(f: Facts, m: Month, r: Rules, programme: str, ok: bool, fen: int) -> str:
    if not f.work_injury_care:
        return _("No work-injury care allowance recorded.")
    if not ok:
        return _(
            "Receives work-injury care allowance: here its recipients receive neither subsidy."
        )
    return _(
        "Receives work-injury care allowance, which does not exclude the subsidies here: "
        "its amount counts as an equivalent allowance, the higher one being kept."
    )


def _reason_not_orphan(f: Facts, m: Month, r: Rules, programme: str, ok: bool, fen: int) -> str:
    if ok:
        return _("Not receiving orphans' basic living support.")
    return _("Receives orphans' basic living support: the care subsidy only, not this one.")


def _reason_equivalent(f: Facts, m: Month, r: Rules, programme: str, ok: bool, fen: int) -> str:
    equivalent = f.equivalent_living if programme == Programme.LIVING else f.equivalent_care
    if equivalent is None:
        return _("No equivalent allowance recorded.")
    words = {"equivalent": f"{equivalent:,.2f}", "amount": money.figures(yuan(max(fen, 0)))}
    if ok:
        return (
            _(
                "The equivalent allowance of %(equivalent)s yuan is lower than this subsidy "
                "(%(amount)s yuan): the higher one, this subsidy, applies."
            )
            % words
        )
    return (
        _(
            "Receives an equivalent allowance of %(equivalent)s yuan, at least this subsidy "
            "(%(amount)s yuan): the higher one is kept, not both."
        )
        % words
    )


REASONS: dict[str, Reason] = {
    "in_force": _reason_in_force,
    "certified": _reason_certified,
    "alive": _reason_alive,
    "resident": _reason_resident,
    "low_income": _reason_low_income,
    "severe": _reason_severe,
    "long_term_care": _reason_long_term,
    "not_tekun": _reason_not_tekun,
    "not_work_injury_care": _reason_work_injury,
    "not_orphan": _reason_not_orphan,
    "no_higher_equivalent": _reason_equivalent,
}
