"""Tests for canlian.levy.formula: the rule cases of formula_cases.yaml, then the edges."""

from __future__ import annotations

import dataclasses
import datetime
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.utils import translation

from canlian.levy.formula import (
    LATE_CAPPED,
    PARAMETERS_DIRECTORY,
    EmployerKind,
    Inputs,
    Tier,
    calculate,
    late_surcharge,
    result_json,
)
from canlian.lib.parameters import Entry, Parameters, load_directory

CASES = yaml.safe_load((Path(__file__).parent / "formula_cases.yaml").read_text("utf-8"))


def inputs_of(raw: dict[str, Any]) -> Inputs:
    numbers = ("staff", "disabled", "disabled_severe", "average_wage", "local_average_wage")
    return Inputs(
        year=raw["year"],
        region=raw["region"],
        kind=raw["kind"],
        on=raw.get("date"),
        **{name: Decimal(raw[name]) for name in numbers},
    )


def enterprise(**changes: Any) -> Inputs:
    base = Inputs(
        year=2024,
        region="410883",
        kind=EmployerKind.ENTERPRISE,
        staff=Decimal(312),
        disabled=Decimal(2),
        disabled_severe=Decimal(1),
        average_wage=Decimal(150000),
        local_average_wage=Decimal(70000),
    )
    return dataclasses.replace(base, **changes)


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_rule_case(case):
    result = calculate(inputs_of(case["inputs"]))
    expected = case["expected"]
    assert result_json(result)["amount"] == expected["amount"]
    assert result.tier == expected["tier"]
    assert result.shortfall == Decimal(expected["shortfall"])
    if "ratio" in expected:
        assert result_json(result)["ratio"] == expected["ratio"]


def test_every_tier_and_kind_is_covered_by_a_case():
    assert {case["expected"]["tier"] for case in CASES} == set(Tier.values)
    assert {case["inputs"]["kind"] for case in CASES} == set(EmployerKind.values)


def test_the_shortfall_step_reads_as_arithmetic_not_a_max_function():
    with translation.override("zh-hans"):
        short = {step.key: step for step in calculate(enterprise()).steps}
        over = {step.key: step for step in calculate(enterprise(disabled=Decimal(6))).steps}
    assert short["shortfall"].text == "差额人数：4.992 − 4 = 0.992（小于0时按0计）"
    # 6 + 1 × 2 = 8 counted against 4.992 required: nothing short, said in words.
    assert over["shortfall"].text == "差额人数：4.992 − 8 小于0，按0计"
    assert over["shortfall"].value == "0"
    assert "max(" not in short["shortfall"].text + over["shortfall"].text


def test_the_amount_is_decimal_yuan_to_the_fen():
    result = calculate(enterprise())
    assert result.amount == Decimal("69440.00")
    assert result.amount.as_tuple().exponent == -2


def test_the_steps_show_each_number_of_the_computation():
    with translation.override("en"):
        result = calculate(enterprise())
    steps = {step.key: step for step in result.steps}
    assert list(steps) == [
        "required", "counted", "shortfall", "ratio", "wage", "base", "tier", "amount",
    ]  # fmt: skip
    assert steps["required"].text == "Required: 312 staff × 1.6% = 4.992"
    assert steps["counted"].text == "Counted: 2 + 1 grade 1–2 holders × 2 = 4"
    assert steps["shortfall"].value == "0.992"
    assert steps["ratio"].text == "Actual ratio: 4 ÷ 312 = ≈1.2821%"
    assert steps["wage"].value == "140000"
    assert "2 × the local average wage 70,000 = 140,000" in steps["wage"].text
    assert steps["base"].text == "Amount due: 0.992 × 140,000 = 138,880"
    assert steps["tier"].value == "0.5"
    assert "at least 1% but below 1.6%, so 50%" in steps["tier"].text
    assert steps["amount"].value == "69440.00"
    # The sentences group thousands as a finance office writes them; the values stay plain.
    assert "138,880 × 50% = 69,440.00 yuan" in steps["amount"].text


