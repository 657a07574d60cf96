"""The registry's domain vocabularies as data: sex (GB/T 2261.1-2003), the 56 ethnic groups
(GB/T 3304-1991), disability categories and grades (GB/T 26341-2010), and a person's life
status on the registry.

Each term carries the code stored in the database, the standard's own code where it differs,
and its Chinese and English names. These names are data, not interface strings (decision 0016):
an import matches 男, 汉族 or 肢体残疾 against them whatever the process locale and whether or
not the translation catalogue is compiled, an export writes the Chinese name, and a page shows
the Chinese or the English name by the active language.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.utils import translation
from django.utils.functional import lazy

Code = TypeVar("Code", str, int)


def in_active_language(zh: str, en: str) -> str:
    """`zh` when the active language is Chinese, `en` otherwise (also with translations
    deactivated, as `makemigrations` runs, so that migrations keep the English names)."""
    language = translation.get_language() or ""
    return zh if language.lower().startswith("zh") else en


_lazy_name = lazy(in_active_language, str)


@dataclass(frozen=True)
class Term(Generic[Code]):
    code: Code
    zh: str
    en: str
    # The standard's code where the stored code is not it (GB/T 2261.1: 1 male, 2 female).
    standard: str = ""
    # GB/T 3304's two-letter romanised code (HA for 汉族).
    letters: str = ""
    # GB/T 3304's romanised name (Zang for 藏族, Chosen for 朝鲜族: often not the English one).
    roman: str = ""
    # Other ways offices write the term (男性, 肢体残, 二级 as 贰级, 维族), each naming one
    # term only (the exchange refuses to build a word list where one names two).
    words: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """The name in the active language."""
        return in_active_language(self.zh, self.en)

    @property
    def label(self) -> str:
        """The name in the language active when it is shown (a lazy string): a model
        choice's label."""
        return _lazy_name(self.zh, self.en)

    def spellings(self) -> tuple[str, ...]:
        """Every way of writing the term an import accepts: codes, names, other words."""
        every = (
            str(self.code), self.standard, self.letters, self.roman, self.zh, self.en, *self.words
        )  # fmt: skip
        return tuple(spelling for spelling in every if spelling)


class Vocabulary(Generic[Code]):
    """The terms of one vocabulary in their standard order, found by stored code."""

    def __init__(self, source: str, *terms: Term[Code]) -> None:
        self.source = source
        self.terms: tuple[Term[Code], ...] = terms
        self._by_code: dict[Code, Term[Code]] = {term.code: term for term in terms}

    def __iter__(self) -> Iterator[Term[Code]]:
        return iter(self.terms)

    def __getitem__(self, code: Code) -> Term[Code]:
        return self._by_code[code]

    def label(self, code: Code) -> str:
        return self[code].label

    def names(self) -> dict[Code, str]:
        """Each code's name in the active language, read once for a page's rows (a model's
        get_FOO_display looks the lazy label up for every row)."""
        zh = (translation.get_language() or "").lower().startswith("zh")
        return {term.code: term.zh if zh else term.en for term in self.terms}


SEX: Vocabulary[str] = Vocabulary(
    "GB/T 2261.1-2003 人的性别代码",
    Term("M", "男", "Male", standard="1", words=("男性",)),
    Term("F", "女", "Female", standard="2", words=("女性",)),
)

