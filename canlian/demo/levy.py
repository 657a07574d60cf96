"""Demo data for the employment security fund: synthetic employers in the ten counties and
their declarations for the collection year, taken through the services (declare → verify →
notice) so that the lists, the amounts and the audit log look lived in.

Everything here is made up. The employers' names are built from word lists and end in
（示例）; their unified social credit codes are well-formed (GB 32100-2015: registration
authority and type, the county's code, a synthetic organisation code with its GB 11714 check
digit, then the check character) but invented. The declared disabled employees are demo persons
of the registry who qualify on 31 December of the figures' year, plus a few lines made to fail
verification for each reason: an unregistered (synthetic) ID number, a contract shorter than a
year, no social insurance, a wage below the minimum, a person already counted by another
employer. The wages are sample figures, not statistics (see LOCAL_AVERAGE_WAGE).

`today` must not lie after the real day: the services refuse dates in the future. The payment
notices are dated the real day, the only date `services.mark_notified` accepts for a
declaration verified now.
"""

from __future__ import annotations

import datetime
import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Protocol

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.cn import uscc as uscc_number

from canlian.accounts import reveal as gate
from canlian.accounts.models import User
from canlian.accounts.operator import CommandLineOperator
from canlian.accounts.roles import Perm, Role
from canlian.accounts.scoping import covers
from canlian.demo.figures import COUNTY_POPULATION, DEMO_LOGINS
from canlian.demo.generator import Generator
from canlian.levy import services
from canlian.levy.formula import PARAMETERS_DIRECTORY, EmployerKind
from canlian.levy.models import Declaration, DeclarationStatus, DeclaredEmployee, Employer
from canlian.lib import crypto, idcard
from canlian.lib.parameters import load_directory
from canlian.people import services as people
from canlian.people.models import ID_CONTEXT, LifeStatus, Person, Sex
from canlian.places.models import Place

__all__ = [
    "DEMO_MARK",
    "build_levy_demo",
    "demo_acting_users",
    "make_uscc",
    "organisation_check",
    "reset_levy_demo",
]

DEMO_MARK = "（示例）"  # every demo employer's name ends with it; the reset deletes by it
# The names draw from their own stream (see canlian.demo.certificates.NAME_SEED_OFFSET).
SEED_OFFSET = 32_100

# SAMPLE figures, not statistics: the local average annual wage of the figures' year, one per
# county (in yuan). A deployment takes the figure the province prescribes (上年度当地在岗职工
# 年平均工资, published by the statistics bureau).
LOCAL_AVERAGE_WAGE: dict[str, Decimal] = {
    "410802": Decimal("78600.00"),  # 解放区
    "410803": Decimal("71200.00"),  # 中站区
    "410804": Decimal("70400.00"),  # 马村区
    "410811": Decimal("77900.00"),  # 山阳区
    "410821": Decimal("66300.00"),  # 修武县
    "410822": Decimal("68500.00"),  # 博爱县
    "410823": Decimal("65800.00"),  # 武陟县
    "410825": Decimal("67200.00"),  # 温县
    "410882": Decimal("69900.00"),  # 沁阳市
    "410883": Decimal("68800.00"),  # 孟州市
}
# SAMPLE: 12 × a monthly minimum wage of 2,100 yuan in the city's districts and 2,000 in the
# counties and county-level cities (not the province's published tiers).
DISTRICT_MINIMUM_WAGE = Decimal("25200.00")
COUNTY_MINIMUM_WAGE = Decimal("24000.00")
DISTRICTS = frozenset({"410802", "410803", "410804", "410811"})

