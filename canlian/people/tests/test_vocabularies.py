"""The registry's vocabularies are data (canlian/people/terms.py, decision 0016): an import
reads 男, 汉族, 肢体残疾 and 二级 whatever the locale and without a compiled catalogue, and a
page shows each term in the active language."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.utils import translation

from canlian.people.exchange import vocabulary
from canlian.people.models import Category, Grade, Sex
from canlian.people.terms import CATEGORY, ETHNICITY, GRADE, LIFE_STATUS, SEX
from canlian.people.tests.exchange.helpers import id_for, row, write_csv
from canlian.spreadsheets.values import BadValue, fold

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    ("reader", "cell", "expected"),
    [
        (vocabulary.read_sex, "男", "M"),
        (vocabulary.read_sex, "女性", "F"),
        (vocabulary.read_sex, "2", "F"),  # GB/T 2261.1 code
        (vocabulary.read_sex, "Male", "M"),
        (vocabulary.read_ethnicity, "汉族", "01"),
        (vocabulary.read_ethnicity, "汉", "01"),
        (vocabulary.read_ethnicity, "1", "01"),
        (vocabulary.read_ethnicity, "HU", "03"),  # GB/T 3304 two-letter code
        (vocabulary.read_ethnicity, "基诺族", "56"),
        (vocabulary.read_ethnicity, "Jino", "56"),
        (vocabulary.read_category, "肢体残疾", 4),
        (vocabulary.read_category, "智力", 5),
        (vocabulary.read_category, "７", 7),  # full-width digit
        (vocabulary.read_grade, "二级", 2),
        (vocabulary.read_grade, "叁级", 3),
        (vocabulary.read_grade, "Grade 4", 4),
        (vocabulary.read_life_status, "残疾人证注销", "cancelled"),
    ],
)
def test_words_are_read_from_the_data(reader, cell, expected):
    assert reader(cell) == expected


@pytest.mark.parametrize(
    ("reader", "cell"),
    [
        (vocabulary.read_sex, "0"),  # GB/T 2261.1 "unknown": not a registry value
        (vocabulary.read_sex, "未说明"),
        (vocabulary.read_ethnicity, "族"),
        (vocabulary.read_ethnicity, "57"),
        (vocabulary.read_category, "8"),
        (vocabulary.read_grade, "5"),
        (vocabulary.read_grade, "五级"),
    ],
)
def test_words_outside_the_vocabularies_are_refused(reader, cell):
    with pytest.raises(BadValue):
        reader(cell)


@pytest.mark.parametrize("vocab", [SEX, ETHNICITY, CATEGORY, GRADE, LIFE_STATUS])
def test_no_spelling_names_two_terms(vocab):
    owners: dict[str, set[object]] = {}
    for term in vocab:
        for spelling in term.spellings():
            owners.setdefault(fold(spelling), set()).add(term.code)
    assert {s: codes for s, codes in owners.items() if len(codes) > 1} == {}


def test_the_56_ethnic_groups_carry_their_gbt_3304_codes():
    terms = list(ETHNICITY)
    assert [t.code for t in terms] == [f"{n:02d}" for n in range(1, 57)]
    assert Counter(len(t.letters) for t in terms) == {2: 56}
    assert len({t.letters for t in terms}) == 56
    assert (ETHNICITY["01"].zh, ETHNICITY["01"].letters) == ("汉族", "HA")
    assert (ETHNICITY["56"].zh, ETHNICITY["56"].letters) == ("基诺族", "JN")


def test_labels_follow_the_active_language_from_the_data():
    with translation.override("zh-hans"):
        assert [str(Sex.MALE.label), str(Category.PHYSICAL.label), str(Grade.TWO.label)] == [
            "男", "肢体残疾", "二级",
        ]  # fmt: skip
    with translation.override("en"):
        assert [str(Sex.MALE.label), str(Category.PHYSICAL.label), str(Grade.TWO.label)] == [
            "Male", "Physical", "Grade 2",
        ]  # fmt: skip
    # With translations off (as makemigrations runs) the English names: migrations stay put.
    with translation.override(None):
        assert str(Sex.FEMALE.label) == "Female"


def test_an_import_under_lang_c_without_the_catalogue_reads_a_chinese_file(tmp_path):
    empty_locale = tmp_path / "locale"
    empty_locale.mkdir()
    path = write_csv(
        tmp_path / "persons.csv",
        [
            row(1, 性别="男", 民族="汉族", 残疾类别="肢体残疾", 残疾等级="二级"),
            row(2, 性别="女", 民族="回族", 残疾类别="视力", 残疾等级="一级"),
            row(3, 性别="男", 民族="满", 残疾类别="智力残疾", 残疾等级="叁级", 监护人姓名="监护"),
        ],
    )
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("LC_", "LANG", "DATABASE_URL"))
    }
    env |= {
        "LANG": "C",
        "LC_ALL": "C",
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "CANLIAN_VAR_DIR": str(tmp_path),
        "CANLIAN_KEY_DIR": str(tmp_path / "keys"),
        "CANLIAN_FIELD_KEY": "dGVzdC1rZXktZm9yLWNhbmxpYW4tdGVzdHMtb25seSE=",
        "CANLIAN_AUDIT_KEY": "dGVzdCBhdWRpdCBrZXksIG5ldmVyIGZvciB1c2UgISE=",
    }
    proc = subprocess.run(
        [sys.executable, "-m", "canlian.people.tests.exchange.locale_free_import",
         str(empty_locale), str(path)],
        capture_output=True, text=True, encoding="utf-8", cwd=ROOT, env=env, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["catalogue_used"] is False  # the project's messages really are untranslated
    assert out["exit"] == 0, proc.stderr
    assert out["stored"] == [
        ["测试1", "M", "01", 4, 2],
        ["测试2", "F", "03", 1, 1],
        ["测试3", "M", "11", 5, 3],
    ]
    assert out["shown"]["zh-hans"][1] == ["女", "回族", "视力残疾", "一级"]
    assert out["shown"]["en"][1] == ["Female", "Hui", "Visual", "Grade 1"]
    assert out["exported"] == {"sex": "女"}
    assert id_for(2)[16] in "02468"  # the row's sex agrees with its ID number
