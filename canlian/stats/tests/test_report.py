"""The report over a period: each value is the figure's own computation for the period, each
year and the previous period; the change; a county's report counts its county only;
publication hides small counts and their complements; the .xlsx holds the same numbers as
numbers; the PDF prints the period; the page's form reports every problem at once."""

from __future__ import annotations

import datetime
import io
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils.html import escape
from pypdf import PdfReader

from canlian.benefits import snapshots
from canlian.benefits.eligibility import Month
from canlian.certificates.models import CancelReason, CertificateStatus, Issue
from canlian.conftest import client_for
from canlian.payroll.models import LineKind
from canlian.people import versions
from canlian.people.models import LifeStatus, Person
from canlian.spreadsheets.reading import open_table
from canlian.stats import catalogue, report, report_files
from canlian.stats.catalogue import AS_OF, Query
from canlian.stats.report import Line, Period, Value
from canlian.stats.tests.helpers import certificate, roll

pytestmark = pytest.mark.django_db

D = datetime.date
START, END = D(2021, 1, 1), D(2025, 12, 31)
MENG = "410883001001"
# Certificates issued on a first application, 温县's by year, and 孟州市's.
ISSUED_WEN = {2019: 4, 2021: 6, 2022: 2, 2023: 7, 2024: 9, 2025: 8}
ISSUED_MENG = {2023: 1}


@pytest.fixture
def registry(make_person: Any) -> dict[str, Person]:
    """Four holders, one of whom died in 2023, one in 孟州市; certificates issued in
    different years (one cancelled on the death)."""
    made = {
        "steady": make_person(certificate_issued_on=D(2019, 3, 1)),
        "late": make_person(certificate_issued_on=D(2022, 5, 1)),
        "dead": make_person(certificate_issued_on=D(2019, 3, 1)),
        "meng": make_person(certificate_issued_on=D(2019, 3, 1), place_code=MENG),
    }
    dead = made["dead"]
    Person.objects.filter(pk=dead.pk).update(
        life_status=LifeStatus.DECEASED, life_status_date=D(2023, 6, 30)
    )
    versions.sync([dead.pk], D(2023, 7, 2))
    certificate(dead, D(2019, 3, 1), Issue.FIRST, status=CertificateStatus.CANCELLED,
                ended_on=D(2023, 6, 30), cancel_reason=CancelReason.DEATH)  # fmt: skip
    for person, issued in ((made["steady"], ISSUED_WEN), (made["meng"], ISSUED_MENG)):
        for year, count in issued.items():
            for number in range(count):
                certificate(person, D(year, 4, 1 + number), Issue.FIRST)
    return made


def lines(built: report.Report) -> dict[str, report.Line]:
    return {line.figure.id: line for section in built.sections for line in section.lines}


def own(figure_id: str, period: Period, region: str = "4108") -> Any:
    figure = catalogue.figure(figure_id)
    if figure.timing == AS_OF:
        query = Query(region=region, as_of=period.end)
    else:
        query = Query(region=region, start=period.start, end=period.end)
    return catalogue.compute(figure, query).total


def test_the_period_before_and_the_years() -> None:
    five = Period(START, END)
    assert report.previous_period(five) == Period(D(2016, 1, 1), D(2020, 12, 31))
    assert report.previous_period(Period(D(2025, 3, 10), D(2025, 3, 19))) == Period(
        D(2025, 2, 28), D(2025, 3, 9)
    )
    assert report.previous_period(Period(D(2025, 3, 1), D(2025, 4, 30))) == Period(
        D(2025, 1, 1), D(2025, 2, 28)
    )
    assert report.years_of(Period(D(2024, 7, 1), D(2026, 2, 1))) == [
        Period(D(2024, 7, 1), D(2024, 12, 31)),
        Period(D(2025, 1, 1), D(2025, 12, 31)),
        Period(D(2026, 1, 1), D(2026, 2, 1)),
    ]
    assert report.default_period(D(2026, 12, 7)) == five


def test_each_value_is_the_figures_own_computation(
    registry: dict[str, Person], city_staff: Any
) -> None:
    built = report.build(city_staff, START, END, slow=True)
    found = lines(built)
    assert set(found) == {f.id for f in catalogue.visible(city_staff)}
    assert not built.left_out
    for figure_id, line in found.items():
        for year, value in zip(built.years, line.years, strict=True):
            assert value.value == own(figure_id, year), (figure_id, year)
        assert line.period.value == own(figure_id, built.period), figure_id
        assert line.previous.value == own(figure_id, built.previous), figure_id
    # The crafted data as the figures count it: the one who died in 2023 counts until 2022.
    certified = found["persons.certified"]
    assert [v.value for v in certified.years] == [3, 4, 3, 3, 3]
    assert certified.period.value == 3 and certified.previous.value == 3
    issued = found["certificates.issued_first"]
    assert [v.value for v in issued.years] == [6, 2, 8, 9, 8]
    assert found["certificates.cancelled"].years[2].value == 1


