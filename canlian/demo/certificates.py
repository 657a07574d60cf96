"""Demo data for the certificate workflow: designated institutions and applications in every
state, built through the services so that worklists, deadlines and the audit log look lived in.

Everything here is made up. The institutions' names end in （示例）. First applicants are
synthetic: names drawn from the registry demo's name lists, well-formed ID numbers generated
for a Jiaozuo county and checked against the registry. Renewals, changes, replacements,
transfers and cancellations act on existing demo persons. Dates are counted back from `today`
in working days (`canlian.lib.workdays`, the services' own calendar), so that every rule passes
and the deadlines fall where the worklists show them: some bookings overdue, some publicity
ended and waiting for review, some reviews overdue.

`today` must not lie after the real day: the services refuse dates in the future.
"""

from __future__ import annotations

import datetime
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple, Protocol

from django.db.models import Q
from django.utils.translation import gettext as _

from canlian.accounts.models import User
from canlian.accounts.roles import Perm, Role
from canlian.accounts.scoping import covers
from canlian.certificates import dated, grading, institutions, services
from canlian.certificates.impairments import IMPAIRMENTS, NO_IMPAIRMENT
from canlian.certificates.models import (
    Application,
    AppliedBy,
    CancelledCard,
    CancelReason,
    Certificate,
    CheckItem,
    Institution,
    Kind,
    ObjectionOutcome,
    ReplacementReason,
    Status,
)
from canlian.demo.figures import COUNTY_POPULATION
from canlian.demo.generator import Generator
from canlian.lib import crypto, idcard, workdays
from canlian.people import services as people
from canlian.people.models import (
    ADULT_AGE,
    GUARDIAN_CATEGORIES,
    ID_CONTEXT,
    Category,
    LifeStatus,
    Person,
)
from canlian.places.models import Level, Place

__all__ = ["CITY_CODE", "build_certificate_demo", "reset_certificate_demo"]

CITY_CODE = "410800000000"
ONE_DAY = datetime.timedelta(days=1)
# The names draw from their own stream so that applicants do not repeat the registry's first
# persons, whose names come from the same seed.
NAME_SEED_OFFSET = 7_919

# (name suffix after the county's name, categories assessed, home visits)
CITY_INSTITUTION = ("焦作市残疾评定中心（示例）", (1, 2, 3, 4, 5, 6), True)
COUNTY_HOSPITAL = ("人民医院（示例）", (1, 2, 3, 4))
COUNTY_MENTAL = ("精神卫生中心（示例）", (5, 6))
# Counties with a second designated institution for intellectual and mental disability.
MENTAL_CENTRE_COUNTIES = ("410823", "410825", "410882", "410883")

# First applications: the category applied for and the age range of applicants with it.
FIRST_CATEGORIES: dict[int, tuple[float, int, int]] = {
    Category.VISUAL: (15, 30, 88),
    Category.HEARING: (20, 2, 85),
    Category.SPEECH: (3, 4, 60),
    Category.PHYSICAL: (32, 20, 85),
    Category.INTELLECTUAL: (12, 3, 40),
    Category.MENTAL: (12, 18, 70),
    Category.MULTIPLE: (6, 20, 85),
}
GRADE_WEIGHTS = (15, 25, 28, 32)

# Measured values inside each grade's band (GB/T 26341-2010; see grading.py). None: no grade.
HEARING_DB = {1: (91, 110), 2: (81, 90), 3: (61, 80), 4: (41, 60), None: (20, 40)}
SPEECH_PCT = {1: (2, 10), 2: (11, 25), 3: (26, 45), 4: (46, 65), None: (66, 90)}
DQ = {1: (10, 25), 2: (26, 39), 3: (40, 54), 4: (55, 75), None: (76, 95)}
IQ = {1: (10, 19), 2: (20, 34), 3: (35, 49), 4: (50, 69), None: (70, 90)}
WHODAS = {1: (116, 140), 2: (106, 115), 3: (96, 105), 4: (52, 95), None: (36, 51)}
ACUITY = {
    1: ("0", "0.01"),
    2: ("0.02", "0.03", "0.04"),
    3: ("0.05", "0.06", "0.08"),
    4: ("0.1", "0.12", "0.15", "0.2", "0.25"),
    None: ("0.3", "0.4", "0.5"),
}
BEHAVIOUR = {
    1: grading.AdaptiveBehaviour.PROFOUND,
    2: grading.AdaptiveBehaviour.SEVERE,
    3: grading.AdaptiveBehaviour.MODERATE,
    4: grading.AdaptiveBehaviour.MILD,
    None: grading.AdaptiveBehaviour.NONE,
}
INDEPENDENCE = {
    1: grading.Independence.UNABLE,
    2: grading.Independence.MOSTLY_UNABLE,
    3: grading.Independence.PARTLY,
    4: grading.Independence.MOSTLY,
    None: grading.Independence.FULLY,
}
# Renewals are applied for by holders whose certificate expires within renewal_window() of the
# day received (a few days inside the rule's window in Henan), or expired up to
# EXPIRED_RENEWALS before today.
EXPIRED_RENEWALS = datetime.timedelta(days=60)


