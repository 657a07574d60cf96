"""The registry's exchange format: one list of columns for the template, exports and imports.

Headers are the Chinese names federations use, whatever the interface language, so that a
file exported in English re-imports; each column also accepts the aliases found in files from
the national system, townships and other agencies (docs/spreadsheets.md lists them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy

from canlian.lib import idcard, masks
from canlian.places.models import Level, Place
from canlian.spreadsheets.columns import Column, ColumnSet

if TYPE_CHECKING:
    from canlian.accounts.actors import Actor

# The sheet of the template and of exports; an import reads a file's first sheet.
TEMPLATE_SHEET = "残疾人信息"


def _id_mask(text: str) -> str:
    return masks.id_number(idcard.normalize(text))


COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", ("残疾人姓名", "名字", "Name"), required=True, width=10),
    Column(
        "id_number", "公民身份号码",
        ("身份证号", "身份证号码", "公民身份证号码", "身份证", "证件号码", "Citizen ID number"),
        required=True, sensitive=True, mask=_id_mask, width=22,
        note="18位，按文本格式填写；15位旧号码自动升级。",
    ),
    Column(
        "certificate_number", "残疾人证号",
        ("残疾证号", "残疾人证号码", "残疾证号码", "第二代残疾人证号", "Certificate number"),
        sensitive=True, mask=_id_mask, width=24,
        note="可不填；填写时须为身份证号+类别+等级，共20位。",
    ),
    Column("sex", "性别", ("Sex",), width=6, note="男/女；可不填，须与身份证号一致。"),
    Column("ethnicity", "民族", ("Ethnicity",), required=True, width=8, note="如：汉族、回族。"),
    Column(
        "birth_date", "出生日期", ("出生年月日", "生日", "Date of birth"), width=12,
        note="可不填；须与身份证号一致。",
    ),
    Column(
        "county", "县（市、区）", ("县市区", "县区", "所属县区", "户籍所在县区", "County"),
        width=10, note="乡镇名称在多个县区重复时用于区分；不填时取导入人员所在的县（市、区）。",
    ),
    Column(
        "township", "户籍所在乡镇（街道）",
        ("户籍所在乡镇", "所属乡镇（街道）", "所属乡镇", "乡镇（街道）", "乡镇街道", "乡镇",
         "Township"),
        width=14, note="与“户籍地行政区划代码”二选一；乡镇专职委员可不填，取其所在乡镇。",
    ),
    Column(
        "village", "户籍所在村（社区）",
        ("户籍所在村", "所属村（社区）", "村（社区）", "村社区", "村居", "Village"), width=14,
    ),
    Column(
        "place_code", "户籍地行政区划代码", ("行政区划代码", "区划代码", "Place code"),
        width=16, note="12位统计用区划代码；填写时优先于名称。",
    ),
    Column(
        "address", "户籍地址",
        ("户籍所在地址", "家庭住址", "详细地址", "住址", "Household address"), width=24,
    ),
    Column(
        "phone", "联系电话", ("电话", "手机", "手机号码", "本人电话", "Phone"),
        sensitive=True, mask=masks.phone, width=14,
    ),
    Column("guardian_name", "监护人姓名", ("监护人", "Guardian's name"), width=10,
           note="未成年人和智力、精神残疾人必填。"),
    Column("guardian_relation", "监护人关系", ("与监护人关系", "监护关系"), width=10),
    Column("guardian_phone", "监护人电话", ("监护人联系电话", "监护人手机", "Guardian's phone"),
           sensitive=True, mask=masks.phone, width=14),
    Column("category", "残疾类别", ("残疾类型", "类别", "Disability category"), required=True,
           width=10, note="代码1–7或名称，如：4、肢体、肢体残疾。"),
    Column("grade", "残疾等级", ("残疾级别", "等级", "Disability grade"), required=True, width=8,
           note="代码1–4或名称，如：2、二级、贰级。"),
    Column(
        "certificate_issued_on", "发证日期", ("办证日期", "Certificate issued on"),
        required=True, width=12, note="如：2020-01-05。",
    ),
    Column(
        "certificate_expires_on", "有效期至",
        ("证件有效期至", "有效期截止日期", "有效期", "到期日期", "Certificate expires on"),
        width=12, note="可不填：发证日期起10年。",
    ),
    Column("life_status", "人员状态", ("状态", "Life status"), width=10,
           note="正常、死亡、迁出、残疾人证注销；不填为正常。"),
    Column("life_status_date", "状态变更日期", ("变更日期", "Date of status change"), width=12),
    Column("bank_name", "开户银行", ("开户行", "银行", "Bank"), width=14),
    Column("bank_account", "银行账号", ("银行卡号", "账号", "Bank account number"),
           sensitive=True, mask=masks.bank_account, width=24),
    Column("dibao", "是否低保", ("低保", "是否低保户"), width=8, note="是/否；不填则不改变。"),
    Column("dibao_edge", "是否低保边缘", ("低保边缘", "是否低保边缘户"), width=8),
    Column("tekun", "是否特困", ("特困", "是否特困供养", "是否特困人员"), width=8),
    Column("registered_poor", "是否建档立卡", ("建档立卡", "是否建档立卡户"), width=8),
    Column("poverty_alleviated", "是否脱贫人口", ("脱贫人口", "是否脱贫户"), width=8,
           note="2021年起：建档立卡已改称脱贫人口。"),
    Column("monitored", "是否监测对象", ("监测对象", "是否防止返贫监测对象", "防止返贫监测对象"),
           width=8),
)  # fmt: skip

BY_KEY = {c.key: c for c in COLUMNS}
STATUS_COLUMNS = {"dibao": "dibao", "dibao_edge": "dibao_edge", "tekun": "tekun",
                  "registered_poor": "registered_poor",
                  "poverty_alleviated": "poverty_alleviated",
                  "monitored": "monitored"}  # fmt: skip
# A place is given by its township name (with village and county if needed) or its code.
REGISTRY = ColumnSet(
    COLUMNS,
    one_of=("township", "place_code"),
    no_header=gettext_lazy(
        "No header row found: the first rows should name the columns, e.g. 姓名, "
        "公民身份号码, 残疾类别. Download the template to see them."
    ),
)
# A township officer's file may leave out the township: the officer's own is taken.
REGISTRY_IN_TOWNSHIP = ColumnSet(COLUMNS, no_header=REGISTRY.no_header)


def home_of(user: Actor) -> Place | None:
    """The place of a user's jurisdiction; None for the command-line operator (no place of
    its own: nothing is taken from it, and no query is made before the file is read)."""
    return getattr(user, "place", None) if getattr(user, "place_id", None) else None


def registry_for(place: Place | None) -> ColumnSet:
    """The columns a file of `place`'s user needs (a township officer's: no place column)."""
    if place is not None and place.level >= Level.TOWNSHIP:
        return REGISTRY_IN_TOWNSHIP
    return REGISTRY


match_headers = REGISTRY.match
missing_columns = REGISTRY.missing
