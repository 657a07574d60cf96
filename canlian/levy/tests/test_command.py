"""`canlian levy calculate` prints the formula's result as JSON; bad input exits 2."""

from __future__ import annotations

import datetime
import io
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from canlian.levy.formula import Inputs, calculate, result_json

ROOT = Path(__file__).resolve().parents[3]

HENAN = [
    "--year", "2024", "--province", "410883", "--kind", "enterprise", "--staff", "312",
    "--disabled", "2", "--disabled-severe", "1", "--average-wage", "150000",
    "--local-average-wage", "70000",
]  # fmt: skip


def levy(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("levy", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_calculate_prints_the_same_json_as_the_formula(settings):
    settings.LANGUAGE_CODE = "en"  # an English deployment: the command speaks LANGUAGE_CODE
    with translation.override("en"):
        out, _err = levy("calculate", *HENAN)
        expected = calculate(
            Inputs(
                year=2024, region="410883", kind="enterprise", staff=Decimal(312),
                disabled=Decimal(2), disabled_severe=Decimal(1),
                average_wage=Decimal(150000), local_average_wage=Decimal(70000),
            )
        )  # fmt: skip
    assert json.loads(out) == result_json(expected)
    assert json.loads(out)["amount"] == "69440.00"


def test_the_collection_date_is_passed_on():
    out, _err = levy(
        "calculate", "--year", "2018", "--on", "2018-03-31", "--province", "13",
        "--kind", "enterprise", "--staff", "100", "--disabled", "0", "--disabled-severe", "0",
        "--average-wage", "200000", "--local-average-wage", "60000",
    )  # fmt: skip
    data = json.loads(out)
    assert data["amount"] == "270000.00"
    assert data["parameters"]["levy.wage_cap_multiple"]["value"] == "3"


def test_invalid_input_exits_2_with_the_message_on_stderr():
    with translation.override("en"), pytest.raises(SystemExit) as exited:
        levy("calculate", *HENAN[:-1], "0")
    assert exited.value.code == 2


def test_the_message_of_invalid_input_is_written(capsys, settings):
    settings.LANGUAGE_CODE = "en"  # an English deployment: the command speaks LANGUAGE_CODE
    err = io.StringIO()
    with translation.override("en"), pytest.raises(SystemExit):
        call_command("levy", "calculate", *HENAN, "--on", "2023-06-30", stderr=err)
    assert "The collection date 2023-06-30 is not in the collection year 2024." in err.getvalue()


def test_a_value_that_is_not_a_number_is_refused_by_the_parser():
    args = [*HENAN]
    args[args.index("--staff") + 1] = "many"
    with translation.override("en"), pytest.raises(CommandError, match="many is not a number"):
        levy("calculate", *args)


def test_a_subcommand_is_required():
    with pytest.raises(CommandError, match="SUBCOMMAND"):
        levy()


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    return subprocess.run(
        [sys.executable, "-m", "canlian.cli", "levy", *args],
        capture_output=True, text=True, cwd=ROOT, env=env, check=False,
    )  # fmt: skip


def test_the_console_command_prints_json_and_exits_0():
    proc = run("calculate", *HENAN)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["amount"] == "69440.00" and data["tier"] == "half"
    assert [step["value"] for step in data["steps"]] == [
        step.value
        for step in calculate(
            Inputs(
                year=2024, region="410883", kind="enterprise", staff=Decimal(312),
                disabled=Decimal(2), disabled_severe=Decimal(1),
                average_wage=Decimal(150000), local_average_wage=Decimal(70000),
                on=datetime.date(2024, 12, 31),
            )
        ).steps
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (("--staff", "-3"), "-3"),
        (("--staff", "abc"), "abc"),
        (("--kind", "company"), "company"),
        (("--on", "2024-02-30"), "2024-02-30"),
    ],
)
def test_the_console_command_exits_2_on_bad_input_without_a_traceback(change, words):
    args = [*HENAN]
    option, value = change
    if option in args:
        args[args.index(option) + 1] = value
    else:
        args += [option, value]
    proc = run("calculate", *args)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert words in proc.stderr
    assert "Traceback" not in proc.stderr
