"""The subsidies' further figures: back pay, stops by the first condition not met, payments to
recover, the persons eligible and coverage; each rule on both sides of its boundary, a county
clerk's count without the other county, the records equal to the number."""

from __future__ import annotations

import datetime
import io
import json
import re
import zoneinfo
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse

from canlian.benefits import snapshots
from canlian.benefits.eligibility import Month, compute_month
from canlian.benefits.models import EligibilitySnapshot, EligibleMonth, Programme
from canlian.conftest import client_for
from canlian.payroll.models import Line, LineKind, Recovery, RecoveryStatus
from canlian.people import versions
from canlian.people.models import LifeStatus, Person, StatusKind, StatusPeriod
from canlian.stats import catalogue, views
from canlian.stats.catalogue import Query
from canlian.stats.tests.helpers import roll
from canlian.stats.tests.test_records import ROW
from canlian.stats.tests.test_views import links, text

pytestmark = pytest.mark.django_db

D = datetime.date
# The period covers a day of June and of July 2025: their rolls count, May's and August's not.
START, END = D(2025, 6, 15), D(2025, 7, 10)
MAY, JUNE, JULY, AUGUST = (D(2025, m, 1) for m in (5, 6, 7, 8))
WEN, MENG = "410825", "410883"
CARE, LIVING = Programme.CARE.value, Programme.LIVING.value


def compute(figure_id: str, region: str = "4108", by: tuple[str, ...] = (), **cell: Any) -> Any:
    query = Query(region=region, start=START, end=END, by=by, cell=cell)
    return catalogue.compute(catalogue.figure(figure_id), query)


def listed(figure_id: str, region: str = "4108", **cell: Any) -> set[Any]:
    records = catalogue.figure(figure_id).records
    assert records is not None
    query = Query(region=region, start=START, end=END, cell=cell)
    return set(records(query).values_list("pk", flat=True))


def keyed(result: Any, dimension: str) -> dict[Any, Any]:
    return {row[dimension]: row[result.figure.key] for row in result.rows}


@pytest.fixture
def persons(make_person: Any) -> dict[str, Person]:
    return {
        "a": make_person(),
        "b": make_person(),
        "meng": make_person(place_code="410883001001"),
    }


# --- Back pay ------------------------------------------------------------------------------------


def test_back_pay_counts_back_pay_lines_of_approved_rolls_of_the_months(
    persons: dict[str, Person],
) -> None:
    a, b, meng = persons["a"], persons["b"], persons["meng"]
    back, regular = LineKind.BACK_PAY, LineKind.REGULAR
    june = roll(WEN, JUNE, [(a, back, Decimal("60.00")), (b, regular, Decimal("60.00"))])
    roll(WEN, JULY, [(b, back, Decimal("120.00"))])
    roll(WEN, MAY, [(a, back, Decimal("7.00"))], programme=LIVING)
    roll(WEN, AUGUST, [(b, back, Decimal("8.00"))], programme=LIVING)
    roll(MENG, JUNE, [(meng, back, Decimal("30.00"))])
    roll(MENG, JULY, [(meng, back, Decimal("9.00"))], approved=False)

    assert compute("subsidies.back_pay_persons").total == 3
    assert listed("subsidies.back_pay_persons") == {a.pk, b.pk, meng.pk}
    amount = compute("subsidies.back_pay_amount")
    assert amount.total == Decimal("210.00")
    assert keyed(compute("subsidies.back_pay_amount", by=("month",)), "month") == {
        "2025-06": Decimal("90.00"),
        "2025-07": Decimal("120.00"),
    }
    # The amount's records are the lines behind it.
    assert listed("subsidies.back_pay_amount", county=WEN, month="2025-06") == {
        line.pk for line in june.lines.filter(kind=back)
    }
    assert compute("subsidies.back_pay_amount", region=WEN).total == Decimal("180.00")
    assert compute("subsidies.back_pay_persons", region=MENG).total == 1


def test_back_pay_persons_count_a_person_once_over_the_months(persons: dict[str, Person]) -> None:
    """Counted once in the period; once a month by month: the total is not their sum."""
    a = persons["a"]
    roll(WEN, JUNE, [(a, LineKind.BACK_PAY, Decimal("60.00"))])
    roll(WEN, JULY, [(a, LineKind.BACK_PAY, Decimal("60.00"))])
    by_month = compute("subsidies.back_pay_persons", by=("month",))
    assert keyed(by_month, "month") == {"2025-06": 1, "2025-07": 1}
    assert by_month.total == 1 == len(listed("subsidies.back_pay_persons"))


