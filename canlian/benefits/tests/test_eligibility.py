"""Tests for canlian.benefits.eligibility: the rule cases of eligibility_cases.yaml, the
columnar pass against the one-person explanation, and the registry loaded for a month."""

from __future__ import annotations

import dataclasses
import datetime
import random
import shutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.utils import translation

from canlian.benefits.eligibility import (
    CONDITIONS,
    PARAMETERS_DIRECTORY,
    Facts,
    Month,
    Period,
    compute_month,
    evaluate_facts,
    explain,
    explain_json,
)
from canlian.benefits.models import Programme
from canlian.lib.parameters import clear_cache, load_directory
from canlian.people import services as people
from canlian.people.models import LifeStatus, StatusKind

CASES: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parent / "eligibility_cases.yaml").read_text("utf-8")
)

BASE = Facts(
    region="410825001001",
    category=4,
    grade=2,
    certificate_issued_on=datetime.date(2019, 3, 1),
    certificate_expires_on=datetime.date(2029, 2, 28),
    periods=(Period(StatusKind.DIBAO, datetime.date(2020, 1, 1)),),
)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def facts_of_case(raw: dict[str, Any]) -> Facts:
    changes: dict[str, Any] = {}
    for key, value in raw.items():
        if key == "periods":
            changes["periods"] = tuple(Period(kind, start, end) for kind, start, end in value)
        elif key == "issued":
            changes["certificate_issued_on"] = value
        elif key == "expires":
            changes["certificate_expires_on"] = value
        elif key == "status_date":
            changes["life_status_date"] = value
        elif key in ("equivalent_living", "equivalent_care"):
            changes[key] = Decimal(value)
        else:
            changes[key] = value
    return dataclasses.replace(BASE, **changes)


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_rule_case(case: dict[str, Any]) -> None:
    explanation = explain(facts_of_case(case["person"]), Month.parse(case["month"]))
    for programme, amount in case["expected"].items():
        result = explanation.programmes[programme]
        assert f"{result.amount:f}" == amount
        assert result.eligible == (amount != "0.00")
    for programme, keys in case.get("fails", {}).items():
        failed = [c.key for c in explanation.programmes[programme].conditions if not c.passed]
        assert failed == keys


def test_the_columnar_pass_agrees_with_the_explanation_on_every_case() -> None:
    by_month: dict[str, list[Facts]] = {}
    for case in CASES:
        by_month.setdefault(case["month"], []).append(facts_of_case(case["person"]))
    for text, facts in by_month.items():
        month = Month.parse(text)
        columnar = evaluate_facts(facts, month)
        for index, one in enumerate(facts):
            explanation = explain(one, month)
            for programme in Programme.values:
                single = explanation.programmes[programme]
                assert columnar[programme][index] == (single.eligible, single.amount)


def test_every_condition_fails_in_some_case() -> None:
    for programme, conditions in CONDITIONS.items():
        failed = {key for case in CASES for key in case.get("fails", {}).get(programme, [])}
        assert failed == {condition.key for condition in conditions}, programme


def test_every_shipped_county_override_is_covered() -> None:
    regions = {case["person"].get("region", BASE.region)[:6] for case in CASES}
    assert {"410883", "410882", "410825"} <= regions


def test_the_explanation_lists_the_parameters_with_their_references() -> None:
    facts = facts_of_case(
        {
            "region": "410883001001",
            "periods": [["registered_poor", datetime.date(2016, 1, 1), None]],
        }
    )
    data = explain_json(explain(facts, Month(2024, 3)))
    care = data["programmes"]["care"]
    assert care["amount"] == "100.00" and care["standard"] == "100.00"
    assert care["parameters"]["benefits.care.amount_registered_poor"] == {
        "value": "100.00", "since": "2016-01-01", "reference": "", "region": "410883",
        "sample": "true",
    }  # fmt: skip
    assert care["parameters"]["benefits.care.amount.grade_2"]["region"] == "4108"
    flag = care["parameters"]["benefits.care.extends_to_registered_poor"]
    assert flag["value"] == "false" and "国发〔2015〕52号" in flag["reference"]
    living = data["programmes"]["living"]
    assert living["eligible"] is False and living["amount"] == "0.00"
    assert [c["key"] for c in living["conditions"]] == [
        "in_force", "certified", "alive", "resident", "low_income", "not_tekun",
        "not_work_injury_care", "not_orphan", "no_higher_equivalent",
    ]  # fmt: skip


