"""The import engine: every problem reported with row and column, all or nothing, updates."""

from __future__ import annotations

import datetime
import threading
from pathlib import Path
from typing import Any

import pytest
from django.db import DatabaseError

from canlian.audit.models import Entry
from canlian.audit.records import verify_chain
from canlian.conftest import opened
from canlian.people import batch
from canlian.people.exchange import importing as imports
from canlian.people.exchange.importing import import_persons
from canlian.people.models import Person, StatusPeriod
from canlian.people.tests.exchange.helpers import id_for, row, write_csv, write_xlsx

TODAY = datetime.date(2026, 11, 28)


def run(path: Path, user: Any, *, dry_run: bool = False) -> imports.Outcome:
    return import_persons(path, filename=path.name, acting_user=user, dry_run=dry_run, today=TODAY)


def reasons_by_row(outcome: imports.Outcome) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for problem in outcome.problems:
        found.setdefault(problem.row, []).append(f"{problem.column}|{problem.reason}")
    return found


def test_a_clean_file_creates_every_person_with_an_audited_history(tmp_path, county_clerk):
    path = write_csv(tmp_path / "new.csv", [row(1), row(2), row(3, 残疾等级="一级")])
    outcome = run(path, county_clerk)
    assert outcome.summary()["applied"] is True
    assert outcome.counts() == {
        "rows": 3, "created": 3, "updated": 0, "unchanged": 0, "rejected_rows": 0
    }  # fmt: skip
    person = Person.objects.get(name="测试3")
    assert opened(person) == id_for(3)
    assert (person.grade, person.category, person.place_id) == (1, 4, "410825001000")
    created = Entry.objects.filter(action="person.create", target_id=str(person.pk)).get()
    assert created.detail["import"]["file"] == "new.csv"
    assert created.actor == county_clerk
    assert Entry.objects.filter(action="person.import").get().detail["created"] == 3
    assert verify_chain()[1] is None


def test_a_dry_run_reports_what_would_happen_and_writes_nothing(tmp_path, county_clerk):
    path = write_csv(tmp_path / "new.csv", [row(1), row(2)])
    outcome = run(path, county_clerk, dry_run=True)
    assert outcome.clean and not outcome.applied
    assert outcome.created == 2
    assert not Person.objects.exists()
    assert not Entry.objects.filter(action__startswith="person.").exists()


def test_every_problem_of_every_row_is_reported_and_nothing_is_written(tmp_path, county_clerk):
    good = id_for(7)
    bad_check = good[:17] + ("0" if good[17] != "0" else "1")
    minor = id_for(8, born=datetime.date(2015, 1, 2))
    rows = [
        row(1),  # row 2: fine
        row(2, 公民身份号码=bad_check),  # row 3
        row(3, 公民身份号码="4.10825197005171E+17"),  # row 4
        row(4, 公民身份号码=good[:15] + "000"),  # row 5
        row(5, 性别="女" if int(id_for(5)[16]) % 2 else "男"),  # row 6
        row(6, 出生日期="1980-01-01"),  # row 7
        row(9, **{"户籍所在乡镇（街道）": "不存在镇"}),  # row 8
        row(10, 残疾人证号=id_for(10) + "43"),  # row 9
        row(11, 残疾类别="8"),  # row 10
        row(12, 残疾等级="五级"),  # row 11
        row(13, 公民身份号码=id_for(1)),  # row 12: same ID as row 2
        row(14, 公民身份号码=minor),  # row 13: minor without guardian
        row(15, 残疾类别="精神"),  # row 14: mental, no guardian
        row(16, 发证日期="2027-01-01"),  # row 15: in the future
    ]
    outcome = run(write_csv(tmp_path / "bad.csv", rows), county_clerk)
    found = reasons_by_row(outcome)
    assert list(found) == list(range(3, 16))  # listed row by row
    assert outcome.rejected_rows == 13 and not outcome.applied
    assert "校验" in found[3][0]
    assert found[3][0].startswith("B 公民身份号码|")
    assert "科学计数" in found[4][0]
    assert "000" in found[5][0]
    assert "性别" in found[6][0]
    assert "出生日期" in found[7][0]
    assert found[8][0].startswith("D 户籍所在乡镇（街道）|")
    assert "残疾人证号" in found[9][0]
    assert "残疾类别" in found[10][0]
    assert "残疾等级" in found[11][0]
    assert "第2行" in found[12][0]
    assert "监护人" in found[13][0] and "监护人" in found[14][0]
    assert "发证日期" in found[15][0]
    assert not Person.objects.exists()
    assert not Entry.objects.filter(action__startswith="person.").exists()


