"""The demo: invented places, one login per role and a registry of synthetic persons.

Everything written here is made up. The townships and villages come from
`places/data/demo_townships_invented.csv` (marked `invented`); names are drawn from Faker's
zh_CN name lists; ID numbers are well-formed (`idcard.build`) but generated, not real; phone
and bank numbers are random digits. The shared password of the demo logins is public: a demo
database must never be reachable from the internet or hold real data.

`build_demo` is fast (the default 96,118 persons in about 25 s on SQLite): it does not call
`services.create_person` per person but builds the rows directly with the same derived fields
(cipher, blind index, masks, pinyin initials) and inserts them in one transaction, with one
audit entry, by executemany (SQLite) or COPY (PostgreSQL) rather than `bulk_create`, whose
per-value preparation alone took 25 s.
"""

from __future__ import annotations

import bisect
import datetime
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max, ProtectedError
from django.utils import timezone
from faker import Faker
from faker.providers.person.zh_CN import Provider as ZhPersonProvider

from canlian.accounts.models import User
from canlian.accounts.roles import Role
from canlian.accounts.services import create_account
from canlian.audit import records as audit
from canlian.lib import crypto, idcard
from canlian.people.models import (
    ADULT_AGE,
    BANK_CONTEXT,
    GUARDIAN_CATEGORIES,
    ID_CONTEXT,
    Category,
    LifeStatus,
    Person,
    Sex,
    StatusKind,
    StatusPeriod,
)
from canlian.people.services import CERTIFICATE_YEARS, add_years, age_on, name_initials
from canlian.places.loading import DEMO_FILE, load_places
from canlian.places.models import Level, Place

DEFAULT_PERSONS = 96_118  # certified disabled persons on record in Jiaozuo (seed article, 2018)
DEFAULT_SEED = 20180816  # the seed article's date
BATCH_SIZE = 5000  # rows per executemany (SQLite)

# Public, demo-only password shared by every demo login. Never use it anywhere else.
DEMO_PASSWORD = "canlian-demo"  # noqa: S105
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
    DemoLogin("civil", Role.CIVIL_AFFAIRS, "410825000000", "演示·温县民政"),
    DemoLogin("city", Role.CITY_STAFF, CITY_CODE, "演示·市残联"),
    DemoLogin("finance", Role.FINANCE, CITY_CODE, "演示·财务"),
    DemoLogin("auditor", Role.AUDITOR, CITY_CODE, "演示·审计"),
    DemoLogin("sysadmin", Role.SYSTEM_ADMIN, CITY_CODE, "演示·系统管理员"),
    DemoLogin("secadmin", Role.SECURITY_ADMIN, CITY_CODE, "演示·安全管理员"),
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
    "id", "id_number_cipher", "id_number_index", "id_number_masked", "name", "name_initials",
    "sex", "birth_date", "ethnicity", "place_id", "address", "phone", "guardian_name",
    "guardian_relation", "guardian_phone", "category", "grade", "certificate_issued_on",
    "certificate_expires_on", "life_status", "life_status_date", "bank_name",
    "bank_account_cipher", "bank_account_masked",
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


class DemoError(Exception):
    """The demo cannot run (e.g. the registry is not empty); the message says why."""


class Writer(Protocol):
    def write(self, msg: str, /) -> Any: ...


T = TypeVar("T")


class _Picker(Generic[T]):
    """Weighted choice by bisecting cumulative weights (much faster than random.choices)."""

    def __init__(self, items: Sequence[T], weights: Sequence[float]) -> None:
        self.items = items
        self.cum = list(accumulate(weights))
        self.total = self.cum[-1]

    def __call__(self, random_: Callable[[], float]) -> T:
        return self.items[bisect.bisect_right(self.cum, random_() * self.total)]


@dataclass(frozen=True)
class _Village:
    code: str
    name: str
    township: str
    community: bool