# How many employers of each kind; ENTERPRISE_STAFF splits the enterprises by size.
KIND_COUNTS: dict[str, int] = {
    EmployerKind.ENTERPRISE: 62,
    EmployerKind.GOVERNMENT: 8,
    EmployerKind.INSTITUTION: 8,
    EmployerKind.ORGANISATION: 6,
}
MIN_PER_COUNTY = 4  # then the rest spread by population
ENTERPRISE_STAFF: tuple[tuple[int, int, int], ...] = (  # (low, high, how many)
    (8, 30, 9),  # small enough for the exemption
    (31, 99, 18),
    (100, 499, 22),
    (500, 2000, 13),
)
OTHER_STAFF: dict[str, tuple[int, int]] = {
    EmployerKind.GOVERNMENT: (20, 300),
    EmployerKind.INSTITUTION: (30, 800),
    EmployerKind.ORGANISATION: (8, 60),
}
FRACTIONAL_STAFF_SHARE = 0.15  # enterprises with seasonal staff (annualised)
HIGH_WAGE_SHARE = 0.12  # of enterprises over 30 staff: paying above the cap (2 × local)
MIN_HIGH_WAGE = 3
UNDECLARED = 4  # employers without a declaration yet
DRAFTS = 10  # the latest declarations, not yet verified
NOTIFIED = 30  # the earliest verified declarations, whose notice is issued
# Aimed-at tiers for declarations with a shortfall, and the most persons one may hold.
TIER_WEIGHTS = {"met": 25, "half": 35, "below": 40}
MAX_COUNTS = 16
# Lines made to fail verification, per reason (verified declarations of 50 staff or more).
NOT_REGISTERED, SHORT_CONTRACT, NO_INSURANCE, LOW_WAGE, COUNTED_ELSEWHERE = (
    "not_registered",
    "short_contract",
    "no_insurance",
    "low_wage",
    "counted_elsewhere",
)
FAILING: tuple[tuple[str, int], ...] = (
    (NOT_REGISTERED, 3),
    (SHORT_CONTRACT, 2),
    (NO_INSURANCE, 2),
    (LOW_WAGE, 2),
    (COUNTED_ELSEWHERE, 2),
)
FAILING_MIN_STAFF = 50
POOL_LIMIT = 4000  # qualifying persons read, by id
# Below the statutory retirement age on `day` whatever the post (levy.counting): a woman
# worker retires at 50 (and some months after 2025), a man at 60 (and some months).
WORKING_AGES = {Sex.MALE: (18, 59), Sex.FEMALE: (18, 49)}
CONTRACT_MONTHS = (12, 24, 36, 36, 60, 120)
YUAN = Decimal(1)
FEN = Decimal("0.01")

ENTERPRISE_WORDS = (
    "恒达", "宏远", "鑫盛", "华泰", "永兴", "金丰", "德润", "瑞丰", "嘉禾", "润通", "联创", "豫丰",
    "中原", "太行", "怀川", "新亚", "安泰", "兴业", "利民", "隆昌", "富源", "天成", "盛世", "博远",
)  # fmt: skip
INDUSTRIES = (
    "机械", "化工", "铝业", "食品", "纺织", "建材", "物流", "电子", "汽车配件", "药业", "商贸",
    "印务", "环保科技", "农业发展", "建筑工程", "家具", "饮品", "物业服务", "餐饮管理", "制衣",
)  # fmt: skip
FORMS = ("有限公司", "有限公司", "有限公司", "股份有限公司", "有限责任公司")
GOVERNMENT_BODIES = (
    "人力资源和社会保障局", "自然资源局", "住房和城乡建设局", "交通运输局", "农业农村局",
    "市场监督管理局", "统计局", "文化广电和旅游局", "水利局", "应急管理局", "卫生健康委员会",
    "教育局", "民政局", "司法局", "商务局",
)  # fmt: skip
INSTITUTIONS = (
    "第二高级中学", "实验小学", "中医院", "妇幼保健院", "疾病预防控制中心", "图书馆",
    "职业教育中心", "融媒体中心", "第一初级中学", "公路事业发展中心", "农业技术推广中心", "文化馆",
)  # fmt: skip
ORGANISATIONS = (
    ("个体劳动者协会", "51"), ("慈善总会", "51"), ("书法家协会", "51"), ("老年体育协会", "51"),
    ("社会工作服务中心", "52"), ("阳光康复服务中心", "52"), ("民办启智幼儿园", "52"),
    ("物流行业协会", "51"),
)  # fmt: skip
# Registration authority and type (GB 32100-2015): 9 1 enterprise (市场监管), 1 1 government
# body and 1 2 public institution (机构编制), 5 1 social group / 5 2 private non-enterprise
# unit (民政).
USCC_PREFIX: dict[str, str] = {
    EmployerKind.ENTERPRISE: "91",
    EmployerKind.GOVERNMENT: "11",
    EmployerKind.INSTITUTION: "12",
}
STREETS = (
    "建设路", "人民路", "工业路", "解放路", "和平街", "迎宾大道", "中原路", "新华街", "丰收路",
    "文化路", "健康路", "太行路",
)  # fmt: skip
ORG_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # a USCC's alphabet (no I, O, S, V, Z)
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


