"""The demo registry: deterministic, valid, spread like the real one, and never leaking numbers."""

from __future__ import annotations

import datetime
import io
import json
import math
import re

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import models

from canlian.accounts.models import User
from canlian.accounts.roles import Role
from canlian.audit.models import Entry
from canlian.conftest import opened
from canlian.demo import build as demo
from canlian.demo.benefits import progress_sample
from canlian.lib import idcard, masks
from canlian.people.models import GUARDIAN_CATEGORIES, Person, StatusPeriod
from canlian.people.services import add_years, age_on, name_initials
from canlian.places.models import Place

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 15)
ID_LIKE = re.compile(r"\d{17}[\dX]")
LONG_DIGITS = re.compile(r"\d{12,}")


def snapshot() -> list[tuple[object, ...]]:
    return list(
        Person.objects.order_by("pk").values_list(
            "id_number_index", "name", "birth_date", "place_id", "category", "grade"
        )
    )


@pytest.fixture
def big_demo() -> dict[str, object]:
    return demo.build_demo(persons=3000, seed=7, today=TODAY)


def test_same_seed_gives_the_same_persons_and_another_seed_does_not():
    demo.build_demo(persons=300, seed=11, today=TODAY)
    first = snapshot()
    demo.build_demo(persons=300, seed=11, today=TODAY, reset=True)
    assert snapshot() == first
    demo.build_demo(persons=300, seed=12, today=TODAY, reset=True)
    other = snapshot()
    assert len(other) == len(first) == 300
    assert other != first
    assert [row[0] for row in other] != [row[0] for row in first]


def test_every_id_number_is_valid_unique_and_agrees_with_the_stored_fields(big_demo):
    numbers = set()
    for person in Person.objects.all():
        number = opened(person)
        check = idcard.check(number, today=TODAY)
        assert check.valid, (number, check.errors)
        assert check.normalized == number
        assert check.birth_date == person.birth_date
        assert check.sex is not None and check.sex.value == person.sex
        assert person.id_number_masked == masks.id_number(number)
        numbers.add(number)
    assert len(numbers) == 3000
    assert Person.objects.values("id_number_index").distinct().count() == 3000
    # A few carry an address code other than their county (retired 410881, other Henan).
    other = sum(1 for n in numbers if n[:6] not in demo.COUNTY_POPULATION)
    assert 0 < other < 3000 * 0.08
    assert any(n.startswith(demo.HISTORICAL_CODE) for n in numbers)


def test_minors_and_intellectual_or_mental_disability_have_a_guardian(big_demo):
    needing = 0
    for person in Person.objects.all():
        if age_on(person.birth_date, TODAY) < 18 or person.category in GUARDIAN_CATEGORIES:
            needing += 1
            assert (
                person.guardian_name and person.guardian_relation and person.guardian_phone_masked
            )
            assert person.guardian_relation in {"父亲", "母亲", "配偶", "子女"}
    assert needing > 0
    assert Person.objects.filter(birth_date__gt=add_years(TODAY, -18)).exists()


def test_persons_are_spread_over_the_counties_by_population(big_demo):
    total = sum(demo.COUNTY_POPULATION.values())
    for county, population in demo.COUNTY_POPULATION.items():
        share = population / total
        expected = 3000 * share
        spread = 4 * math.sqrt(3000 * share * (1 - share)) + 5
        count = Person.objects.filter(place__code__startswith=county).count()
        assert abs(count - expected) <= spread, (county, count, expected)
        assert big_demo["per_county"][county] == count


def test_categories_follow_the_2006_survey_roughly(big_demo):
    total = sum(demo.CATEGORY_WEIGHTS.values())
    for category, weight in demo.CATEGORY_WEIGHTS.items():
        share = weight / total
        spread = 5 * math.sqrt(3000 * share * (1 - share)) + 3000 * 0.01
        count = Person.objects.filter(category=category).count()
        assert abs(count - 3000 * share) <= spread, (category, count)


def test_dates_statuses_and_periods_are_consistent(big_demo):
    last_year_end = datetime.date(TODAY.year - 1, 12, 31)
    for person in Person.objects.all():
        assert datetime.date(2008, 1, 1) <= person.certificate_issued_on <= last_year_end
        assert person.certificate_issued_on > person.birth_date
        assert person.certificate_expires_on == add_years(person.certificate_issued_on, 10)
        if person.life_status == "active":
            assert person.life_status_date is None
        else:
            assert person.certificate_issued_on < person.life_status_date <= TODAY
        assert person.name_initials == name_initials(person.name)
    for period in StatusPeriod.objects.select_related("person"):
        assert period.start >= period.person.birth_date
        assert period.start <= TODAY
        assert period.end is None or period.start <= period.end <= TODAY
        if period.person.life_status != "active":
            assert period.end is not None and period.end <= period.person.life_status_date
    deceased = Person.objects.filter(life_status="deceased").count()
    assert 3000 * 0.01 < deceased < 3000 * 0.06
    assert Person.objects.filter(certificate_expires_on__lt=TODAY).exists()
    kinds = set(StatusPeriod.objects.values_list("kind", flat=True))
    assert kinds == {"dibao", "dibao_edge", "tekun", "registered_poor"}
    # One period per kind and person, so they never overlap.
    assert StatusPeriod.objects.values("person", "kind").distinct().count() == (
        StatusPeriod.objects.count()
    )


