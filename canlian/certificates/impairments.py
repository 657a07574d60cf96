"""The impairments GB/T 26341-2010 §5.4 lists for each grade of physical disability (肢体残疾).

Each grade of the standard needs a level of independence in daily living activities (grading.py,
`Independence`) *and* one of the impairments listed under that grade ("并具备下列状况之一").
The list is data: a code (the grade and the item's letter in the standard's order, e.g. "2c"),
the grade it is listed under and the standard's own Chinese wording, shown as written in every
language (it is the text the assessor's form quotes, not an interface string).

Source and its limits: the wording below follows the standard's text as federations reproduce
it in their published guides to the grades; it has not been checked against the printed
standard, and some guides word a few items a little differently (for example grade 3 item e,
"二肢在手指掌指关节（含）和足跗跖关节（含）以上不同部位缺失"). A deployment that holds the printed
text should compare the items and correct any wording here; the codes and grades do not
depend on it.
"""

from __future__ import annotations

import dataclasses

__all__ = ["IMPAIRMENTS", "NO_IMPAIRMENT", "Impairment", "impairment"]

NO_IMPAIRMENT = "none"  # none of the listed impairments: no physical disability grade


@dataclasses.dataclass(frozen=True)
class Impairment:
    code: str
    grade: int
    text: str  # the standard's wording

    @property
    def label(self) -> str:
        return f"{self.code}　{self.text}"


def _grade(grade: int, *texts: str) -> tuple[Impairment, ...]:
    return tuple(
        Impairment(code=f"{grade}{chr(ord('a') + n)}", grade=grade, text=text)
        for n, text in enumerate(texts)
    )


IMPAIRMENTS: tuple[Impairment, ...] = (
    *_grade(
        1,
        "四肢瘫：四肢运动功能重度丧失",
        "截瘫：双下肢运动功能完全丧失",
        "偏瘫：一侧肢体运动功能完全丧失",
        "单全上肢和双小腿缺失",
        "单全下肢和双前臂缺失",
        "双上臂和单大腿（或单小腿）缺失",
        "双全上肢或双全下肢缺失",
        "四肢在不同部位缺失",
        "双上肢功能极重度障碍或三肢功能重度障碍",
    ),
    *_grade(
        2,
        "偏瘫或截瘫，残肢保留少许功能（不能独立行走）",
        "双上臂或双前臂缺失",
        "双大腿缺失",
        "单全上肢和单大腿缺失",
        "单全下肢和单上臂缺失",
        "三肢在不同部位缺失（除外一级中的情况）",
        "二肢功能重度障碍或三肢功能中度障碍",
    ),
    *_grade(
        3,
        "双小腿缺失",
        "单前臂及其以上缺失",
        "单大腿及其以上缺失",
        "双手拇指或双手拇指以外其他手指全缺失",
        "二肢在不同部位缺失（除外二级中的情况）",
        "一肢功能重度障碍或二肢功能中度障碍",
    ),
    *_grade(
        4,
        "单小腿缺失",
        "双下肢不等长，差距大于等于50 mm",
        "脊柱强（僵）直",
        "脊柱畸形，后凸大于70度或侧凸大于45度",
        "单侧拇指以外其他四指全缺失",
        "单侧拇指全缺失",
        "单足跗跖关节以上缺失",
        "双足趾完全缺失或失去功能",
        "侏儒症（身高小于等于1300 mm的成年人）",
        "一肢功能中度障碍或两肢功能轻度障碍",
        "类似上述的其他肢体功能障碍",
    ),
)

_BY_CODE = {item.code: item for item in IMPAIRMENTS}


def impairment(code: str) -> Impairment | None:
    """The listed impairment of `code`; None for NO_IMPAIRMENT. KeyError for an unknown code."""
    if code == NO_IMPAIRMENT:
        return None
    return _BY_CODE[code]
