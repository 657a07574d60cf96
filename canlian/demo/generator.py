"""Deterministic synthetic persons, one generator per seed, fast enough for a million rows."""

from __future__ import annotations

import bisect
import datetime
import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Any, Generic, TypeVar

from faker import Faker
from faker.providers.person.zh_CN import Provider as ZhPersonProvider

from canlian.demo.figures import (
    ACCOUNT_DIGITS,
    ACTIVE,
    AGE_BANDS,
    ASSISTANCE_FROM_ORD,
    BANK_SHARE,
    BANK_WEIGHTS,
    BANKS,
    CANCELLED,
    CANCELLED_STATUS,
    CATEGORY_WEIGHTS,
    CERTIFICATES_FROM_ORD,
    CHILD_CATEGORY_WEIGHTS,
    COUNTY_POPULATION,
    DECEASED,
    DECEASED_STATUS,
    DIBAO,
    DIBAO_EDGE,
    DIBAO_EDGE_KIND,
    DIBAO_KIND,
    ETHNICITY_WEIGHTS,
    EXIT_FROM_ORD,
    EXIT_UNTIL_ORD,
    FEMALE,
    GRADE_WEIGHTS,
    HISTORICAL_CODE,
    MALE,
    MALE_SHARE,
    MOBILE_PREFIXES,
    MOVED_OUT,
    MOVED_OUT_STATUS,
    MULTIPLE_GRADE_WEIGHTS,
    OLD_COUNTY_CODES,
    OLD_ISSUE_SHARE,
    OTHER_HENAN_CODES,
    PHONE_SHARE,
    POOR_FROM_ORD,
    POOR_IDENTIFIED_UNTIL_ORD,
    POOR_IF_ASSISTED,
    POOR_OTHERWISE,
    RARE_CHARACTERS,
    RARE_NAME_SHARE,
    RECENT_FROM_ORD,
    REGISTERED_POOR_KIND,
    TEKUN,
    TEKUN_KIND,
)
from canlian.lib import crypto, idcard, masks
from canlian.people.models import (
    ADULT_AGE,
    GUARDIAN_CATEGORIES,
    ID_CONTEXT,
    Category,
    Person,
    tail_index,
)
from canlian.people.services import CERTIFICATE_YEARS, add_years, age_on, name_initials

BANK = Person.SEALED["bank_account"]
PHONE = Person.SEALED["phone"]
GUARDIAN_PHONE = Person.SEALED["guardian_phone"]

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
class Village:
    code: str
    name: str
    township: str
    community: bool


class Generator:
    """Deterministic persons for one seed: `rng` for facts, Faker's seeded generator for names.

    Hot path (~100k calls): dates are handled as ordinals and random draws use
    `random()` directly, which is ~20x cheaper than `randint`/`choice`.
    """

    def __init__(
        self,
        *,
        seed: int,
        today: datetime.date,
        villages: dict[str, list[Village]],
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
            bank_cipher, bank_masked = BANK.seal(account)
            counts["bank_accounts"] += 1

        d = self.adapt_date
        stopped = datetime.date.fromordinal(stopped_ord) if stopped_ord else None
        row = (
            pk,
            crypto.encrypt(number, context=ID_CONTEXT),
            crypto.blind_index(number, context=ID_CONTEXT),
            tail_index(number),
            masks.id_number(number),
            name,
            self.initials_of(name),
            MALE if male else FEMALE,
            d(birth),
            self.ethnicity(random_),
            village.code,
            address,
            *PHONE.seal(self.phone() if random_() < PHONE_SHARE else ""),
            guardian_name,
            guardian_relation,
            *GUARDIAN_PHONE.seal(guardian_phone),
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