def test_rare_characters_outside_the_bmp_are_stored_intact(big_demo):
    rare = [
        name
        for name in Person.objects.values_list("name", flat=True)
        if any(ord(ch) > 0xFFFF for ch in name)
    ]
    assert rare, "expected about 0.5% of names with an Extension B character"
    assert all(ch in demo.RARE_CHARACTERS for name in rare for ch in name if ord(ch) > 0xFFFF)
    assert big_demo["rare_character_names"] == len(rare)


def test_no_full_id_or_bank_number_is_stored_in_any_text_column(big_demo):
    persons = list(Person.objects.all())
    numbers = {opened(p) for p in persons}
    accounts = {opened(p, "bank_account") for p in persons} - {""}
    assert accounts
    scanned = 0
    for model in apps.get_models():
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        if not fields:
            continue
        for row in model._default_manager.values_list(*fields):
            for value in row:
                text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                assert not set(ID_LIKE.findall(text)) & numbers, (model, text)
                assert not set(LONG_DIGITS.findall(text)) & accounts, (model, text)
                scanned += 1
    assert scanned > 3000 * 10
    load = Entry.objects.get(action="demo.load")
    assert load.detail["persons"] == 3000
    assert load.actor_label == "system"


def test_one_login_per_role_with_its_scope(big_demo):
    assert {login.role for login in demo.DEMO_LOGINS} == set(Role.values)
    for login in demo.DEMO_LOGINS:
        user = User.objects.get(username=login.username)
        assert user.role == login.role
        assert user.place_id == login.place_code
        assert user.check_password(demo.DEMO_PASSWORD)
    township = Place.objects.get(code="410883101000")
    assert township.level == 4 and township.invented
    wen = User.objects.get(username="clerk-wenxian")
    meng = User.objects.get(username="clerk-mengzhou")
    wen_ids = set(Person.objects.visible_to(wen).values_list("pk", flat=True))
    meng_ids = set(Person.objects.visible_to(meng).values_list("pk", flat=True))
    assert wen_ids and meng_ids and not wen_ids & meng_ids
    wen_places = Person.objects.filter(pk__in=wen_ids).values_list("place_id", flat=True)
    assert all(code.startswith("410825") for code in wen_places)
    officer = User.objects.get(username="township")
    assert set(Person.objects.visible_to(officer).values_list("pk", flat=True)) <= meng_ids
    assert Person.objects.visible_to(User.objects.get(username="auditor")).count() == 3000


def test_a_second_run_refuses_without_reset_and_reset_keeps_the_audit_log():
    demo.build_demo(persons=50, seed=3, today=TODAY)
    entries = Entry.objects.count()
    with pytest.raises(demo.DemoError, match="--reset"):
        demo.build_demo(persons=50, seed=3, today=TODAY)
    assert Person.objects.count() == 50
    assert Entry.objects.count() == entries
    result = demo.build_demo(persons=20, seed=3, today=TODAY, reset=True)
    assert result["deleted"]["persons"] == 50
    assert Person.objects.count() == 20
    assert Entry.objects.count() > entries
    assert Entry.objects.filter(action="demo.reset").exists()
    assert User.objects.filter(username="township").count() == 1  # logins are not duplicated


def test_the_demo_refuses_a_registry_with_real_persons():
    demo.build_demo(persons=5, seed=3, today=TODAY)
    person = Person.objects.first()
    assert person is not None
    Person.objects.filter(pk=person.pk).update(place_id="410825000000")  # a real (county) node
    with pytest.raises(demo.DemoError, match="绝不在真实数据库上"):
        demo.build_demo(persons=5, seed=3, today=TODAY, reset=True)


def test_command_prints_the_summary_and_the_logins():
    out = io.StringIO()
    call_command("demo", persons=40, seed=5, stdout=out)
    text = out.getvalue()
    assert "人员：40名" in text
    assert "按残疾类别：视力残疾" in text and "按残疾等级：一级" in text
    assert "Persons" not in text and "per category" not in text and "username" not in text
    for login in demo.DEMO_LOGINS:
        assert login.username in text
    assert demo.DEMO_PASSWORD in text
    with pytest.raises(CommandError, match="--reset"):
        call_command("demo", persons=40, stdout=io.StringIO())


def test_the_application_to_follow_is_printed_not_audited():
    """The receipt code and ID tail of the sample application are for the person trying the
    demo: the command prints them; the demo.load audit entry holds neither."""
    from canlian.demo.management.commands.demo import Command

    result = demo.build_demo(persons=200, seed=3, today=TODAY, subsidies=True)
    sample = progress_sample()
    assert sample
    detail = json.dumps(Entry.objects.get(action="demo.load").detail, ensure_ascii=False)
    assert sample["receipt"] not in detail and sample["id_tail"] not in detail
    out = io.StringIO()
    command = Command(stdout=out)
    command._progress_samples(result)
    assert sample["receipt"] in out.getvalue() and sample["id_tail"] in out.getvalue()


