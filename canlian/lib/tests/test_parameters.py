"""Tests for canlian.lib.parameters: dated values, regional overrides, and refused files."""

from __future__ import annotations

import datetime
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest

from canlian.lib import parameters as module
from canlian.lib.parameters import ParameterError, Parameters, Value, clear_cache, load_directory

D = datetime.date

# A ratio with a national value, a province (41), a city (4108) and a county (410883) override,
# ended nationally by null and restarted; dates and values invented for the tests.
RATIO = """
parameter: test.ratio
description: a ratio for the tests
unit: ratio
values:
  - from: 2015-10-01
    value: "0.015"
    reference: national notice 1
  - from: 2018-04-01
    value: "0.02"
    reference: national notice 2
  - from: 2028-01-01
    value: null
    reference: national notice 2 ends on 2027-12-31
  - from: 2030-01-01
    value: "0.025"
    reference: national notice 3
overrides:
  "41":
    - from: 2008-01-01
      value: "0.016"
      reference: province notice
  "4108":
    - from: 2020-01-01
      value: "0.017"
      reference: ""
      sample: true
  "410883":
    - from: 2019-01-01
      value: "0.018"
      reference: county notice
    - from: 2022-01-01
      value: null
      reference: county notice ends
"""


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / f"{name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def params(tmp_path: Path) -> Parameters:
    write(tmp_path, "test.ratio", RATIO)
    return load_directory(tmp_path)


def ratio(params: Parameters, on: datetime.date, region: str = "") -> Decimal | None:
    value = params.value("test.ratio", on=on, region=region)
    return None if value is None else value.decimal


def test_no_value_is_in_force_before_the_first_date(params):
    assert ratio(params, D(2015, 9, 30)) is None


def test_a_value_holds_from_its_date_until_the_day_before_the_next(params):
    assert ratio(params, D(2015, 10, 1)) == Decimal("0.015")
    assert ratio(params, D(2018, 3, 31)) == Decimal("0.015")
    assert ratio(params, D(2018, 4, 1)) == Decimal("0.02")
    assert ratio(params, D(2027, 12, 31)) == Decimal("0.02")


def test_null_ends_the_value_until_a_later_entry_restarts_it(params):
    assert ratio(params, D(2028, 1, 1)) is None
    assert ratio(params, D(2029, 12, 31)) is None
    assert ratio(params, D(2030, 1, 1)) == Decimal("0.025")


def test_the_value_says_where_it_comes_from(params):
    value = params.value("test.ratio", on=D(2019, 6, 30), region="410882")
    assert value == Value(
        name="test.ratio",
        value=Decimal("0.016"),
        since=D(2008, 1, 1),
        reference="province notice",
        region="41",
        sample=False,
    )


def test_a_region_without_an_override_takes_the_default(params):
    value = params.value("test.ratio", on=D(2019, 6, 30), region="110105")
    assert value is not None and value.region == "" and value.decimal == Decimal("0.02")


def test_a_province_override_replaces_the_default_even_before_the_default_begins(params):
    assert ratio(params, D(2010, 1, 1), "41") == Decimal("0.016")
    assert ratio(params, D(2010, 1, 1), "") is None


def test_the_most_specific_override_in_force_wins(params):
    on = D(2021, 6, 30)
    assert ratio(params, on, "410883") == Decimal("0.018")  # county beats city and province
    assert ratio(params, on, "410882") == Decimal("0.017")  # city beats province
    assert ratio(params, on, "4108") == Decimal("0.017")
    assert ratio(params, on, "41") == Decimal("0.016")
    assert ratio(params, on, "410100") == Decimal("0.016")


def test_a_county_override_beats_the_province_one(params):
    value = params.value("test.ratio", on=D(2019, 1, 1), region="410883")
    assert value is not None and value.region == "410883" and value.decimal == Decimal("0.018")


def test_an_override_not_yet_begun_leaves_the_broader_value(params):
    assert ratio(params, D(2018, 12, 31), "410883") == Decimal("0.016")
    assert ratio(params, D(2019, 12, 31), "410882") == Decimal("0.016")


def test_an_override_ended_by_null_leaves_no_value_even_where_a_broader_one_exists(params):
    assert ratio(params, D(2021, 12, 31), "410883") == Decimal("0.018")
    assert params.value("test.ratio", on=D(2022, 1, 1), region="410883") is None


def test_a_sample_value_is_marked_and_has_no_reference(params):
    value = params.value("test.ratio", on=D(2020, 1, 1), region="410802")
    assert value is not None and value.sample is True and value.reference == ""


def test_a_township_code_matches_its_county_override(params):
    assert ratio(params, D(2020, 1, 1), "410883001000") == Decimal("0.018")