def test_problem_values_show_masked_id_numbers(tmp_path, county_clerk):
    good = id_for(2)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    outcome = run(write_csv(tmp_path / "bad.csv", [row(2, 公民身份号码=bad)]), county_clerk)
    assert outcome.problems[0].value == "*" * 18


def test_full_width_and_lower_case_ids_are_normalised_not_rejected(tmp_path, county_clerk):
    number = next(id_for(n) for n in range(1, 999) if id_for(n).endswith("X"))
    typed = number[:-1].translate(str.maketrans("0123456789", "０１２３４５６７８９")) + "x"
    outcome = run(write_csv(tmp_path / "wide.csv", [row(1, 公民身份号码=typed)]), county_clerk)
    assert outcome.applied
    assert opened(Person.objects.get()) == number


def test_an_existing_person_is_updated_field_by_field(tmp_path, county_clerk, make_person):
    person = make_person(
        id_number=id_for(1), name="测试1", phone="13800000000", place_code="410825001000"
    )
    changed = row(1, 联系电话="13900000000", 残疾等级="一级")
    outcome = run(write_csv(tmp_path / "upd.csv", [changed]), county_clerk)
    assert outcome.counts()["updated"] == 1 and outcome.applied
    fields = {c.field: (c.before, c.after) for c in outcome.changes}
    # The report shows phone numbers masked, the one on record as much as the one in the file.
    assert fields == {"联系电话": ("138****0000", "139****0000"), "残疾等级": ("二级", "一级")}
    person.refresh_from_db()
    assert (opened(person, "phone"), person.grade) == ("13900000000", 1)
    update = Entry.objects.get(action="person.update", target_id=str(person.pk))
    assert update.detail["changes"]["phone_masked"] == ["138****0000", "139****0000"]


def test_columns_absent_from_the_file_keep_the_registry_values(tmp_path, county_clerk, make_person):
    person = make_person(
        id_number=id_for(1), name="测试1", address="人民路1号", place_code="410825001000"
    )
    outcome = run(write_csv(tmp_path / "upd.csv", [row(1)]), county_clerk)
    assert outcome.unchanged == 1
    person.refresh_from_db()
    assert person.address == "人民路1号"


def test_a_row_identical_to_the_registry_is_unchanged_and_writes_nothing(
    tmp_path, county_clerk, make_person
):
    make_person(id_number=id_for(1), name="测试1", place_code="410825001000")
    entries = Entry.objects.count()
    outcome = run(write_csv(tmp_path / "same.csv", [row(1)]), county_clerk)
    assert outcome.counts() == {
        "rows": 1, "created": 0, "updated": 0, "unchanged": 1, "rejected_rows": 0
    }  # fmt: skip
    assert Entry.objects.filter(action__in=["person.update", "person.create"]).count() == 1
    assert Entry.objects.count() == entries + 1  # only the import's own summary entry


def test_a_county_clerk_cannot_import_persons_of_another_county(
    tmp_path, county_clerk, other_county_clerk
):
    rows = [row(1), row(2, **{"户籍所在乡镇（街道）": "测试三镇"})]
    outcome = run(write_csv(tmp_path / "two.csv", rows), county_clerk)
    assert reasons_by_row(outcome).keys() == {3}
    assert "管辖范围" in outcome.problems[0].reason
    assert not Person.objects.exists()


def test_a_person_registered_in_another_county_cannot_be_changed_by_import(
    tmp_path, county_clerk, make_person
):
    make_person(id_number=id_for(1, region="410883"), place_code="410883001001")
    moved = row(1, 公民身份号码=id_for(1, region="410883"))
    outcome = run(write_csv(tmp_path / "move.csv", [moved]), county_clerk)
    assert outcome.rejected_rows == 1
    assert "管辖范围" in outcome.problems[0].reason
    assert Person.objects.get().place_id == "410883001001"


