"""Exports: what the list shows, masked unless allowed, logged, escaped; and they round-trip."""

from __future__ import annotations

import datetime
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import python_calamine
from django.core.management import call_command

from canlian.audit.models import Entry
from canlian.conftest import client_for, opened
from canlian.people.exchange.importing import import_persons
from canlian.people.models import Person, StatusPeriod
from canlian.people.tests.exchange.helpers import id_for


def sheet(content: bytes) -> list[list[object]]:
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
    return book.get_sheet_by_index(0).to_python()


@pytest.fixture
def registry(make_person):
    """Persons with the awkward values: a rare character, a guardian, a status, an account."""
    rare = make_person(
        id_number=id_for(1), name="李𠀾", address='=HYPERLINK("x")', phone="0391-1234567"
    )
    make_person(
        id_number=id_for(2, born=datetime.date(2015, 6, 1)),
        name="张小明",
        category=5,
        grade=3,
        guardian_name="张大明",
        guardian_relation="父亲",
        guardian_phone="13911112222",
        bank_name="农商银行",
        bank_account="6228480000000000001",
    )
    make_person(
        id_number=id_for(3),
        name="王五",
        place_code="410825002000",
        life_status="deceased",
        life_status_date=datetime.date(2024, 2, 29),
        certificate_expires_on=datetime.date(2030, 1, 1),
    )
    StatusPeriod.objects.create(person=rare, kind="dibao", start=datetime.date(2021, 1, 1))
    return Person.objects.all()


def test_the_xlsx_export_masks_by_default_and_is_logged(registry, county_clerk):
    response = client_for(county_clerk).get("/people/export.xlsx")
    rows = sheet(b"".join(response.streaming_content))
    assert rows[0][:3] == ["姓名", "公民身份号码", "残疾人证号"]
    ids = {r[1] for r in rows[1:]}
    assert ids == {p.id_number_masked for p in registry}
    entry = Entry.objects.get(action="person.export")
    assert entry.detail["rows"] == 3 and entry.detail["format"] == "xlsx"
    assert entry.actor == county_clerk


def test_the_export_follows_the_list_filters_and_scope(registry, county_clerk, other_county_clerk):
    response = client_for(county_clerk).get("/people/export.xlsx", {"category": "5"})
    rows = sheet(b"".join(response.streaming_content))
    assert [r[0] for r in rows[1:]] == ["张小明"]
    response = client_for(other_county_clerk).get("/people/export.xlsx")
    assert len(sheet(b"".join(response.streaming_content))) == 1  # the header only


def test_cells_that_would_run_as_formulas_are_escaped(registry, county_clerk):
    response = client_for(county_clerk).get("/people/export.xlsx")
    rows = sheet(b"".join(response.streaming_content))
    address = next(r[10] for r in rows if r[0] == "李𠀾")
    assert address == '\'=HYPERLINK("x")'


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_a_full_export_re_imports_with_zero_changes(tmp_path, registry, city_staff, suffix):
    response = client_for(city_staff).get(f"/people/export{suffix}", {"full": "1"})
    content = b"".join(response.streaming_content)
    path = tmp_path / f"registry{suffix}"
    path.write_bytes(content)
    outcome = import_persons(path, filename=path.name, acting_user=city_staff, dry_run=False)
    assert outcome.problems == []
    assert outcome.counts() == {
        "rows": 3, "created": 0, "updated": 0, "unchanged": 3, "rejected_rows": 0
    }  # fmt: skip
    assert Person.objects.get(name="李𠀾").address == '=HYPERLINK("x")'


def test_the_export_command_masks_unless_reveal_and_logs_it(tmp_path, registry):
    masked = tmp_path / "masked.csv"
    call_command("export_persons", str(masked), "--county", "410825")
    text = masked.read_text("utf-8-sig")
    assert id_for(1) not in text and Person.objects.get(name="李𠀾").id_number_masked in text
    full = tmp_path / "full.xlsx"
    call_command("export_persons", str(full), "--reveal")
    rows = sheet(full.read_bytes())
    assert {r[1] for r in rows[1:]} == {opened(p) for p in registry}
    entry = Entry.objects.get(action="person.export.full")
    assert entry.source == "cli" and entry.detail["rows"] == 3