def test_the_slow_figures_are_left_out_unless_asked_for(
    registry: dict[str, Person], city_staff: Any
) -> None:
    built = report.build(city_staff, START, END)
    assert {f.id for f in built.left_out} == report.SLOW
    assert not report.SLOW & set(lines(built))
    assert set(built.as_json()["left_out"]) == report.SLOW


def test_the_slow_figures_come_without_asking_once_every_month_is_kept(
    registry: dict[str, Person], city_staff: Any
) -> None:
    short_start, short_end = D(2025, 1, 1), D(2025, 3, 31)  # the previous period: Oct-Dec 2024
    for month in (Month(2024, m) for m in (10, 11, 12)):
        snapshots.take(month)
    for month in (Month(2025, m) for m in (1, 2)):
        snapshots.take(month)
    # March 2025 has no snapshot yet: left out.
    assert {f.id for f in report.build(city_staff, short_start, short_end).left_out} == (
        report.SLOW
    )
    snapshots.take(Month(2025, 3))
    built = report.build(city_staff, short_start, short_end)
    assert not built.left_out
    eligible = lines(built)["subsidies.eligible"]
    # The same figure as asked for directly, for the period and the one before.
    figure = catalogue.figure("subsidies.eligible")
    for period, line in (((short_start, short_end), eligible.period),
                         ((D(2024, 10, 1), D(2024, 12, 31)), eligible.previous)):  # fmt: skip
        query = Query(region="4108", start=period[0], end=period[1])
        assert line.value == catalogue.compute(figure, query).total


def test_the_change_against_the_previous_period(
    registry: dict[str, Person], city_staff: Any
) -> None:
    found = lines(report.build(city_staff, START, END))
    issued = found["certificates.issued_first"]
    # 33 in 2021–2025 against 4 (and the dead holder's first certificate) in 2016–2020.
    assert issued.period.value == 33 and issued.previous.value == 5
    assert issued.change.value == 28
    assert issued.change_percent.value == Decimal("560.00")
    assert issued.texts(5)[-2:] == ["+28", "+560.00%"]
    # Nothing cancelled in 2016–2020: a change, no percentage.
    cancelled = found["certificates.cancelled"]
    assert (cancelled.previous.value, cancelled.change.value) == (0, 1)
    assert cancelled.change_percent.value is None
    assert cancelled.texts(5)[-1] == "—"
    certified = found["persons.certified"]
    assert (certified.change.value, certified.change_percent.value) == (0, Decimal("0.00"))


def test_a_county_clerks_report_counts_their_county_only(
    registry: dict[str, Person], county_clerk: Any
) -> None:
    built = report.build(county_clerk, START, END)
    assert built.region == "410825"
    found = lines(built)
    assert [v.value for v in found["persons.certified"].years] == [2, 3, 2, 2, 2]
    assert [v.value for v in found["certificates.issued_first"].years] == [6, 2, 7, 9, 8]
    for figure_id, line in found.items():
        for year, value in zip(built.years, line.years, strict=True):
            assert value.value == own(figure_id, year, region="410825"), (figure_id, year)