def test_the_parameters_used_are_listed_with_their_references():
    result = calculate(enterprise())
    assert set(result.parameters) == {
        "levy.ratio",
        "levy.severe_count",
        "levy.wage_cap_multiple",
        "levy.exemption_staff_threshold",
        "levy.reduction_floor_ratio",
        "levy.reduction_factor_above_floor",
        "levy.reduction_factor_below_floor",
    }
    # Henan's 1.6% has no notice in our sources yet: a marked sample value.
    assert result.parameters["levy.ratio"] == {
        "value": "0.016", "since": "2007-05-01", "reference": "", "region": "41", "sample": "true",
    }  # fmt: skip
    cap = result.parameters["levy.wage_cap_multiple"]
    assert cap["value"] == "2" and cap["since"] == "2018-04-01"
    assert "财税〔2018〕39号" in cap["reference"] and cap["sample"] == "false"
    assert "2023年第8号" in result.parameters["levy.exemption_staff_threshold"]["reference"]


def test_parameters_that_have_ended_are_not_listed():
    result = calculate(enterprise(year=2028))
    assert set(result.parameters) == {"levy.ratio", "levy.severe_count", "levy.wage_cap_multiple"}


def test_result_json_gives_numbers_as_strings():
    data = result_json(calculate(enterprise()))
    assert data["amount"] == "69440.00"
    assert data["shortfall"] == "0.992"
    assert data["ratio"] == "0.012821"
    assert data["tier"] == "half"
    assert data["steps"][0] == {
        "key": "required", "text": data["steps"][0]["text"], "value": "4.992",
    }  # fmt: skip
    assert set(data) == {"amount", "shortfall", "ratio", "tier", "steps", "parameters"}


def test_the_collection_date_defaults_to_the_last_day_of_the_year():
    on_default = calculate(enterprise(year=2027))
    on_last_day = calculate(enterprise(year=2027, on=datetime.date(2027, 12, 31)))
    assert on_default == on_last_day


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"staff": Decimal(-1)}, "Staff cannot be negative (-1)."),
        ({"disabled": Decimal("-0.5")}, "Disabled employees cannot be negative (-0.5)."),
        ({"average_wage": Decimal(-1)}, "Average wage cannot be negative (-1)."),
        ({"staff": Decimal(0)}, "The disabled employees (3) outnumber the staff (0)."),
        ({"staff": Decimal(2)}, "The disabled employees (3) outnumber the staff (2)."),
        ({"staff": Decimal("NaN")}, "Staff must be a number, not NaN."),
        ({"local_average_wage": Decimal(0)}, "The local average wage must be more than 0."),
        ({"kind": "company"}, "Unknown employer kind company: use one of enterprise, government"),
        ({"region": "4l"}, "The region code 4l is not valid"),
        ({"region": "4"}, "The region code 4 is not valid"),
        ({"year": 0}, "The year 0 is not valid."),
        (
            {"on": datetime.date(2023, 12, 31)},
            "The collection date 2023-12-31 is not in the collection year 2024.",
        ),
        (
            {"year": 2015, "on": datetime.date(2015, 9, 30)},
            "No value of the parameter levy.severe_count is in force on 2015-09-30 in region "
            "410883.",
        ),
        (
            {"staff": Decimal("1E+70")},
            "The figures have too many digits to compute exactly.",
        ),
    ],
)
def test_invalid_input_is_refused_with_a_clear_message(changes, message):
    with translation.override("en"), pytest.raises(ValueError) as refused:
        calculate(enterprise(**changes))
    assert message in str(refused.value)


def copy_parameters(tmp_path: Path) -> Path:
    directory = tmp_path / "parameters"
    shutil.copytree(PARAMETERS_DIRECTORY, directory)
    return directory


def test_a_missing_parameter_file_is_refused(tmp_path):
    directory = copy_parameters(tmp_path)
    (directory / "levy.ratio.yaml").unlink()
    with translation.override("en"), pytest.raises(ValueError, match=r"levy\.ratio is in force"):
        calculate(enterprise(), parameters=load_directory(directory))


def test_reductions_only_partly_in_force_are_refused(tmp_path):
    directory = copy_parameters(tmp_path)
    (directory / "levy.reduction_factor_below_floor.yaml").unlink()
    with translation.override("en"), pytest.raises(ValueError, match="all three or none"):
        calculate(enterprise(), parameters=load_directory(directory))


def test_a_new_file_extending_the_reductions_applies_after_2027(tmp_path):
    directory = copy_parameters(tmp_path)
    for name in ("exemption_staff_threshold", "reduction_floor_ratio",
                 "reduction_factor_above_floor", "reduction_factor_below_floor"):  # fmt: skip
        path = directory / f"levy.{name}.yaml"
        text = path.read_text("utf-8").replace("2028-01-01", "2031-01-01")
        path.write_text(text, "utf-8")
    result = calculate(enterprise(year=2028), parameters=load_directory(directory))
    assert result.tier == Tier.HALF