def test_command_names_counties_and_scopes_and_aligns_the_login_table(settings):
    """Counties and scopes by name, never their codes; the portal by its public address; the
    login table's headings above their columns (a Chinese character takes two columns)."""
    import unicodedata

    settings.PUBLIC_URL = "https://canlian.example.org"
    out = io.StringIO()
    call_command("demo", persons=40, seed=5, stdout=out)
    text = out.getvalue()
    county_line = next(line for line in text.splitlines() if "温县" in line and "武陟县" in line)
    assert not re.search(r"\d{6}", county_line)
    if "/portal/subsidies/" in text:
        assert "https://canlian.example.org/portal/subsidies/" in text
    lines = text.splitlines()
    start = max(i for i, line in enumerate(lines) if "演示账户" in line)
    table = lines[start + 1 : start + 2 + len(demo.DEMO_LOGINS)]

    def columns(line: str) -> list[int]:
        """The display column where each cell after the first starts."""
        starts, col, gap = [], 0, 0
        for char in line[2:]:
            if char == " ":
                gap += 1
            else:
                if gap >= 2:
                    starts.append(col)
                gap = 0
            col += 2 if unicodedata.east_asian_width(char) in "WF" else 1
        return starts

    heading = columns(table[0])
    assert len(heading) == 4
    for row in table[1:]:
        assert columns(row)[: len(heading)] == heading
    assert not [row for row in table[1:] if re.search(r"\d{6}", row)]


def test_if_empty_leaves_a_loaded_registry_alone(db):
    from io import StringIO

    from django.core.management import call_command

    from canlian.people.models import Person

    call_command("demo", "--persons", "20", stdout=StringIO())
    before = list(Person.objects.order_by("pk").values_list("pk", "id_number_masked"))
    out = StringIO()
    call_command("demo", "--persons", "50", "--if-empty", stdout=out)
    assert list(Person.objects.order_by("pk").values_list("pk", "id_number_masked")) == before
    assert "20" in out.getvalue() and "clerk-wenxian" in out.getvalue()


def test_demo_logins_that_need_a_code_sign_in_with_the_printed_public_key():
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from canlian.accounts import otp

    out = io.StringIO()
    call_command("demo", persons=20, seed=5, stdout=out)
    assert "MNQW 43DJ MFXC 2ZDF NVXS 25DP ORYC 2MRQ" in out.getvalue()
    needing = [d.username for d in demo.DEMO_LOGINS if d.role in otp.SECOND_FACTOR_ROLES]
    assert {u.username for u in User.objects.filter(totpdevice__confirmed=True)} == set(needing)
    TOTPDevice.objects.update(last_t=-1)  # the demo's own enrolment used this step's code
    code = io.StringIO()
    call_command("demo", "--otp-code", stdout=code)
    client = Client()
    client.post("/login/", {"username": "secadmin", "password": demo.DEMO_PASSWORD})
    response = client.post("/login/verify/", {"code": code.getvalue().strip()})
    assert response.status_code == 302 and client.get("/accounts/").status_code == 200


def test_an_account_the_demo_did_not_make_never_gets_the_public_demo_key():
    from canlian.accounts import otp
    from canlian.accounts import services as accounts

    demo.build_demo(persons=0, seed=5, today=TODAY)
    User.objects.filter(username="finance").delete()
    real = accounts.create_account(
        username="finance", password="a-Real-password-2026", role=Role.FINANCE,
        place=Place.objects.get(code="410800000000"), acting_user=None,
    )  # fmt: skip
    demo.build_demo(persons=0, seed=5, today=TODAY)
    assert otp.authenticator(real) is None


def test_the_readme_lists_every_demo_login() -> None:
    """Each demo login is in the README's table (the second finance officer who approves a
    roll among them), and the table names no login the demo does not create."""
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `([a-z0-9-]+)` \|", readme, flags=re.MULTILINE))
    assert listed == {login.username for login in demo.DEMO_LOGINS}
    assert "finance-review" in listed


def test_the_subsidy_demo_keeps_last_and_this_months_eligibility_for_the_statistics():
    from canlian.benefits.eligibility import Month, compute_month
    from canlian.benefits.models import EligibilitySnapshot, EligibleMonth

    demo.build_demo(persons=200, seed=3, today=TODAY, subsidies=True)
    this = Month.of(TODAY)
    assert list(EligibilitySnapshot.objects.values_list("month", flat=True)) == [
        this.shift(-1).first,
        this.first,
    ]
    # What the snapshot keeps is what the rules decide for that month.
    decided = compute_month(this)
    for programme, result in decided.programmes.items():
        kept = EligibleMonth.objects.filter(month=this.first, programme=programme)
        assert set(kept.values_list("person_id", flat=True)) == set(
            result.person_ids[result.eligible].tolist()
        )