def test_persons_paid_count_a_person_paid_both_subsidies_once(persons: dict[str, Person]) -> None:
    """By subsidy a person paid both is in both rows; in the total, and its records, once."""
    a = persons["a"]
    roll(WEN, JUNE, [(a, LineKind.REGULAR, Decimal("60.00"))])
    roll(WEN, JUNE, [(a, LineKind.REGULAR, Decimal("90.00"))], programme=LIVING)
    by_programme = compute("subsidies.persons_paid", by=("programme",))
    assert keyed(by_programme, "programme") == {CARE: 1, LIVING: 1}
    assert by_programme.total == 1 == len(listed("subsidies.persons_paid"))


# --- Stops ---------------------------------------------------------------------------------------


def test_stops_count_each_roll_by_the_first_condition_not_met(persons: dict[str, Person]) -> None:
    a, b, meng = persons["a"], persons["b"], persons["meng"]
    june = roll(WEN, JUNE, [], stops=[(a, ["alive", "resident"]), (b, [])])
    july = roll(WEN, JULY, [], stops=[(a, ["certified", "alive"])])
    roll(WEN, MAY, [], stops=[(b, ["alive"])], programme=LIVING)
    roll(WEN, AUGUST, [], stops=[(b, ["alive"])], programme=LIVING)
    roll(MENG, JUNE, [], stops=[(meng, ["resident"])])
    roll(MENG, JULY, [], stops=[(meng, ["alive"])], approved=False)

    result = compute("subsidies.stops", by=("stop_reason",))
    assert keyed(result, "stop_reason") == {
        "alive": 1,
        "no_amount": 1,
        "certified": 1,
        "resident": 1,
    }
    assert result.total == 4
    assert listed("subsidies.stops", stop_reason="alive") == {june.stops.get(person=a).pk}
    assert listed("subsidies.stops", month="2025-07") == {july.stops.get().pk}
    assert compute("subsidies.stops", region=WEN).total == 3
    # Rolls are kept per county: a township counts no stop.
    assert compute("subsidies.stops", region="410825001").total == 0


# --- Recoveries ----------------------------------------------------------------------------------


def test_recoveries_count_the_items_found_on_a_local_day_of_the_period(
    persons: dict[str, Person],
) -> None:
    a, b, meng = persons["a"], persons["b"], persons["meng"]
    regular = LineKind.REGULAR
    paid = roll(WEN, MAY, [(a, regular, Decimal("60.00")), (b, regular, Decimal("50.00"))])
    paid_meng = roll(MENG, MAY, [(meng, regular, Decimal("40.00"))])
    shanghai = zoneinfo.ZoneInfo("Asia/Shanghai")

    def recovery(line: Line, at: datetime.datetime, **values: Any) -> Recovery:
        made = Recovery.objects.create(line=line, reason="死亡后发放", **values)
        Recovery.objects.filter(pk=made.pk).update(created_at=at)
        return made

    first_minute = recovery(
        paid.lines.get(person=a), datetime.datetime(2025, 6, 15, 0, 1, tzinfo=shanghai)
    )
    recovery(paid.lines.get(person=b), datetime.datetime(2025, 6, 14, 23, 59, tzinfo=shanghai))
    written_off = recovery(
        paid_meng.lines.get(),
        datetime.datetime(2025, 7, 10, 23, 59, tzinfo=shanghai),
        status=RecoveryStatus.WAIVED,
    )
    assert listed("subsidies.recoveries") == {first_minute.pk, written_off.pk}
    assert keyed(compute("subsidies.recoveries", by=("recovery_status",)), "recovery_status") == {
        RecoveryStatus.OPEN: 1,
        RecoveryStatus.WAIVED: 1,
    }
    assert compute("subsidies.recovery_amount").total == Decimal("100.00")
    assert compute("subsidies.recovery_amount", region=WEN).total == Decimal("60.00")
    assert compute("subsidies.recoveries", region="410825001").total == 0