def renewal_window(on: datetime.date) -> datetime.timedelta:
    return datetime.timedelta(days=dated.renewal_window_days(on=on, region="41") - 5)


# Other holders are chosen among the first HOLDER_POOL persons (by id), each time at random
# among the first HOLDER_CHOICE of them that fit.
HOLDER_POOL = 3000
HOLDER_CHOICE = 400
# Share of assessments whose measures point to a neighbouring grade (the assessor's stands).
DIFFERING_SHARE = 0.08

REFUSE_REASONS = (
    "户籍不在本县，已告知到户籍所在地县级残联申请",
    "经核实所述情况属于疾病而非残疾，不予受理",
    "申请人未到场且无法提供委托材料，已退回",
)
REJECT_REASONS = (
    "公示期间收到实名反映，经核实评定时提供的病历与本人不符",
    "公示期间群众反映申请人日常生活能够自理，经复核不予发证",
)
OBJECTION_GROUNDS = (
    "申请人认为评定等级偏低，要求重新评定",
    "监护人认为评定时患者状态不能反映实际情况",
    "申请人对评定结论不服，已提交新的诊疗材料",
)
WITHDRAW_REASON = "申请人书面申请撤回"
CHANGE_REASON = "残疾程度加重，申请重新评定等级"
REPLACEMENT_REASONS = {
    "残疾人证遗失": ReplacementReason.LOST,
    "残疾人证损毁": ReplacementReason.DAMAGED,
}
CANCEL_NOTES: dict[str, str] = {
    CancelReason.DEATH: "家属报告死亡，村委会出具证明",
    CancelReason.NOT_MEETING: "复查评定不符合残疾标准",
}

# The plan: (kind, outcome, how many). Outcomes name the state each application is left in.
SUBMITTED, BOOKED, BOOKED_OVERDUE, ASSESSED = "submitted", "booked", "booked_overdue", "assessed"
PUBLICITY, TO_REVIEW, REVIEW_OVERDUE = "publicity", "to_review", "review_overdue"
OBJECTION, OBJECTION_NOT_QUALIFIED = "objection", "objection_not_qualified"
ISSUED, UPHELD_ISSUED, CHANGED_ISSUED = "issued", "upheld_issued", "changed_issued"
REJECTED, REFUSED, NOT_QUALIFIED, WITHDRAWN = "rejected", "refused", "not_qualified", "withdrawn"
ASSESSED_ISSUED = "assessed_issued"  # a renewal with re-assessment
COMPLETED = "completed"
PLAN: tuple[tuple[str, str, int], ...] = (
    (Kind.FIRST, SUBMITTED, 9),
    (Kind.FIRST, BOOKED, 6),
    (Kind.FIRST, BOOKED_OVERDUE, 5),
    (Kind.FIRST, ASSESSED, 6),
    (Kind.FIRST, PUBLICITY, 6),
    (Kind.FIRST, TO_REVIEW, 5),
    (Kind.FIRST, REVIEW_OVERDUE, 4),
    (Kind.FIRST, OBJECTION, 4),
    (Kind.FIRST, OBJECTION_NOT_QUALIFIED, 1),
    (Kind.FIRST, ISSUED, 18),
    (Kind.FIRST, UPHELD_ISSUED, 1),
    (Kind.FIRST, CHANGED_ISSUED, 1),
    (Kind.FIRST, REJECTED, 2),
    (Kind.FIRST, REFUSED, 3),
    (Kind.FIRST, NOT_QUALIFIED, 4),
    (Kind.FIRST, WITHDRAWN, 1),
    (Kind.RENEWAL, ISSUED, 6),
    (Kind.RENEWAL, SUBMITTED, 4),
    (Kind.RENEWAL, BOOKED, 2),
    (Kind.RENEWAL, PUBLICITY, 2),
    (Kind.RENEWAL, ASSESSED_ISSUED, 3),
    (Kind.CHANGE, BOOKED, 1),
    (Kind.CHANGE, PUBLICITY, 1),
    (Kind.CHANGE, ISSUED, 3),
    (Kind.REPLACEMENT, SUBMITTED, 2),
    (Kind.REPLACEMENT, ISSUED, 3),
    (Kind.TRANSFER, SUBMITTED, 2),
    (Kind.TRANSFER, COMPLETED, 3),
)
CANCELLATIONS = ((CancelReason.DEATH, 2), (CancelReason.NOT_MEETING, 2))
# Counties whose clerks (the demo logins) get one application of each first-application
# outcome before the rest are spread by population, so that their worklists are full.
FIRST_COUNTIES = ("410825", "410883")