ETHNICITY: Vocabulary[str] = Vocabulary(
    "GB/T 3304-1991 中国各民族名称的罗马字母拼写法和代码",
    Term("01", "汉族", "Han", letters="HA", roman="Han"),
    Term("02", "蒙古族", "Mongol", letters="MG", roman="Mongol", words=("蒙族",)),
    Term("03", "回族", "Hui", letters="HU", roman="Hui"),
    Term("04", "藏族", "Tibetan", letters="ZA", roman="Zang"),
    Term("05", "维吾尔族", "Uyghur", letters="UG", roman="Uygur", words=("维族",)),
    Term("06", "苗族", "Miao", letters="MH", roman="Miao"),
    Term("07", "彝族", "Yi", letters="YI", roman="Yi"),
    Term("08", "壮族", "Zhuang", letters="ZH", roman="Zhuang"),
    Term("09", "布依族", "Bouyei", letters="BY", roman="Buyei"),
    Term("10", "朝鲜族", "Korean", letters="CS", roman="Chosen"),
    Term("11", "满族", "Manchu", letters="MA", roman="Man"),
    Term("12", "侗族", "Dong", letters="DO", roman="Dong"),
    Term("13", "瑶族", "Yao", letters="YA", roman="Yao"),
    Term("14", "白族", "Bai", letters="BA", roman="Bai"),
    Term("15", "土家族", "Tujia", letters="TJ", roman="Tujia"),
    Term("16", "哈尼族", "Hani", letters="HN", roman="Hani"),
    Term("17", "哈萨克族", "Kazakh", letters="KZ", roman="Kazak"),
    Term("18", "傣族", "Dai", letters="DA", roman="Dai"),
    Term("19", "黎族", "Li", letters="LI", roman="Li"),
    Term("20", "傈僳族", "Lisu", letters="LS", roman="Lisu"),
    Term("21", "佤族", "Va", letters="VA", roman="Va"),
    Term("22", "畲族", "She", letters="SH", roman="She"),
    Term("23", "高山族", "Gaoshan", letters="GS", roman="Gaoshan"),
    Term("24", "拉祜族", "Lahu", letters="LH", roman="Lahu"),
    Term("25", "水族", "Shui", letters="SU", roman="Sui"),
    Term("26", "东乡族", "Dongxiang", letters="DX", roman="Dongxiang"),
    Term("27", "纳西族", "Naxi", letters="NX", roman="Naxi"),
    Term("28", "景颇族", "Jingpo", letters="JP", roman="Jingpo"),
    Term("29", "柯尔克孜族", "Kyrgyz", letters="KG", roman="Kirgiz"),
    Term("30", "土族", "Tu", letters="TU", roman="Tu"),
    Term("31", "达斡尔族", "Daur", letters="DU", roman="Daur"),
    Term("32", "仫佬族", "Mulao", letters="ML", roman="Mulam"),
    Term("33", "羌族", "Qiang", letters="QI", roman="Qiang"),
    Term("34", "布朗族", "Blang", letters="BL", roman="Blang"),
    Term("35", "撒拉族", "Salar", letters="SL", roman="Salar"),
    Term("36", "毛南族", "Maonan", letters="MN", roman="Maonan"),
    Term("37", "仡佬族", "Gelao", letters="GL", roman="Gelao"),
    Term("38", "锡伯族", "Xibe", letters="XB", roman="Xibe"),
    Term("39", "阿昌族", "Achang", letters="AC", roman="Achang"),
    Term("40", "普米族", "Pumi", letters="PM", roman="Pumi"),
    Term("41", "塔吉克族", "Tajik", letters="TA", roman="Tajik"),
    Term("42", "怒族", "Nu", letters="NU", roman="Nu"),
    Term("43", "乌孜别克族", "Uzbek", letters="UZ", roman="Uzbek"),
    Term("44", "俄罗斯族", "Russian", letters="RS", roman="Russ"),
    Term("45", "鄂温克族", "Evenki", letters="EW", roman="Ewenki"),
    Term("46", "德昂族", "De'ang", letters="DE", roman="Deang"),
    Term("47", "保安族", "Bonan", letters="BN", roman="Bonan"),
    Term("48", "裕固族", "Yugur", letters="YG", roman="Yugur"),
    Term("49", "京族", "Gin", letters="GI", roman="Gin"),
    Term("50", "塔塔尔族", "Tatar", letters="TT", roman="Tatar"),
    Term("51", "独龙族", "Derung", letters="DR", roman="Derung"),
    Term("52", "鄂伦春族", "Oroqen", letters="OR", roman="Oroqen"),
    Term("53", "赫哲族", "Hezhen", letters="HZ", roman="Hezhen"),
    Term("54", "门巴族", "Monba", letters="MB", roman="Monba"),
    Term("55", "珞巴族", "Lhoba", letters="LB", roman="Lhoba"),
    Term("56", "基诺族", "Jino", letters="JN", roman="Jino"),
)

CATEGORY: Vocabulary[int] = Vocabulary(
    "GB/T 26341-2010 残疾人残疾分类和分级",
    Term(1, "视力残疾", "Visual", words=("视力", "视力残")),
    Term(2, "听力残疾", "Hearing", words=("听力", "听力残")),
    Term(3, "言语残疾", "Speech", words=("言语", "言语残")),
    Term(4, "肢体残疾", "Physical", words=("肢体", "肢体残")),
    Term(5, "智力残疾", "Intellectual", words=("智力", "智力残")),
    Term(6, "精神残疾", "Mental", words=("精神", "精神残")),
    Term(7, "多重残疾", "Multiple", words=("多重", "多重残")),
)

GRADE: Vocabulary[int] = Vocabulary(
    "GB/T 26341-2010 残疾人残疾分类和分级",
    Term(1, "一级", "Grade 1", words=("一", "壹", "壹级", "1级")),
    Term(2, "二级", "Grade 2", words=("二", "贰", "贰级", "2级")),
    Term(3, "三级", "Grade 3", words=("三", "叁", "叁级", "3级")),
    Term(4, "四级", "Grade 4", words=("四", "肆", "肆级", "4级")),
)

# The registry's own codes: no standard applies.
LIFE_STATUS: Vocabulary[str] = Vocabulary(
    "",
    Term("active", "正常", "Active"),
    Term("deceased", "死亡", "Deceased", words=("已故", "去世")),
    Term("moved_out", "迁出", "Moved out"),
    Term("cancelled", "残疾人证注销", "Certificate cancelled", words=("注销",)),
)
