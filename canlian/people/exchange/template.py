"""The empty import file of the registry, with its instructions (in Chinese, as the headers)."""

from __future__ import annotations

from pathlib import Path

from canlian.people.exchange.columns import COLUMNS, TEMPLATE_SHEET
from canlian.spreadsheets.report import write_template as write_columns

INTRO = [
    "请在“残疾人信息”工作表中每行填写一人，不要修改第一行列名，不要使用公式。",
    "带 * 的列必须填写；乡镇（街道）与行政区划代码二选一。",
    "身份证号已存在的人员将被更新：文件中有的列以文件为准，没有的列保持不变。",
    "导入前系统会检查每一行，任何一行有问题则不写入任何数据，并给出问题清单。",
]


def write_template(path: Path) -> None:
    write_columns(path, columns=COLUMNS, sheet=TEMPLATE_SHEET, intro=INTRO)