# --- Eligible and coverage -----------------------------------------------------------------------


def died(person: Person, on: datetime.date) -> None:
    Person.objects.filter(pk=person.pk).update(life_status=LifeStatus.DECEASED,
                                               life_status_date=on)  # fmt: skip
    versions.sync([person.pk], D(2025, 9, 1))


@pytest.fixture
def eligible(make_person: Any) -> dict[str, Person]:
    """Grade 2 holders qualify for the care subsidy (the city's 60 yuan); grade 4 physical
    does not; dibao brings the living subsidy."""
    made = {
        "care": make_person(grade=2),
        "not_severe": make_person(grade=4),
        "died_before_june": make_person(grade=1),
        "died_on_june_1": make_person(grade=1),
        "died_on_july_1": make_person(grade=1),
        "both": make_person(grade=2),
        "meng": make_person(grade=2, place_code="410883001001"),
    }
    died(made["died_before_june"], D(2025, 5, 31))
    died(made["died_on_june_1"], JUNE)
    died(made["died_on_july_1"], JULY)
    StatusPeriod.objects.create(person=made["both"], kind=StatusKind.DIBAO, start=D(2025, 7, 1))
    return made


def test_eligible_persons_are_those_the_subsidy_rules_find(eligible: dict[str, Person]) -> None:
    e = eligible
    by_month = compute("subsidies.eligible", by=("programme", "month"))
    rows = {(r["programme"], r["month"]): r["persons"] for r in by_month.rows}
    # Alive on the first day of the month: dying on 1 June keeps June, not July.
    assert rows == {(CARE, "2025-06"): 5, (CARE, "2025-07"): 4, (LIVING, "2025-07"): 1}
    assert listed("subsidies.eligible", programme=CARE, month="2025-07") == {
        e["care"].pk, e["both"].pk, e["meng"].pk, e["died_on_july_1"].pk,
    }  # fmt: skip
    assert listed("subsidies.eligible", programme=LIVING) == {e["both"].pk}
    # Each person once over the period, whatever the months and subsidies: a table's totals
    # are counted again, never added up (July's rows add up to 5 for 4 persons).
    assert by_month.total == 5 == len(listed("subsidies.eligible"))
    assert catalogue.subtotal(by_month, {"month": "2025-07"}) == 4
    assert len(listed("subsidies.eligible", month="2025-07")) == 4
    assert catalogue.subtotal(by_month, {"programme": CARE}) == 5
    # The same pass as `canlian subsidy compute`.
    june = compute_month(Month(2025, 6), region_prefix="4108")
    assert june.programmes[CARE].count == rows[(CARE, "2025-06")]
    assert compute("subsidies.eligible", region=MENG).total == 1


def test_coverage_divides_the_persons_paid_by_the_persons_eligible(
    eligible: dict[str, Person],
) -> None:
    e, regular = eligible, LineKind.REGULAR
    roll(WEN, JUNE, [(e["care"], regular, Decimal("60.00")), (e["both"], regular, Decimal("60"))])
    roll(MENG, JUNE, [(e["meng"], regular, Decimal("60.00"))])
    query = Query(region="4108", start=JUNE, end=D(2025, 6, 30), by=("county", "programme"))
    result = catalogue.compute(catalogue.figure("subsidies.coverage"), query)
    rows = {(r["county"], r["programme"]): r for r in result.rows}
    # 温县: 2 paid of 4 eligible in June (the one who died on 1 June is eligible, unpaid).
    assert rows[(WEN, CARE)]["value"] == Decimal("0.5000")
    assert (rows[(WEN, CARE)]["numerator"], rows[(WEN, CARE)]["denominator"]) == (2, 4)
    assert rows[(MENG, CARE)]["value"] == Decimal("1.0000")
    # The total: 3 paid of 5 eligible, not the sum of the ratios.
    assert result.total == Decimal("0.6000")
    # The command prints the ratio with four places, its numerator and its denominator.
    out = io.StringIO()
    call_command("stats", "figure", "subsidies.coverage", "--from", "2025-06-01", "--to",
                 "2025-06-30", "--by", "county", stdout=out)  # fmt: skip
    printed = json.loads(out.getvalue())
    assert printed["rows"] == [
        {"county": WEN, "value": "0.5000", "numerator": 2, "denominator": 4},
        {"county": MENG, "value": "1.0000", "numerator": 1, "denominator": 1},
    ]
    assert printed["total"] == "0.6000"
    # A county clerk's coverage is their county's.
    clerk = Query(region=WEN, start=JUNE, end=D(2025, 6, 30))
    assert catalogue.compute(catalogue.figure("subsidies.coverage"), clerk).total == Decimal(
        "0.5000"
    )


