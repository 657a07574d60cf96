"""The registry's vocabularies are data (canlian/people/terms.py, decision 0016): an import
reads 男, 汉族, 肢体残疾 and 二级 whatever the locale and without a compiled catalogue, and a
page shows each term in the active language."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import translation

from canlian.people.exchange import vocabulary
from canlian.people.models import Category, Grade, Sex
from canlian.people.terms import CATEGORY, ETHNICITY, GRADE, LIFE_STATUS, SEX, Term, Vocabulary
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
        (vocabulary.read_ethnicity, "Zang", "04"),  # GB/T 3304 romanisation, not "Tibetan"
        (vocabulary.read_ethnicity, "Tibetan", "04"),
        (vocabulary.read_ethnicity, "Uygur", "05"),
        (vocabulary.read_ethnicity, "Chosen", "10"),
        (vocabulary.read_ethnicity, "Man", "11"),
        (vocabulary.read_ethnicity, "Russ", "44"),
        (vocabulary.read_ethnicity, "Deang", "46"),
        (vocabulary.read_ethnicity, "维族", "05"),  # office shorthand
        (vocabulary.read_ethnicity, "蒙族", "02"),
        (vocabulary.read_sex, "1", "M"),
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
        (vocabulary.read_ethnicity, "哈族"),  # 哈尼族 or 哈萨克族: ambiguous, refused
        (vocabulary.read_sex, "9"),  # GB/T 2261.1 "unspecified"
        (vocabulary.read_ethnicity, "57"),
        (vocabulary.read_category, "8"),
        (vocabulary.read_grade, "5"),
        (vocabulary.read_grade, "五级"),
    ],
)
def test_words_outside_the_vocabularies_are_refused(reader, cell):
    with pytest.raises(BadValue):
        reader(cell)


def test_the_sex_refusal_says_which_codes_are_accepted():
    with translation.override("zh-hans"), pytest.raises(BadValue) as refused:
        vocabulary.read_sex("0")
    assert str(refused.value) == "请填写“男”或“女”，或GB/T 2261.1的代码1或2。"


@pytest.mark.parametrize("vocab", [SEX, ETHNICITY, CATEGORY, GRADE, LIFE_STATUS])
def test_no_spelling_names_two_terms(vocab):
    owners: dict[str, set[object]] = {}
    for term in vocab:
        for spelling in term.spellings():
            owners.setdefault(fold(spelling), set()).add(term.code)
    assert {s: codes for s, codes in owners.items() if len(codes) > 1} == {}


# GB/T 3304-1991: code, name, two-letter code, romanised name, as the standard lists them.
GBT_3304 = [
    ("01", "汉族", "HA", "Han"),
    ("02", "蒙古族", "MG", "Mongol"),
    ("03", "回族", "HU", "Hui"),
    ("04", "藏族", "ZA", "Zang"),
    ("05", "维吾尔族", "UG", "Uygur"),
    ("06", "苗族", "MH", "Miao"),
    ("07", "彝族", "YI", "Yi"),
    ("08", "壮族", "ZH", "Zhuang"),
    ("09", "布依族", "BY", "Buyei"),
    ("10", "朝鲜族", "CS", "Chosen"),
    ("11", "满族", "MA", "Man"),
    ("12", "侗族", "DO", "Dong"),
    ("13", "瑶族", "YA", "Yao"),
    ("14", "白族", "BA", "Bai"),
    ("15", "土家族", "TJ", "Tujia"),
    ("16", "哈尼族", "HN", "Hani"),
    ("17", "哈萨克族", "KZ", "Kazak"),
    ("18", "傣族", "DA", "Dai"),
    ("19", "黎族", "LI", "Li"),
    ("20", "傈僳族", "LS", "Lisu"),
    ("21", "佤族", "VA", "Va"),
    ("22", "畲族", "SH", "She"),
    ("23", "高山族", "GS", "Gaoshan"),
    ("24", "拉祜族", "LH", "Lahu"),
    ("25", "水族", "SU", "Sui"),
    ("26", "东乡族", "DX", "Dongxiang"),
    ("27", "纳西族", "NX", "Naxi"),
    ("28", "景颇族", "JP", "Jingpo"),
    ("29", "柯尔克孜族", "KG", "Kirgiz"),
    ("30", "土族", "TU", "Tu"),
    ("31", "达斡尔族", "DU", "Daur"),
    ("32", "仫佬族", "ML", "Mulam"),
    ("33", "羌族", "QI", "Qiang"),
    ("34", "布朗族", "BL", "Blang"),
    ("35", "撒拉族", "SL", "Salar"),
    ("36", "毛南族", "MN", "Maonan"),
    ("37", "仡佬族", "GL", "Gelao"),
    ("38", "锡伯族", "XB", "Xibe"),
    ("39", "阿昌族", "AC", "Achang"),
    ("40", "普米族", "PM", "Pumi"),
    ("41", "塔吉克族", "TA", "Tajik"),
    ("42", "怒族", "NU", "Nu"),
    ("43", "乌孜别克族", "UZ", "Uzbek"),
    ("44", "俄罗斯族", "RS", "Russ"),
    ("45", "鄂温克族", "EW", "Ewenki"),
    ("46", "德昂族", "DE", "Deang"),
    ("47", "保安族", "BN", "Bonan"),
    ("48", "裕固族", "YG", "Yugur"),
    ("49", "京族", "GI", "Gin"),
    ("50", "塔塔尔族", "TT", "Tatar"),
    ("51", "独龙族", "DR", "Derung"),
    ("52", "鄂伦春族", "OR", "Oroqen"),
    ("53", "赫哲族", "HZ", "Hezhen"),
    ("54", "门巴族", "MB", "Monba"),
    ("55", "珞巴族", "LB", "Lhoba"),
    ("56", "基诺族", "JN", "Jino"),
]


def test_the_56_ethnic_groups_are_those_of_gbt_3304():
    assert [(t.code, t.zh, t.letters, t.roman) for t in ETHNICITY] == GBT_3304


@pytest.mark.parametrize(("code", "name", "letters", "roman"), GBT_3304)
def test_every_ethnic_group_is_read_by_each_of_its_spellings(code, name, letters, roman):
    for spelling in (code, str(int(code)), name, letters, letters.lower(), roman, roman.upper()):
        assert vocabulary.read_ethnicity(spelling) == code, spelling


def test_the_built_word_lists_name_one_term_each():
    """The readers' word lists, as built (with the ethnic groups' short names): every
    spelling of a term reads as that term."""
    built = {
        "sex": (vocabulary._sex_words, SEX),
        "ethnicity": (vocabulary._ethnicity_words, ETHNICITY),
        "category": (vocabulary._category_words, CATEGORY),
        "grade": (vocabulary._grade_words, GRADE),
        "life_status": (vocabulary._life_status_words, LIFE_STATUS),
    }
    for name, (words, vocab) in built.items():
        words.cache_clear()
        table = words()
        for term in vocab:
            assert {table[fold(s)] for s in term.spellings()} == {term.code}, name
    assert vocabulary._ethnicity_words()["蒙古"] == "02"
    assert len(set(vocabulary._ethnicity_words().values())) == 56


def test_a_spelling_naming_two_terms_stops_the_word_list():
    clash = Vocabulary("test", Term("1", "甲", "A"), Term("2", "乙", "B", words=("a",)))
    with pytest.raises(ValueError, match="names two terms"):
        vocabulary.words_of(clash)
    # an extra spelling counts too: 汉 short for 汉族 and for a made-up 汉人族
    han = Vocabulary("test", Term("01", "汉族", "Han"), Term("02", "汉人", "Hanren", words=("汉",)))
    with pytest.raises(ValueError, match="names two terms"):
        vocabulary.words_of(han, vocabulary._short_ethnic_names)


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
    assert out["exported"] == [
        ["测试1", "男", "汉族", "肢体残疾", "二级"],
        ["测试2", "女", "回族", "视力残疾", "一级"],
        ["测试3", "男", "满族", "智力残疾", "三级"],
    ]
    assert id_for(2)[16] in "02468"  # the row's sex agrees with its ID number