def test_missing_required_columns_refuse_the_file_naming_them(tmp_path, county_clerk):
    short = {"姓名": "测试", "公民身份号码": id_for(1), "民族": "汉"}
    path = write_csv(tmp_path / "short.csv", [short])
    outcome = run(path, county_clerk)
    assert outcome.refused
    for column in ("残疾类别", "残疾等级", "发证日期", "户籍所在乡镇"):
        assert column in outcome.refused
    assert not Person.objects.exists()


def test_aliases_words_and_a_title_row_above_the_header_are_understood(tmp_path, county_clerk):
    values = {
        "残疾人姓名": "测试1",
        "身份证号": id_for(1),
        "民族": "回",
        "所属乡镇(街道)": "测试一镇",
        "所属村（社区）": "测试一村",
        "残疾类型": "肢体",
        "残疾级别": "贰级",
        "办证日期": datetime.date(2020, 1, 5),
        "是否低保户": "是",
    }
    path = write_xlsx(tmp_path / "office.xlsx", [values], title="温县残疾人花名册")
    outcome = run(path, county_clerk)
    assert outcome.applied, outcome.problems
    person = Person.objects.get()
    assert (person.ethnicity, person.place_id, person.category, person.grade) == (
        "03", "410825001001", 4, 2
    )  # fmt: skip
    assert person.certificate_issued_on == datetime.date(2020, 1, 5)
    assert StatusPeriod.objects.get(person=person).kind == "dibao"


def test_status_columns_open_and_close_periods_and_blank_keeps_them(
    tmp_path, county_clerk, make_person
):
    person = make_person(id_number=id_for(1), name="测试1", place_code="410825001000")
    start = datetime.date(2020, 1, 1)
    StatusPeriod.objects.create(person=person, kind="registered_poor", start=start)
    rows = [row(1, 是否低保="是", 是否建档立卡="否", 是否特困="")]
    outcome = run(write_csv(tmp_path / "status.csv", rows), county_clerk)
    assert outcome.updated == 1 and outcome.applied
    periods = {p.kind: p for p in StatusPeriod.objects.filter(person=person)}
    assert periods["dibao"].start == TODAY and periods["dibao"].end is None
    assert periods["registered_poor"].end == TODAY - datetime.timedelta(days=1)
    assert "tekun" not in periods


def test_a_problem_in_a_late_chunk_rolls_back_the_chunks_already_written(
    tmp_path, county_clerk, monkeypatch
):
    monkeypatch.setattr(imports, "CHUNK_ROWS", 2)
    rows = [row(n) for n in range(1, 6)] + [row(6, 残疾等级="9")]
    outcome = run(write_csv(tmp_path / "late.csv", rows), county_clerk)
    assert outcome.rejected_rows == 1 and outcome.created == 5
    assert not outcome.applied
    assert not Person.objects.exists()
    assert not Entry.objects.filter(action__startswith="person.").exists()


def test_chunks_written_while_the_next_is_read_all_land_in_order_with_one_audit_chain(
    tmp_path, county_clerk, monkeypatch
):
    # Each chunk is written by another thread on the same connection while the next chunk
    # is read: seven rows in chunks of two make four writes, the last one joined at the end.
    monkeypatch.setattr(imports, "CHUNK_ROWS", 2)
    outcome = run(write_csv(tmp_path / "seven.csv", [row(n) for n in range(1, 8)]), county_clerk)
    assert outcome.applied and outcome.created == 7
    names = list(Person.objects.order_by("pk").values_list("name", flat=True))
    assert names == [f"测试{n}" for n in range(1, 8)]
    ours = Entry.objects.filter(action__startswith="person.").order_by("pk")
    assert list(ours.values_list("action", flat=True)) == ["person.create"] * 7 + ["person.import"]
    assert verify_chain()[1] is None