def test_coverage_has_no_value_where_nobody_is_eligible(persons: dict[str, Person]) -> None:
    """Paid but not eligible by the registry (grade 2 only from a later change): a paid
    person over nobody eligible is no ratio, not a division by zero."""
    Person.objects.filter(pk=persons["a"].pk).update(grade=4)
    roll(WEN, JUNE, [(persons["a"], LineKind.REGULAR, Decimal("60.00"))])
    for other in ("b", "meng"):
        Person.objects.filter(pk=persons[other].pk).update(grade=4)
    query = Query(region=WEN, start=JUNE, end=D(2025, 6, 30), by=("programme",))
    result = catalogue.compute(catalogue.figure("subsidies.coverage"), query)
    assert result.rows == [{"programme": CARE, "value": None, "numerator": 1, "denominator": 0}]
    assert result.total is None
    assert result.as_json()["total"] is None


# --- Eligibility snapshots -----------------------------------------------------------------------


def eligible_answers() -> tuple[Any, ...]:
    by_month = compute("subsidies.eligible", by=("county", "programme", "month"))
    return (
        sorted(by_month.rows, key=lambda r: (r["county"], r["programme"], r["month"])),
        by_month.total,
        listed("subsidies.eligible"),
        listed("subsidies.eligible", programme=CARE, month="2025-07"),
        listed("subsidies.eligible", county=WEN),
        compute("subsidies.eligible", region=MENG).total,
    )


def test_snapshots_give_the_answers_deciding_each_month_gives(
    eligible: dict[str, Person],
) -> None:
    live = eligible_answers()
    snapshots.take(Month(2025, 6))  # June kept, July decided when asked
    assert eligible_answers() == live
    snapshots.take(Month(2025, 7))
    assert EligibleMonth.objects.filter(month=JULY).count() == 5  # 4 care, 1 living
    assert eligible_answers() == live
    # Taken again: replaced, not added to.
    snapshots.take(Month(2025, 7))
    assert EligibleMonth.objects.filter(month=JULY).count() == 5
    assert eligible_answers() == live


def test_a_snapshot_keeps_the_month_as_it_was_decided(eligible: dict[str, Person]) -> None:
    e = eligible
    snapshots.take(Month(2025, 6))
    snapshots.take(Month(2025, 7))
    # Later the care recipient moves to 孟州 and the registry changes their grade: the months
    # already decided keep them, in the county they lived in then.
    Person.objects.filter(pk=e["care"].pk).update(place_id="410883001001", grade=4)
    assert e["care"].pk in listed("subsidies.eligible", county=WEN, month="2025-06")
    assert e["care"].pk not in listed("subsidies.eligible", county=MENG)
    rows = keyed(compute("subsidies.eligible", by=("county",)), "county")
    assert rows == {WEN: 4, MENG: 1}
    # Deciding June again now takes the registry as it stands.
    snapshots.take(Month(2025, 6))
    assert e["care"].pk not in listed("subsidies.eligible", month="2025-06")


def test_a_townships_kept_months_add_up_to_its_county(eligible: dict[str, Person]) -> None:
    """A township counts the persons whose household was in it when the month was kept: one
    who moves to another township of the county later stays counted in the first, so the
    townships add up to the county (by today's township they would not)."""
    e = eligible
    snapshots.take(Month(2025, 6))
    snapshots.take(Month(2025, 7))
    Person.objects.filter(pk=e["care"].pk).update(place_id="410825002000")
    first, second = "410825001", "410825002"
    assert e["care"].pk in listed("subsidies.eligible", region=first)
    assert e["care"].pk not in listed("subsidies.eligible", region=second)
    townships = [compute("subsidies.eligible", region=t).total for t in (first, second)]
    assert sum(townships) == compute("subsidies.eligible", region=WEN).total == 4