class Writer(Protocol):
    def write(self, msg: str, /) -> Any: ...


@dataclass(frozen=True)
class _Timeline:
    """Days of one application's steps, as working-day indexes back from today (0 = the last
    working day on or before today); None for a step not taken."""

    received: int
    booked: int | None = None  # negative: a booking in the future
    assessed: int | None = None
    published: int | None = None
    filed: int | None = None
    decided: int | None = None
    republished: int | None = None
    closed: int | None = None  # review, issue, refusal, withdrawal or transfer


class _Holder(NamedTuple):
    pk: int
    issued: datetime.date
    expires: datetime.date
    category: int
    grade: int


class _Builder:
    def __init__(
        self, *, seed: int, acting_user: User, today: datetime.date, system_admin: User
    ) -> None:
        self.rng = random.Random(seed)
        self.today = today
        self.city_user = acting_user
        self.system_admin = system_admin
        self.names = Generator(
            seed=seed + NAME_SEED_OFFSET, today=today, villages={}, adapt_date=lambda d: d
        )
        self.past: list[datetime.date] = []
        day = today
        while len(self.past) < 320:
            if workdays.is_working_day(day):
                self.past.append(day)
            day -= ONE_DAY
        self.villages: dict[str, list[Place]] = {}
        for place in (
            Place.objects.filter(invented=True, level=Level.VILLAGE)
            .select_related("parent")
            .order_by("code")
        ):
            if place.code[:6] in COUNTY_POPULATION:
                self.villages.setdefault(place.code[:6], []).append(place)
        self.counties = [c for c in COUNTY_POPULATION if c in self.villages]
        self.county_names = dict(
            Place.objects.filter(code__in=[c + "000000" for c in self.counties]).values_list(
                "code", "name"
            )
        )
        clerks: dict[str, User] = {}
        for user in User.objects.filter(
            role=Role.COUNTY_CLERK, is_active=True, place__code__in=self.county_names
        ).order_by("username"):
            clerks.setdefault(str(user.place_id)[:6], user)
        self.clerks = clerks
        self.institutions: dict[str, list[Institution]] = {}
        self.used_ids: set[str] = set()
        self.used_persons: set[int] = set()
        self.pools: dict[str, list[_Holder]] = {}
        self.created: list[int] = []
        self.cancelled = 0

    # days -------------------------------------------------------------------------------
    def day(self, index: int) -> datetime.date:
        """The `index`-th working day back from today; a negative index lies ahead."""
        if index < 0:
            return workdays.add_working_days(self.past[0], -index).day
        return self.past[index]

    def _int(self, low: int, high: int) -> int:
        return self.rng.randint(low, max(low, high))

    # actors -----------------------------------------------------------------------------
    def clerk(self, county: str) -> User:
        """The county's clerk login, or the city staff login (which sees every county)."""
        return self.clerks.get(county, self.city_user)

    def clerk_of(self, app: Application) -> User:
        return self.clerk(str(app.place_id)[:6])

    # institutions -----------------------------------------------------------------------
    def ensure_institutions(self) -> int:
        city = Place.objects.get(code=CITY_CODE)
        wanted: list[tuple[Place, str, Sequence[int], bool]] = [
            (city, CITY_INSTITUTION[0], CITY_INSTITUTION[1], CITY_INSTITUTION[2])
        ]
        places = {p.code: p for p in Place.objects.filter(code__in=self.county_names)}
        for county in self.counties:
            place = places[county + "000000"]
            wanted.append((place, place.name + COUNTY_HOSPITAL[0], COUNTY_HOSPITAL[1], False))
            if county in MENTAL_CENTRE_COUNTIES:
                wanted.append((place, place.name + COUNTY_MENTAL[0], COUNTY_MENTAL[1], False))
        for place, name, categories, home in wanted:
            found = Institution.objects.filter(place=place, name=name).first()
            if found is None:
                found = institutions.save_institution(
                    name=name,
                    place=place,
                    categories=categories,
                    home_visits=home,
                    address="",
                    active=True,
                    acting_user=self.system_admin,
                )
            self.institutions.setdefault(place.prefix, []).append(found)
        return len(wanted)

    def institution_for(self, app: Application) -> Institution:
        """A county institution assessing the category when there is one, else the city's."""
        local = [
            i
            for i in self.institutions.get(app.place.code[:6], [])
            if app.category == Category.MULTIPLE or i.assesses(app.category)
        ]
        city = self.institutions[CITY_CODE[:4]]
        if local and self.rng.random() < 0.75:
            return local[self._int(0, len(local) - 1)]
        return city[0]

    # applicants -------------------------------------------------------------------------
    def id_number(self, county: str, birth: datetime.date, male: bool) -> str:
        while True:
            sequence = self._int(0, 499) * 2 + male
            number = idcard.build(region_code=county, birth_date=birth, sequence=sequence)
            if number in self.used_ids:
                continue
            self.used_ids.add(number)
            index = crypto.blind_index(number, context=ID_CONTEXT)
            if Person.objects.filter(id_number_index=index).exists():
                continue
            if Application.objects.filter(id_number_index=index).exists():
                continue
            return number

    def applicant(
        self, county: str, category: int, received: datetime.date
    ) -> tuple[services.Applicant, int]:
        rng = self.rng
        _weight, low, high = FIRST_CATEGORIES[category]
        age = self._int(low, high)
        birth = received - datetime.timedelta(days=age * 365 + age // 4 + self._int(1, 360))
        age = people.age_on(birth, received)
        male = rng.random() < 0.55
        number = self.id_number(county, birth, male)
        name = self.names.name(male)
        villages = self.villages[county]
        village = villages[self._int(0, len(villages) - 1)]
        township = village.parent.name if village.parent else ""
        if village.name.endswith("社区"):
            address = f"{township}{village.name}{self._int(1, 30)}号楼{self._int(1, 4)}单元"
        else:
            address = f"{township}{village.name}{self._int(1, 360)}号"
        guardian_name = guardian_relation = guardian_phone = ""
        if age < ADULT_AGE or category in GUARDIAN_CATEGORIES:
            surname = name[:2] if name.startswith("欧阳") else name[:1]
            if age < 45:
                guardian_relation = "父亲" if rng.random() < 0.6 else "母亲"
            else:
                guardian_relation = "配偶" if age < 70 and rng.random() < 0.6 else "子女"
            guardian_name = {
                "父亲": lambda: self.names.name(True, surname),
                "母亲": lambda: self.names.name(False),
                "配偶": lambda: self.names.name(not male),
                "子女": lambda: self.names.name(rng.random() < 0.5, surname if male else None),
            }[guardian_relation]()
            guardian_phone = self.names.phone()
        applicant = services.Applicant(
            id_number=number,
            name=name,
            ethnicity="03" if rng.random() < 0.03 else "01",
            place_code=village.code,
            address=address,
            phone=self.names.phone() if rng.random() < 0.8 else "",
            guardian_name=guardian_name,
            guardian_relation=guardian_relation,
            guardian_phone=guardian_phone,
        )
        return applicant, age

    # steps ------------------------------------------------------------------------------
    def submit_first(self, county: str, category: int, received: int) -> Application:
        on = self.day(received)
        applicant, age = self.applicant(county, category, on)
        applied_by = AppliedBy.GUARDIAN if applicant.guardian_name else AppliedBy.SELF
        proxy = ""
        if applied_by == AppliedBy.SELF and self.rng.random() < 0.1:
            applied_by, proxy = AppliedBy.PROXY, self.names.name(self.rng.random() < 0.5)
        app = services.submit_application(
            kind=Kind.FIRST,
            acting_user=self.clerk(county),
            received_on=on,
            applied_by=applied_by,
            proxy_name=proxy,
            documents=services.required_documents(
                kind=Kind.FIRST,
                category=category,
                age=age,
                id_card_from=services.id_card_age(on, county),
            ),
            category=category,
            applicant=applicant,
        )
        self.created.append(app.pk)
        return app

    def submit_for(
        self,
        person: Person,
        kind: str,
        received: int,
        *,
        needs_assessment: bool = True,
        target: str = "",
        reason: str = "",
        replacement_reason: str = "",
    ) -> Application:
        on = self.day(received)
        age = people.age_on(person.birth_date, on)
        app = services.submit_application(
            kind=kind,
            acting_user=self.clerk(person.county_code),
            received_on=on,
            applied_by=AppliedBy.GUARDIAN if person.guardian_name else AppliedBy.SELF,
            documents=services.required_documents(
                kind=kind,
                category=person.category,
                age=age,
                id_card_from=services.id_card_age(on, person.county_code),
            ),
            person=person,
            needs_assessment=needs_assessment,
            target_place_code=target,
            reason=reason,
            replacement_reason=replacement_reason,
        )
        self.created.append(app.pk)
        return app

    def book(self, app: Application, booked: int) -> None:
        institution = self.institution_for(app)
        age = people.age_on(app.birth_date, self.today)
        at_home = institution.home_visits and (age >= 75 or self.rng.random() < 0.1)
        services.book_assessment(
            application=app,
            institution=institution,
            booked_for=self.day(booked),
            at_home=at_home,
            acting_user=self.clerk_of(app),
        )

    def measures(self, category: int, grade: int | None, age: int) -> grading.Measures:
        rng = self.rng
        if category == Category.VISUAL:
            return grading.Measures(acuity=Decimal(rng.choice(ACUITY[grade])))
        if category == Category.HEARING:
            return grading.Measures(hearing_loss_db=self._int(*HEARING_DB[grade]))
        if category == Category.SPEECH:
            return grading.Measures(speech_clarity=self._int(*SPEECH_PCT[grade]))
        if category == Category.PHYSICAL:
            listed = [i.code for i in IMPAIRMENTS if i.grade == grade] or [NO_IMPAIRMENT]
            return grading.Measures(impairment=rng.choice(listed), independence=INDEPENDENCE[grade])
        if category == Category.INTELLECTUAL:
            behaviour = BEHAVIOUR[grade]
            if age < grading.DQ_AGE_LIMIT:
                return grading.Measures(dq=self._int(*DQ[grade]), adaptive_behaviour=behaviour)
            return grading.Measures(iq=self._int(*IQ[grade]), adaptive_behaviour=behaviour)
        if category == Category.MENTAL and age >= ADULT_AGE:
            return grading.Measures(whodas=self._int(*WHODAS[grade]))
        return grading.Measures()

    def grade(self) -> int:
        return self.rng.choices((1, 2, 3, 4), weights=GRADE_WEIGHTS)[0]

    def assess(self, app: Application, assessed: int, grade: int | None) -> None:
        """Record the assessment: `grade` None finds no disability grade."""
        on = self.day(assessed)
        age = people.age_on(app.birth_date, on)
        assessor = self.names.name(self.rng.random() < 0.5)
        note = ""
        parts: list[services.Part] = []
        category = app.category
        if category == Category.MULTIPLE:
            grade = grade or 2
            pair = (2, 3) if self.rng.random() < 0.6 else (4, 1)
            other = self._int(grade, 4)
            parts = [
                services.Part(pair[0], self.measures(pair[0], grade, age), grade),
                services.Part(pair[1], self.measures(pair[1], other, age), other),
            ]
            measures = grading.Measures()
        else:
            shown = grade
            if grade is not None and self.rng.random() < DIFFERING_SHARE:
                shown = grade + 1 if grade < 4 else grade - 1
                note = "评定医师结合临床检查综合定级"
            measures = self.measures(category, shown, age)
        services.record_assessment(
            application=app,
            assessed_on=on,
            assessor=assessor,
            category=category,
            measures=measures,
            assessor_grade=grade,
            parts=parts,
            note=note,
            acting_user=self.clerk_of(app),
        )

    def publish(self, app: Application, published: int, *, objection_follows: bool = False) -> None:
        """Post the conclusion. A minor's is not posted (办法 第九条) unless an objection is
        to follow the posting in the timeline: then the clerk posts it, with a reason."""
        reason = ""
        if Application.objects.filter(pk=app.pk, status=Status.AWAITING_REVIEW).exists():
            if not objection_follows:
                return
            reason = "监护人书面要求在村（居）公示（示例）"
        village = app.place.name
        where = "居委会公示栏" if village.endswith("社区") else "村委会公示栏"
        services.start_publicity(
            application=app,
            starts_on=self.day(published),
            location=village + where,
            acting_user=self.clerk_of(app),
            reason=reason,
        )

    def review(self, app: Application, closed: int, approve: bool = True) -> None:
        services.review(
            application=app,
            approve=approve,
            on=self.day(closed),
            reason="" if approve else self.rng.choice(REJECT_REASONS),
            acting_user=self.clerk_of(app),
        )

    def object_to(self, app: Application, filed: int) -> Any:
        return services.file_objection(
            application=app,
            filed_on=self.day(filed),
            grounds=self.rng.choice(OBJECTION_GROUNDS),
            acting_user=self.clerk_of(app),
            recorded_on=self.day(filed),
        )

    def can_decide(self) -> bool:
        return bool(self.city_user.can(Perm.DECIDE_OBJECTION))

    # timelines --------------------------------------------------------------------------
    def timeline(self, outcome: str, published: tuple[int, int] = (16, 180)) -> _Timeline:
        """Working-day indexes for `outcome` that satisfy the rules: publicity runs 5 working
        days from its first (index p → ends at p − 4), review is due 10 working days later.
        `published`: the range of p for an application reviewed (issued or rejected)."""
        n = self._int
        if outcome == SUBMITTED:
            return _Timeline(received=n(0, 8))
        if outcome == BOOKED:
            return _Timeline(received=n(1, 10), booked=-n(1, 10))
        if outcome == BOOKED_OVERDUE:
            received = n(10, 25)
            return _Timeline(received=received, booked=n(1, 8))
        if outcome in (ASSESSED, NOT_QUALIFIED, OBJECTION_NOT_QUALIFIED):
            assessed = n(1, 8) if outcome == ASSESSED else n(3, 60)
            filed = assessed - n(1, min(assessed, 9))
            return _Timeline(
                received=assessed + n(3, 15),
                booked=assessed,
                assessed=assessed,
                filed=filed if outcome == OBJECTION_NOT_QUALIFIED else None,
            )
        if outcome in (PUBLICITY, TO_REVIEW, REVIEW_OVERDUE, OBJECTION):
            p = n(
                *{
                    PUBLICITY: (0, 3),
                    TO_REVIEW: (5, 13),
                    REVIEW_OVERDUE: (15, 28),
                    OBJECTION: (3, 30),
                }[outcome]
            )
            assessed = p + n(1, 5)
            return _Timeline(
                received=assessed + n(3, 15),
                booked=assessed,
                assessed=assessed,
                published=p,
                filed=p - n(1, min(p, 9)) if outcome == OBJECTION else None,
            )
        if outcome in (ISSUED, REJECTED, ASSESSED_ISSUED):
            p = n(*published)
            assessed = p + n(1, 8)
            return _Timeline(
                received=assessed + n(3, 20),
                booked=assessed,
                assessed=assessed,
                published=p,
                closed=p - 4 - n(1, 10),
            )
        if outcome in (UPHELD_ISSUED, CHANGED_ISSUED):
            p = n(60, 150)
            assessed = p + n(1, 8)
            filed = p - n(1, 8)
            decided = filed - n(5, 15)
            republished = decided - n(0, 3) if outcome == CHANGED_ISSUED else None
            last = republished if republished is not None else min(decided, p - 5)
            return _Timeline(
                received=assessed + n(3, 15),
                booked=assessed,
                assessed=assessed,
                published=p,
                filed=filed,
                decided=decided,
                republished=republished,
                closed=last - 4 - n(1, 8) if republished is not None else last - n(1, 5),
            )
        if outcome in (REFUSED, WITHDRAWN):
            received = n(2, 60)
            return _Timeline(received=received, closed=received - n(0, min(received, 5)))
        if outcome == COMPLETED:
            received = n(3, 60)
            return _Timeline(received=received, closed=received - n(1, min(received, 10)))
        raise ValueError(outcome)

    # first applications -----------------------------------------------------------------
    def first(self, outcome: str, county: str) -> None:
        t = self.timeline(outcome)
        qualified = outcome not in (NOT_QUALIFIED, OBJECTION_NOT_QUALIFIED)
        categories = [
            c for c in FIRST_CATEGORIES if qualified or c != Category.MULTIPLE
        ]  # a multiple disability has at least a graded part
        category = self.rng.choices(
            categories, weights=[FIRST_CATEGORIES[c][0] for c in categories]
        )[0]
        app = self.submit_first(county, category, t.received)
        if outcome == REFUSED:
            services.refuse(
                application=app,
                on=self.day(t.closed or 0),
                reason=self.rng.choice(REFUSE_REASONS),
                acting_user=self.clerk(county),
            )
            return
        if outcome == WITHDRAWN:
            services.withdraw(
                application=app,
                on=self.day(t.closed or 0),
                reason=WITHDRAW_REASON,
                acting_user=self.clerk(county),
            )
            return
        self.follow(app, outcome, t, self.grade() if qualified else None)

    def follow(self, app: Application, outcome: str, t: _Timeline, grade: int | None) -> None:
        """Take `app` (submitted) through the steps its timeline names."""
        if t.booked is None:
            return
        self.book(app, t.booked)
        if t.assessed is None:
            return
        self.assess(app, t.assessed, grade)
        if t.published is None:
            if t.filed is not None:
                self.object_to(app, t.filed)
            return
        self.publish(app, t.published, objection_follows=t.filed is not None)
        if t.filed is not None:
            objection = self.object_to(app, t.filed)
            if t.decided is None or not self.can_decide():
                return
            app.refresh_from_db()
            changed = t.republished is not None and app.grade is not None and app.grade > 1
            services.decide_objection(
                objection=objection,
                decided_on=self.day(t.decided),
                outcome=ObjectionOutcome.CHANGED if changed else ObjectionOutcome.UPHELD,
                grade=(app.grade - 1) if changed and app.grade else None,
                note="市残联组织复评，评定等级调整"
                if changed
                else "市残联组织复评，维持原评定结论",
                acting_user=self.city_user,
            )
            if changed and t.republished is not None:
                self.publish(app, t.republished)
                if t.closed is not None:
                    self.review(app, t.closed)
                return
        if t.closed is not None:
            self.review(app, t.closed, approve=outcome != REJECTED)

    # holders ----------------------------------------------------------------------------
    def holder(
        self,
        before: datetime.date,
        accept: Callable[[_Holder], bool] = lambda _row: True,
        *,
        expiring: bool = False,
    ) -> Person | None:
        """An active demo person untouched by the workflow so far, whose certificate was
        issued before `before` and whom `accept` accepts; None when there is none. Chosen
        among the first few hundred such persons (by id) of a pool read once: the holders
        whose certificate expires within the renewal window (`expiring`), or the first
        persons of the registry."""
        key = "expiring" if expiring else "any"
        pool = self.pools.get(key)
        if pool is None:
            rows = (
                Person.objects.filter(life_status=LifeStatus.ACTIVE, place__invented=True)
                .exclude(certificate_applications__isnull=False)
                .order_by("pk")
            )
            if expiring:
                rows = rows.filter(
                    certificate_expires_on__gte=self.today - EXPIRED_RENEWALS,
                    certificate_expires_on__lte=self.today + renewal_window(self.today),
                )
            else:
                rows = rows[:HOLDER_POOL]
            pool = self.pools[key] = [
                _Holder(*row)
                for row in rows.values_list(
                    "pk", "certificate_issued_on", "certificate_expires_on", "category", "grade"
                )
            ]
        candidates: list[int] = []
        for row in pool:
            if row.issued < before and row.pk not in self.used_persons and accept(row):
                candidates.append(row.pk)
                if len(candidates) == HOLDER_CHOICE:
                    break
        if not candidates:
            return None
        pk = candidates[self._int(0, len(candidates) - 1)]
        self.used_persons.add(pk)
        return Person.objects.select_related("place").get(pk=pk)

    def renewal(self, outcome: str) -> None:
        assessed = outcome in (BOOKED, PUBLICITY, ASSESSED_ISSUED)
        if outcome == ISSUED:
            received = self._int(1, 20)
            t = _Timeline(received=received, closed=received - self._int(0, min(received, 5)))
        else:
            t = self.timeline(outcome, published=(16, 35))
        received_on = self.day(t.received)
        # Accepted from 90 days before the expiry; some come after it has passed.
        latest = received_on + renewal_window(received_on)
        person = self.holder(
            received_on,
            lambda row: (
                row.expires <= latest and not (assessed and row.category == Category.MULTIPLE)
            ),
            expiring=True,
        )
        if person is None:
            return
        app = self.submit_for(person, Kind.RENEWAL, t.received, needs_assessment=assessed)
        if assessed:
            self.follow(app, outcome, t, self.grade())
        elif outcome == ISSUED:
            services.issue_without_assessment(
                application=app, on=self.day(t.closed or 0), acting_user=self.clerk_of(app)
            )

    def change(self, outcome: str) -> None:
        t = self.timeline(outcome)
        later = self.today + datetime.timedelta(days=400)
        person = self.holder(
            self.day(t.received),
            lambda row: row.expires > later and row.category != Category.MULTIPLE and row.grade > 1,
        )
        if person is None:
            return
        app = self.submit_for(person, Kind.CHANGE, t.received, reason=CHANGE_REASON)
        self.follow(app, outcome, t, person.grade - 1)

    def replacement(self, outcome: str) -> None:
        t = self.timeline(outcome if outcome != ISSUED else COMPLETED)
        later = self.today + datetime.timedelta(days=30)
        person = self.holder(self.day(t.received), lambda row: row.expires > later)
        if person is None:
            return
        reason = self.rng.choice(tuple(REPLACEMENT_REASONS))
        app = self.submit_for(
            person,
            Kind.REPLACEMENT,
            t.received,
            needs_assessment=False,
            reason=reason,
            replacement_reason=REPLACEMENT_REASONS[reason],
        )
        if outcome == ISSUED:
            services.issue_without_assessment(
                application=app, on=self.day(t.closed or 0), acting_user=self.clerk_of(app)
            )

    def transfer(self, outcome: str) -> None:
        t = self.timeline(outcome)
        person = self.holder(self.day(t.received))
        if person is None:
            return
        others = [c for c in self.counties if c != person.county_code]
        county = others[self._int(0, len(others) - 1)]
        target = self.villages[county][self._int(0, len(self.villages[county]) - 1)]
        app = self.submit_for(
            person,
            Kind.TRANSFER,
            t.received,
            needs_assessment=False,
            target=target.code,
            reason=f"户口迁至{self.county_names[county + '000000']}{target.name}",
        )
        if outcome == COMPLETED:
            services.complete_transfer(
                application=app, on=self.day(t.closed or 0), acting_user=self.clerk_of(app)
            )

    def cancel(self, reason: str) -> None:
        on = self.day(self._int(1, 60))
        person = self.holder(on)
        if person is None:
            return
        services.cancel_certificate(
            person=person,
            reason=reason,
            on=on,
            note=CANCEL_NOTES.get(reason, ""),
            acting_user=self.clerk(person.county_code),
        )
        self.cancelled += 1

    # the whole plan ---------------------------------------------------------------------
    def run(self) -> None:
        population = [COUNTY_POPULATION[c] for c in self.counties]
        first_counties = [c for c in FIRST_COUNTIES if c in self.counties]
        holder_steps: dict[str, Callable[[str], None]] = {
            Kind.RENEWAL: self.renewal,
            Kind.CHANGE: self.change,
            Kind.REPLACEMENT: self.replacement,
            Kind.TRANSFER: self.transfer,
        }
        for kind, outcome, i in _interleaved(PLAN):
            if kind == Kind.FIRST:
                county = (
                    first_counties[i]
                    if i < len(first_counties)
                    else self.rng.choices(self.counties, weights=population)[0]
                )
                self.first(outcome, county)
            else:
                holder_steps[kind](outcome)
        for reason, count in CANCELLATIONS:
            for _n in range(count):
                self.cancel(reason)


def _interleaved(plan: Sequence[tuple[str, str, int]]) -> list[tuple[str, str, int]]:
    """(kind, outcome, i) for each application of `plan`, the outcomes of a kind taken in
    turn: a small registry with few holders of a kind still shows each of its outcomes."""
    steps: list[tuple[str, str, int]] = []
    kinds = list(dict.fromkeys(kind for kind, _outcome, _count in plan))
    for kind in kinds:
        rows = [(outcome, count) for k, outcome, count in plan if k == kind]
        for i in range(max(count for _outcome, count in rows)):
            steps.extend((kind, outcome, i) for outcome, count in rows if i < count)
    return steps


def build_certificate_demo(
    *,
    seed: int,
    acting_user: User,
    today: datetime.date,
    stdout: Writer | None = None,
) -> dict[str, int]:
    """Designate the example institutions and take about a hundred applications through the
    workflow, each left in a state the worklists show. `acting_user` is a city-level account
    with the certificate rights (the demo's city staff): it acts for counties without a clerk
    login and decides objections. The institutions are designated by a system administrator
    account. Returns the number of applications in each status, with the certificates
    cancelled and the institutions designated. Deterministic for `seed` and the registry."""
    started = time.perf_counter()
    if not acting_user.can(Perm.PROCESS_CERTIFICATE):
        raise ValueError("The acting user needs the right to process certificates.")
    city = Place.objects.get(code=CITY_CODE)
    admin = next(
        (
            user
            for user in User.objects.filter(role=Role.SYSTEM_ADMIN, is_active=True).order_by(
                "username"
            )
            if covers(user, city.code)
        ),
        acting_user if acting_user.can(Perm.MANAGE_PLACES) else None,
    )
    if admin is None:
        raise ValueError("Designating the example institutions needs a system administrator.")
    builder = _Builder(seed=seed, acting_user=acting_user, today=today, system_admin=admin)
    designated = builder.ensure_institutions()
    builder.run()
    statuses = dict.fromkeys(Status.values, 0)
    for status in Application.objects.filter(pk__in=builder.created).values_list(
        "status", flat=True
    ):
        statuses[status] += 1
    result = {
        **statuses,
        "applications": len(builder.created),
        "certificates_cancelled": builder.cancelled,
        "institutions": designated,
    }
    if stdout is not None:
        stdout.write(
            _("Took %(count)s certificate applications through the workflow in %(seconds).1f s.")
            % {"count": len(builder.created), "seconds": time.perf_counter() - started}
            + "\n"
        )
    return result


def reset_certificate_demo() -> dict[str, int]:
    """Delete the workflow's rows of the demo persons and places (before the persons are
    deleted, which these rows protect). The example institutions stay."""
    certificates = Certificate.objects.filter(
        Q(person__place__invented=True) | Q(application__place__invented=True)
    )
    CheckItem.objects.filter(certificate__in=certificates).delete()
    CancelledCard.objects.filter(
        Q(certificate__in=certificates) | Q(replaced_by__in=certificates)
    ).delete()
    Application.objects.filter(cancelled_certificate__in=certificates).update(
        cancelled_certificate=None
    )
    removed = certificates.count()
    certificates.delete()
    applications = Application.objects.filter(
        Q(place__invented=True) | Q(person__place__invented=True)
    )
    count = applications.count()
    applications.delete()
    return {"certificate_applications": count, "certificates": removed}