def test_a_county_override_of_the_ratio_beats_the_province(tmp_path):
    directory = copy_parameters(tmp_path)
    path = directory / "levy.ratio.yaml"
    path.write_text(
        path.read_text("utf-8")
        + '  "410883":\n    - from: 2024-01-01\n'
        + '      value: "0.02"\n      reference: test notice\n',
        "utf-8",
    )
    params = load_directory(directory)
    county = calculate(enterprise(), parameters=params)
    neighbour = calculate(enterprise(region="410882"), parameters=params)
    assert county.required_ratio == Decimal("0.02")
    assert county.parameters["levy.ratio"]["region"] == "410883"
    assert neighbour.required_ratio == Decimal("0.016")


def test_the_shipped_parameter_files_are_valid_and_cite_their_notices():
    params = load_directory(PARAMETERS_DIRECTORY)
    assert "levy.minimum_contract_months" in params
    for parameter in params.values():
        for entry in parameter.values:
            if parameter.name in SAMPLE_PARAMETERS:
                # No notice at hand: shipped as samples, each deployment confirms them.
                assert entry.sample and not entry.reference, (parameter.name, entry)
            else:
                assert entry.reference and not entry.sample, (parameter.name, entry)


# The levy's settings that no published notice sets (see docs/levy.md).
SAMPLE_PARAMETERS = frozenset({"levy.late_surcharge_capped", "levy.verification_review_days"})


def test_employer_kinds_have_labels():
    with translation.override("en"):
        assert EmployerKind.GOVERNMENT.label == "Government body"
    assert EmployerKind.values == ["enterprise", "government", "institution", "organisation"]


SURCHARGE_CASES = yaml.safe_load(
    (Path(__file__).parent / "surcharge_cases.yaml").read_text("utf-8")
)


def with_cap(on: bool) -> Parameters:
    """The shipped parameters with the switch levy.late_surcharge_capped set to `on`."""
    shipped = load_directory(PARAMETERS_DIRECTORY)
    switch = shipped[LATE_CAPPED]
    entry = Entry(since=datetime.date(2015, 10, 1), value=on, reference="", sample=True)
    changed = dataclasses.replace(switch, values=(entry,), overrides={})
    return Parameters({**shipped, LATE_CAPPED: changed})


@pytest.mark.parametrize("case", SURCHARGE_CASES, ids=[case["name"] for case in SURCHARGE_CASES])
def test_late_surcharge_case(case: dict[str, Any]) -> None:
    result = late_surcharge(
        Decimal(case["principal"]),
        due_on=case["due"],
        paid_on=case["paid"],
        region="410883",
        parameters=with_cap(case.get("cap", True)),
    )
    assert (result.days, f"{result.amount:f}", result.capped) == (
        case["days"],
        case["amount"],
        case["capped"],
    )
    assert result.cap_in_force is case.get("cap", True)
    assert not result.sample


def test_the_shipped_cap_switch_is_on_and_a_sample() -> None:
    result = late_surcharge(
        Decimal("10000.00"),
        due_on=datetime.date(2026, 1, 31),
        paid_on=datetime.date(2026, 8, 20),
        region="410883",
    )
    assert (f"{result.amount:f}", result.capped, result.cap_sample) == ("10000.00", True, True)
    value = load_directory(PARAMETERS_DIRECTORY).value(
        LATE_CAPPED, on=datetime.date(2026, 1, 1), region="41"
    )
    assert value is not None and value.value is True and value.sample
    assert "disputed" in load_directory(PARAMETERS_DIRECTORY)[LATE_CAPPED].description


def test_the_late_surcharge_rate_is_72s_five_per_mille_a_day() -> None:
    value = load_directory(PARAMETERS_DIRECTORY).value(
        "levy.late_surcharge_daily_rate", on=datetime.date(2026, 1, 1), region="41"
    )
    assert value is not None and value.decimal == Decimal("0.005")
    assert "第二十六条" in value.reference


def test_a_negative_principal_is_refused() -> None:
    with translation.override("en"), pytest.raises(ValueError, match="cannot be negative"):
        late_surcharge(
            Decimal("-1"),
            due_on=datetime.date(2026, 1, 1),
            paid_on=datetime.date(2026, 1, 2),
            region="41",
        )