def test_each_condition_gives_its_reason_in_words() -> None:
    facts = facts_of_case(
        {"grade": 3, "life_status": "deceased", "status_date": datetime.date(2024, 3, 15)}
    )
    explanation = explain(facts, Month(2024, 3))
    care = {c.key: c for c in explanation.programmes["care"].conditions}
    assert care["severe"].reason == ("Grade 3, Physical: the care subsidy here needs grade 1–2.")
    assert care["alive"].reason.startswith("Died on 2024-03-15, in the month")
    assert (
        explanation.programmes["living"].conditions[0].reason == "50.00 yuan a month applies here."
    )


def test_the_reasons_are_translated_in_chinese() -> None:
    with translation.override("zh-hans"):
        data = explain_json(explain(BASE, Month(2024, 3)))
    assert data["programmes"]["care"]["name"]  # the label goes through gettext


@pytest.fixture
def pack(tmp_path: Path) -> Iterator[Path]:
    """A copy of the shipped parameter files the test may change."""
    directory = tmp_path / "parameters"
    shutil.copytree(PARAMETERS_DIRECTORY, directory)
    yield directory
    clear_cache()


def set_override(directory: Path, name: str, prefix: str, value: str) -> None:
    path = directory / f"{name}.yaml"
    text = path.read_text("utf-8")
    if "overrides:" not in text:
        text += "overrides:\n"
    text += f'  "{prefix}":\n    - from: 2016-01-01\n      value: {value}\n'
    text += '      reference: ""\n      sample: true\n'
    path.write_text(text, "utf-8")


def test_a_place_extending_care_to_grades_3_4_intellectual_and_mental(pack: Path) -> None:
    set_override(pack, "benefits.care.extends_to_grades_3_4_intellectual_mental", "410825", "true")
    parameters = load_directory(pack)
    month = Month(2024, 3)
    for category, grade, paid in [(5, 3, True), (6, 4, True), (4, 3, False), (7, 3, False)]:
        facts = dataclasses.replace(BASE, category=category, grade=grade)
        result = explain(facts, month, parameters=parameters).programmes["care"]
        assert result.eligible is paid, (category, grade)
        assert evaluate_facts([facts], month, parameters=parameters)["care"][0][0] is paid


def test_a_place_extending_living_to_near_dibao(pack: Path) -> None:
    set_override(pack, "benefits.living.extends_to_dibao_edge", "410825", "true")
    parameters = load_directory(pack)
    facts = dataclasses.replace(
        BASE, periods=(Period(StatusKind.DIBAO_EDGE, datetime.date(2024, 3, 31)),)
    )
    result = explain(facts, Month(2024, 3), parameters=parameters).programmes["living"]
    assert result.eligible and result.amount == Decimal("50.00")
    reason = {c.key: c.reason for c in result.conditions}["low_income"]
    assert reason == "Near dibao in the month, and the living subsidy is extended to it here."


def test_a_place_differentiating_amounts_by_grade(pack: Path) -> None:
    set_override(pack, "benefits.care.amount.grade_1", "410825", '"80.00"')
    parameters = load_directory(pack)
    month = Month(2024, 3)
    grade_1 = dataclasses.replace(BASE, grade=1)
    assert explain(grade_1, month, parameters=parameters).programmes["care"].amount == Decimal(80)
    assert explain(BASE, month, parameters=parameters).programmes["care"].amount == Decimal(60)


def test_a_place_where_tekun_does_not_exclude_the_subsidies(pack: Path) -> None:
    set_override(pack, "benefits.excluded.tekun.living", "410825", "false")
    set_override(pack, "benefits.excluded.tekun.care", "410825", "false")
    parameters = load_directory(pack)
    tekun = (Period(StatusKind.DIBAO, datetime.date(2020, 1, 1)),
             Period(StatusKind.TEKUN, datetime.date(2023, 1, 1)))  # fmt: skip
    facts = dataclasses.replace(BASE, periods=tekun)
    result = explain(facts, Month(2024, 3), parameters=parameters)
    assert [r.amount for r in result.programmes.values()] == [Decimal(50), Decimal(60)]
    reason = {c.key: c.reason for c in result.programmes["care"].conditions}["not_tekun"]
    assert reason == (
        "In extreme-poverty support (tekun), which does not exclude this subsidy here."
    )
    elsewhere = dataclasses.replace(facts, region="410883001001")
    assert not explain(elsewhere, Month(2024, 3), parameters=parameters).programmes["care"].eligible


def test_a_place_asking_long_term_care_of_its_extensions_too(pack: Path) -> None:
    set_override(pack, "benefits.care.extends_to_grades_3_4_intellectual_mental", "410825", "true")
    set_override(pack, "benefits.care.extensions_need_long_term_care", "410825", "true")
    parameters = load_directory(pack)
    month = Month(2024, 3)
    for months, paid in [(5, False), (6, True), (None, True)]:
        facts = dataclasses.replace(BASE, category=5, grade=3, long_term_care_months=months)
        result = explain(facts, month, parameters=parameters).programmes["care"]
        assert result.eligible is paid, months
        assert evaluate_facts([facts], month, parameters=parameters)["care"][0][0] is paid