def test_progress_is_reported_per_chunk_with_no_chunk_being_written_meanwhile(
    tmp_path, county_clerk, monkeypatch
):
    # The callback may use the database (the web job records its progress there): it is
    # called only when no writing thread holds the connection.
    monkeypatch.setattr(imports, "CHUNK_ROWS", 2)
    seen: list[tuple[int, int, int]] = []

    def progress(done: int, total: int) -> None:
        seen.append((done, total, threading.active_count()))  # no writing thread alive
        Person.objects.count()  # a query of its own

    baseline = threading.active_count()
    path = write_csv(tmp_path / "five.csv", [row(n) for n in range(1, 6)])
    outcome = import_persons(
        path, filename="five.csv", acting_user=county_clerk, dry_run=False, today=TODAY,
        progress=progress,
    )  # fmt: skip
    assert outcome.applied and outcome.created == 5
    assert [(done, total) for done, total, _n in seen] == [(0, 5), (2, 5), (4, 5), (5, 5)]
    assert all(alive == baseline for _d, _t, alive in seen)


def test_a_failure_while_writing_a_chunk_reaches_the_caller_and_nothing_is_written(
    tmp_path, county_clerk, monkeypatch
):
    monkeypatch.setattr(imports, "CHUNK_ROWS", 2)
    written: list[int] = []
    original = batch.Writer.write

    def failing_second(self: batch.Writer, planned: Any) -> None:
        written.append(len(planned))
        if len(written) == 2:
            raise DatabaseError("disk full")
        original(self, planned)

    monkeypatch.setattr(batch.Writer, "write", failing_second)
    with pytest.raises(DatabaseError, match="disk full"):
        run(write_csv(tmp_path / "five.csv", [row(n) for n in range(1, 6)]), county_clerk)
    assert written == [2, 2]  # the third chunk was read, never written
    assert not Person.objects.exists()
    assert not Entry.objects.filter(action__startswith="person.").exists()


def test_gb18030_csv_with_a_rare_character_name_imports(tmp_path, county_clerk):
    path = write_csv(tmp_path / "gbk.csv", [row(1, 姓名="王𠮷")], encoding="gb18030")
    outcome = run(path, county_clerk)
    assert outcome.applied
    assert Person.objects.get().name == "王𠮷"


def test_a_user_without_the_change_permission_is_refused(tmp_path, auditor):
    outcome = run(write_csv(tmp_path / "a.csv", [row(1)]), auditor)
    assert outcome.refused and not Person.objects.exists()


def test_a_header_without_data_rows_is_refused(tmp_path, county_clerk):
    path = tmp_path / "empty.csv"
    path.write_text("姓名,公民身份号码,民族,户籍所在乡镇,残疾类别,残疾等级,发证日期\n", "utf-8")
    outcome = run(path, county_clerk)
    assert outcome.refused == "文件只有表头，没有数据行。"


@pytest.mark.parametrize("township", ["测试二镇", "测试一镇"])
def test_the_place_code_column_wins_over_names(tmp_path, county_clerk, township):
    values = row(1, **{"户籍所在乡镇（街道）": township, "户籍地行政区划代码": "410825001001"})
    outcome = run(write_csv(tmp_path / "code.csv", [values]), county_clerk)
    assert outcome.applied
    assert Person.objects.get().place_id == "410825001001"


def test_a_row_with_an_unknown_place_still_has_its_other_problems_reported(tmp_path, county_clerk):
    bad = row(1, **{"户籍所在乡镇（街道）": "不存在镇"}, 残疾等级="9", 民族="火星族")
    outcome = run(write_csv(tmp_path / "bad.csv", [bad]), county_clerk)
    columns = sorted(p.column.split(" ", 1)[1] for p in outcome.problems)
    assert columns == sorted(["户籍所在乡镇（街道）", "民族", "残疾等级"])
    assert outcome.rejected_rows == 1


