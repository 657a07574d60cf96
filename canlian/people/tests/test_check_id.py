"""`canlian check-id` prints JSON and exits 0 only for a valid number."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def run(*args: str) -> tuple[int, dict[str, object]]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    proc = subprocess.run(
        [sys.executable, "-m", "canlian.cli", "check-id", *args],
        capture_output=True, text=True, cwd=ROOT, env=env, check=False,
    )  # fmt: skip
    return proc.returncode, json.loads(proc.stdout.strip().splitlines()[-1])


def test_a_valid_number_prints_its_facts_and_exits_0():
    code, out = run("11010519491231002x")
    assert code == 0
    assert out == {
        "valid": True, "normalized": "11010519491231002X", "birth_date": "1949-12-31",
        "sex": "F", "region_code": "110105", "region_name": out["region_name"], "errors": [],
    }  # fmt: skip
    assert "朝阳" in str(out["region_name"])


@pytest.mark.parametrize("number", ["4.10802E+17", "110105194912310021", "12345"])
def test_an_invalid_number_exits_1_with_a_reason(number):
    code, out = run(number)
    assert code == 1
    assert out["valid"] is False and out["errors"]


def test_the_default_language_of_messages_is_chinese():
    _code, out = run("4.10802E+17")
    assert "科学计数法" in str(out["errors"])