def test_the_long_term_care_reason_names_the_months() -> None:
    facts = dataclasses.replace(BASE, long_term_care_months=5)
    care = explain_json(explain(facts, Month(2024, 3)))["programmes"]["care"]
    reason = next(c["reason"] for c in care["conditions"] if c["key"] == "long_term_care")
    assert reason == (
        "Needs care for 5 months: long-term care means at least 6 months, so no care subsidy."
    )
    used = care["parameters"]["benefits.care.long_term_care_months"]
    assert used["value"] == "6" and "国发〔2015〕52号" in used["reference"]


def test_the_henan_exclusion_is_cited_in_the_explanation() -> None:
    facts = dataclasses.replace(BASE, work_injury_care=True)
    care = explain_json(explain(facts, Month(2024, 3)))["programmes"]["care"]
    used = care["parameters"]["benefits.excluded.work_injury_care"]
    assert (used["value"], used["region"], used["sample"]) == ("true", "41", "true")
    reason = next(c["reason"] for c in care["conditions"] if not c["passed"])
    assert reason == (
        "Receives work-injury care allowance: here its recipients receive neither subsidy."
    )


@pytest.mark.parametrize("text", ["2024-13", "2024-3", "24-03", "March", "2024-00"])
def test_a_month_is_written_yyyy_mm(text: str) -> None:
    with pytest.raises(ValueError, match="is not a month: write it like 2026-06"):
        Month.parse(text)


def test_a_month_knows_its_first_and_last_day() -> None:
    month = Month.parse("2024-02")
    assert (month.first, month.last, month.days, str(month)) == (
        datetime.date(2024, 2, 1), datetime.date(2024, 2, 29), 29, "2024-02",
    )  # fmt: skip


def test_an_empty_population_is_computed() -> None:
    assert evaluate_facts([], Month(2024, 3)) == {"living": [], "care": []}


# --- The registry ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_compute_month_agrees_with_explain_for_every_person(
    make_person: Any, county_clerk: Any, other_county_clerk: Any
) -> None:
    rng = random.Random(5)
    persons = []
    for index in range(60):
        place = rng.choice(["410825001001", "410883001001"])
        status = rng.choice([LifeStatus.ACTIVE] * 4 + list(LifeStatus.values))
        changes: dict[str, Any] = {
            "place_code": place,
            "category": rng.randint(1, 7),
            "grade": rng.randint(1, 4),
            "certificate_issued_on": datetime.date(2015, 1, 1)
            + datetime.timedelta(days=rng.randint(0, 3650)),
            "life_status": status,
            "name": f"测试{index}",
            "guardian_name": "王监护",
            "guardian_relation": "父亲",
            "guardian_phone": "13900000000",
        }
        if status != LifeStatus.ACTIVE:
            changes["life_status_date"] = datetime.date(2024, rng.randint(1, 6), rng.randint(1, 28))
        person = make_person(**changes)
        clerk = county_clerk if place.startswith("410825") else other_county_clerk
        for kind in rng.sample(StatusKind.values, rng.randint(0, 3)):
            start = datetime.date(2024, rng.randint(1, 6), rng.randint(1, 28))
            end = rng.choice([None, start + datetime.timedelta(days=rng.randint(0, 90))])
            people.add_status_period(
                person=person, kind=kind, start=start, end=end, acting_user=clerk
            )
        persons.append(person)
    for month in [Month(2024, m) for m in range(1, 8)]:
        result = compute_month(month)
        assert result.persons == len(persons)
        for programme, outcome in result.programmes.items():
            by_id = dict(zip(outcome.person_ids.tolist(), outcome.amount.tolist(), strict=True))
            eligible = dict(
                zip(outcome.person_ids.tolist(), outcome.eligible.tolist(), strict=True)
            )
            for person in persons:
                single = explain(person, month).programmes[programme]
                assert eligible[person.pk] == single.eligible, (person.pk, str(month))
                assert Decimal(by_id[person.pk]) / 100 == single.amount
        summary = result.summary()
        assert set(summary["programmes"]) == {"living", "care"}


@pytest.mark.django_db
def test_compute_month_keeps_to_the_region_prefix(make_person: Any) -> None:
    make_person(place_code="410825001001")
    make_person(place_code="410883001001")
    assert compute_month(Month(2024, 3), region_prefix="410883").persons == 1
    assert compute_month(Month(2024, 3), region_prefix="4108").persons == 2
    assert compute_month(Month(2024, 3), region_prefix="4109").persons == 0