class Writer(Protocol):
    def write(self, msg: str, /) -> Any: ...


def organisation_check(body: str) -> str:
    """The check digit of an 8-character organisation code (GB 11714-1997): letters count
    10–35, weights 3 7 9 10 5 8 4 2; 11 − (sum mod 11), with 10 → X and 11 → 0."""
    total = sum(int(char, 36) * weight for char, weight in zip(body, ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def make_uscc(prefix: str, county: str, body: str) -> str:
    """A well-formed code: `prefix` (authority and type), the 6-digit county code, the
    organisation code `body` with its check digit, then the USCC check character."""
    first17 = prefix + county + body + organisation_check(body)
    return first17 + uscc_number.calc_check_digit(first17)


def demo_acting_users() -> dict[str, User]:
    """County code → the demo login that keeps its employers: the county clerk where there is
    one (温县, 孟州市), else the city staff login."""
    city = User.objects.get(
        username=next(d.username for d in DEMO_LOGINS if d.role == Role.CITY_STAFF)
    )
    users: dict[str, User] = dict.fromkeys(COUNTY_POPULATION, city)
    for login in DEMO_LOGINS:
        if login.role == Role.COUNTY_CLERK and login.place_code[:6] in users:
            users[login.place_code[:6]] = User.objects.get(username=login.username)
    return users


@dataclass
class _Line:
    reason: str  # "" for a line that counts, else the reason it is made to fail
    person: int | None = None  # the registry person, or None (an unregistered number)
    id_number: str = ""
    name: str = ""
    contract_months: int = 12
    annual_wage: Decimal = Decimal(0)
    social_insurance: bool = True


@dataclass
class _Plan:
    county: str
    kind: str
    name: str
    uscc: str
    address: str
    contact_name: str
    contact_phone: str
    staff: Decimal = Decimal(0)
    average_wage: Decimal = Decimal(0)
    declared_on: datetime.date | None = None
    status: str = DeclarationStatus.DRAFT
    lines: list[_Line] = field(default_factory=list)

    @property
    def minimum_wage(self) -> Decimal:
        return DISTRICT_MINIMUM_WAGE if self.county in DISTRICTS else COUNTY_MINIMUM_WAGE


class _Pool:
    """Qualifying registry persons by county, in a seeded order; each is taken once."""

    def __init__(self, rows: list[tuple[int, str, int]], rng: random.Random) -> None:
        self.by_county: dict[str, list[tuple[int, int]]] = {c: [] for c in COUNTY_POPULATION}
        for pk, place, grade in rows:
            self.by_county.setdefault(place[:6], []).append((pk, grade))
        for persons in self.by_county.values():
            rng.shuffle(persons)

    def take(self, county: str, *, single: bool = False) -> tuple[int, int] | None:
        """A person (pk, grade) preferably of `county`; `single`: not grade 1–2 (counts
        once). None when none is left."""
        others = sorted(self.by_county, key=lambda c: (-len(self.by_county[c]), c))
        for code in (county, *others):
            persons = self.by_county.get(code, [])
            for i, (_pk, grade) in enumerate(persons):
                if not single or grade not in services.SEVERE_GRADES:
                    return persons.pop(i)
        return None


class _Builder:
    def __init__(self, *, seed: int, acting_users: dict[str, User], today: datetime.date) -> None:
        self.rng = random.Random(seed + SEED_OFFSET)
        self.names = Generator(
            seed=seed + SEED_OFFSET, today=today, villages={}, adapt_date=lambda d: d
        )
        self.today = today
        self.year = today.year
        self.day = datetime.date(today.year - 1, 12, 31)  # the certificates are checked on it
        self.counties = [c for c in COUNTY_POPULATION if c in acting_users]
        self.county_names = {
            code[:6]: name
            for code, name in Place.objects.filter(
                code__in=[c + "000000" for c in self.counties]
            ).values_list("code", "name")
        }
        self.parameters = load_directory(PARAMETERS_DIRECTORY)
        self.used_codes: set[str] = set(Employer.objects.values_list("uscc", flat=True))
        self.used_names: set[str] = set()
        self.used_numbers: set[str] = set()
        self.pool = _Pool(self._qualifying(), self.rng)

    def _int(self, low: int, high: int) -> int:
        return self.rng.randint(low, max(low, high))

    def _qualifying(self) -> list[tuple[int, str, int]]:
        """Demo persons who count for an employer on `day`: active, of working age, with a
        valid certificate and no certificate history (whose dates would decide instead)."""
        ages = Q()
        for sex, (youngest, oldest) in WORKING_AGES.items():
            ages |= Q(
                sex=sex,
                birth_date__lte=people.add_years(self.day, -youngest),
                birth_date__gt=people.add_years(self.day, -oldest - 1),
            )
        rows = (
            Person.objects.filter(
                ages,
                life_status=LifeStatus.ACTIVE,
                place__invented=True,
                certificate_issued_on__lte=self.day,
                certificate_expires_on__gte=self.day,
                certificates__isnull=True,
            )
            .order_by("pk")
            .values_list("pk", "place_id", "grade")[:POOL_LIMIT]
        )
        return [(pk, str(place), grade) for pk, place, grade in rows]

    # employers --------------------------------------------------------------------------
    def employers(self) -> list[_Plan]:
        total = sum(KIND_COUNTS.values())
        counties = [c for c in self.counties for _ in range(MIN_PER_COUNTY)]
        weights = [COUNTY_POPULATION[c] for c in self.counties]
        counties += self.rng.choices(self.counties, weights=weights, k=total - len(counties))
        kinds = [kind for kind, count in KIND_COUNTS.items() for _ in range(count)]
        self.rng.shuffle(kinds)
        sizes = [(low, high) for low, high, count in ENTERPRISE_STAFF for _ in range(count)]
        self.rng.shuffle(sizes)
        plans: list[_Plan] = []
        for county, kind in zip(counties, kinds, strict=True):
            plan = self.employer(county, kind)
            low, high = sizes.pop() if kind == EmployerKind.ENTERPRISE else OTHER_STAFF[kind]
            staff = Decimal(round(math.exp(self.rng.uniform(math.log(low), math.log(high)))))
            if kind == EmployerKind.ENTERPRISE and self.rng.random() < FRACTIONAL_STAFF_SHARE:
                staff = min(
                    staff + Decimal(self.rng.choice(("0.25", "0.5", "0.75"))), Decimal(high)
                )
            plan.staff = staff
            plans.append(plan)
        return sorted(plans, key=lambda p: (p.county, p.uscc))

    def employer(self, county: str, kind: str) -> _Plan:
        place = self.county_names[county]
        if kind == EmployerKind.ENTERPRISE:
            prefix = "焦作" if county in DISTRICTS else place
            words = (ENTERPRISE_WORDS, INDUSTRIES, FORMS)
            name = self._unique(lambda: prefix + "".join(self.rng.choice(w) for w in words))
        elif kind == EmployerKind.GOVERNMENT:
            name = self._unique(lambda: place + self.rng.choice(GOVERNMENT_BODIES))
        elif kind == EmployerKind.INSTITUTION:
            name = self._unique(lambda: place + self.rng.choice(INSTITUTIONS))
        else:
            name = self._unique(lambda: place + self.rng.choice(ORGANISATIONS)[0])
        if kind == EmployerKind.ORGANISATION:
            prefix = dict(ORGANISATIONS)[name.removeprefix(place).removesuffix(DEMO_MARK)]
        else:
            prefix = USCC_PREFIX[kind]
        while True:
            if kind == EmployerKind.ENTERPRISE:  # codes given since 2015 start with MA
                body = "MA" + "".join(self.rng.choice(ORG_ALPHABET) for _ in range(6))
            else:
                body = "".join(self.rng.choice("0123456789") for _ in range(8))
            code = make_uscc(prefix, county, body)
            if code not in self.used_codes:
                self.used_codes.add(code)
                break
        return _Plan(
            county=county,
            kind=kind,
            name=name,
            uscc=code,
            address=f"{place}{self.rng.choice(STREETS)}{self._int(1, 399)}号",
            contact_name=self.names.name(self.rng.random() < 0.5),
            contact_phone=f"0391-{self._int(2_000_000, 8_999_999)}",
        )

    def _unique(self, draw: Callable[[], str]) -> str:
        for _attempt in range(50):
            name = draw() + DEMO_MARK
            if name not in self.used_names:
                self.used_names.add(name)
                return name
        raise ValueError("The word lists are too short for this many demo employers.")

    # declarations -----------------------------------------------------------------------
    def declarations(self, plans: list[_Plan]) -> list[_Plan]:
        """Plan each declaration; return the declared ones in the order they are verified."""
        undeclared = set(self.rng.sample(range(len(plans)), min(UNDECLARED, len(plans))))
        declared = [plan for i, plan in enumerate(plans) if i not in undeclared]
        first = datetime.date(self.year, 3, 1)
        if first > self.today:
            first = datetime.date(self.year, 1, 1)
        last = min(self.today, datetime.date(self.year, 6, 30))
        span = (last - first).days
        larger = [
            i for i, p in enumerate(declared) if p.kind == EmployerKind.ENTERPRISE and p.staff > 30
        ]
        wanted = max(MIN_HIGH_WAGE, round(HIGH_WAGE_SHARE * len(larger)))
        high_wage = set(self.rng.sample(larger, min(wanted, len(larger))))
        for i, plan in enumerate(declared):
            plan.declared_on = first + datetime.timedelta(days=self._int(0, span))
            if i in high_wage:  # above the cap: twice the local average wage
                factor = self.rng.uniform(2.05, 3.2)
            elif plan.kind == EmployerKind.ENTERPRISE:
                factor = self.rng.uniform(0.55, 1.6)
            else:
                factor = self.rng.uniform(0.9, 1.4)
            local = LOCAL_AVERAGE_WAGE[plan.county]
            plan.average_wage = (local * Decimal(str(round(factor, 3)))).quantize(YUAN)
            self.lines(plan, high=i in high_wage)
        declared.sort(key=lambda p: (p.declared_on or self.today, p.county, p.uscc))
        for i, plan in enumerate(declared):
            if i >= len(declared) - DRAFTS:
                plan.status = DeclarationStatus.DRAFT
            elif i < NOTIFIED:
                plan.status = DeclarationStatus.NOTIFIED
            else:
                plan.status = DeclarationStatus.VERIFIED
        self.failing(declared)
        return declared

    def lines(self, plan: _Plan, *, high: bool) -> None:
        """The qualifying disabled employees, as many as the tier aimed at needs."""
        assert plan.declared_on is not None
        on, region = plan.declared_on, plan.county
        ratio = self._parameter("levy.ratio", on, region) or Decimal("0.015")
        floor = self._parameter("levy.reduction_floor_ratio", on, region) or Decimal("0.01")
        threshold = self._parameter("levy.exemption_staff_threshold", on, region)
        required = math.ceil(plan.staff * ratio)
        at_floor = math.ceil(plan.staff * floor)
        tier = self.rng.choices(list(TIER_WEIGHTS), weights=list(TIER_WEIGHTS.values()))[0]
        exempt = (
            plan.kind == EmployerKind.ENTERPRISE
            and threshold is not None
            and plan.staff <= threshold
        )
        if exempt:  # most small enterprises employ no disabled person
            target = 0 if self.rng.random() < 0.8 else required
        elif tier == "met" and required <= MAX_COUNTS and not high:
            target = required
        elif tier in ("met", "half") and at_floor < required and at_floor <= MAX_COUNTS:
            target = self._int(at_floor, min(required - 1, MAX_COUNTS))
        else:
            target = self._int(0, min(at_floor - 1, MAX_COUNTS)) if at_floor > 1 else 0
        counted = 0
        while counted < target:
            person = self.pool.take(plan.county, single=target - counted == 1)
            if person is None:
                break
            plan.lines.append(self.good_line(plan, person[0]))
            counted += 2 if person[1] in services.SEVERE_GRADES else 1

    def _parameter(self, name: str, on: datetime.date, region: str) -> Decimal | None:
        value = self.parameters.value(name, on=on, region=region)
        return None if value is None else value.decimal

    def good_line(self, plan: _Plan, person: int | None) -> _Line:
        return _Line(
            reason="",
            person=person,
            contract_months=self.rng.choice(CONTRACT_MONTHS),
            annual_wage=self.wage(plan),
        )

    def wage(self, plan: _Plan) -> Decimal:
        """A disabled employee's annual wage: above the minimum, near the employer's average."""
        low = float(plan.minimum_wage) * 1.05
        high = max(low + 2000, float(min(plan.average_wage, LOCAL_AVERAGE_WAGE[plan.county])))
        return Decimal(round(self.rng.uniform(low, high) / 100) * 100).quantize(FEN)

    def failing(self, declared: list[_Plan]) -> None:
        """Add the lines made to fail, on declarations that are verified."""
        checked = [
            i
            for i, plan in enumerate(declared)
            if plan.status != DeclarationStatus.DRAFT and plan.staff >= FAILING_MIN_STAFF
        ]
        if not checked:
            return
        for reason, count in FAILING:
            for _n in range(count):
                if reason == COUNTED_ELSEWHERE:
                    self.counted_elsewhere(declared, checked)
                    continue
                plan = declared[self.rng.choice(checked)]
                if reason == NOT_REGISTERED:
                    line = self.unregistered(plan)
                else:
                    person = self.pool.take(plan.county)
                    if person is None:
                        continue
                    line = self.good_line(plan, person[0])
                    line.reason = reason
                    if reason == SHORT_CONTRACT:
                        line.contract_months = self._int(3, 11)
                    elif reason == NO_INSURANCE:
                        line.social_insurance = False
                    else:
                        ratio = Decimal(str(round(self.rng.uniform(0.5, 0.9), 2)))
                        line.annual_wage = (plan.minimum_wage * ratio).quantize(YUAN)
                plan.lines.append(line)

    def counted_elsewhere(self, declared: list[_Plan], checked: list[int]) -> None:
        """Declare a person whom an earlier verified declaration counts on a later one."""
        later = checked[len(checked) // 2 :]
        if not later:
            return
        b = self.rng.choice(later)
        earlier = [
            (i, line)
            for i in checked
            if i < b
            for line in declared[i].lines
            if not line.reason and line.person is not None
        ]
        taken = {line.person for line in declared[b].lines}
        earlier = [(i, line) for i, line in earlier if line.person not in taken]
        if not earlier:
            return
        _i, first = earlier[self._int(0, len(earlier) - 1)]
        line = self.good_line(declared[b], first.person)
        line.reason = COUNTED_ELSEWHERE
        declared[b].lines.append(line)

    def unregistered(self, plan: _Plan) -> _Line:
        """A line with a well-formed ID number that is on no registry (synthetic)."""
        while True:
            age = self._int(20, 50)
            born = datetime.date(self.day.year - age, self._int(1, 12), self._int(1, 28))
            number = idcard.build(
                region_code=plan.county, birth_date=born, sequence=self._int(0, 999)
            )
            if number in self.used_numbers:
                continue
            index = crypto.blind_index(number, context=ID_CONTEXT)
            if not Person.objects.filter(id_number_index=index).exists():
                self.used_numbers.add(number)
                break
        line = self.good_line(plan, None)
        line.reason = NOT_REGISTERED
        line.id_number = number
        line.name = self.names.name(int(number[16]) % 2 == 1)
        return line


@transaction.atomic
def build_levy_demo(
    *,
    seed: int,
    acting_users: dict[str, User],
    today: datetime.date,
    stdout: Writer | None = None,
) -> dict[str, Any]:
    """Register about eighty example employers in the counties of `acting_users` (county code
    → a login with the levy rights whose jurisdiction holds the county; see
    `demo_acting_users`), take their declarations for collection year `today.year` and verify
    most of them against the registry (the latest stay drafts; the notice of the earliest is
    issued). Leftover demo employers (names ending in DEMO_MARK) are deleted first.

    Returns the employers, the declarations in each status, the declared and counted disabled
    employees and the total amount due (a string, yuan). Deterministic for `seed`, `today` and
    the registry (except the notice dates, the real day)."""
    started = time.perf_counter()
    places = {
        p.code[:6]: p for p in Place.objects.filter(code__in=[c + "000000" for c in acting_users])
    }
    for county, user in acting_users.items():
        place = places.get(county)
        if county not in LOCAL_AVERAGE_WAGE:
            raise ValueError(f"{county} is not one of the demo's counties.")
        if place is None or not user.can(Perm.MANAGE_LEVY) or not covers(user, place.code):
            raise ValueError(f"The acting user for {county} cannot manage its employers.")
    if Employer.objects.filter(name__endswith=DEMO_MARK).exists():
        reset_levy_demo()
    builder = _Builder(seed=seed, acting_users=acting_users, today=today)
    plans = builder.employers()
    declared = builder.declarations(plans)

    employers: dict[str, Employer] = {}
    for plan in plans:
        employers[plan.uscc] = services.save_employer(
            data=services.EmployerData(
                name=plan.name,
                uscc=plan.uscc,
                kind=plan.kind,
                place_code=plan.county + "000000",
                address=plan.address,
                contact_name=plan.contact_name,
                contact_phone=plan.contact_phone,
            ),
            acting_user=acting_users[plan.county],
        )
    persons = Person.objects.in_bulk(
        {line.person for plan in declared for line in plan.lines if line.person is not None}
    )
    # The employers know their employees' ID numbers; the demo reads them from the registry
    # through the gate, as the installation (one access record).
    installation = CommandLineOperator(perms=frozenset({Perm.REVEAL_PERSON}))
    opened = gate.reveal_many(
        model=Person, fields=("id_number",), purpose=gate.Purpose.SHOW,
        acting_user=installation, region=installation.scope_prefix or "",
        action="demo.levy_declarations", detail={"persons": len(persons)},
    )  # fmt: skip
    declarations: list[tuple[_Plan, Declaration]] = []
    for plan in sorted(declared, key=lambda p: (p.county, p.uscc)):  # entered by employer
        assert plan.declared_on is not None
        lines = []
        for line in plan.lines:
            person = persons.get(line.person) if line.person is not None else None
            lines.append(
                services.EmployeeLine(
                    id_number=opened(person, "id_number") if person else line.id_number,
                    name=person.name if person else line.name,
                    contract_months=line.contract_months,
                    annual_wage=line.annual_wage,
                    social_insurance=line.social_insurance,
                )
            )
        declaration = services.declare(
            employer=employers[plan.uscc],
            year=builder.year,
            staff=plan.staff,
            total_wages=(plan.average_wage * plan.staff).quantize(FEN, rounding=ROUND_HALF_UP),
            local_average_wage=LOCAL_AVERAGE_WAGE[plan.county],
            declared_on=plan.declared_on,
            employees=lines,
            acting_user=acting_users[plan.county],
            minimum_annual_wage=plan.minimum_wage,
        )
        declarations.append((plan, declaration))
    order = {id(plan): i for i, plan in enumerate(declared)}
    declarations.sort(key=lambda pair: order[id(pair[0])])
    for plan, declaration in declarations:
        if plan.status != DeclarationStatus.DRAFT:
            services.verify(declaration=declaration, acting_user=acting_users[plan.county])
    notified_on = timezone.localdate()  # a notice cannot predate its verification (now)
    for plan, declaration in declarations:
        if plan.status == DeclarationStatus.NOTIFIED:
            services.mark_notified(
                declaration=declaration,
                notified_on=notified_on,
                acting_user=acting_users[plan.county],
            )
    result = _counts([employer.pk for employer in employers.values()], builder.year)
    if stdout is not None:
        stdout.write(
            _(
                "Took %(declarations)s levy declarations of %(employers)s example employers "
                "through verification in %(seconds).1f s."
            )
            % {**result, "seconds": time.perf_counter() - started}
            + "\n"
        )
    return result


def _counts(employer_ids: Sequence[int], year: int) -> dict[str, Any]:
    declarations = Declaration.objects.filter(employer__in=employer_ids, year=year)
    statuses = dict.fromkeys(DeclarationStatus.values, 0)
    for status in declarations.values_list("status", flat=True):
        statuses[status] += 1
    employees = DeclaredEmployee.objects.filter(declaration__in=declarations)
    amount = declarations.exclude(status=DeclarationStatus.DRAFT).aggregate(total=Sum("amount"))
    return {
        "employers": len(employer_ids),
        "declarations": sum(statuses.values()),
        **statuses,
        "declared_employees": employees.count(),
        "counted_persons": employees.filter(counts__gt=0).count(),
        "not_counted": employees.filter(counts=0)
        .exclude(declaration__status=DeclarationStatus.DRAFT)
        .count(),
        "amount": f"{amount['total'] or Decimal(0):.2f}",
    }


@transaction.atomic
def reset_levy_demo() -> dict[str, int]:
    """Delete the example employers (names ending in DEMO_MARK), their declarations and
    declared employees (before the demo persons, whom verified lines protect)."""
    employers = Employer.objects.filter(name__endswith=DEMO_MARK)
    declarations = Declaration.objects.filter(employer__in=employers)
    lines, _ = DeclaredEmployee.objects.filter(declaration__in=declarations).delete()
    count, _ = declarations.delete()
    removed, _ = employers.delete()
    return {"levy_employers": removed, "levy_declarations": count, "levy_employees": lines}