class _Generator:
    """Deterministic persons for one seed: `rng` for facts, Faker's seeded generator for names.

    Hot path (~100k calls): dates are handled as ordinals and random draws use
    `random()` directly, which is ~20x cheaper than `randint`/`choice`.
    """

    def __init__(
        self,
        *,
        seed: int,
        today: datetime.date,
        villages: dict[str, list[_Village]],
        adapt_date: Callable[[datetime.date], Any],
    ) -> None:
        self.rng = random.Random(seed)
        self.random = self.rng.random
        self.adapt_date = adapt_date
        fake = Faker("zh_CN")
        fake.seed_instance(seed)
        # Faker's name() costs ~50 µs; drawing from its zh_CN lists with its seeded generator
        # gives the same kind of names (sex-specific given names, weighted surnames) ~30x faster.
        self.name_random = fake.random.random
        self.surnames = _Picker(
            list(ZhPersonProvider.last_names), list(ZhPersonProvider.last_names.values())
        )
        self.male_given = ZhPersonProvider.first_names_male
        self.female_given = ZhPersonProvider.first_names_female
        self.today = today
        self.today_ord = today.toordinal()
        self.last_year_end_ord = datetime.date(today.year - 1, 12, 31).toordinal()
        self.villages = villages
        self.county = _Picker(list(COUNTY_POPULATION), list(COUNTY_POPULATION.values()))
        self.category = _Picker(list(CATEGORY_WEIGHTS), list(CATEGORY_WEIGHTS.values()))
        self.child_category = _Picker(
            list(CHILD_CATEGORY_WEIGHTS), list(CHILD_CATEGORY_WEIGHTS.values())
        )
        self.grade = _Picker((1, 2, 3, 4), GRADE_WEIGHTS)
        self.multiple_grade = _Picker((1, 2, 3, 4), MULTIPLE_GRADE_WEIGHTS)
        self.age_band = _Picker(AGE_BANDS, [w for _, _, w in AGE_BANDS])
        self.ethnicity = _Picker(list(ETHNICITY_WEIGHTS), list(ETHNICITY_WEIGHTS.values()))
        self.bank = _Picker(BANKS, BANK_WEIGHTS)
        self.used_ids: set[str] = set()
        self.initials: dict[str, str] = {}
        self.counts: Counter[str] = Counter()
        self.per_county: Counter[str] = Counter()
        self.per_category: Counter[int] = Counter()
        self.per_grade: Counter[int] = Counter()
        self.per_status: Counter[str] = Counter()
        self.per_period: Counter[str] = Counter()

    def _int(self, low: int, high: int) -> int:
        """A uniform integer from low to high inclusive."""
        return low + int(self.random() * (high - low + 1))

    def _day(self, low: int, high: int) -> int:
        """A uniform day (ordinal) from low to high inclusive; low when the range is empty."""
        return low if high <= low else low + int(self.random() * (high - low + 1))

    # names -----------------------------------------------------------------------------
    def name(self, male: bool, surname: str | None = None) -> str:
        given = self.male_given if male else self.female_given
        first = given[int(self.name_random() * len(given))]
        return (surname or self.surnames(self.name_random)) + first

    def initials_of(self, name: str) -> str:
        cached = self.initials.get(name)
        if cached is None:
            cached = self.initials[name] = name_initials(name)
        return cached

    def phone(self) -> str:
        prefix = MOBILE_PREFIXES[int(self.random() * len(MOBILE_PREFIXES))]
        return f"{prefix}{int(self.random() * 100_000_000):08d}"

    # identity --------------------------------------------------------------------------
    def region_code(self, county: str, birth_year: int) -> str:
        r = self.random()
        old = OLD_COUNTY_CODES.get(county)
        if old and birth_year < old[1] and r < 0.05:
            return old[0]
        if r < 0.015:
            return HISTORICAL_CODE
        if r < 0.03:
            return OTHER_HENAN_CODES[int(self.random() * len(OTHER_HENAN_CODES))]
        return county

    def id_number(self, region: str, birth: datetime.date, male: bool) -> str:
        while True:
            sequence = int(self.random() * 500) * 2 + male
            number = idcard.build(region_code=region, birth_date=birth, sequence=sequence)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    # one person ------------------------------------------------------------------------
    def person(self, pk: int) -> tuple[tuple[Any, ...], list[tuple[Any, ...]]]:
        """One person as a row in PERSON_FIELDS order, and their status-period rows."""
        random_, today, counts = self.random, self.today, self.counts
        county = self.county(random_)
        villages = self.villages[county]
        village = villages[int(random_() * len(villages))]
        low, high, _ = self.age_band(random_)
        birth_ord = self.today_ord - self._int(low * 365 + low // 4, high * 365 + high // 4 + 364)
        birth = datetime.date.fromordinal(birth_ord)
        age = age_on(birth, today)
        minor = age < ADULT_AGE
        male = random_() < MALE_SHARE
        region = self.region_code(county, birth.year)
        number = self.id_number(region, birth, male)

        name = self.name(male)
        if random_() < RARE_NAME_SHARE:
            name = name[:-1] + RARE_CHARACTERS[int(random_() * len(RARE_CHARACTERS))]
            counts["rare_character_names"] += 1

        category = int((self.child_category if minor else self.category)(random_))
        grade = (self.multiple_grade if category == Category.MULTIPLE else self.grade)(random_)

        earliest = max(CERTIFICATES_FROM_ORD, birth_ord + 180)
        if random_() < OLD_ISSUE_SHARE and earliest < RECENT_FROM_ORD:
            issued_ord = self._day(earliest, RECENT_FROM_ORD - 1)
        else:
            issued_ord = self._day(max(earliest, RECENT_FROM_ORD), self.last_year_end_ord)
        issued = datetime.date.fromordinal(issued_ord)
        expires = add_years(issued, CERTIFICATE_YEARS)

        status, stopped_ord = ACTIVE, 0
        r = random_()
        if r < DECEASED + MOVED_OUT + CANCELLED:
            status = (
                DECEASED_STATUS
                if r < DECEASED
                else MOVED_OUT_STATUS
                if r < DECEASED + MOVED_OUT
                else CANCELLED_STATUS
            )
            stopped_ord = self._day(issued_ord + 1, self.today_ord)

        guardian_name = guardian_relation = guardian_phone = ""
        if minor or category in GUARDIAN_CATEGORIES:
            surname = name[:2] if name.startswith("欧阳") else name[:1]
            if age < 45:
                relation = "父亲" if random_() < 0.6 else "母亲"
            else:
                relation = "配偶" if age < 70 and random_() < 0.6 else "子女"
            if relation == "父亲":
                guardian_name = self.name(True, surname)
            elif relation == "母亲":
                guardian_name = self.name(False)
            elif relation == "配偶":
                guardian_name = self.name(not male)
            else:
                guardian_name = self.name(random_() < 0.5, surname if male else None)
            guardian_relation, guardian_phone = relation, self.phone()
            counts["guardians"] += 1

        if village.community:
            address = (
                f"{village.township}{village.name}{self._int(1, 30)}号楼"
                f"{self._int(1, 4)}单元{self._int(1, 18)}0{self._int(1, 4)}"
            )
        else:
            address = f"{village.township}{village.name}{self._int(1, 360)}号"

        bank_name, bank_cipher, bank_masked = "", None, ""
        if random_() < BANK_SHARE:
            digits = ACCOUNT_DIGITS[int(random_() * len(ACCOUNT_DIGITS))]
            account = f"62{int(random_() * 10**digits):0{digits}d}"
            bank_name = self.bank(random_)
            bank_cipher = crypto.encrypt(account, context=BANK_CONTEXT)
            bank_masked = crypto.mask_middle(account)
            counts["bank_accounts"] += 1

        d = self.adapt_date
        stopped = datetime.date.fromordinal(stopped_ord) if stopped_ord else None
        row = (
            pk,
            crypto.encrypt(number, context=ID_CONTEXT),
            crypto.blind_index(number, context=ID_CONTEXT),
            idcard.mask(number),
            name,
            self.initials_of(name),
            MALE if male else FEMALE,
            d(birth),
            self.ethnicity(random_),
            village.code,
            address,
            self.phone() if random_() < PHONE_SHARE else "",
            guardian_name,
            guardian_relation,
            guardian_phone,
            category,
            grade,
            d(issued),
            d(expires),
            status,
            d(stopped) if stopped else None,
            bank_name,
            bank_cipher,
            bank_masked,
        )
        self.per_county[county] += 1
        self.per_category[category] += 1
        self.per_grade[grade] += 1
        self.per_status[status] += 1
        counts["minors"] += minor
        counts["expired_certificates"] += expires < today
        counts["other_address_code"] += region != county
        periods = []
        for kind, start_ord, end_ord in self.periods(birth_ord, stopped_ord):
            self.per_period[kind] += 1
            start = datetime.date.fromordinal(start_ord)
            end = datetime.date.fromordinal(end_ord) if end_ord else None
            periods.append((pk, kind, d(start), d(end) if end else None))
        return row, periods

    def periods(self, birth_ord: int, stopped_ord: int) -> list[tuple[str, int, int]]:
        """Status periods (kind, start, end or 0 when open) as ordinals; all end by the day
        the person left the registry (`stopped_ord`, 0 when still on it)."""
        random_ = self.random
        until = stopped_ord or self.today_ord
        periods: list[tuple[str, int, int]] = []

        r = random_()
        kind = (
            DIBAO_KIND
            if r < DIBAO
            else DIBAO_EDGE_KIND
            if r < DIBAO + DIBAO_EDGE
            else TEKUN_KIND
            if r < DIBAO + DIBAO_EDGE + TEKUN
            else ""
        )
        first = max(ASSISTANCE_FROM_ORD, birth_ord)
        if kind and first <= until:
            start = self._day(first, until)
            end = stopped_ord
            if not end and random_() < 0.25:
                end = self._day(start, self.today_ord)
            periods.append((kind, start, end))

        # Registered-poor households were identified from 2014 (精准扶贫) and had all exited
        # poverty by the end of 2020; monitoring continued into 2021.
        first = max(POOR_FROM_ORD, birth_ord)
        poor = random_() < (POOR_IF_ASSISTED if kind else POOR_OTHERWISE)
        if poor and first <= POOR_IDENTIFIED_UNTIL_ORD:
            start = self._day(first, POOR_IDENTIFIED_UNTIL_ORD)
            r = random_()
            if r < 0.75:
                exit_on = self._day(EXIT_FROM_ORD, EXIT_UNTIL_ORD)
            elif r < 0.90:
                exit_on = self._day(start, EXIT_FROM_ORD - 1)
            else:
                exit_on = 0
            if stopped_ord and (not exit_on or exit_on > stopped_ord):
                exit_on = stopped_ord
            if not exit_on or exit_on >= start:
                periods.append((REGISTERED_POOR_KIND, start, exit_on))
        return periods


def _villages() -> dict[str, list[_Village]]:
    names = dict(Place.objects.filter(invented=True).values_list("code", "name"))
    villages: dict[str, list[_Village]] = {county: [] for county in COUNTY_POPULATION}
    for code, name in sorted(names.items()):
        if len(code) == 12 and code[9:] != "000" and code[:6] in villages:
            villages[code[:6]].append(
                _Village(code, name, names.get(code[:9] + "000", ""), name.endswith("社区"))
            )
    empty = [county for county, found in villages.items() if not found]
    if empty:
        raise DemoError(f"No invented villages for counties {', '.join(empty)}.")
    return villages


def _ensure_places(log: Callable[[str], None]) -> int:
    """Load the invented townships and villages unless they are already there."""
    text = Path(DEMO_FILE).read_text(encoding="utf-8-sig")
    codes = [
        line.split(",", 1)[0]
        for line in text.splitlines()
        if line and not line.startswith(("#", "code,"))
    ]
    if Place.objects.filter(code__in=codes).count() == len(codes):
        return 0
    count = load_places(text=text, invented=True)
    log(f"Loaded {count} invented townships and villages.")
    return count


def _ensure_field_key() -> None:
    """Create the key file if there is neither a setting nor a file."""
    if not settings.FIELD_KEY:
        crypto.ensure_key_file(Path(settings.FIELD_KEY_FILE))


def _ensure_logins(log: Callable[[str], None]) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for login in DEMO_LOGINS:
        place = Place.objects.filter(code=login.place_code).first()
        if login.role == Role.TOWNSHIP_OFFICER and place is None:  # fall back to any township
            place = (
                Place.objects.filter(code__startswith="410883", level=Level.TOWNSHIP)
                .order_by("code")
                .first()
            )
        created = False
        if not User.objects.filter(username=login.username).exists():
            create_account(
                username=login.username,
                password=DEMO_PASSWORD,
                role=login.role,
                place=place,
                full_name=login.full_name,
                acting_user=None,
                check_password=False,
            )
            created = True
        rows.append(
            {
                "username": login.username,
                "role": login.role,
                "scope": f"{place.code} {place.full_name() or place.name}" if place else "",
                "password": DEMO_PASSWORD,
                "created": "yes" if created else "existed",
            }
        )
    made = sum(row["created"] == "yes" for row in rows)
    if made:
        log(f"Created {made} demo logins.")
    return rows


def _reset(log: Callable[[str], None]) -> dict[str, int]:
    demo = Person.objects.filter(place__invented=True)
    periods, _ = StatusPeriod.objects.filter(person__in=demo).delete()
    persons = demo.count()
    try:
        # Only the primary keys are needed to cascade; loading whole rows triples the time.
        demo.only("pk").delete()
    except ProtectedError as exc:
        raise DemoError(
            "Demo persons are referenced by other records that protect them; "
            "start from an empty database instead."
        ) from exc
    log(f"Deleted {persons} demo persons and {periods} status periods.")
    audit.record(
        acting_user=None,
        action="demo.reset",
        target=None,
        detail={"persons": persons, "status_periods": periods},
    )
    return {"persons": persons, "status_periods": periods}


def _first_free_id(model: type[models.Model]) -> int:
    """Lock `model`'s table against other inserts and return the next unused primary key."""
    if connection.vendor == "postgresql":  # SQLite: the IMMEDIATE transaction holds the lock
        table = connection.ops.quote_name(model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
    highest = model._default_manager.aggregate(highest=Max("pk"))["highest"]
    return int(highest or 0) + 1


@contextmanager
def _sqlite_cache(cursor: Any) -> Iterator[None]:
    """On SQLite, a 64 MB page cache while inserting: the indexes on random keys (blind
    index, names) otherwise spill pages to the WAL; saves ~1.5 s on the default demo."""
    if connection.vendor != "sqlite":
        yield
        return
    cursor.execute("PRAGMA cache_size")
    (previous,) = cursor.fetchone()
    cursor.execute("PRAGMA cache_size = -65536")
    try:
        yield
    finally:
        cursor.execute(f"PRAGMA cache_size = {int(previous)}")


def _insert(
    model: type[models.Model], attnames: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    """INSERT prepared rows: ~5x faster than bulk_create, which prepares every value
    through its field (4 µs a value, 2.6 million values for the default demo).

    `rows` hold the values of `attnames` already adapted for the database. Other concrete
    fields get their default (auto_now fields: now), so a field added to the model later
    does not break the demo unless it is required and has no default.
    """
    meta = model._meta
    given = set(attnames)
    now = timezone.now()
    extra_fields: list[Any] = []
    extra_values: list[Any] = []
    for field in meta.concrete_fields:
        if field.attname in given or field.primary_key:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value = now
        elif field.has_default() or field.null:
            value = field.get_default()
        else:
            raise DemoError(
                f"{meta.label}.{field.name} has no default: update canlian/people/demo.py."
            )
        extra_fields.append(field)
        extra_values.append(field.get_db_prep_save(value, connection))
    fields = [meta.get_field(name) for name in attnames] + extra_fields
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    table = connection.ops.quote_name(meta.db_table)
    insert = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608 (model names)
    extra = tuple(extra_values)
    with connection.cursor() as cursor, _sqlite_cache(cursor):
        if connection.vendor == "postgresql":
            # COPY streams the rows: 4x faster than executemany or multi-row INSERTs, whose
            # client-side query handling dominates with psycopg 3.
            copy = f"COPY {table} ({columns}) FROM STDIN"
            with connection.wrap_database_errors, cursor.cursor.copy(copy) as stream:
                for row in rows:
                    stream.write_row(row + extra)
        else:  # SQLite (in-process): one prepared statement, many rows
            for offset in range(0, len(rows), BATCH_SIZE):
                batch = rows[offset : offset + BATCH_SIZE]
                cursor.executemany(insert, [row + extra for row in batch])
        if meta.pk is not None and meta.pk.attname in given:
            for statement in connection.ops.sequence_reset_sql(no_style(), [model]):
                cursor.execute(statement)


def build_demo(
    *,
    persons: int = DEFAULT_PERSONS,
    seed: int = DEFAULT_SEED,
    stdout: Writer | None = None,
    reset: bool = False,
    today: datetime.date | None = None,
) -> dict[str, Any]:
    """Load invented places, create the demo logins and `persons` synthetic persons.

    Deterministic for a given `seed` and `today` (except ciphertexts, whose nonces are
    random). Refuses when persons exist, unless `reset` (then the demo persons and their
    status periods are deleted first; audit entries are never deleted). Returns counts.
    """
    if persons < 0:
        raise DemoError("The number of persons must not be negative.")
    started = time.perf_counter()
    today = today or timezone.localdate()

    def log(message: str) -> None:
        if stdout is not None:
            stdout.write(message + "\n")  # Django's OutputWrapper does not add a second one

    _ensure_field_key()
    with transaction.atomic():
        if Person.objects.exclude(place__invented=True).exists():
            raise DemoError(
                "The registry holds persons outside the invented demo places: "
                "the demo never runs on a real registry."
            )
        deleted: dict[str, int] = {}
        if Person.objects.exists():
            if not reset:
                raise DemoError(
                    "The registry already holds persons. Run with --reset to delete the demo "
                    "persons and build them again."
                )
            deleted = _reset(log)
        places_loaded = _ensure_places(log)
        logins = _ensure_logins(log)
        log(f"Places and logins ready after {time.perf_counter() - started:.1f} s.")

        generating = time.perf_counter()
        generator = _Generator(
            seed=seed,
            today=today,
            villages=_villages(),
            adapt_date=connection.ops.adapt_datefield_value,
        )
        first_id = _first_free_id(Person)
        rows: list[tuple[Any, ...]] = []
        period_rows: list[tuple[Any, ...]] = []
        for pk in range(first_id, first_id + persons):
            row, periods = generator.person(pk)
            rows.append(row)
            period_rows.extend(periods)
        generated = time.perf_counter()
        log(f"Generated {persons} persons in {generated - generating:.1f} s.")

        _insert(Person, PERSON_FIELDS, rows)
        _insert(StatusPeriod, PERIOD_FIELDS, period_rows)
        log(f"Inserted persons and {len(period_rows)} status periods in "
            f"{time.perf_counter() - generated:.1f} s.")  # fmt: skip

        g, counts = generator, generator.counts
        result: dict[str, Any] = {
            "persons": persons,
            "seed": seed,
            "per_county": {c: g.per_county[c] for c in COUNTY_POPULATION},
            "per_category": {str(c): g.per_category[c] for c in CATEGORY_WEIGHTS},
            "per_grade": {str(n): g.per_grade[n] for n in (1, 2, 3, 4)},
            "deceased": g.per_status[DECEASED_STATUS],
            "moved_out": g.per_status[MOVED_OUT_STATUS],
            "cancelled": g.per_status[CANCELLED_STATUS],
            "minors": counts["minors"],
            "guardians": counts["guardians"],
            "expired_certificates": counts["expired_certificates"],
            "bank_accounts": counts["bank_accounts"],
            "rare_character_names": counts["rare_character_names"],
            "other_address_code": counts["other_address_code"],
            "status_periods": dict(sorted(g.per_period.items())),
            "places_loaded": places_loaded,
            "deleted": deleted,
        }
        audit.record(acting_user=None, action="demo.load", target=None, detail=result)
    result["logins"] = logins
    result["seconds"] = round(time.perf_counter() - started, 1)
    return result