def test_a_role_that_may_not_reveal_is_counted_and_limited_in_the_rows_it_matches(
    tmp_path, township_officer, make_person, settings
):
    """A check tells which rows name persons already on the registry: for the township
    officer, the day's matches are recorded and, past IMPORT_MATCHES_PER_DAY, a run is
    refused without a word on its rows."""
    settings.IMPORT_MATCHES_PER_DAY = 3
    for n in (1, 2):
        make_person(id_number=id_for(n), name=f"测试{n}")
    path = write_csv(tmp_path / "a.csv", [row(1), row(2), row(3)])
    first = run(path, township_officer, dry_run=True)
    assert first.clean and (first.updated + first.unchanged, first.created) == (2, 1)
    entry = Entry.objects.get(action="person.import.matched")
    assert entry.detail["matched"] == 2 and entry.actor == township_officer
    # The same file applied after its check is not counted again.
    assert run(path, township_officer).applied
    assert Entry.objects.filter(action="person.import.matched").count() == 1
    other = write_csv(tmp_path / "b.csv", [row(1), row(2)])
    refused = run(other, township_officer, dry_run=True)
    assert refused.refused and not refused.problems and not refused.changes
    assert refused.counts()["updated"] == refused.counts()["unchanged"] == 0


def test_roles_that_may_reveal_are_not_counted(tmp_path, county_clerk, make_person, settings):
    settings.IMPORT_MATCHES_PER_DAY = 0
    make_person(id_number=id_for(1), name="测试1")
    assert run(write_csv(tmp_path / "a.csv", [row(1)]), county_clerk, dry_run=True).clean
    assert not Entry.objects.filter(action="person.import.matched").exists()


def test_the_statuses_named_from_2021_are_imported_in_their_columns(
    tmp_path, county_clerk, make_person
):
    person = make_person(id_number=id_for(1), name="测试1", place_code="410825001000")
    StatusPeriod.objects.create(person=person, kind="monitored", start=datetime.date(2021, 3, 1))
    rows = [
        row(1, 是否脱贫人口="是", 是否监测对象="否"),
        row(2, 是否脱贫人口="否", 是否监测对象="是"),
    ]
    outcome = run(write_csv(tmp_path / "poverty.csv", rows), county_clerk)
    assert outcome.applied, outcome.problems
    periods = {p.kind: p for p in StatusPeriod.objects.filter(person=person)}
    assert (
        periods["poverty_alleviated"].start == TODAY and periods["poverty_alleviated"].end is None
    )
    assert periods["monitored"].end == TODAY - datetime.timedelta(days=1)
    other = Person.objects.get(name="测试2")
    assert list(other.status_periods.values_list("kind", flat=True)) == ["monitored"]


@pytest.fixture
def replaced(tmp_path, county_clerk):
    """A person of the registry whose card was replaced once: the card in force is …42B1."""
    assert run(write_csv(tmp_path / "first.csv", [row(1)]), county_clerk).applied
    Person.objects.update(card_suffix=1)
    return Person.objects.get()


def test_the_number_of_a_replaced_card_in_force_is_accepted(tmp_path, county_clerk, replaced):
    path = write_csv(tmp_path / "again.csv", [row(1, 残疾人证号=f"{id_for(1)}42B1")])
    outcome = run(path, county_clerk)
    assert outcome.problems == []
    assert outcome.counts()["unchanged"] == 1


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("42", "此证号已在补办残疾人证时作废：现行残疾人证的证号以B1结尾。"),
        ("42b2", "未曾发放后缀为B2的残疾人证：现行残疾人证的证号以B1结尾。"),
        ("43B1", "残疾人证号应为公民身份号码后加残疾类别代码和残疾等级代码。"),
    ],
)
def test_a_cancelled_or_unissued_card_number_is_refused_with_its_reason(
    tmp_path, county_clerk, replaced, number, reason
):
    path = write_csv(tmp_path / "again.csv", [row(1, 残疾人证号=f"{id_for(1)}{number}")])
    outcome = run(path, county_clerk)
    assert [(p.row, p.column, p.reason) for p in outcome.problems] == [(2, "H 残疾人证号", reason)]


def test_a_new_persons_number_has_no_replacement_suffix(tmp_path, county_clerk):
    path = write_csv(tmp_path / "new.csv", [row(1, 残疾人证号=f"{id_for(1)}42B1")])
    outcome = run(path, county_clerk)
    assert [p.reason for p in outcome.problems] == [
        "此人的残疾人证未曾补办：证号不带B1这样的后缀。"
    ]
    assert not Person.objects.exists()