def test_the_snapshot_command_takes_each_month_and_refuses_bad_months(
    eligible: dict[str, Person], capsys: Any
) -> None:
    call_command("subsidy", "snapshot", "--month", "2025-06", "--through", "2025-07")
    printed = json.loads(capsys.readouterr().out)["snapshots"]
    assert [(s["month"], s["eligible"]) for s in printed] == [
        ("2025-06", {LIVING: 0, CARE: 5}),
        ("2025-07", {LIVING: 1, CARE: 4}),
    ]
    assert EligibilitySnapshot.objects.count() == 2
    assert EligibleMonth.objects.count() == 10
    for args, message in (
        (("--month", "2025-07", "--through", "2025-06"), "截止月份不能早于起始月份"),
        (("--month", "2099-01"), "本月以后的月份尚不能测算"),
        (("--month", "2025-13"), ""),
    ):
        with pytest.raises(SystemExit) as stopped:
            call_command("subsidy", "snapshot", *args)
        assert stopped.value.code == 2
        assert message in capsys.readouterr().err
    assert EligibilitySnapshot.objects.count() == 2


# --- Months without a snapshot on a page ---------------------------------------------------------


def test_a_page_decides_months_without_a_snapshot_only_in_few_passes(
    eligible: dict[str, Person], city_staff: Any
) -> None:
    """By month, two months undecided are four passes over the registry (the cells, the
    total counted again): refused, naming the months; with one of them kept, two passes: the
    page counts; the command line decides both."""
    client = client_for(city_staff)
    url = reverse("stats:figure", args=["subsidies.eligible"])
    period = {"start": "2025-06-01", "end": "2025-07-31", "by": ["month"]}
    refused = text(client.get(url, period))
    assert "2025-06、2025-07" in refused and "测算存档" in refused
    assert not links(client.get(url, period), "subsidies.eligible")
    # A list decides each month once: three months are three passes, too many.
    quarter = {"start": "2025-06-01", "end": "2025-08-31"}
    records = client.get(reverse("stats:records", args=["subsidies.eligible"]), quarter)
    assert records.status_code == 400 and "测算存档" in text(records)
    snapshots.take(Month(2025, 6))
    counted = links(client.get(url, period), "subsidies.eligible")
    assert dict((h.rsplit("month=", 1)[-1], n) for h, n in counted if "month=" in h) == {
        "2025-06": "5",
        "2025-07": "4",
    }
    EligibilitySnapshot.objects.all().delete()
    out = io.StringIO()
    call_command("stats", "figure", "subsidies.eligible", "--from", "2025-06-01", "--to",
                 "2025-07-31", "--by", "month", stdout=out)  # fmt: skip
    assert json.loads(out.getvalue())["total"] == 5


def test_each_months_list_has_its_number_kept_or_decided(
    eligible: dict[str, Person], city_staff: Any, monkeypatch: Any
) -> None:
    """June kept, then the care recipient moves to 孟州; July decided when asked: every cell
    of county by month leads to a list of as many persons, in the county each month counted
    them in."""
    # A table by county and month decides an undecided month four times (cells, each
    # breakdown's totals, the grand total): allowed here, the lists are what is tested.
    monkeypatch.setattr(views, "UNKEPT_PASSES", 4)
    snapshots.take(Month(2025, 6))
    Person.objects.filter(pk=eligible["care"].pk).update(place_id="410883001001")
    client = client_for(city_staff)
    page = client.get(
        reverse("stats:figure", args=["subsidies.eligible"]),
        {"start": "2025-06-01", "end": "2025-07-31", "by": ["county", "month"]},
    )
    found = links(page, "subsidies.eligible")
    cells = {
        (re.search(r"county=(\d+)", h)[1], re.search(r"month=([\d-]+)", h)[1]): int(n)  # type: ignore[index]
        for h, n in found
        if "county=" in h and "month=" in h
    }
    # June counts the care recipient in 温县 (kept), July in 孟州 (today's place).
    assert cells == {(WEN, "2025-06"): 4, (MENG, "2025-06"): 1, (WEN, "2025-07"): 2,
                     (MENG, "2025-07"): 2}  # fmt: skip
    for href, number in found:
        listed_page = client.get(href).content.decode()
        assert len(ROW.findall(listed_page)) == int(number), href
