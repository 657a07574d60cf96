"""Commands speak the interface's language: Chinese by default, English where the deployment
sets LANGUAGE_CODE=en (canlian/cli.py activates it; the strings go through gettext)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def run(*args: str, language: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "LANGUAGE_CODE"}
    env |= {"DJANGO_SETTINGS_MODULE": "config.settings_test", "LANG": "C", "LC_ALL": "C"}
    if language:
        env["LANGUAGE_CODE"] = language
    return subprocess.run(
        [sys.executable, "-m", "canlian.cli", *args],
        capture_output=True, text=True, encoding="utf-8", cwd=ROOT, env=env, check=False,
    )  # fmt: skip


def test_a_refusal_is_chinese_by_default(tmp_path):
    missing = tmp_path / "无此文件.csv"
    proc = run("import-persons", str(missing))
    assert proc.returncode == 1
    assert f"文件不存在：{missing}" in proc.stderr
    assert "No such file" not in proc.stderr


def test_a_refusal_is_english_when_the_deployment_says_so(tmp_path):
    missing = tmp_path / "none.csv"
    proc = run("import-persons", str(missing), language="en")
    assert proc.returncode == 1
    assert f"No such file: {missing}" in proc.stderr


def test_help_follows_the_language():
    chinese = "".join(run("import-persons", "--help").stdout.split())
    english = " ".join(run("import-persons", "--help", language="en").stdout.split())
    assert "任何一行有误则全部不写入" in chinese
    assert "只检查，不写入" in chinese
    assert "nothing is written if any row is bad" in english
    assert "check only, write nothing" in english


def test_an_unknown_language_code_is_refused():
    proc = run("check-id", "11010519491231002X", language="fr")
    assert proc.returncode != 0
    assert "LANGUAGE_CODE='fr'" in proc.stderr


def test_the_settings_option_is_honoured():
    """The language is activated after Django reads --settings, not from the default
    settings loaded beforehand."""
    env = {
        k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "LANGUAGE_CODE")
    }
    env |= {"SECRET_KEY": "canlian-tests-only-" + "y" * 40, "LANG": "C", "LC_ALL": "C"}
    code = "from django.conf import settings; print(settings.SETTINGS_MODULE)"
    proc = subprocess.run(
        [sys.executable, "-m", "canlian.cli", "shell", "--settings=config.settings_test",
         "-c", code],
        capture_output=True, text=True, encoding="utf-8", cwd=ROOT, env=env, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "config.settings_test"