def test_a_full_export_writes_the_number_of_the_card_in_force(tmp_path, registry):
    Person.objects.filter(name="张小明").update(card_suffix=1)
    full = tmp_path / "full.csv"
    call_command("export_persons", str(full), "--reveal")
    rows = [line.split(",") for line in full.read_text("utf-8-sig").splitlines()]
    numbers = {r[0]: r[2] for r in rows[1:]}
    assert numbers["张小明"] == f"{id_for(2, born=datetime.date(2015, 6, 1))}53B1"
    assert numbers["王五"] == f"{id_for(3)}42"


def test_the_import_command_exits_2_with_counts_when_a_row_is_bad(tmp_path, places):
    path = tmp_path / "bad.csv"
    path.write_text(
        "姓名,公民身份号码,民族,户籍所在乡镇,残疾类别,残疾等级,发证日期\n"
        f"测试,{id_for(1)},汉族,测试一镇,4,2,2019-03-01\n"
        f"测试,{id_for(2)},汉族,测试一镇,4,9,2019-03-01\n",
        "utf-8",
    )
    report = tmp_path / "report.xlsx"
    with pytest.raises(SystemExit) as exit_:
        call_command("import_persons", str(path), "--report", str(report))
    assert exit_.value.code == 2
    problems = python_calamine.CalamineWorkbook.from_path(str(report)).get_sheet_by_name("问题")
    assert problems.to_python()[1][0] == 3.0
    assert not Person.objects.exists()


def test_the_import_command_prints_a_final_json_line_and_exits_0(tmp_path, places, capsys):
    path = tmp_path / "ok.csv"
    path.write_text(
        "姓名,身份证号,民族,所属乡镇,残疾类别,残疾等级,发证日期\n"
        f"测试,{id_for(1)},汉族,测试一镇,肢体,二级,2019/3/1\n",
        "utf-8",
    )
    call_command("import_persons", str(path), "--dry-run")
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert json.loads(last) == {
        "rows": 1, "created": 1, "updated": 0, "unchanged": 0, "rejected_rows": 0,
        "problems": 0, "applied": False, "dry_run": True, "refused": None,
    }  # fmt: skip
    assert not Person.objects.exists()
    call_command("import_persons", str(path))
    assert Person.objects.get().name == "测试"
    assert Entry.objects.get(action="person.import").source == "cli"


def test_the_command_line_exit_code_is_2_from_a_real_process(tmp_path):
    """The documented exit code, seen by a shell (not only by call_command)."""
    path = tmp_path / "not-a-sheet.xlsx"
    path.write_bytes(b"%PDF-1.4")
    result = subprocess.run(
        [sys.executable, "-m", "canlian.cli", "import-persons", str(path), "--dry-run"],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parents[3],
        check=False,
        env={
            "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
            "PATH": "/usr/bin:/bin",
            "SECRET_KEY": os.environ["SECRET_KEY"],  # config/settings_test.py sets one
        },
    )
    assert result.returncode == 2, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1])["refused"]


def test_a_file_over_the_size_limit_is_refused_unless_the_run_allows_more(
    tmp_path, places, settings, capsys
):
    settings.IMPORT_MAX_BYTES = 200
    path = tmp_path / "big.csv"
    path.write_text(
        "姓名,公民身份号码,民族,户籍所在乡镇,残疾类别,残疾等级,发证日期\n"
        + "".join(f"测试,{id_for(n)},汉族,测试一镇,4,2,2019-03-01\n" for n in range(1, 6)),
        "utf-8",
    )
    with pytest.raises(SystemExit):
        call_command("import_persons", str(path), "--dry-run")
    refused = json.loads(capsys.readouterr().out.strip().splitlines()[-1])["refused"]
    assert "MB" in refused
    call_command("import_persons", str(path), "--max-mb", "1")
    assert Person.objects.count() == 5


def test_the_export_carries_the_statuses_named_from_2021(registry, county_clerk):
    rare = registry.get(name="李𠀾")
    StatusPeriod.objects.create(
        person=rare, kind="poverty_alleviated", start=datetime.date(2021, 1, 1)
    )
    response = client_for(county_clerk).get("/people/export.xlsx")
    rows = sheet(b"".join(response.streaming_content))
    header = rows[0]
    alleviated, monitored = header.index("是否脱贫人口"), header.index("是否监测对象")
    by_name = {r[0]: r for r in rows[1:]}
    assert (by_name["李𠀾"][alleviated], by_name["李𠀾"][monitored]) == ("是", "否")
    assert by_name["张小明"][alleviated] == "否"
