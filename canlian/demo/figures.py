"""What the demo draws from: distributions with their sources, shares and the demo logins."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from canlian.accounts.roles import Role
from canlian.people.models import (
    Category,
    LifeStatus,
    Sex,
    StatusKind,
)

DEFAULT_PERSONS = 96_118  # certified disabled persons on record in Jiaozuo (seed article, 2018)
DEFAULT_SEED = 20180816  # the seed article's date

# Public, demo-only password shared by every demo login. Never use it anywhere else.
DEMO_PASSWORD = "canlian-demo"  # noqa: S105
# Public, demo-only authenticator key of the demo logins whose role needs a second factor
# (hex of the 20 bytes "canlian-demo-totp-20"; base32 MNQW43DJMFXC2ZDFNVXS25DPORYC2MRQ).
DEMO_TOTP_KEY = "63616e6c69616e2d64656d6f2d746f74702d3230"
CITY_CODE = "410800000000"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    place_code: str
    full_name: str


DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin("township", Role.TOWNSHIP_OFFICER, "410883101000", "演示·乡镇专职委员"),
    DemoLogin("clerk-wenxian", Role.COUNTY_CLERK, "410825000000", "演示·温县残联"),
    DemoLogin("clerk-mengzhou", Role.COUNTY_CLERK, "410883000000", "演示·孟州市残联"),
    DemoLogin("township-wenxian", Role.TOWNSHIP_OFFICER, "410825001000", "演示·温县乡镇专职委员"),
    DemoLogin("civil", Role.CIVIL_AFFAIRS, "410825000000", "演示·温县民政"),
    DemoLogin("civil-mengzhou", Role.CIVIL_AFFAIRS, "410883000000", "演示·孟州市民政"),
    DemoLogin("city", Role.CITY_STAFF, CITY_CODE, "演示·市残联"),
    DemoLogin("finance", Role.FINANCE, CITY_CODE, "演示·财务"),
    DemoLogin("finance-review", Role.FINANCE, CITY_CODE, "演示·财务复核"),
    DemoLogin("auditor", Role.AUDITOR, CITY_CODE, "演示·审计"),
    DemoLogin("sysadmin", Role.SYSTEM_ADMIN, CITY_CODE, "演示·系统管理员"),
    DemoLogin("secadmin", Role.SECURITY_ADMIN, CITY_CODE, "演示·安全管理员"),
    # A second security administrator: approves the sensitive roles the first asks for.
    DemoLogin("secadmin2", Role.SECURITY_ADMIN, CITY_CODE, "演示·安全管理员（复核）"),
    DemoLogin("auditadmin", Role.AUDIT_ADMIN, CITY_CODE, "演示·审计管理员"),
)

# Resident population of the ten counties/districts, seventh national census (2020-11-01),
# 焦作市第七次全国人口普查公报（第二号）; city total 3,521,078. The figures for 武陟县, 温县,
# 沁阳市 and 孟州市 were checked against 中国人口普查分县资料—2020 (as quoted by Wikipedia).
# The other six could not be checked where this was written: they are the 2018 year-end
# estimates scaled to the remainder of the census total (marked "provisional"); replace them
# with the bulletin's table when at hand. They are only weights for spreading demo persons.
COUNTY_POPULATION: dict[str, int] = {
    "410802": 305_762,  # 解放区 (provisional)
    "410803": 107_568,  # 中站区 (provisional)
    "410804": 142_154,  # 马村区 (provisional)
    "410811": 491_526,  # 山阳区 (provisional; includes the parts run by the 示范区)
    "410821": 256_139,  # 修武县 (provisional)
    "410822": 381_050,  # 博爱县 (provisional)
    "410823": 661_341,  # 武陟县
    "410825": 393_838,  # 温县
    "410882": 447_487,  # 沁阳市
    "410883": 334_213,  # 孟州市
}

# Share of each category among all disabled persons, Second China National Sample Survey on
# Disability (第二次全国残疾人抽样调查, 2006; 国家统计局/中国残联 主要数据公报, 2006-12-01).
CATEGORY_WEIGHTS: dict[int, float] = {
    Category.VISUAL: 14.86,
    Category.HEARING: 24.16,
    Category.SPEECH: 1.53,
    Category.PHYSICAL: 29.07,
    Category.INTELLECTUAL: 6.68,
    Category.MENTAL: 7.40,
    Category.MULTIPLE: 16.30,
}
# Children (assumption, not survey data): disabilities found in childhood are mostly
# intellectual, hearing/speech, physical (cerebral palsy) and autism (certified as mental).
CHILD_CATEGORY_WEIGHTS: dict[int, float] = {
    Category.VISUAL: 5,
    Category.HEARING: 15,
    Category.SPEECH: 10,
    Category.PHYSICAL: 22,
    Category.INTELLECTUAL: 30,
    Category.MENTAL: 8,
    Category.MULTIPLE: 10,
}
# Grades 1-4. ASSUMPTION: the 2006 survey found about 30% of disabled persons severe (grades
# 1-2); certificate holders skew more severe because the subsidies need a certificate, so we
# use 37% severe. Multiple disability takes the grade of its most severe part: more severe.
GRADE_WEIGHTS: tuple[float, ...] = (15, 22, 28, 35)
MULTIPLE_GRADE_WEIGHTS: tuple[float, ...] = (30, 35, 20, 15)

# Age bands (inclusive years, weight). Prevalence rises with age: the 2006 survey counted
# 53% of disabled persons aged 60+ and under 5% aged 0-14; the population has aged since.
AGE_BANDS: tuple[tuple[int, int, float], ...] = (
    (2, 17, 4),
    (18, 29, 4),
    (30, 44, 9),
    (45, 59, 25),
    (60, 69, 25),
    (70, 79, 21),
    (80, 95, 12),
)
MALE_SHARE = 0.5155  # 2006 survey: 51.55% of disabled persons male

# GB/T 3304 codes. Jiaozuo's minorities are about 2% of residents, nearly all Hui.
ETHNICITY_WEIGHTS: dict[str, float] = {"01": 98.7, "03": 1.1, "11": 0.1, "02": 0.05, "08": 0.05}

# Address codes other than the person's county: the code of first registration never
# changes, so some persons carry the retired 410881 (济源市 under Jiaozuo, 1989-1997), the old
# codes of 孟县/沁阳县, or a code from elsewhere in Henan.
HISTORICAL_CODE = "410881"
OLD_COUNTY_CODES = {"410883": ("410826", 1996), "410882": ("410824", 1989)}
OTHER_HENAN_CODES = ("410102", "410305", "410702", "410711", "410221", "411002", "410902")

RARE_CHARACTERS = "𠈌𡒄𣲙𤩽𥔲𦰡𧿹𨙸"  # CJK Unified Ideographs Extension B (outside the BMP)
RARE_NAME_SHARE = 0.005

BANKS = (
    "中国农业银行",
    "中国邮政储蓄银行",
    "农村商业银行",
    "中国工商银行",
    "中国建设银行",
    "中国银行",
)
BANK_WEIGHTS = (30, 25, 20, 10, 10, 5)
MOBILE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155",
    "156", "157", "158", "159", "166", "176", "177", "178", "180", "181", "182", "183", "185",
    "186", "187", "188", "189", "191", "199",
)  # fmt: skip

# Columns the generator fills, in the order of its rows.
PERSON_FIELDS = (
    "id", "id_number_cipher", "id_number_index", "id_tail_index", "id_number_masked", "name",
    "name_initials",
    "sex", "birth_date", "ethnicity", "place_id", "address", "phone_cipher", "phone_masked",
    "guardian_name", "guardian_relation", "guardian_phone_cipher", "guardian_phone_masked",
    "category", "grade", "certificate_issued_on", "certificate_expires_on", "life_status",
    "life_status_date", "bank_name", "bank_account_cipher", "bank_account_masked",
)  # fmt: skip
PERIOD_FIELDS = ("person_id", "kind", "start", "end")

CERTIFICATES_FROM_ORD = datetime.date(2008, 1, 1).toordinal()  # second-generation certificates
RECENT_FROM_ORD = datetime.date(2017, 1, 1).toordinal()
ASSISTANCE_FROM_ORD = datetime.date(2012, 1, 1).toordinal()
POOR_FROM_ORD = datetime.date(2014, 1, 1).toordinal()
POOR_IDENTIFIED_UNTIL_ORD = datetime.date(2016, 12, 31).toordinal()
EXIT_FROM_ORD = datetime.date(2020, 1, 1).toordinal()
EXIT_UNTIL_ORD = datetime.date(2021, 12, 31).toordinal()
OLD_ISSUE_SHARE = 0.2  # issued 2008-2016, so expired by now unless renewed
DECEASED, MOVED_OUT, CANCELLED = 0.03, 0.01, 0.01
DIBAO, DIBAO_EDGE, TEKUN = 0.18, 0.03, 0.02
POOR_IF_ASSISTED, POOR_OTHERWISE = 0.33, 0.058  # about 12% registered poor overall
BANK_SHARE, PHONE_SHARE = 0.70, 0.92
ACCOUNT_DIGITS = (14, 15, 16, 17, 17, 17)  # after the leading "62": 16 to 19 digits in all

# Plain values of the choices, looked up once (enum attribute access is slow in the hot path).
MALE, FEMALE = Sex.MALE.value, Sex.FEMALE.value
ACTIVE = LifeStatus.ACTIVE.value
DECEASED_STATUS = LifeStatus.DECEASED.value
MOVED_OUT_STATUS = LifeStatus.MOVED_OUT.value
CANCELLED_STATUS = LifeStatus.CANCELLED.value
DIBAO_KIND, DIBAO_EDGE_KIND = StatusKind.DIBAO.value, StatusKind.DIBAO_EDGE.value
TEKUN_KIND, REGISTERED_POOR_KIND = StatusKind.TEKUN.value, StatusKind.REGISTERED_POOR.value