def test_publication_hides_small_counts_and_their_complement(
    registry: dict[str, Person], city_staff: Any
) -> None:
    roll("410825", D(2023, 5, 1), [(registry["steady"], LineKind.REGULAR, Decimal("300.00"))])
    built = report.build(city_staff, START, END, publication=True)
    found = lines(built)
    issued = found["certificates.issued_first"]
    # 2022's 2 is small; 2021's 6, the smallest other year, would give it away from the
    # period's 33, so it is hidden too. The two together would be 8: with the 6 withheld (so
    # at least 5) the small one would be at most 3, so 2023's 8 is hidden as well, and the
    # small one may again be anything below 5 (suppression.protected).
    # The small count reads "<5"; its complements (6, 8) are withheld, not said to be below 5.
    withheld = str(report.WITHHELD)
    assert issued.texts(5)[:6] == ["33", withheld, "<5", withheld, "9", "8"]
    assert [v.hidden for v in issued.years] == [True, True, True, False, False]
    assert not issued.previous.hidden and issued.previous.value == 5
    # Counted on a day: each small count hidden; the change with it.
    certified = found["persons.certified"]
    assert all(v.hidden for v in certified.values())
    data = built.as_json()
    [persons] = [s for s in data["sections"] if s["area"] == "persons"]
    row = next(f for f in persons["figures"] if f["id"] == "persons.certified")
    assert row["years"] == ["<5"] * 5 and row["change"] == str(report.WITHHELD)
    # An amount hides what its count hides: one person paid in 2023, and the sum paid.
    paid, amount = found["subsidies.persons_paid"], found["subsidies.amount_paid"]
    assert [v.hidden for v in amount.values()] == [v.hidden for v in paid.values()]
    assert paid.years[2].hidden and amount.texts(5)[3] == str(report.WITHHELD)
    # Not marked for publication: every number shown.
    plain = lines(report.build(city_staff, START, END))["certificates.issued_first"]
    assert plain.texts(5)[:3] == ["33", "6", "2"]


def _crafted(figure_id: str, years: list[Any], previous: Any = 20) -> Line:
    figure = catalogue.figure(figure_id)
    total = sum(years) if figure.additive or not figure.is_count else max(years)
    return Line(figure, Value(total), [Value(v) for v in years], Value(previous),
                Value(None), Value(None))  # fmt: skip


def test_publication_hides_what_a_ratio_or_an_amount_would_give_away() -> None:
    """A count below the limit in one year: the coverage of that year (paid ÷ eligible, the
    eligible shown) and an amount whose years add up to the period's would give it away."""
    period = Period(START, END)
    years = report.years_of(period)
    paid = _crafted("subsidies.persons_paid", [3, 12, 9, 10, 8])
    eligible = _crafted("subsidies.eligible", [150, 160, 170, 180, 190])
    coverage_figure = catalogue.figure("subsidies.coverage")
    ratios = [Value(Decimal(p) / e) for p, e in ((3, 150), (12, 160), (9, 170), (10, 180),
                                                  (8, 190))]  # fmt: skip
    coverage = Line(coverage_figure, Value(Decimal("0.2")), ratios, Value(Decimal("0.1")),
                    Value(None), Value(None))  # fmt: skip
    back_pay = _crafted("subsidies.back_pay_persons", [12, 3, 9, 10, 8])
    back_amount = _crafted(
        "subsidies.back_pay_amount",
        [Decimal("900"), Decimal("150"), Decimal("600"), Decimal("700"), Decimal("500")],
        Decimal("1000"),
    )
    built = report.Report(
        region="4108", region_name="焦作市", period=period,
        previous=report.previous_period(period), years=years, publication=True, threshold=5,
        sections=[report.Section("subsidies", "两项补贴",
                                 [paid, eligible, coverage, back_pay, back_amount])],
    )  # fmt: skip
    report._suppress(built, report._Values("4108"), built.previous, years)
    assert [v.hidden for v in paid.years] == [True, False, False, False, False]
    # 2021's coverage beside the 150 eligible would give the 3 paid: withheld.
    assert [v.hidden for v in coverage.years] == [True, False, False, False, False]
    assert coverage.texts(5)[1] == str(report.WITHHELD)
    # Back pay: 3 persons in 2022 hidden; its amount is hidden, and so is the smallest other
    # year's (2025, 500), else 2022's would be the period's amount less the others.
    assert [v.hidden for v in back_pay.years] == [False, True, False, False, False]
    assert [v.hidden for v in back_amount.years] == [False, True, False, False, True]
    assert not back_amount.period.hidden


def test_the_workbook_holds_the_reports_numbers_as_numbers(
    registry: dict[str, Person], city_staff: Any, tmp_path: Path
) -> None:
    built = report.build(city_staff, START, END)
    path = tmp_path / "report.xlsx"
    report_files.write_xlsx(built, str(path))
    table = open_table(path, filename="report.xlsx")
    rows = [cells for _number, cells in table.rows()]
    first = built.sections[0]
    assert first.area == "persons"
    assert rows[1][0] == first.title == "持证残疾人"
    assert "2021-01-01至2025-12-31" in str(rows[2][0])
    assert "尚未测算并保存" in str(rows[3][0])  # the eligibility figures, left out
    assert rows[4][:4] == ["指标", "单位", "全期", "2021"]
    for line in first.lines:
        [row] = [r for r in rows if r[0] == str(line.figure.name)]
        numbers = row[2 : 2 + 1 + len(built.years) + 2]
        expected = [line.period, *line.years, line.previous, line.change]
        assert all(isinstance(n, float) for n in numbers), row
        assert numbers == [float(v.value or 0) for v in expected]