def test_an_unknown_parameter_is_a_key_error(params):
    with pytest.raises(KeyError, match=r"test\.missing"):
        params.value("test.missing", on=D(2020, 1, 1), region="41")


def test_a_region_code_must_be_digits(params):
    with pytest.raises(ValueError, match="digits"):
        params.value("test.ratio", on=D(2020, 1, 1), region="41a")


def test_units_give_decimals_whole_numbers_and_booleans(tmp_path):
    entry = "values:\n  - from: 2020-01-01\n    value: {value}\n    reference: a notice\n"
    for name, unit, value in [
        ("t.yuan", "yuan", '"100.50"'),
        ("t.multiple", "multiple", '"2"'),
        ("t.count", "count", "30"),
        ("t.flag", "bool", "true"),
    ]:
        text = f"parameter: {name}\ndescription: d\nunit: {unit}\n" + entry.format(value=value)
        write(tmp_path, name, text)
    params = load_directory(tmp_path)

    def get(name: str) -> object:
        value = params.value(name, on=D(2020, 1, 1), region="41")
        assert value is not None
        return value.value

    assert get("t.yuan") == Decimal("100.50") and isinstance(get("t.yuan"), Decimal)
    assert get("t.multiple") == Decimal(2)
    assert get("t.count") == 30 and type(get("t.count")) is int
    assert get("t.flag") is True
    assert set(params) == {"t.yuan", "t.multiple", "t.count", "t.flag"}


def test_files_in_subdirectories_are_read(tmp_path):
    write(tmp_path / "levy", "test.ratio", RATIO)
    assert "test.ratio" in load_directory(tmp_path)


def test_a_directory_is_read_once_until_the_cache_is_cleared(tmp_path):
    write(tmp_path, "test.ratio", RATIO)
    first = load_directory(tmp_path)
    assert load_directory(str(tmp_path)) is first
    write(tmp_path, "test.ratio", RATIO.replace('"0.025"', '"0.03"'))
    assert ratio(load_directory(tmp_path), D(2030, 1, 1)) == Decimal("0.025")
    clear_cache()
    assert ratio(load_directory(tmp_path), D(2030, 1, 1)) == Decimal("0.03")


GOOD = """\
parameter: test.value
description: a value
unit: {unit}
values:
  - from: 2020-01-01
    value: {value}
    reference: a notice
"""

# (what is wrong, the file's text, words the message must hold besides the file name)
INVALID = [
    (
        "a required key missing",
        "parameter: test.value\nunit: ratio\nvalues: []\n",
        "missing key 'description'",
    ),
    (
        "an unknown top-level key",
        GOOD.format(unit="ratio", value='"0.1"') + "notes: x\n",
        "unknown key 'notes'",
    ),
    (
        "an unknown unit",
        GOOD.format(unit="percent", value='"0.1"'),
        "unit 'percent': one of ratio | yuan | multiple | count | bool",
    ),
    (
        "the name not matching the file",
        GOOD.format(unit="ratio", value='"0.1"').replace("test.value", "test.other", 1),
        "must be in a file named test.other.yaml",
    ),
    (
        "an unquoted decimal (a float)",
        GOOD.format(unit="ratio", value="0.015"),
        "values[0] (from 2020-01-01): value 0.015: a ratio is written in quotes",
    ),
    (
        "a ratio above 1",
        GOOD.format(unit="ratio", value='"1.5"'),
        "values[0] (from 2020-01-01): value '1.5': a ratio is from 0 to 1",
    ),
    (
        "a number that is not one",
        GOOD.format(unit="multiple", value='"two"'),
        "values[0] (from 2020-01-01): value 'two': not a number",
    ),
    (
        "yuan with three places",
        GOOD.format(unit="yuan", value='"100.005"'),
        "value '100.005': yuan have at most two decimal places",
    ),
    (
        "a negative count",
        GOOD.format(unit="count", value="-1"),
        "value -1: a whole number, 0 or more",
    ),
    (
        "a bool that is not one",
        GOOD.format(unit="bool", value='"yes"'),
        "value 'yes': true or false",
    ),
    (
        "an empty reference not marked sample",
        GOOD.format(unit="ratio", value='"0.1"').replace("a notice", '""'),
        "values[0] (from 2020-01-01): reference is empty: cite the notice, or mark it sample",
    ),
    (
        "a sample with a reference",
        GOOD.format(unit="ratio", value='"0.1"') + "    sample: true\n",
        "values[0] (from 2020-01-01): sample: true with a reference",
    ),
    (
        "an unknown key in an entry",
        GOOD.format(unit="ratio", value='"0.1"') + "    until: 2021-01-01\n",
        "values[0] (from 2020-01-01): unknown key 'until'",
    ),
    (
        "an entry without a value",
        "parameter: test.value\ndescription: d\nunit: ratio\n"
        "values:\n  - from: 2020-01-01\n    reference: a notice\n",
        "values[0] (from 2020-01-01): missing key 'value'",
    ),
    (
        "a date that is not one",
        GOOD.format(unit="ratio", value='"0.1"').replace("2020-01-01", "2020-02-30"),
        "values[0]: from '2020-02-30': a date written YYYY-MM-DD",
    ),
    (
        "dates out of order",
        GOOD.format(unit="ratio", value='"0.1"')
        + '  - from: 2019-01-01\n    value: "0.2"\n    reference: b\n',
        "values[1] (from 2019-01-01): date out of order; dates must ascend",
    ),
    (
        "a date written twice",
        GOOD.format(unit="ratio", value='"0.1"')
        + '  - from: 2020-01-01\n    value: "0.2"\n    reference: b\n',
        "values[1] (from 2020-01-01): date written twice",
    ),
    (
        "an unquoted region prefix",
        GOOD.format(unit="ratio", value='"0.1"')
        + 'overrides:\n  41:\n    - from: 2020-01-01\n      value: "0.2"\n      reference: b\n',
        "overrides[41]: write the region-code prefix in quotes",
    ),
    (
        "a region prefix of 3 digits",
        GOOD.format(unit="ratio", value='"0.1"')
        + 'overrides:\n  "410":\n    - from: 2020-01-01\n      value: "0.2"\n      reference: b\n',
        "overrides['410']: a region-code prefix has 2, 4 or 6 digits",
    ),
    (
        "a bad override entry",
        GOOD.format(unit="ratio", value='"0.1"')
        + 'overrides:\n  "41":\n    - from: 2020-01-01\n      value: "2"\n      reference: b\n',
        "overrides['41'][0] (from 2020-01-01): value '2': a ratio is from 0 to 1",
    ),
    (
        "an override written twice",
        GOOD.format(unit="ratio", value='"0.1"') + 'overrides:\n  "41": []\n  "41": []\n',
        "key '41' written twice",
    ),
    (
        "no value anywhere",
        "parameter: test.value\ndescription: d\nunit: ratio\nvalues: []\n",
        "no value anywhere",
    ),
    (
        "values not a list",
        "parameter: test.value\ndescription: d\nunit: ratio\nvalues: {}\n",
        "values: a list of entries",
    ),
    (
        "not YAML",
        "parameter: [unclosed\n",
        "cannot be read",
    ),
    (
        "not a mapping",
        "- just a list\n",
        "must be a mapping",
    ),
]


@pytest.mark.parametrize(("text", "message"), [case[1:] for case in INVALID],
                         ids=[case[0] for case in INVALID])  # fmt: skip
def test_an_invalid_file_is_refused_with_a_message_naming_the_file_and_entry(
    tmp_path, text, message
):
    path = write(tmp_path, "test.value", text)
    with pytest.raises(ParameterError) as refused:
        load_directory(tmp_path)
    assert any(
        error.startswith(f"{path}:") and message in error for error in refused.value.errors
    ), refused.value.errors


def test_every_problem_of_every_file_is_reported_at_once(tmp_path):
    write(tmp_path, "test.value", GOOD.format(unit="ratio", value="0.1"))
    write(tmp_path, "test.other", "parameter: test.other\n")
    with pytest.raises(ParameterError) as refused:
        load_directory(tmp_path)
    errors = refused.value.errors
    assert len(errors) == 4, errors  # a float in one file, three keys missing in the other
    assert str(refused.value) == "\n".join(errors)


def test_a_parameter_defined_twice_is_refused(tmp_path):
    write(tmp_path / "a", "test.ratio", RATIO)
    write(tmp_path / "b", "test.ratio", RATIO)
    with pytest.raises(ParameterError, match="also defined in"):
        load_directory(tmp_path)


def test_a_missing_or_empty_directory_is_refused(tmp_path):
    with pytest.raises(ParameterError, match="not a directory"):
        load_directory(tmp_path / "missing")
    with pytest.raises(ParameterError, match="no parameter files"):
        load_directory(tmp_path)


def test_a_refused_directory_is_not_cached(tmp_path):
    path = write(tmp_path, "test.value", GOOD.format(unit="ratio", value="0.1"))
    with pytest.raises(ParameterError):
        load_directory(tmp_path)
    path.write_text(GOOD.format(unit="ratio", value='"0.1"'), encoding="utf-8")
    assert "test.value" in load_directory(tmp_path)


def test_the_loaded_parameters_cannot_be_changed(params):
    parameter = params["test.ratio"]
    with pytest.raises(TypeError):
        parameter.overrides["41"] = ()  # type: ignore[index]
    assert module.Unit(parameter.unit) is module.Unit.RATIO