def test_the_pdf_prints_the_period(registry: dict[str, Person], city_staff: Any) -> None:
    built = report.build(city_staff, START, END)
    content = report_files.render_pdf(built)
    assert content.startswith(b"%PDF")
    pages = PdfReader(io.BytesIO(content)).pages
    box = pages[0].mediabox
    assert round(float(box.width) / 72 * 25.4) == 297  # A4 landscape, in mm
    assert round(float(box.height) / 72 * 25.4) == 210
    text = "".join(page.extract_text() for page in pages)
    assert "2021-01-01" in text and "2025-12-31" in text
    assert str(catalogue.figure("persons.certified").name) in text


def test_the_page_shows_each_area_and_links_the_downloads(
    registry: dict[str, Person], city_staff: Any
) -> None:
    client = client_for(city_staff)
    response = client.get(reverse("stats:report"), {"start": START, "end": END})
    html = response.content.decode()
    assert response.status_code == 200
    for figure in catalogue.visible(city_staff):
        row = f'<th scope="row" class="govuk-table__header">{escape(figure.name)}'
        assert (row in html) == (figure.id not in report.SLOW), figure.id
    assert re.search(r"<caption[^>]*>持证残疾人</caption>", html)
    xlsx = re.search(r'href="(/stats/report/report\.xlsx\?[^"]+)"', html)
    pdf = re.search(r'href="(/stats/report/report\.pdf\?[^"]+)"', html)
    assert xlsx and pdf
    download = client.get(xlsx.group(1).replace("&amp;", "&"))
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    assert download.content.startswith(b"PK")
    # Named in words, in the user's language: the report, the place and the period.
    named = unquote(download["Content-Disposition"].split("filename*=utf-8''")[1])
    assert named == f"统计报告-焦作市-{START:%Y%m%d}-{END:%Y%m%d}.xlsx"


def test_the_form_reports_every_problem_at_once(city_staff: Any) -> None:
    response = client_for(city_staff).get(
        reverse("stats:report"), {"start": "2030-01-01", "end": "2029-12-31"}
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert len(errors["start"]) == 1  # in the future
    assert len(errors["end"]) == 2  # in the future, and before the first day
    too_long = client_for(city_staff).get(
        reverse("stats:report"), {"start": "2010-01-01", "end": "2020-01-01"}
    )
    assert too_long.status_code == 400 and "10" in too_long.context["form"].errors["end"][0]
    # The first year there is: refused with a reason, not an error of the server (the period
    # before it would be no date).
    ancient = client_for(city_staff).get(
        reverse("stats:report"), {"start": "0001-01-01", "end": "0001-12-31"}
    )
    assert ancient.status_code == 400
    assert set(ancient.context["form"].errors) == {"start", "end"}
    # The eligibility box is gone from the page: deciding months there would hold a worker.
    assert "slow" not in ancient.context["form"].fields


def test_the_command_prints_the_same_structure(
    registry: dict[str, Person], county_clerk: Any
) -> None:
    out = io.StringIO()
    call_command(
        "stats", "report", "--from", "2021-01-01", "--to", "2025-12-31", "--user",
        county_clerk.username, stdout=out,
    )  # fmt: skip
    data = json.loads(out.getvalue())
    assert data == json.loads(json.dumps(report.build(county_clerk, START, END).as_json()))


def test_the_command_narrows_to_a_county_and_reports_every_problem(
    registry: dict[str, Person], county_clerk: Any, capsys: Any
) -> None:
    out = io.StringIO()
    call_command("stats", "report", "--from", "2021-01-01", "--to", "2025-12-31",
                 "--county", "410825", stdout=out)  # fmt: skip
    data = json.loads(out.getvalue())
    assert data["region"] == "410825"
    clerks = lines(report.build(county_clerk, START, END))
    [persons] = [s for s in data["sections"] if s["area"] == "persons"]
    for row in persons["figures"]:
        assert row["years"] == [v.value for v in clerks[row["id"]].years], row["id"]
    with pytest.raises(SystemExit) as exit_status:
        call_command("stats", "report", "--from", "2030-01-02", "--to", "2030-01-01")
    assert exit_status.value.code == 2
    problems = capsys.readouterr().err
    assert "开始日期不能晚于今天" in problems and "截止日期不能早于起始日期" in problems
